"""The arrays of the candidate graph (matching.candidates): a batch of queries against
the other region's offers, every hard constraint and soft component as (batch × partners)
arrays, the upper bound of each pair's score and the weekly-mask bound of its overlap.
Shared by the exact graph (matching.candidates_exact) and the pooled one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.vocabulary import cefr_rank
from matching import overlap as ov
from matching.components import (
    isced_closeness,
    level_closeness,
    overlap_value,
    relevant,
    sdg_share,
    size_ratio,
)
from matching.features import OfferFeatures, Weights
from matching.table import OfferTable

if TYPE_CHECKING:
    from matching.similarity import TextModel


# Cells of one (batch × partners) array: bounds the memory of a batch (~10 arrays).
BATCH_CELLS = 4_000_000
# Exact overlaps computed up front, in one batch, beyond the k first candidates.
PREFETCH = 4


def _no_edges() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    empty = np.zeros(0, dtype=np.int64)
    return empty, empty, np.zeros(0)


def _partners(table: OfferTable, model: TextModel, others: np.ndarray, fields: _Fields):
    cols = model.rows_of(table.ids[others])
    if (cols < 0).any():
        raise KeyError("every offer of the table must be in the text model")
    return _Partners(table.take(others), others, model.subset(cols), fields)


class _Fields:
    """ISCED closeness through a small (codes × codes) table: a gather per pair instead
    of `isced_closeness`' set lookups on every cell."""

    def __init__(self, isced: np.ndarray) -> None:
        self.codes = np.unique(isced)
        self.matrix = isced_closeness(self.codes[:, None], self.codes[None, :])
        self.matrix32 = self.matrix.astype(np.float32)

    def index(self, isced: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.codes, isced).astype(np.int32)


class _Partners:
    """The other region's offers: their table, text vectors and per-row codes."""

    def __init__(
        self, table: OfferTable, rows: np.ndarray, text: TextModel, fields: _Fields
    ) -> None:
        self.table, self.rows, self.text, self.fields = table, rows, text, fields
        self.field = fields.index(table.isced)
        # int32 copies for the (batch × partners) arrays: half the memory traffic.
        self.start, self.end = table.start.astype(np.int32), table.end.astype(np.int32)
        self.weeks7 = (7 * table.duration).astype(np.int32)
        self.mask_words = np.ascontiguousarray(table.masks.T)
        self.languages = sorted(table.cefr)
        self.lang_bits = _language_bits(table, self.languages)
        if self.lang_bits is not None:
            # Few distinct sets of languages: compare the sets, then spread to the rows.
            self.lang_sets, self.lang_set_of = np.unique(self.lang_bits, return_inverse=True)
        countries = table.countries
        # excluded_by[c, r]: partner r excludes partners from country c.
        self.excluded_by = np.zeros((len(countries), len(table)), dtype=bool)
        for c, mask in table.excludes.items():
            if c in countries:
                self.excluded_by[countries.index(c)] = mask


def _language_bits(table: OfferTable, languages: list[str]) -> np.ndarray | None:
    """Per row, a bit per language listed (None past 63 languages: then per language)."""
    if len(languages) > 63:
        return None
    bits = np.zeros(len(table), dtype=np.int64)
    for i, lang in enumerate(languages):
        bits |= (table.cefr[lang] >= 0).astype(np.int64) << i
    return bits


class _Batch:
    """One batch of queries: their features and the columns the constraints read."""

    def __init__(self, table: OfferTable, rows: np.ndarray, fields: _Fields) -> None:
        self.rows = rows
        self.offers: list[OfferFeatures] = [table.offers[r] for r in rows.tolist()]
        self.country = table.country[rows]
        self.field = fields.index(table.isced[rows])
        self.start, self.end = table.start[rows], table.end[rows]
        self.duration = table.duration[rows]
        self.sync = table.sync[rows]
        self.level, self.students = table.level[rows], table.students[rows]
        self.sdg, self.priority = table.sdg[rows], table.priority[rows]

    def __len__(self) -> int:
        return len(self.offers)


@dataclass
class _Scored:
    """The pairs of a batch that pass every hard constraint and the overlap bound, flat
    and grouped by query: query index, column in the batch's arrays, partner row, whether
    the overlap applies, partial score (every component but overlap), denominator and
    upper bound of the score."""

    query: np.ndarray
    col: np.ndarray
    row: np.ndarray
    sync: np.ndarray
    partial: np.ndarray
    denom: np.ndarray
    upper: np.ndarray


