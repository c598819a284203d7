"""The candidate graph of a pairing round, many queries at once — no Django.

For every offer, its top-k partners from the other region among those passing every hard
constraint, by the soft score of `table.OfferTable.rank`; the union of both directions.

Per batch of queries (one region) against the other region's offers: the text cosines
from one sparse product (the model's transposed, inverted-index layout), the hard
constraints and the soft components as (batch × partners) arrays, and the weekly-mask
bound of the overlap for the pairs that want synchronous sessions. Then each query walks
its candidates best upper bound first and computes the exact weekly overlap only until no
remaining bound can beat its k-th score (branch and bound, as `OfferTable.rank`): the
result equals ranking each query on its own, an order of magnitude faster.

With `pool`, only each query's `pool` best partners by text are considered (faster on
large rounds, no longer exact; `bench/match_speed.py` prints both).
"""

from __future__ import annotations

import heapq
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
from matching.overlap_batch import OccurrenceIndex
from matching.table import ASIA, OfferTable

if TYPE_CHECKING:
    from matching.similarity import TextModel

# Cells of one (batch × partners) array: bounds the memory of a batch (~10 arrays).
BATCH_CELLS = 4_000_000
# Exact overlaps computed up front, in one batch, beyond the k first candidates.
PREFETCH = 4
_DONE, _END = -1, -2


