"""The exact candidate graph of a round (matching.candidates, `pool` None): both
directions from one pass over blocks of Asian offers × European offers, branch and bound
on the exact weekly overlap; the module docstring of matching.candidates tells how."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matching.candidate_arrays import (
    BATCH_CELLS,
    PREFETCH,
    _Batch,
    _Fields,
    _hard,
    _no_edges,
    _Partners,
    _score,
    _Scored,
)
from matching.features import Weights
from matching.overlap_batch import OccurrenceIndex, _ramp
from matching.table import OfferTable

if TYPE_CHECKING:
    from matching.similarity import TextModel


def _exact_edges(table: OfferTable, model: TextModel, w: Weights, k: int, batch_size: int):
    """Both directions from one pass: the cosines, hard constraints and bounds of a block
    of Asian offers × the European offers are computed once and serve both the block's
    rows (ranked at once) and the European columns (whose candidates that can still reach
    their top k are kept until every block is seen).

    Both sides are sorted by the start of term, so a block only meets the European offers
    whose terms can share a week with its own (`_Segments`): offers of other seasons are
    never scored."""
    asia, europe = np.flatnonzero(table.asia), np.flatnonzero(~table.asia)
    if not len(asia) or not len(europe) or k <= 0:
        return _no_edges()
    asia = asia[np.argsort(table.start[asia], kind="stable")]
    europe = europe[np.argsort(table.start[europe], kind="stable")]
    fields = _Fields(table.isced)
    segments = _Segments(table, model, europe, fields)
    vectors = model.rows(table.ids[asia])
    memo = _HoursMemo(table)
    columns = _Columns(len(europe), k)
    col_of = np.full(len(table), -1, dtype=np.int64)
    col_of[europe] = np.arange(len(europe))
    found = []
    step = max(8, min(batch_size, BATCH_CELLS // len(europe)))
    for lo in range(0, len(asia), step):
        rows = asia[lo : lo + step]
        first, partners, text = segments.meet(rows, vectors[lo : lo + step])
        if partners is None:
            continue
        batch = _Batch(table, rows, fields)
        ok = _hard(batch, partners, text, None, w)
        qi, cj = np.nonzero(ok)
        s = _score(batch, partners, _Scored(qi, cj, cj, *([None] * 4)), text[qi, cj], w)
        del text, ok
        col = s.row + first
        cands = _Cands(
            query=s.query, a=rows[s.query], b=europe[col], partner_id=table.ids[europe[col]],
            partial=s.partial, denom=s.denom, upper=s.upper, sync=s.sync,
        )  # fmt: skip
        top, known = _top_k(cands, len(rows), k, w, memo)
        found.append(top)
        # The same pairs seen from the European side: the column is the query now.
        columns.add(
            _Cands(
                query=col, a=cands.b, b=cands.a, partner_id=table.ids[cands.a],
                partial=s.partial, denom=s.denom, upper=s.upper, sync=s.sync,
            ),
            col_of[known.b],
            known.score,
        )  # fmt: skip
    if not columns.parts:  # no block met a partner in its season
        return _no_edges()
    top, _ = _top_k(columns.candidates(), len(europe), k, w, memo)
    found.append(top)
    return _union(table, found)


def _union(table: OfferTable, found: list[_Top]):
    """The pairs of both directions as (asian ids, european ids, scores), each once."""
    a = np.concatenate([t.a for t in found])
    b = np.concatenate([t.b for t in found])
    score = np.concatenate([t.score for t in found])
    asian = np.where(table.asia[a], a, b)
    european = np.where(table.asia[a], b, a)
    keys = asian * len(table) + european
    _, first = np.unique(keys, return_index=True)
    return table.ids[asian[first]], table.ids[european[first]], score[first]


class _Segments:
    """The European offers (sorted by start of term) in segments of consecutive rows, each
    with its own slice of the text model, so that a block of queries is scored against
    the segments whose terms can overlap its own only."""

    PARTS = 32

    def __init__(
        self, table: OfferTable, model: TextModel, europe: np.ndarray, fields: _Fields
    ) -> None:
        cols = model.rows_of(table.ids[europe])
        if (cols < 0).any():
            raise KeyError("every offer of the table must be in the text model")
        self.table, self.europe, self.fields = table, europe, fields
        self.start = table.start[europe]
        # The longest term: a partner ending late enough starts at most this much earlier.
        self.span = int((table.end[europe] - self.start).max())
        self.size = max(64, -(-len(europe) // self.PARTS))
        self.bounds = list(range(0, len(europe), self.size)) + [len(europe)]
        # One pass over the (maybe much larger) model, then one over its European part.
        mine = model.subset(cols)
        self.texts = [
            mine.subset(np.arange(lo, hi))
            for lo, hi in zip(self.bounds, self.bounds[1:], strict=False)
        ]
        self._partners: dict[tuple[int, int], _Partners] = {}

    def meet(self, rows: np.ndarray, vectors) -> tuple[int, _Partners | None, np.ndarray]:
        """(first column, partners, text cosines) of the segments the terms of `rows` can
        meet: a shared week needs the partner to start by the block's last end − 6 days
        and to end after its first start + 6 days."""
        t = self.table
        lo = np.searchsorted(self.start, t.start[rows].min() + 6 - self.span, "left")
        hi = np.searchsorted(self.start, t.end[rows].max() - 6, "right")
        if hi <= lo:
            return 0, None, np.zeros((len(rows), 0), dtype=np.float32)
        i0, i1 = lo // self.size, -(-hi // self.size)
        first, last = self.bounds[i0], self.bounds[i1]
        key = (first, last)
        if key not in self._partners:
            others = self.europe[first:last]
            self._partners[key] = _Partners(t.take(others), others, None, self.fields)
        text = np.hstack([self.texts[i].score_block(vectors) for i in range(i0, i1)])
        return first, self._partners[key], text


@dataclass
class _Cands:
    """Candidate pairs of many queries, flat: the query's index (in its block or side),
    the table rows of the query (a) and of the partner (b), the partner's id, and the
    parts of the score as in `_Scored`."""

    query: np.ndarray
    a: np.ndarray
    b: np.ndarray
    partner_id: np.ndarray
    partial: np.ndarray
    denom: np.ndarray
    upper: np.ndarray
    sync: np.ndarray

    def take(self, pick: np.ndarray) -> _Cands:
        return _Cands(**{name: value[pick] for name, value in self.__dict__.items()})

    @staticmethod
    def concat(parts: list[_Cands]) -> _Cands:
        names = _Cands.__dataclass_fields__
        return _Cands(**{n: np.concatenate([getattr(p, n) for p in parts]) for n in names})


@dataclass
class _Top:
    """Chosen pairs: query index, table rows of query (a) and partner (b), exact score."""

    query: np.ndarray
    a: np.ndarray
    b: np.ndarray
    score: np.ndarray


def _top_k(c: _Cands, n: int, k: int, w: Weights, memo: _HoursMemo) -> tuple[_Top, _Top]:
    """The exact top k of each of n queries among their candidates, best first, ties to
    the lower partner id; and every valid pair whose exact overlap was computed on the way.

    Branch and bound, as `OfferTable.rank` but for all queries at once: each query's
    candidates are visited best upper bound first, a slice at a time (k + PREFETCH, then
    doubling), the exact overlaps of every slice of every query in one batch; a query is
    done once its k-th score reaches the bound of its next candidate."""
    order = np.argsort(c.query * 2.0 + (1.0 - c.upper), kind="stable")
    c = c.take(order)
    bounds = np.searchsorted(c.query, np.arange(n + 1))
    start, end = bounds[:-1].copy(), bounds[1:]
    best = np.full((n, k), -np.inf)
    best_pos = np.full((n, k), -1, dtype=np.int64)
    pending = np.flatnonzero(end > start)
    width = k + PREFETCH
    seen_pos, seen_score = [], []
    while len(pending):
        count = np.minimum(end[pending] - start[pending], width)
        pos = np.repeat(start[pending], count) + _ramp(count)
        score = _exact_scores(c, pos, w, memo)
        seen_pos.append(pos)
        seen_score.append(score)
        local = np.arange(len(pending))
        group = np.concatenate([np.repeat(local, k), np.repeat(local, count)])
        all_pos = np.concatenate([best_pos[pending].ravel(), pos])
        all_score = np.concatenate([best[pending].ravel(), score])
        ids = np.where(all_pos >= 0, c.partner_id[np.maximum(all_pos, 0)], np.iinfo(np.int64).max)
        ranked = np.lexsort((ids, -all_score, group))
        firsts = np.searchsorted(group[ranked], local)
        keep = ranked[(firsts[:, None] + np.arange(k)[None, :]).ravel()]
        best[pending] = all_score[keep].reshape(-1, k)
        best_pos[pending] = all_pos[keep].reshape(-1, k)
        start[pending] += count
        more = start[pending] < end[pending]
        following = np.where(more, c.upper[np.minimum(start[pending], len(c.upper) - 1)], -np.inf)
        done = ~more | (best[pending, k - 1] >= following)
        pending = pending[~done]
        width *= 2
    hit = np.isfinite(best)
    pos = best_pos[hit]
    top = _Top(c.query[pos], c.a[pos], c.b[pos], best[hit])
    if seen_pos:
        pos, score = np.concatenate(seen_pos), np.concatenate(seen_score)
        pick = np.isfinite(score) & c.sync[pos]  # (the others' bound is their score)
        pos, score = pos[pick], score[pick]
    else:
        pos, score = np.zeros(0, dtype=np.int64), np.zeros(0)
    return top, _Top(c.query[pos], c.a[pos], c.b[pos], score)


def _exact_scores(c: _Cands, pos: np.ndarray, w: Weights, memo: _HoursMemo) -> np.ndarray:
    """Exact scores of the candidates at `pos`; −inf where the weekly overlap is short."""
    partial, denom = c.partial[pos], c.denom[pos]
    score = partial / denom
    sync = c.sync[pos]
    if sync.any():
        hours = memo.hours(c.a[pos[sync]], c.b[pos[sync]])
        value = w.overlap * np.minimum(hours / w.overlap_saturation_hours, 1.0)
        exact = (partial[sync] + value) / denom[sync]
        score[sync] = np.where(hours < w.min_overlap_hours - 1e-9, -np.inf, exact)
    return score


class _Columns:
    """The European side's candidates, gathered over the Asian blocks. Only those that can
    still reach their column's top k are kept: a candidate whose upper bound is below the
    k-th best exact score already known for its column (from non-sync pairs, whose bound
    is exact, and from the pairs scored for the rows) never can."""

    def __init__(self, n: int, k: int) -> None:
        self.n, self.k = n, k
        self.known = np.full((n, k), -np.inf)  # per column, the k best exact scores known
        self.parts: list[_Cands] = []

    def add(self, c: _Cands, col: np.ndarray, score: np.ndarray) -> None:
        """Keep the candidates `c` (query = column) that can still count, after learning
        the exact scores of the pairs (col, score)."""
        exact = ~c.sync
        self._learn(np.concatenate([c.query[exact], col]), np.concatenate([c.upper[exact], score]))
        floor = self.known[:, -1]
        self.parts.append(c.take(c.upper >= floor[c.query]))

    def _learn(self, col: np.ndarray, score: np.ndarray) -> None:
        better = score > self.known[col, -1]
        col, score = col[better], score[better]
        if not len(col):
            return
        order = np.lexsort((-score, col))
        col, score = col[order], score[order]
        rank = np.arange(len(col)) - np.searchsorted(col, col)
        col, score, rank = col[rank < self.k], score[rank < self.k], rank[rank < self.k]
        new = np.full((self.n, self.k), -np.inf)
        new[col, rank] = score
        merged = np.concatenate([self.known, new], axis=1)
        merged.sort(axis=1)
        self.known = merged[:, : -self.k - 1 : -1]

    def candidates(self) -> _Cands:
        c = _Cands.concat(self.parts)
        return c.take(c.upper >= self.known[c.query, -1])


class _HoursMemo:
    """Exact guaranteed weekly overlap hours by pair of table rows (either order),
    computed in batches (`overlap_batch`) and memoised across both directions."""

    def __init__(self, table: OfferTable) -> None:
        self.index = OccurrenceIndex(table.offers)
        self.n = len(table)
        self.duration = table.duration
        self.found: dict[int, float] = {}

    def hours(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        keys = np.minimum(a, b) * self.n + np.maximum(a, b)
        get = self.found.get
        got = np.array([get(key, np.nan) for key in keys.tolist()], dtype=np.float64)
        todo = np.flatnonzero(np.isnan(got))
        if len(todo):
            new_keys, first = np.unique(keys[todo], return_index=True)
            ra, rb = a[todo][first], b[todo][first]
            need = np.maximum(self.duration[ra], self.duration[rb])
            hours = self.index.guaranteed(ra, rb, need)
            self.found.update(zip(new_keys.tolist(), hours.tolist(), strict=True))
            got[todo] = hours[np.searchsorted(new_keys, keys[todo])]
        return got
