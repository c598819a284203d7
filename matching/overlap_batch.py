"""Exact guaranteed weekly overlap of many pairs at once — no Django.

`overlap.overlap_summary(a, b, need).guaranteed` for thousands of pairs in a few numpy
calls instead of some thirty each: the same steps and the same arithmetic (the tests
compare every pair), vectorised. Every offer's window occurrences (`timetable.occurrences`)
sit in one concatenated array, keyed by row, so one `searchsorted` trims all pairs to
their shared weeks; the pieces of all pairs are one ragged cross product; the weekly
hours one `bincount`; the best run of `need` weeks a sliding minimum over a padded matrix.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.features import OfferFeatures
from matching.timetable import EPOCH_ORD, midnight_offsets, occurrences

WEEK = 7 * 86400
# Rows are keyed apart by this many seconds (times of the terms' window fit well below).
_SPAN = np.int64(1) << 36


class OccurrenceIndex:
    """The window occurrences of every offer (a table's rows), concatenated."""

    def __init__(self, offers: Sequence[OfferFeatures]) -> None:
        self.offers = list(offers)
        starts, ends = [], []
        for o in self.offers:
            occ = occurrences(o.time_zone, tuple(o.windows), o.term_start, o.term_end)
            starts.append(occ.start)
            ends.append(occ.end)
        lengths = np.array([len(s) for s in starts], dtype=np.int64)
        owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        empty = np.zeros(0, dtype=np.int64)
        self.start = np.concatenate(starts) if starts else empty
        self.end = np.concatenate(ends) if ends else empty
        self._key_start = self.start + owner * _SPAN
        self._key_end = self.end + owner * _SPAN
        self.term_start = np.array([o.term_start.toordinal() for o in self.offers], np.int64)
        self.term_end = np.array([o.term_end.toordinal() for o in self.offers], np.int64)
        self._offsets: dict[tuple[str, int], int] = {}

    def _offset(self, tz: str, ordinal: int) -> int:
        key = (tz, ordinal)
        found = self._offsets.get(key)
        if found is None:
            found = self._offsets[key] = int(midnight_offsets(tz, ordinal, ordinal)[0])
        return found

    def guaranteed(self, a: np.ndarray, b: np.ndarray, need: np.ndarray) -> np.ndarray:
        """`overlap_summary(offers[a], offers[b], need).guaranteed` per pair of rows."""
        a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
        first = np.maximum(self.term_start[a], self.term_start[b])
        days = np.minimum(self.term_end[a], self.term_end[b]) - first + 1
        weeks = np.maximum(0, days // 7)
        t0 = np.zeros(len(a), dtype=np.int64)
        for p in np.flatnonzero(weeks > 0).tolist():
            o = int(first[p])
            mean = (
                self._offset(self.offers[a[p]].time_zone, o)
                + self._offset(self.offers[b[p]].time_zone, o)
            ) / 2
            t0[p] = int((o - EPOCH_ORD) * 86400 - mean)
        t1 = t0 + weeks * WEEK
        hours = self._hours(a, b, t0, t1, weeks)
        return _best_run(hours, weeks, np.maximum(1, np.asarray(need, np.int64)))

    def _slices(self, rows: np.ndarray, t0: np.ndarray, t1: np.ndarray):
        key = rows * _SPAN
        lo = np.searchsorted(self._key_end, t0 + key, "right")
        hi = np.searchsorted(self._key_start, t1 + key, "left")
        return lo, np.maximum(hi - lo, 0)

    def _hours(self, a, b, t0, t1, weeks) -> np.ndarray:
        """(pairs × most weeks) overlap hours per shared week, as `weekly_overlap_hours`."""
        alo, na = self._slices(a, t0, t1)
        blo, nb = self._slices(b, t0, t1)
        na = np.where((weeks > 0) & (nb > 0), na, 0)
        # Each A occurrence meets a run of B occurrences (both sorted and disjoint): the
        # pieces in the same order as the full cross product, without its empty cells.
        pair_a = np.repeat(np.arange(len(a)), na)
        ai = alo[pair_a] + _ramp(na)
        key = b[pair_a] * _SPAN
        jlo = np.maximum(np.searchsorted(self._key_end, self.start[ai] + key, "right"), blo[pair_a])
        jhi = np.minimum(
            np.searchsorted(self._key_start, self.end[ai] + key, "left"), (blo + nb)[pair_a]
        )
        runs = np.maximum(jhi - jlo, 0)
        pair = np.repeat(pair_a, runs)
        ai = np.repeat(ai, runs)
        bj = np.repeat(jlo, runs) + _ramp(runs)
        tp0, tp1 = t0[pair], t1[pair]
        lo = np.maximum(np.maximum(self.start[ai], self.start[bj]), tp0)
        hi = np.minimum(np.minimum(self.end[ai], self.end[bj]), tp1)
        hit = hi > lo
        pair, lo, hi, tp0 = pair[hit], lo[hit], hi[hit], tp0[hit]
        width = int(weeks.max(initial=0))
        week = (lo - tp0) // WEEK
        boundary = tp0 + (week + 1) * WEEK
        first = np.minimum(hi, boundary) - lo
        rest = hi - np.minimum(hi, boundary)
        spill = week + 1 < weeks[pair]
        bins = pair * max(width, 1) + week
        size = len(a) * max(width, 1)
        seconds = np.bincount(bins, weights=first, minlength=size)
        seconds += np.bincount(bins[spill] + 1, weights=rest[spill], minlength=size)[:size]
        return np.round(seconds / 3600, 4).reshape(len(a), max(width, 1))


def _best_run(hours: np.ndarray, weeks: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Per row: the best minimum over runs of `need` consecutive weeks among the first
    `weeks`, 0 when there is no such run (`overlap.summarize`)."""
    n, width = hours.shape
    col = np.arange(width)
    padded = np.where(col[None, :] < weeks[:, None], hours, np.inf)
    low = padded.copy()
    for d in range(1, min(int(need.max(initial=1)), width)):
        shifted = np.full_like(padded, np.inf)
        shifted[:, :-d] = padded[:, d:]
        low = np.where(d < need[:, None], np.minimum(low, shifted), low)
    valid = col[None, :] <= (weeks - need)[:, None]
    best = np.where(valid, low, -np.inf).max(axis=1, initial=-np.inf)
    return np.maximum(best, 0.0)


def _ramp(lengths: np.ndarray) -> np.ndarray:
    """0, 1, …, n − 1 for each n of `lengths`, concatenated."""
    return np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
