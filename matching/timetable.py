"""Weekly windows and terms in absolute time — no Django.

The groundwork of `overlap`: checking and merging an offer's weekly windows (local wall
time, weekday 0 = Monday), the shared term of two offers, UTC offsets of a zone day by
day, every window occurrence of an offer over its term in UTC seconds (daylight saving
included), and a cheap weekly bit mask that bounds any week's overlap from above.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np

from core.vocabulary import WEEKDAYS
from matching.features import Window

EPOCH_ORD = dt.date(1970, 1, 1).toordinal()
# The last day a date can be: calendar arithmetic must never step past it.
_LAST_ORD = dt.date.max.toordinal()

WINDOW_BAD_WEEKDAY = "Window {n}: the weekday must be 0 (Monday) to 6 (Sunday)."
WINDOW_BAD_ORDER = "Window {n}: the end must be after the start."
WINDOW_OVERLAP = "Windows {n} and {m} overlap on {day}."


class Availability(Protocol):
    """What overlap needs of an offer (`features.OfferFeatures` has it)."""

    @property
    def time_zone(self) -> str: ...
    @property
    def windows(self) -> tuple[Window, ...]: ...
    @property
    def term_start(self) -> dt.date: ...
    @property
    def term_end(self) -> dt.date: ...


# ---------------------------------------------------------------- windows and terms


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _span(start: dt.time, end: dt.time) -> tuple[int, int]:
    """Seconds from local midnight; an end of 00:00 is midnight at the end of the day."""
    s, e = _seconds(start), _seconds(end)
    return s, (86400 if e == 0 else e)


def validate_windows(windows: Sequence[Window]) -> list[str]:
    """Problems with a list of weekly windows, as user-facing messages (empty = valid).

    Windows are numbered from 1 in the messages. Touching windows (10–12 and 12–14) are
    fine; overlapping ones are not.
    """
    problems = []
    spans: list[tuple[int, int, int, int]] = []
    for n, (weekday, start, end) in enumerate(windows, start=1):
        if not 0 <= weekday <= 6:
            problems.append(WINDOW_BAD_WEEKDAY.format(n=n))
            continue
        s, e = _span(start, end)
        if e <= s:
            problems.append(WINDOW_BAD_ORDER.format(n=n))
            continue
        spans.append((weekday, s, e, n))
    spans.sort()
    for (wd1, _s1, e1, n1), (wd2, s2, _e2, n2) in zip(spans, spans[1:], strict=False):
        if wd1 == wd2 and s2 < e1:
            problems.append(WINDOW_OVERLAP.format(n=min(n1, n2), m=max(n1, n2), day=WEEKDAYS[wd1]))
    return problems


def merged_spans(windows: Sequence[Window]) -> tuple[tuple[int, int, int], ...]:
    """(weekday, start s, end s) per valid window, overlapping ones merged, sorted."""
    spans = sorted(
        (wd, *_span(s, e))
        for wd, s, e in windows
        if 0 <= wd <= 6 and _span(s, e)[1] > _span(s, e)[0]
    )
    merged: list[list[int]] = []
    for wd, s, e in spans:
        if merged and merged[-1][0] == wd and s <= merged[-1][2]:
            merged[-1][2] = max(merged[-1][2], e)
        else:
            merged.append([wd, s, e])
    return tuple((wd, s, e) for wd, s, e in merged)


def shared_term(a: Availability, b: Availability) -> tuple[dt.date, int]:
    """(first shared day, whole weeks of shared term); weeks is 0 when terms do not meet."""
    start = max(a.term_start, b.term_start)
    days = (min(a.term_end, b.term_end) - start).days + 1
    return start, max(0, days // 7)


def term_overlap_weeks(a: Availability, b: Availability) -> int:
    """Whole weeks in which both terms run."""
    return shared_term(a, b)[1]


# ---------------------------------------------------------------- time zones


@cache
def zone_info(tz: str) -> ZoneInfo:
    # ZoneInfo keeps only a few zones strongly cached; re-reading tzdata costs ~50 µs.
    return ZoneInfo(tz)


@lru_cache(maxsize=4096)
def year_offsets(tz: str, year: int) -> np.ndarray:
    """UTC offset in seconds at local midnight of every day of `year` and of the next Jan 1
    (in year 9999, which has no next year, its 31 December once more)."""
    zone = zone_info(tz)
    first = dt.date(year, 1, 1).toordinal()
    last = min(dt.date(year, 12, 31).toordinal() + 1, _LAST_ORD)
    offsets = [
        dt.datetime.combine(dt.date.fromordinal(o), dt.time(0), zone).utcoffset().total_seconds()
        for o in range(first, last + 1)
    ]
    if last == _LAST_ORD:
        offsets.append(offsets[-1])
    return np.array(offsets, dtype=np.int64)


def midnight_offsets(tz: str, first: int, last: int) -> np.ndarray:
    """Offsets at local midnight for ordinals first..last+1 (one more, to spot transitions)."""
    y0 = dt.date.fromordinal(first).year
    y1 = dt.date.fromordinal(min(last + 1, _LAST_ORD)).year
    parts = [year_offsets(tz, y)[:-1] for y in range(y0, y1)] + [year_offsets(tz, y1)]
    table = np.concatenate(parts)
    base = dt.date(y0, 1, 1).toordinal()
    return table[first - base : last + 2 - base]


def utc_offset_hours(tz: str, day: dt.date) -> float:
    """UTC offset of `tz` at local noon of `day`, in hours."""
    return dt.datetime.combine(day, dt.time(12), zone_info(tz)).utcoffset().total_seconds() / 3600


@dataclass(frozen=True, slots=True)
class Occurrences:
    """Every window occurrence of one offer over its term, in UTC seconds, sorted, disjoint."""

    start: np.ndarray
    end: np.ndarray


@lru_cache(maxsize=50_000)
def occurrences(
    tz: str, windows: tuple[Window, ...], term_start: dt.date, term_end: dt.date
) -> Occurrences:
    spans = merged_spans(windows)
    first, last = term_start.toordinal(), term_end.toordinal()
    if not spans:
        empty = np.zeros(0, dtype=np.int64)
        return Occurrences(empty, empty)
    offsets = midnight_offsets(tz, first, last)
    ords = np.arange(first, last + 1, dtype=np.int64)
    weekday = (ords - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
    # On a transition day the offset changes during the day: use zoneinfo there.
    changing = offsets[:-1] != offsets[1:]
    zone = zone_info(tz)
    starts, ends = [], []
    for wd, s, e in spans:
        pick = weekday == wd
        days = ords[pick]
        off = offsets[:-1][pick]
        local = (days - EPOCH_ORD) * 86400
        st = local + s - off
        en = local + e - off
        for i in np.flatnonzero(changing[pick]):
            day = dt.date.fromordinal(int(days[i]))
            st[i] = _exact(day, s, zone)
            en[i] = _exact(day, e, zone)
        starts.append(st)
        ends.append(en)
    start = np.concatenate(starts)
    end = np.concatenate(ends)
    order = np.argsort(start, kind="stable")
    start, end = start[order], np.maximum(end[order], start[order])
    # Across a daylight-saving jump two windows can meet in UTC; merge so nothing counts twice.
    reach = np.maximum.accumulate(end)
    new = np.ones(len(start), dtype=bool)
    new[1:] = start[1:] > reach[:-1]
    group = np.cumsum(new) - 1
    merged_end = np.zeros(group[-1] + 1, dtype=np.int64)
    np.maximum.at(merged_end, group, end)
    return Occurrences(start[new], merged_end)


def _exact(day: dt.date, seconds: int, zone: ZoneInfo) -> int:
    if seconds >= 86400:
        day, seconds = day + dt.timedelta(days=1), seconds - 86400
    local = dt.datetime.combine(day, dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60))
    return int(local.replace(tzinfo=zone).timestamp())


# ---------------------------------------------------------------- cheap upper bound

SLOT_MINUTES = 15
_SLOTS = 7 * 24 * 60 // SLOT_MINUTES  # 672 slots in a week
MASK_WORDS = (_SLOTS + 63) // 64


@lru_cache(maxsize=2048)
def _offsets_seen(tz: str, first_year: int, last_year: int) -> tuple[int, ...]:
    """Every UTC offset (seconds) that `tz` uses between these years."""
    seen: set[int] = set()
    for year in range(first_year, last_year + 1):
        seen.update(int(o) for o in np.unique(year_offsets(tz, year)))
    return tuple(sorted(seen))


@lru_cache(maxsize=100_000)
def weekly_mask(
    tz: str, windows: tuple[Window, ...], first_year: int, last_year: int
) -> np.ndarray:
    """A week of 15-minute UTC slots (uint64 words) covering every window at every offset
    the zone uses in those years, rounded outwards.

    popcount(mask_a & mask_b) · 0.25 h bounds any week's overlap from above (daylight
    saving only moves windows between the offsets included), so a pair below the hard
    threshold by this bound can be dropped without the exact computation.
    """
    bits = np.zeros(_SLOTS, dtype=bool)
    step = SLOT_MINUTES * 60
    for offset in _offsets_seen(tz, first_year, last_year):
        for wd, s, e in merged_spans(windows):
            first = (wd * 86400 + s - offset) // step
            last = -((-(wd * 86400 + e - offset)) // step)  # ceiling
            bits[np.arange(first, last) % _SLOTS] = True
    padded = np.zeros(MASK_WORDS * 64, dtype=bool)
    padded[:_SLOTS] = bits
    return np.packbits(padded, bitorder="little").view(np.uint64)


def mask_hours(mask_a: np.ndarray, masks_b: np.ndarray) -> np.ndarray:
    """Upper bound of weekly overlap hours between one mask and each row of `masks_b`."""
    both = np.bitwise_and(masks_b, mask_a)
    return np.bitwise_count(both).sum(axis=-1) * (SLOT_MINUTES / 60)
