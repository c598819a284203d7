"""Suggested joint session dates: pure Python (no Django, no database).

Each side is one offer: its weekly windows in its own time zone, its term, and the days it
cannot meet (public holidays of its country, its institution's exam weeks and breaks),
given as local dates with a reason each. Every local date of each side's windows is turned
into real UTC instants with zoneinfo, on that date, so a window keeps its local hours when
either zone changes to or from summer time, and the overlap of the two sides is computed
anew for each date: a slot that fits in winter may shrink or vanish in summer.

A candidate is the start of an overlap long enough for one session. Candidates on a day
either side cannot meet are skipped, with the reason kept for the page. From the rest,
`count` sessions are picked evenly across the shared term: the candidate nearest to the
middle of each of `count` equal parts of it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

UTC = dt.UTC
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Closed:
    """Why a side cannot meet on one of its local dates."""

    kind: str  # "holiday", or an academic calendar kind: "exams", "break", "closure"
    name: str  # the holiday's or period's name, as the page shows it


@dataclass(frozen=True)
class Side:
    zone: str
    windows: tuple[tuple[int, dt.time, dt.time], ...]  # (weekday 0=Monday, local start, end)
    term_start: dt.date
    term_end: dt.date
    # Local date → the reasons it is closed (holidays and calendar periods).
    closed: dict[dt.date, tuple[Closed, ...]] = field(default_factory=dict)
    label: str = ""  # the country or institution, for the page

    def intervals(self, first: dt.date, last: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """Each window on each local date from first to last, as UTC instants."""
        tz = zoneinfo.ZoneInfo(self.zone)
        found = []
        day = first
        while day <= last:
            for weekday, start, end in self.windows:
                if weekday == day.weekday():
                    a = dt.datetime.combine(day, start, tzinfo=tz).astimezone(UTC)
                    b = dt.datetime.combine(day, end, tzinfo=tz).astimezone(UTC)
                    if b > a:
                        found.append((a, b))
            day += ONE_DAY
        return sorted(found)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(zoneinfo.ZoneInfo(self.zone)).date()


@dataclass(frozen=True)
class Skipped:
    """A slot both sides could have met in, but one side cannot on that day."""

    start: dt.datetime  # UTC
    side: int  # 0 or 1: whose day is closed
    local_date: dt.date
    reasons: tuple[Closed, ...]


@dataclass
class Plan:
    starts: list[dt.datetime]  # UTC, sorted
    minutes: int
    wanted: int
    skipped: list[Skipped]
    candidates: int  # how many slots were free
    shared_start: dt.date | None  # None: the two terms do not overlap
    shared_end: dt.date | None

    @property
    def short(self) -> bool:
        """Fewer free slots than sessions wanted."""
        return len(self.starts) < self.wanted


def _intersect(a: list, b: list) -> list[tuple[dt.datetime, dt.datetime]]:
    """The overlaps of two sorted lists of intervals (each list may overlap itself)."""
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            if b0 >= a1:
                break
            lo, hi = max(a0, b0), min(a1, b1)
            if hi > lo:
                out.append((lo, hi))
    # Merge touching pieces (two windows of one side back to back).
    out.sort()
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for lo, hi in out:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def free_slots(
    sides: tuple[Side, Side], minutes: int, *, not_before: dt.date | None = None
) -> tuple[list[dt.datetime], list[Skipped], dt.date | None, dt.date | None]:
    """Every start where both sides meet for `minutes`, within both terms, on no closed
    day of either; and the starts skipped for a closed day, with why."""
    first = max(s.term_start for s in sides)
    last = min(s.term_end for s in sides)
    if not_before is not None:
        first = max(first, not_before)
    if first > last:
        return [], [], None, None
    # A local date of one side may be the day before or after in the other's zone.
    spans = [s.intervals(first - ONE_DAY, last + ONE_DAY) for s in sides]
    length = dt.timedelta(minutes=minutes)
    free, skipped = [], []
    for lo, hi in _intersect(*spans):
        if hi - lo < length:
            continue
        # Both sides' local dates of the start must lie within their own terms.
        dates = [s.local_date(lo) for s in sides]
        if any(not (s.term_start <= d <= s.term_end) for s, d in zip(sides, dates, strict=True)):
            continue
        if not_before is not None and min(dates) < not_before:
            continue
        closed = [(i, d, sides[i].closed.get(d, ())) for i, d in enumerate(dates)]
        blocking = [c for c in closed if c[2]]
        if blocking:
            skipped.extend(Skipped(lo, i, d, why) for i, d, why in blocking)
            continue
        free.append(lo)
    return free, skipped, first, last


def spread(candidates: list[dt.datetime], count: int, first: dt.date, last: dt.date) -> list:
    """`count` candidates spread evenly: the nearest to the middle of each equal part of
    the shared term, each used once."""
    if count <= 0 or not candidates:
        return []
    if count >= len(candidates):
        return list(candidates)
    begin = dt.datetime.combine(first, dt.time(0), tzinfo=UTC)
    span = dt.datetime.combine(last + ONE_DAY, dt.time(0), tzinfo=UTC) - begin
    chosen: set[int] = set()
    for i in range(count):
        target = begin + span * (2 * i + 1) / (2 * count)
        free = [k for k in range(len(candidates)) if k not in chosen]
        chosen.add(min(free, key=lambda k: (abs(candidates[k] - target), k)))
    return [candidates[k] for k in sorted(chosen)]


def suggest(
    sides: tuple[Side, Side],
    *,
    count: int,
    minutes: int,
    not_before: dt.date | None = None,
) -> Plan:
    """The suggested plan: `count` session starts (UTC) of `minutes` each."""
    free, skipped, first, last = free_slots(sides, minutes, not_before=not_before)
    starts = spread(free, count, first, last) if first else []
    return Plan(starts, minutes, count, skipped, len(free), first, last)
