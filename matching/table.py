"""Offers as columns of numpy arrays, for vectorised filtering and exact top-k ranking —
no Django.

`OfferTable.rank` checks the hard constraints of `constraints` for many offers at once and
scores with the components of `components`, so its scores equal `explanation.explain`'s.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.vocabulary import LEVEL_POSITION, REGIONS, cefr_rank
from matching import overlap as ov
from matching.components import (
    isced_closeness,
    level_closeness,
    overlap_value,
    relevant,
    sdg_mask,
    sdg_share,
    size_ratio,
)
from matching.features import OfferFeatures, Weights

if TYPE_CHECKING:
    from matching.similarity import TextModel

ASIA = REGIONS[0]

# One ranked candidate: (row, score, exact overlap summary or None without sync sessions).
Ranked = tuple[int, float, ov.OverlapSummary | None]


@dataclass
class _Candidates:
    """The rows of one query that pass the vectorised filters, with their bounds.

    `partial` is the weighted sum of every component but overlap, `denom` the total weight
    that applies, `upper` the score with the overlap part at its upper bound.
    """

    rows: np.ndarray
    sync: np.ndarray
    partial: np.ndarray
    denom: np.ndarray
    upper: np.ndarray


class OfferTable:
    """Offers as columns of numpy arrays, for vectorised filtering and scoring.

    Build once per model load (≈1 s per 100k offers) and reuse for every request; rows
    follow the order of `offers`. Holds the `OfferFeatures` too, for explanations.
    """

    def __init__(self, offers: Sequence[OfferFeatures]) -> None:
        self.offers = list(offers)
        n = len(self.offers)
        self.ids = np.array([o.id for o in self.offers], dtype=np.int64)
        self.row_of = {int(i): r for r, i in enumerate(self.ids)}
        if len(self.row_of) != n:
            raise ValueError("offer ids must be unique")
        self.asia = np.array([o.region == ASIA for o in self.offers], dtype=bool)
        self.countries = sorted({o.country for o in self.offers})
        code = {c: i for i, c in enumerate(self.countries)}
        self.country = np.array([code[o.country] for o in self.offers], dtype=np.int32)
        self.institution = np.array([o.institution_id for o in self.offers], dtype=np.int64)
        self.isced = np.array([int(o.isced) for o in self.offers], dtype=np.int32)
        self.kind = np.array([o.kind for o in self.offers], dtype="<U16")
        self.level = np.array([LEVEL_POSITION[o.level] for o in self.offers], dtype=np.float64)
        self.students = np.array([o.students for o in self.offers], dtype=np.float64)
        self.start = np.array([o.term_start.toordinal() for o in self.offers], dtype=np.int64)
        self.end = np.array([o.term_end.toordinal() for o in self.offers], dtype=np.int64)
        self.duration = np.array([o.duration_weeks for o in self.offers], dtype=np.int64)
        self.sync = np.array([o.wants_sync for o in self.offers], dtype=bool)
        self.sdg = np.array([sdg_mask(o.sdgs) for o in self.offers], dtype=np.int64)
        self.priorities = sorted({o.priority for o in self.offers if o.priority})
        pcode = {p: i for i, p in enumerate(self.priorities)}
        self.priority = np.array([pcode.get(o.priority, -1) for o in self.offers], dtype=np.int32)
        self._index_languages_and_exclusions()
        self.years = (
            (
                dt.date.fromordinal(int(self.start.min())).year,
                dt.date.fromordinal(int(self.end.max())).year,
            )
            if n
            else (2000, 2000)
        )
        masks = np.zeros((n, ov.MASK_WORDS), dtype=np.uint64)
        for r, o in enumerate(self.offers):
            if o.windows:
                masks[r] = ov.weekly_mask(o.time_zone, tuple(o.windows), *self.years)
        self.masks = masks
        self._model_rows: tuple[TextModel, np.ndarray | None] | None = None

    def _index_languages_and_exclusions(self) -> None:
        n = len(self.offers)
        # cefr[lang][r]: the highest CEFR rank offer r lists for lang, −1 when none.
        self.cefr: dict[str, np.ndarray] = {}
        for r, o in enumerate(self.offers):
            for lang, level in o.languages:
                col = self.cefr.setdefault(lang, np.full(n, -1, dtype=np.int8))
                col[r] = max(col[r], cefr_rank(level))
        # excludes[c][r]: offer r excludes partners from country c.
        self.excludes: dict[str, np.ndarray] = {}
        for r, o in enumerate(self.offers):
            for c in o.excluded_countries:
                self.excludes.setdefault(c, np.zeros(n, dtype=bool))[r] = True

    def __len__(self) -> int:
        return len(self.offers)

    def take(self, rows: np.ndarray) -> OfferTable:
        """A table of these rows only (arrays sliced once, so ranking many queries against
        the same candidates skips the gather on every call)."""
        rows = np.asarray(rows, dtype=np.int64)
        sub = OfferTable.__new__(OfferTable)
        for name, value in self.__dict__.items():
            if isinstance(value, np.ndarray):
                value = value[rows]
            elif name in ("cefr", "excludes"):
                value = {key: col[rows] for key, col in value.items()}
            setattr(sub, name, value)
        sub.offers = [self.offers[r] for r in rows.tolist()]
        sub.row_of = {int(i): r for r, i in enumerate(sub.ids)}
        sub._model_rows = None
        return sub

    def without(self, ids: Iterable[int]) -> OfferTable:
        """This table less the rows of these offer ids (itself when it holds none)."""
        rows = [self.row_of[i] for i in ids if i in self.row_of]
        if not rows:
            return self
        keep = np.ones(len(self), dtype=bool)
        keep[rows] = False
        return self.take(np.flatnonzero(keep))

    @classmethod
    def concat(cls, a: OfferTable, b: OfferTable) -> OfferTable:
        """The rows of `a` then those of `b`, without recomputing `a`'s rows (a process's
        table plus the offers changed since it was built)."""
        if not len(b):
            return a
        if not len(a):
            return b
        out = cls.__new__(cls)
        out.offers = a.offers + b.offers
        for name in _ROW_COLUMNS:
            setattr(out, name, np.concatenate([getattr(a, name), getattr(b, name)]))
        out.row_of = {int(i): r for r, i in enumerate(out.ids)}
        if len(out.row_of) != len(out.offers):
            raise ValueError("offer ids must be unique")
        out.countries = sorted(set(a.countries) | set(b.countries))
        out.country = _recode(out.countries, (a.countries, a.country), (b.countries, b.country))
        out.priorities = sorted(set(a.priorities) | set(b.priorities))
        out.priority = _recode(
            out.priorities, (a.priorities, a.priority), (b.priorities, b.priority)
        )
        out.cefr = _concat_columns(a.cefr, b.cefr, len(a), len(b), -1, np.int8)
        out.excludes = _concat_columns(a.excludes, b.excludes, len(a), len(b), False, bool)
        # Each part's masks cover its own rows' years; the query's mask covers the union.
        out.years = (min(a.years[0], b.years[0]), max(a.years[1], b.years[1]))
        out._model_rows = None
        return out

    def text_scores(self, model: TextModel, scores: np.ndarray) -> np.ndarray:
        """Model scores (one per model row) re-ordered to this table's rows (0 if unknown).

        For speed, call once per request with `model.scores(vector)`; the row mapping is
        cached per model.
        """
        cached = self._model_rows
        if cached is None or cached[0] is not model:
            rows = model.rows_of(self.ids)
            # Same offers in the same order (the usual case): no gather per request.
            same = len(rows) == len(model) and bool((rows == np.arange(len(rows))).all())
            cached = (model, None if same else rows)
            self._model_rows = cached
        rows = cached[1]
        if rows is None:
            return np.asarray(scores, dtype=np.float32)
        return np.where(rows >= 0, scores[np.maximum(rows, 0)], 0.0).astype(np.float32)

    # ------------------------------------------------------------ ranking

    def _hard(self, q: OfferFeatures, rows: np.ndarray | slice, weights: Weights) -> np.ndarray:
        """Vectorised hard constraints on `rows` (an index array, or slice(None) for all
        rows without a gather), all but overlap (see `rank`)."""
        ok = self.asia[rows] != (q.region == ASIA)
        lang_ok = np.zeros(len(ok), dtype=bool)
        for lang, level in q.languages:
            col = self.cefr.get(lang)
            if col is None:
                continue
            theirs = col[rows]
            hit = theirs >= 0
            if weights.max_cefr_gap is not None:
                # A table row keeps the highest level per language; offers list each once.
                gap = np.abs(theirs.astype(np.int64) - cefr_rank(level))
                hit &= gap <= weights.max_cefr_gap
            lang_ok |= hit
        ok &= lang_ok
        if q.excluded_countries:
            banned = [self.countries.index(c) for c in q.excluded_countries if c in self.countries]
            ok &= ~np.isin(self.country[rows], banned)
        if q.country in self.excludes:
            ok &= ~self.excludes[q.country][rows]
        qs, qe = q.term_start.toordinal(), q.term_end.toordinal()
        weeks = (np.minimum(self.end[rows], qe) - np.maximum(self.start[rows], qs) + 1) // 7
        ok &= weeks >= np.maximum(self.duration[rows], q.duration_weeks)
        return ok

    def _years_with(self, q: OfferFeatures) -> tuple[int, int]:
        return min(self.years[0], q.term_start.year), max(self.years[1], q.term_end.year)

    def rank(
        self,
        q: OfferFeatures,
        text: np.ndarray,
        weights: Weights,
        k: int,
        rows: np.ndarray | None = None,
        overlaps: dict[tuple[int, int], ov.OverlapSummary] | None = None,
    ) -> list[Ranked]:
        """Exact top-k (row, score, overlap summary) among `rows` (default: all) for `q`,
        best first, only pairs passing every hard constraint.

        `text[i]` is the text cosine of `rows[i]` (of row i when `rows` is None).
        Branch and bound: the cheap filters and components are vectorised; candidates are
        then visited in order of an upper bound of their score (the overlap part bounded
        by `overlap.weekly_mask`), and the exact weekly overlap is computed only until no
        remaining bound can beat the k-th score found — the result equals scoring every
        pair. Ties at the k-th place are broken arbitrarily.

        `overlaps` optionally memoises exact overlap summaries by (smaller id, larger id)
        across calls — the summary of a pair is the same from either side.
        """
        if k <= 0:
            return []
        found = self._candidates(q, np.asarray(text), weights, rows)
        if found is None:
            return []
        return self._best(q, found, weights, k, overlaps)

    def _candidates(
        self, q: OfferFeatures, text: np.ndarray, w: Weights, rows: np.ndarray | None
    ) -> _Candidates | None:
        """The rows passing the hard constraints and the overlap bound, with their partial
        scores and upper bounds; None when no row passes."""
        if rows is None:
            picked = np.flatnonzero(self._hard(q, slice(None), w))
            rows = picked
        else:
            rows = np.asarray(rows, dtype=np.int64)
            picked = np.flatnonzero(self._hard(q, rows, w))
            rows = rows[picked]
        text = text[picked]
        field = isced_closeness(self.isced[rows], int(q.isced))
        keep = relevant(field, text, w.min_text_without_field)
        rows, text, field = rows[keep], text[keep], field[keep]
        sync = self.sync[rows] | q.wants_sync
        bound = np.zeros(len(rows))
        if sync.any():
            qmask = ov.weekly_mask(q.time_zone, tuple(q.windows), *self._years_with(q))
            bound[sync] = ov.mask_hours(qmask, self.masks[rows[sync]])
            keep = ~sync | (bound >= w.min_overlap_hours - 1e-9)
            rows, text, field = rows[keep], text[keep], field[keep]
            sync, bound = sync[keep], bound[keep]
        if not len(rows):
            return None
        partial = (
            w.text * np.clip(text, 0.0, 1.0)
            + w.isced * field
            + w.level * level_closeness(self.level[rows], LEVEL_POSITION[q.level])
            + w.size * size_ratio(self.students[rows], float(q.students))
            + w.sdg * sdg_share(self.sdg[rows], sdg_mask(q.sdgs))
        )
        if q.priority in self.priorities:
            same = self.priority[rows] == self.priorities.index(q.priority)
            partial = partial + w.priority * same
        denom = w.text + w.isced + w.level + w.size + w.sdg + w.priority + w.overlap * sync
        upper = partial + w.overlap * sync * overlap_value(bound, w.overlap_saturation_hours)
        return _Candidates(rows, sync, partial, denom, upper / denom)

    def _best(
        self,
        q: OfferFeatures,
        c: _Candidates,
        w: Weights,
        k: int,
        overlaps: dict[tuple[int, int], ov.OverlapSummary] | None,
    ) -> list[Ranked]:
        """Branch and bound over the candidates, best upper bound first (see `rank`)."""
        heap: list[tuple[float, int, int, ov.OverlapSummary | None]] = []
        for i in _by_bound(c.upper, max(4 * k, 256)):
            if len(heap) == k and heap[0][0] >= c.upper[i]:
                break
            row = int(c.rows[i])
            summary = None
            score = c.partial[i] / c.denom[i]
            if c.sync[i]:
                summary = self._exact_overlap(q, self.offers[row], overlaps)
                if summary.guaranteed < w.min_overlap_hours - 1e-9:
                    continue
                hours = overlap_value(summary.guaranteed, w.overlap_saturation_hours)
                score = (c.partial[i] + w.overlap * hours) / c.denom[i]
            item = (float(score), -int(self.ids[row]), row, summary)
            if len(heap) < k:
                heapq.heappush(heap, item)
            elif item[:2] > heap[0][:2]:
                heapq.heapreplace(heap, item)
        best = sorted(heap, key=lambda t: (-t[0], -t[1]))
        return [(row, score, summary) for score, _, row, summary in best]

    @staticmethod
    def _exact_overlap(
        q: OfferFeatures,
        other: OfferFeatures,
        overlaps: dict[tuple[int, int], ov.OverlapSummary] | None,
    ) -> ov.OverlapSummary:
        """The pair's exact overlap summary, memoised in `overlaps` when given."""
        key = (min(q.id, other.id), max(q.id, other.id))
        summary = overlaps.get(key) if overlaps is not None else None
        if summary is None:
            summary = ov.overlap_summary(q, other, max(q.duration_weeks, other.duration_weeks))
            if overlaps is not None:
                overlaps[key] = summary
        return summary