def candidate_edges(
    table: OfferTable,
    model: TextModel,
    weights: Weights,
    k: int = 10,
    *,
    pool: int | None = None,
    batch_size: int = 512,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(asian ids, european ids, scores) of the candidate graph (see the module
    docstring); each pair once. Every offer of the table must be in `model`."""
    found: dict[tuple[int, int], float] = {}
    fields = _Fields(table.isced)
    overlaps = _Overlaps(table)
    for side in (table.asia, ~table.asia):
        queries, others = np.flatnonzero(side), np.flatnonzero(~side)
        if not len(queries) or not len(others) or k <= 0:
            continue
        cols = model.rows_of(table.ids[others])
        if (cols < 0).any():
            raise KeyError("every offer of the table must be in the text model")
        partners = _Partners(table.take(others), others, model.subset(cols), fields)
        vectors = model.rows(table.ids[queries])
        width = min(pool or len(others), len(others))
        step = max(8, min(batch_size, BATCH_CELLS // width))
        for lo in range(0, len(queries), step):
            batch = _Batch(table, queries[lo : lo + step], fields)
            text = partners.text.score_block(vectors[lo : lo + step])
            for q, ranked in _rank_batch(batch, partners, text, weights, k, pool, overlaps):
                for other, score in ranked:
                    found[(q.id, other) if q.region == ASIA else (other, q.id)] = score
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    keys = np.array(list(found), dtype=np.int64)
    return keys[:, 0], keys[:, 1], np.array(list(found.values()), dtype=np.float64)


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


def _rank_batch(batch, partners, text, w, k, pool, overlaps):
    """(query, [(partner id, score)]) for every query of the batch, best first."""
    cols = None
    if pool is not None and pool < text.shape[1]:
        cols = np.argpartition(-text, pool - 1, axis=1)[:, :pool]
        text = np.take_along_axis(text, cols, axis=1)
    ok = _hard(batch, partners, text, cols, w)
    qi, cj = np.nonzero(ok)
    rows = cj if cols is None else cols[qi, cj]
    scored = _score(batch, partners, _Scored(qi, cj, rows, *([None] * 4)), text[qi, cj], w)
    # Each query's pairs, best upper bound first (one sort for the whole batch).
    order = np.lexsort((-scored.upper, scored.query))
    bounds = np.searchsorted(scored.query, np.arange(len(batch) + 1))
    lists = [order[bounds[i] : bounds[i + 1]] for i in range(len(batch))]
    for i, heap in _walk_all(batch, partners, scored, lists, w, k, overlaps):
        best = sorted(heap, key=lambda t: (-t[0], -t[1]))
        yield batch.offers[i], [(int(partners.table.ids[r]), score) for score, _, r in best]


def _walk_all(batch, partners, scored, lists, w, k, overlaps):
    """(query index, heap) per query: walks that stop at an overlap not computed yet are
    resumed once the overlaps every such walk needs next are computed together."""
    start = [0] * len(batch)
    pending, size = list(range(len(batch))), k + PREFETCH
    while pending:
        wanted = [(i, lists[i][start[i] : start[i] + size].tolist()) for i in pending]
        _prefetch(batch, partners, scored, wanted, overlaps)
        waiting = []
        for i in pending:
            q = batch.offers[i]
            heap, state = _walk(q, partners.table, scored, lists[i], w, k, overlaps, strict=True)
            if state >= 0:
                start[i] = state
                waiting.append(i)
            else:
                yield i, heap
        pending, size = waiting, size * 2


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
    ok &= _languages(batch, partners, g, w)
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


def _languages(batch: _Batch, partners: _Partners, g, w: Weights) -> np.ndarray:
    """(batch × columns): the pair shares a working language (within the CEFR gap)."""
    index = {lang: i for i, lang in enumerate(partners.languages)}
    if partners.lang_bits is not None and w.max_cefr_gap is None:
        mine = np.zeros(len(batch), dtype=np.int64)
        for i, q in enumerate(batch.offers):
            for lang, _level in q.languages:
                if lang in index:
                    mine[i] |= 1 << index[lang]
        return (g(partners.lang_bits) & mine[:, None]) != 0
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


def _walk(q, table, s: _Scored, order: list[int], w: Weights, k: int, overlaps, strict=False):
    """Branch and bound over the pairs `order` (best upper bound first) of query q:
    (heap of (score, −id, partner row), state): _DONE when the bound proved the top k
    complete, _END when `order` ran out; with `strict`, the position of the first pair
    whose overlap is not computed yet, where the walk stopped."""
    heap: list[tuple[float, int, int]] = []
    saturation = w.overlap_saturation_hours
    for pos, j in enumerate(order):
        upper = s.upper[j]
        if len(heap) == k and heap[0][0] >= upper:
            return heap, _DONE
        row = int(s.row[j])
        partial, denom = s.partial[j], s.denom[j]
        score = partial / denom
        if s.sync[j]:
            hours = overlaps.get(q, table.offers[row], strict)
            if hours is None:
                return heap, pos
            if hours < w.min_overlap_hours - 1e-9:
                continue
            score = (partial + w.overlap * min(hours / saturation, 1.0)) / denom
        item = (float(score), -int(table.ids[row]), row)
        if len(heap) < k:
            heapq.heappush(heap, item)
        elif item[:2] > heap[0][:2]:
            heapq.heapreplace(heap, item)
    return heap, _END


class _Overlaps:
    """Exact guaranteed weekly overlap hours by pair of ids, computed in batches
    (`overlap_batch`) and memoised across both directions of the round."""

    def __init__(self, table: OfferTable) -> None:
        self.index = OccurrenceIndex(table.offers)
        self.row_of = table.row_of
        self.hours: dict[tuple[int, int], float] = {}

    def fill(self, a: list[OfferFeatures], b: list[OfferFeatures]) -> None:
        todo = [(x, y) for x, y in zip(a, b, strict=True) if _key(x, y) not in self.hours]
        if not todo:
            return
        rows_a = np.array([self.row_of[x.id] for x, _ in todo], dtype=np.int64)
        rows_b = np.array([self.row_of[y.id] for _, y in todo], dtype=np.int64)
        need = np.array([max(x.duration_weeks, y.duration_weeks) for x, y in todo])
        got = self.index.guaranteed(rows_a, rows_b, need).tolist()
        self.hours.update(zip((_key(x, y) for x, y in todo), got, strict=True))

    def get(self, a: OfferFeatures, b: OfferFeatures, strict: bool) -> float | None:
        """The pair's hours; computed now unless `strict` (then None when not known)."""
        found = self.hours.get(_key(a, b))
        if found is None and not strict:
            self.fill([a], [b])
            found = self.hours[_key(a, b)]
        return found


def _key(a: OfferFeatures, b: OfferFeatures) -> tuple[int, int]:
    return (a.id, b.id) if a.id < b.id else (b.id, a.id)


def _prefetch(batch, partners, scored: _Scored, wanted, overlaps: _Overlaps) -> None:
    """Exact overlaps of the sync pairs among `wanted` ((query index, [pair]) each), at once."""
    offers = partners.table.offers
    a, b = [], []
    for i, pairs in wanted:
        for j in pairs:
            if scored.sync[j]:
                a.append(batch.offers[i])
                b.append(offers[scored.row[j]])
    overlaps.fill(a, b)