def _hard(batch: _Batch, partners: _Partners, text, cols, w: Weights) -> np.ndarray:
    """(batch × columns) mask of the pairs passing every hard constraint but overlap, as
    `OfferTable._hard` and the relevance rule; the region holds by construction."""
    p = partners.table

    def g(values: np.ndarray) -> np.ndarray:
        return values[None, :] if cols is None else values[cols]

    by_field = partners.fields.matrix32[batch.field]
    if cols is None:
        field = np.take(by_field, partners.field, axis=1)
    else:
        field = np.take_along_axis(by_field, partners.field[cols], axis=1)
    ok = relevant(field, text, w.min_text_without_field)
    # Whole shared weeks ≥ the longer duration: ⌊(days)/7⌋ ≥ n ⟺ days ≥ 7n.
    start, end = batch.start.astype(np.int32)[:, None], batch.end.astype(np.int32)[:, None]
    days = np.minimum(g(partners.end), end) - np.maximum(g(partners.start), start) + 1
    ok &= days >= np.maximum(g(partners.weeks7), (7 * batch.duration).astype(np.int32)[:, None])
    ok &= _languages(batch, partners, g, w, pooled=cols is not None)
    banned = np.zeros((len(batch), len(p.countries)), dtype=bool)
    for i, q in enumerate(batch.offers):
        for c in q.excluded_countries:
            if c in p.countries:
                banned[i, p.countries.index(c)] = True
    if banned.any():
        their = np.broadcast_to(g(p.country), ok.shape)
        ok &= ~np.take_along_axis(banned, their, axis=1)
    if partners.excluded_by.any():
        if cols is None:
            ok &= ~partners.excluded_by[batch.country]
        else:
            ok &= ~partners.excluded_by[batch.country[:, None], cols]
    return ok


def _languages(batch: _Batch, partners: _Partners, g, w: Weights, pooled: bool) -> np.ndarray:
    """(batch × columns): the pair shares a working language (within the CEFR gap)."""
    index = {lang: i for i, lang in enumerate(partners.languages)}
    if partners.lang_bits is not None and w.max_cefr_gap is None:
        mine = np.zeros(len(batch), dtype=np.int64)
        for i, q in enumerate(batch.offers):
            for lang, _level in q.languages:
                if lang in index:
                    mine[i] |= 1 << index[lang]
        if pooled:  # the columns differ per query
            return (g(partners.lang_bits) & mine[:, None]) != 0
        shared = (partners.lang_sets[None, :] & mine[:, None]) != 0
        if shared.all():
            return np.ones((len(batch), 1), dtype=bool)
        return np.take(shared, partners.lang_set_of, axis=1)
    ok = None
    for lang in partners.languages:
        mine = np.array([_rank_of(q, lang) for q in batch.offers], dtype=np.int64)
        if (mine < 0).all():
            continue
        theirs = g(partners.table.cefr[lang]).astype(np.int64)
        hit = (theirs >= 0) & (mine[:, None] >= 0)
        if w.max_cefr_gap is not None:
            hit &= np.abs(theirs - mine[:, None]) <= w.max_cefr_gap
        ok = hit if ok is None else ok | hit
    shape = (len(batch), g(partners.field).shape[-1])
    return np.zeros(shape, dtype=bool) if ok is None else ok


def _rank_of(q: OfferFeatures, lang: str) -> int:
    """The CEFR rank q lists for lang, −1 when none (the highest, if listed twice)."""
    return max((cefr_rank(level) for code, level in q.languages if code == lang), default=-1)


def _score(batch: _Batch, partners: _Partners, s: _Scored, text, w: Weights) -> _Scored:
    """Drop the pairs below the overlap bound, score the rest (as `OfferTable.rank`)."""
    p, qi, rows = partners.table, s.query, s.row
    sync = p.sync[rows] | batch.sync[qi]
    bound = np.zeros(len(rows))
    if sync.any():
        bound[sync] = _mask_slots(batch, partners, qi[sync], rows[sync]) * (ov.SLOT_MINUTES / 60)
        keep = ~sync | (bound >= w.min_overlap_hours - 1e-9)
        qi, rows, text, sync, bound = qi[keep], rows[keep], text[keep], sync[keep], bound[keep]
        s.col = s.col[keep]
    field = partners.fields.matrix[batch.field[qi], partners.field[rows]]
    partial = (
        w.text * np.clip(text, 0.0, 1.0)
        + w.isced * field
        + w.level * level_closeness(p.level[rows], batch.level[qi])
        + w.size * size_ratio(p.students[rows], batch.students[qi])
        + w.sdg * sdg_share(p.sdg[rows], batch.sdg[qi])
    )
    # The same priority: both listed one (codes of the same table, −1 for none).
    partial = partial + w.priority * (
        (p.priority[rows] == batch.priority[qi]) & (batch.priority[qi] >= 0)
    )
    denom = w.text + w.isced + w.level + w.size + w.sdg + w.priority + w.overlap * sync
    upper = partial + w.overlap * sync * overlap_value(bound, w.overlap_saturation_hours)
    return _Scored(qi, s.col, rows, sync, partial, denom, upper / denom)


def _mask_slots(batch: _Batch, partners: _Partners, qi: np.ndarray, rows: np.ndarray):
    """Shared slots of the weekly masks (`overlap.mask_hours`) per pair (qi sorted), word by
    word and only over the words a query's mask uses (a few of `MASK_WORDS`)."""
    out = np.zeros(len(rows), dtype=np.int64)
    bounds = np.searchsorted(qi, np.arange(len(batch) + 1))
    for i, q in enumerate(batch.offers):
        a, b = bounds[i], bounds[i + 1]
        if a == b:
            continue
        mine, theirs = _mask(q, partners.table), rows[a:b]
        for word in np.flatnonzero(mine).tolist():
            out[a:b] += np.bitwise_count(partners.mask_words[word][theirs] & mine[word])
    return out


def _mask(q: OfferFeatures, table: OfferTable) -> np.ndarray:
    return ov.weekly_mask(q.time_zone, tuple(q.windows), *table._years_with(q))  # noqa: SLF001
