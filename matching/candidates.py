"""The candidate graph of a pairing round, many queries at once — no Django.

For every offer, its top-k partners from the other region among those passing every hard
constraint, by the soft score of `table.OfferTable.rank`; the union of both directions.

The exact graph (`pool` None) comes from one pass over blocks of Asian offers × European
offers, both sorted by start of term, each block meeting only the European offers whose
terms can share a week with its own (`_Segments`). Per block: the text cosines from one
sparse product (the model's transposed, inverted-index layout), the hard constraints and
the soft components as (block × partners) arrays, and the weekly-mask bound of the
overlap for the pairs that want synchronous sessions. The block's rows are then ranked at
once (`_top_k`): each query's candidates best upper bound first, the exact weekly overlap
computed, in batches over all queries, only until no remaining bound can beat its k-th
score (branch and bound, as `OfferTable.rank`). The same cells serve the European
columns: a column keeps, across blocks, only the candidates whose bound still reaches the
k-th best exact score known for it (`_Columns`), and is ranked the same way at the end.
So both directions cost one product, and the result equals ranking each offer on its own
(up to ties at the k-th place, broken here to the lower id).

With `pool`, only each query's `pool` best partners by text are considered, a direction
at a time (no longer exact; `bench/match_speed.py` prints both).
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

import numpy as np

from matching.candidate_arrays import (
    BATCH_CELLS,
    PREFETCH,
    _Batch,
    _Fields,
    _hard,
    _no_edges,
    _partners,
    _score,
    _Scored,
)
from matching.candidates_exact import _exact_edges
from matching.features import OfferFeatures, Weights
from matching.overlap_batch import OccurrenceIndex
from matching.table import ASIA, OfferTable

if TYPE_CHECKING:
    from matching.similarity import TextModel

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
    if pool is None:
        return _exact_edges(table, model, weights, k, batch_size)
    found: dict[tuple[int, int], float] = {}
    fields = _Fields(table.isced)
    overlaps = _Overlaps(table)
    for side in (table.asia, ~table.asia):
        queries, others = np.flatnonzero(side), np.flatnonzero(~side)
        if not len(queries) or not len(others) or k <= 0:
            continue
        partners = _partners(table, model, others, fields)
        vectors = model.rows(table.ids[queries])
        width = min(pool, len(others))
        step = max(8, min(batch_size, BATCH_CELLS // width))
        for lo in range(0, len(queries), step):
            batch = _Batch(table, queries[lo : lo + step], fields)
            text = partners.text.score_block(vectors[lo : lo + step])
            for q, ranked in _rank_batch(batch, partners, text, weights, k, pool, overlaps):
                for other, score in ranked:
                    found[(q.id, other) if q.region == ASIA else (other, q.id)] = score
    if not found:
        return _no_edges()
    keys = np.array(list(found), dtype=np.int64)
    return keys[:, 0], keys[:, 1], np.array(list(found.values()), dtype=np.float64)


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
