"""Exact guaranteed weekly overlap of many pairs at once — no Django.

`overlap.overlap_summary(a, b, need).guaranteed` for thousands of pairs in a few numpy
calls instead of some thirty each: the same steps and the same arithmetic (the tests
compare every pair), vectorised. Every offer's window occurrences (`timetable.occurrences`)
sit in one concatenated array, keyed by row, so one `searchsorted` trims all pairs to
their shared weeks; the pieces of all pairs are one ragged cross product; the weekly
hours one `bincount`; the best run of `need` weeks a sliding minimum over a padded matrix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from matching.features import OfferFeatures
from matching.timetable import EPOCH_ORD, _exact, merged_spans, midnight_offsets, zone_info

WEEK = 7 * 86400
# Rows are keyed apart by this many seconds (times of the terms' window fit well below).
_SPAN = np.int64(1) << 36


class OccurrenceIndex:
    """The window occurrences of every offer (a table's rows), concatenated."""

    def __init__(self, offers: Sequence[OfferFeatures]) -> None:
        self.offers = list(offers)
        self.term_start = np.array([o.term_start.toordinal() for o in self.offers], np.int64)
        self.term_end = np.array([o.term_end.toordinal() for o in self.offers], np.int64)
        self.zones = sorted({o.time_zone for o in self.offers})
        code = {tz: i for i, tz in enumerate(self.zones)}
        self.zone = np.array([code[o.time_zone] for o in self.offers], dtype=np.int64)
        owner, self._key_start, self._key_end = self._occurrences()
        self.start = self._key_start - owner * _SPAN
        self.end = self._key_end - owner * _SPAN
        self._offsets: dict[tuple[str, int], int] = {}

    def _occurrences(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, keyed start, keyed end) of every window occurrence, sorted by row and
        time: `timetable.occurrences` of every offer at once (the same steps: the day's
        midnight offset, zoneinfo on the days the offset changes, overlaps merged)."""
        rows, weekday, s, e = [], [], [], []
        for r, o in enumerate(self.offers):
            for wd, start, end in merged_spans(tuple(o.windows)):
                rows.append(r)
                weekday.append(wd)
                s.append(start)
                e.append(end)
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        rows, weekday = np.array(rows, np.int64), np.array(weekday, np.int64)
        s, e = np.array(s, np.int64), np.array(e, np.int64)
        first, last = self.term_start[rows], self.term_end[rows]
        # The first day of the term on the window's weekday (ordinal 1 is a Monday).
        d0 = first + (weekday - (first - 1) % 7) % 7
        count = np.where(d0 <= last, (last - d0) // 7 + 1, 0)
        span = np.repeat(np.arange(len(rows)), count)
        day = np.repeat(d0, count) + 7 * _ramp(count)
        zone = self.zone[rows[span]]
        today, tomorrow = np.zeros(len(day), np.int64), np.zeros(len(day), np.int64)
        for z in np.unique(zone).tolist():
            mine = zone == z
            lo, hi = int(day[mine].min()), int(day[mine].max())
            table = midnight_offsets(self.zones[z], lo, hi)
            today[mine] = table[day[mine] - lo]
            tomorrow[mine] = table[day[mine] - lo + 1]
        local = (day - EPOCH_ORD) * 86400
        start, end = local + s[span] - today, local + e[span] - today
        for i in np.flatnonzero(today != tomorrow).tolist():
            date, z = dt.date.fromordinal(int(day[i])), zone_info(self.zones[int(zone[i])])
            start[i] = _exact(date, int(s[span[i]]), z)
            end[i] = _exact(date, int(e[span[i]]), z)
        owner = rows[span]
        key_start, key_end = start + owner * _SPAN, end + owner * _SPAN
        order = np.argsort(key_start, kind="stable")
        key_start, owner = key_start[order], owner[order]
        key_end = np.maximum(key_end[order], key_start)
        # Merge what meets across a daylight-saving jump; rows are keyed apart, never meet.
        reach = np.maximum.accumulate(key_end)
        new = np.ones(len(key_start), dtype=bool)
        new[1:] = key_start[1:] > reach[:-1]
        heads = np.flatnonzero(new)
        return owner[heads], key_start[heads], np.maximum.reduceat(key_end, heads)

    def _offset(self, tz: str, ordinal: int) -> int:
        key = (tz, ordinal)
        found = self._offsets.get(key)
        if found is None:
            found = self._offsets[key] = int(midnight_offsets(tz, ordinal, ordinal)[0])
        return found

    def _offsets_at(self, rows: np.ndarray, ordinals: np.ndarray) -> np.ndarray:
        """UTC offset at local midnight of `ordinals` in the zone of each row."""
        keys = self.zone[rows] * (1 << 32) + ordinals
        uniq, inverse = np.unique(keys, return_inverse=True)
        found = [self._offset(self.zones[key >> 32], key & 0xFFFFFFFF) for key in uniq.tolist()]
        return np.array(found, dtype=np.int64)[inverse]

    def guaranteed(self, a: np.ndarray, b: np.ndarray, need: np.ndarray) -> np.ndarray:
        """`overlap_summary(offers[a], offers[b], need).guaranteed` per pair of rows."""
        a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
        first = np.maximum(self.term_start[a], self.term_start[b])
        days = np.minimum(self.term_end[a], self.term_end[b]) - first + 1
        weeks = np.maximum(0, days // 7)
        # The week origin of `overlap._week_origin`: int() of (midnight UTC − the mean of
        # both offsets), a half second at most, truncated towards zero: in twice the units.
        twice = (first - EPOCH_ORD) * 86400 * 2 - self._offsets_at(a, first)
        twice -= self._offsets_at(b, first)
        t0 = np.where(weeks > 0, np.where(twice >= 0, twice // 2, -(-twice // 2)), 0)
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
