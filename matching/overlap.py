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

The windows, terms, time zones and the cheap weekly bound live in `timetable` and are
re-exported here.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.vocabulary import WEEKDAYS
from matching.timetable import (
    EPOCH_ORD,
    MASK_WORDS,
    SLOT_MINUTES,
    WINDOW_BAD_ORDER,
    WINDOW_BAD_WEEKDAY,
    WINDOW_OVERLAP,
    Availability,
    mask_hours,
    midnight_offsets,
    occurrences,
    shared_term,
    term_overlap_weeks,
    utc_offset_hours,
    validate_windows,
    weekly_mask,
    zone_info,
)

# The windows, terms and bounds of `timetable` are part of this module's interface.
__all__ = [
    "MASK_WORDS",
    "SLOT_MINUTES",
    "WEEK",
    "WEEKDAYS",
    "WINDOW_BAD_ORDER",
    "WINDOW_BAD_WEEKDAY",
    "WINDOW_OVERLAP",
    "Availability",
    "OverlapSummary",
    "Slot",
    "mask_hours",
    "overlap_slots",
    "overlap_summary",
    "shared_term",
    "summarize",
    "term_overlap_weeks",
    "utc_offset_hours",
    "validate_windows",
    "weekly_mask",
    "weekly_overlap_hours",
]

WEEK = 7 * 86400

# ---------------------------------------------------------------- weekly overlap


@lru_cache(maxsize=100_000)
def _offset_at(tz: str, ordinal: int) -> int:
    return int(midnight_offsets(tz, ordinal, ordinal)[0])


def _week_origin(a: Availability, b: Availability, start: dt.date) -> int:
    o = start.toordinal()
    mean = (_offset_at(a.time_zone, o) + _offset_at(b.time_zone, o)) / 2
    return int((o - EPOCH_ORD) * 86400 - mean)


def _pieces(a: Availability, b: Availability) -> tuple[int, int, np.ndarray, np.ndarray]:
    """(T0, weeks, piece starts, piece ends): absolute overlap inside the shared weeks."""
    start, weeks = shared_term(a, b)
    if weeks == 0:
        empty = np.zeros(0, dtype=np.int64)
        return 0, 0, empty, empty
    t0 = _week_origin(a, b, start)
    t1 = t0 + weeks * WEEK
    oa = occurrences(a.time_zone, tuple(a.windows), a.term_start, a.term_end)
    ob = occurrences(b.time_zone, tuple(b.windows), b.term_start, b.term_end)
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
        zone = zone_info(tz)
        return self.start_utc.astimezone(zone), self.end_utc.astimezone(zone)

    def text(self, day=WEEKDAYS.__getitem__, place=lambda times, tz: f"{times} in {tz}") -> str:
        """E.g. 'Tue 15:00–17:00 in Asia/Kuala_Lumpur = 08:00–10:00 in Europe/Berlin'.

        The second side names its weekday only when it differs from the first side's.
        `day` names a weekday (0 = Monday) and `place` joins a time span with its zone:
        the web layer passes both in the reader's language.
        """
        a0, a1 = self.local(self.tz_a)
        b0, b1 = self.local(self.tz_b)
        left = place(_clock(a0, a1, None, day), self.tz_a)
        right = place(_clock(b0, b1, a0.weekday(), day), self.tz_b)
        return f"{left} = {right}"

    def span(self) -> list[str]:
        """The slot as JSON-friendly values, for `from_span`."""
        return [self.start_utc.isoformat(), self.end_utc.isoformat(), self.tz_a, self.tz_b]

    @classmethod
    def from_span(cls, span) -> Slot:
        start, end, tz_a, tz_b = span
        return cls(dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end), tz_a, tz_b)


def _clock(start: dt.datetime, end: dt.datetime, same_day_as: int | None, day) -> str:
    head = "" if start.weekday() == same_day_as else f"{day(start.weekday())} "
    tail = f"{end:%H:%M}"
    if end.date() != start.date() and not (end.hour == 0 and end.minute == 0):
        tail = f"{day(end.weekday())} {tail}"
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