# The columns that concatenate as they are (codes into per-table lists do not).
_ROW_COLUMNS = (
    "ids", "asia", "institution", "isced", "kind", "level", "students",
    "start", "end", "duration", "sync", "sdg", "masks",
)  # fmt: skip


def _recode(names: list, *parts: tuple[list, np.ndarray]) -> np.ndarray:
    """Codes into `names` of each part's codes into its own names (−1 stays −1)."""
    code = {n: i for i, n in enumerate(names)}
    out = []
    for own, codes in parts:
        lookup = np.array([code[n] for n in own] + [-1], dtype=np.int32)
        out.append(lookup[codes])  # −1 picks the appended −1
    return np.concatenate(out)


def _concat_columns(a: dict, b: dict, na: int, nb: int, blank, dtype) -> dict:
    return {
        key: np.concatenate(
            [
                a.get(key, np.full(na, blank, dtype=dtype)),
                b.get(key, np.full(nb, blank, dtype=dtype)),
            ]
        )
        for key in a.keys() | b.keys()
    }


def _by_bound(upper: np.ndarray, head: int):
    """Indices of `upper` from largest to smallest, sorting the tail only if reached."""
    if len(upper) <= head:
        yield from np.argsort(-upper, kind="stable").tolist()
        return
    first = np.argpartition(-upper, head - 1)[:head]
    yield from first[np.argsort(-upper[first], kind="stable")].tolist()
    rest = np.ones(len(upper), dtype=bool)
    rest[first] = False
    rest = np.flatnonzero(rest)
    yield from rest[np.argsort(-upper[rest], kind="stable")].tolist()
