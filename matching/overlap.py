"""Weekly synchronous overlap between two offers, each in its own IANA time zone.

Time windows in, hours out — no Django. Each offer repeats its weekly windows (local wall
time) on every day of its own term; the two are intersected in absolute time, so daylight
saving changes on either side are included week by week.

Definitions used throughout:
- The *shared term* runs from the later start to the earlier end (dates inclusive). It has
  `term_overlap_weeks` whole weeks; a trailing part-week is ignored.
- Week k of the shared term is the absolute interval [T0 + k·7 days, T0 + (k+1)·7 days),
  where T0 is midnight of the first shared day at the mean of the two offers' UTC offsets
  that day — so a week lines up with both local calendars as well as one instant can, and
  every week of an unchanging schedule has exactly the same hours. Overlap crossing a week
  boundary is split between the two weeks.
- Windows only occur on days inside their own offer's term.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np

from core.vocabulary import WEEKDAYS
from matching.features import Window

WEEK = 7 * 86400
_EPOCH_ORD = dt.date(1970, 1, 1).toordinal()

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


def _merged_spans(windows: Sequence[Window]) -> tuple[tuple[int, int, int], ...]:
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
def _zone(tz: str) -> ZoneInfo:
    # ZoneInfo keeps only a few zones strongly cached; re-reading tzdata costs ~50 µs.
    return ZoneInfo(tz)


@lru_cache(maxsize=4096)
def _year_offsets(tz: str, year: int) -> np.ndarray:
    """UTC offset in seconds at local midnight of every day of `year` and of the next Jan 1."""
    zone = _zone(tz)
    first = dt.date(year, 1, 1).toordinal()
    last = dt.date(year + 1, 1, 1).toordinal()
    return np.array(
        [
            dt.datetime.combine(dt.date.fromordinal(o), dt.time(0), zone)
            .utcoffset()
            .total_seconds()
            for o in range(first, last + 1)
        ],
        dtype=np.int64,
    )


def _midnight_offsets(tz: str, first: int, last: int) -> np.ndarray:
    """Offsets at local midnight for ordinals first..last+1 (one more, to spot transitions)."""
    y0 = dt.date.fromordinal(first).year
    y1 = dt.date.fromordinal(last + 1).year
    parts = [_year_offsets(tz, y)[:-1] for y in range(y0, y1)] + [_year_offsets(tz, y1)]
    table = np.concatenate(parts)
    base = dt.date(y0, 1, 1).toordinal()
    return table[first - base : last + 2 - base]


def utc_offset_hours(tz: str, day: dt.date) -> float:
    """UTC offset of `tz` at local noon of `day`, in hours."""
    return dt.datetime.combine(day, dt.time(12), _zone(tz)).utcoffset().total_seconds() / 3600


@dataclass(frozen=True, slots=True)
class _Occurrences:
    """Every window occurrence of one offer over its term, in UTC seconds, sorted, disjoint."""

    start: np.ndarray
    end: np.ndarray


@lru_cache(maxsize=50_000)
def _occurrences(
    tz: str, windows: tuple[Window, ...], term_start: dt.date, term_end: dt.date
) -> _Occurrences:
    spans = _merged_spans(windows)
    first, last = term_start.toordinal(), term_end.toordinal()
    if not spans:
        empty = np.zeros(0, dtype=np.int64)
        return _Occurrences(empty, empty)
    offsets = _midnight_offsets(tz, first, last)
    ords = np.arange(first, last + 1, dtype=np.int64)
    weekday = (ords - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
    # On a transition day the offset changes during the day: use zoneinfo there.
    changing = offsets[:-1] != offsets[1:]
    zone = _zone(tz)
    starts, ends = [], []
    for wd, s, e in spans:
        pick = weekday == wd
        days = ords[pick]
        off = offsets[:-1][pick]
        local = (days - _EPOCH_ORD) * 86400
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
    return _Occurrences(start[new], merged_end)


def _exact(day: dt.date, seconds: int, zone: ZoneInfo) -> int:
    if seconds >= 86400:
        day, seconds = day + dt.timedelta(days=1), seconds - 86400
    local = dt.datetime.combine(day, dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60))
    return int(local.replace(tzinfo=zone).timestamp())


# ---------------------------------------------------------------- weekly overlap


@lru_cache(maxsize=100_000)
def _offset_at(tz: str, ordinal: int) -> int:
    return int(_midnight_offsets(tz, ordinal, ordinal)[0])


def _week_origin(a: Availability, b: Availability, start: dt.date) -> int:
    o = start.toordinal()
    mean = (_offset_at(a.time_zone, o) + _offset_at(b.time_zone, o)) / 2
    return int((o - _EPOCH_ORD) * 86400 - mean)


def _pieces(a: Availability, b: Availability) -> tuple[int, int, np.ndarray, np.ndarray]:
    """(T0, weeks, piece starts, piece ends): absolute overlap inside the shared weeks."""
    start, weeks = shared_term(a, b)
    if weeks == 0:
        empty = np.zeros(0, dtype=np.int64)
        return 0, 0, empty, empty
    t0 = _week_origin(a, b, start)
    t1 = t0 + weeks * WEEK
    oa = _occurrences(a.time_zone, tuple(a.windows), a.term_start, a.term_end)
    ob = _occurrences(b.time_zone, tuple(b.windows), b.term_start, b.term_end)
    ia = slice(oa.end.searchsorted(t0, "right"), oa.start.searchsorted(t1, "left"))
    ib = slice(ob.end.searchsorted(t0, "right"), ob.start.searchsorted(t1, "left"))
    sa, ea, sb, eb = oa.start[ia], oa.end[ia], ob.start[ib], ob.end[ib]
    if not len(sa) or not len(sb):
        empty = np.zeros(0, dtype=np.int64)
        return t0, weeks, empty, empty
    lo = np.maximum(np.maximum(sa[:, None], sb[None, :]), t0)
    hi = np.minimum(np.minimum(ea[:, None], eb[None, :]), t1)
    hit = hi > lo
    return t0, weeks, lo[hit], hi[hit]


def weekly_overlap_hours(a: Availability, b: Availability) -> list[float]:
    """Overlap hours in each whole week of the shared term (see module docstring)."""
    t0, weeks, lo, hi = _pieces(a, b)
    if weeks == 0:
        return []
    week = (lo - t0) // WEEK
    boundary = t0 + (week + 1) * WEEK
    first = np.minimum(hi, boundary) - lo
    rest = hi - np.minimum(hi, boundary)
    seconds = np.bincount(week, weights=first, minlength=weeks)
    spill = week + 1 < weeks
    seconds += np.bincount(week[spill] + 1, weights=rest[spill], minlength=weeks)[:weeks]
    return np.round(seconds / 3600, 4).tolist()


@dataclass(frozen=True, slots=True)
class OverlapSummary:
    """Weekly overlap over the shared term.

    `guaranteed` is the best any run of `need_weeks` consecutive shared weeks can promise
    every week (max over runs of the run's minimum) — the figure the hard constraint and
    the soft score use; 0 when the shared term is shorter than `need_weeks`.
    `best_run_start` is the first week of the earliest such run (0 when there is none).
    """

    hours: tuple[float, ...]
    need_weeks: int
    guaranteed: float
    best_run_start: int
    minimum: float
    median: float
    maximum: float

    @property
    def weeks(self) -> int:
        return len(self.hours)

    @property
    def varies(self) -> bool:
        return self.maximum - self.minimum > 1e-6


def summarize(hours: Sequence[float], need_weeks: int = 1) -> OverlapSummary:
    """Summary of per-week hours; `need_weeks` is the exchange's length in weeks."""
    hours = tuple(hours)
    need = max(1, need_weeks)
    if not hours:
        return OverlapSummary((), need, 0.0, 0, 0.0, 0.0, 0.0)
    guaranteed, best = 0.0, 0
    for i in range(len(hours) - need + 1):
        low = min(hours[i : i + need])
        if low > guaranteed:
            guaranteed, best = low, i
    return OverlapSummary(
        hours, need, guaranteed, best, min(hours), float(statistics.median(hours)), max(hours)
    )


def overlap_summary(a: Availability, b: Availability, need_weeks: int = 1) -> OverlapSummary:
    """`summarize(weekly_overlap_hours(a, b), need_weeks)`."""
    return summarize(weekly_overlap_hours(a, b), need_weeks)


# ---------------------------------------------------------------- display


@dataclass(frozen=True, slots=True)
class Slot:
    """One stretch of shared time, in both local clocks."""

    start_utc: dt.datetime
    end_utc: dt.datetime
    tz_a: str
    tz_b: str

    @property
    def hours(self) -> float:
        return (self.end_utc - self.start_utc).total_seconds() / 3600

    def local(self, tz: str) -> tuple[dt.datetime, dt.datetime]:
        zone = _zone(tz)
        return self.start_utc.astimezone(zone), self.end_utc.astimezone(zone)

    def text(self) -> str:
        """E.g. 'Tue 15:00–17:00 in Asia/Kuala_Lumpur = 08:00–10:00 in Europe/Berlin'.

        The second side names its weekday only when it differs from the first side's.
        """
        a0, a1 = self.local(self.tz_a)
        b0, b1 = self.local(self.tz_b)
        left = _clock(a0, a1, None)
        right = _clock(b0, b1, a0.weekday())
        return f"{left} in {self.tz_a} = {right} in {self.tz_b}"


def _clock(start: dt.datetime, end: dt.datetime, same_day_as: int | None) -> str:
    head = "" if start.weekday() == same_day_as else f"{WEEKDAYS[start.weekday()]} "
    tail = f"{end:%H:%M}"
    if end.date() != start.date() and not (end.hour == 0 and end.minute == 0):
        tail = f"{WEEKDAYS[end.weekday()]} {tail}"
    elif end.date() != start.date():
        tail = "24:00"
    return f"{head}{start:%H:%M}–{tail}"


def overlap_slots(a: Availability, b: Availability, week: int = 0) -> list[Slot]:
    """The shared stretches in week `week` of the shared term, in time order.

    Pieces that touch are joined; a negative `week` counts from the end.
    """
    t0, weeks, lo, hi = _pieces(a, b)
    if weeks == 0:
        return []
    week = week % weeks
    w0, w1 = t0 + week * WEEK, t0 + (week + 1) * WEEK
    lo, hi = np.maximum(lo, w0), np.minimum(hi, w1)
    keep = hi > lo
    spans = sorted(zip(lo[keep].tolist(), hi[keep].tolist(), strict=True))
    joined: list[list[int]] = []
    for s, e in spans:
        if joined and s <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], e)
        else:
            joined.append([s, e])
    utc = dt.UTC
    return [
        Slot(
            dt.datetime.fromtimestamp(s, utc),
            dt.datetime.fromtimestamp(e, utc),
            a.time_zone,
            b.time_zone,
        )
        for s, e in joined
    ]


# ---------------------------------------------------------------- cheap upper bound

SLOT_MINUTES = 15
_SLOTS = 7 * 24 * 60 // SLOT_MINUTES  # 672 slots in a week
MASK_WORDS = (_SLOTS + 63) // 64


@lru_cache(maxsize=2048)
def _offsets_seen(tz: str, first_year: int, last_year: int) -> tuple[int, ...]:
    """Every UTC offset (seconds) that `tz` uses between these years."""
    seen: set[int] = set()
    for year in range(first_year, last_year + 1):
        seen.update(int(o) for o in np.unique(_year_offsets(tz, year)))
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
        for wd, s, e in _merged_spans(windows):
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
