"""Weekly windows converted between time zones on given dates (daylight saving included)."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass

from offers.validation import WEEKDAYS

logger = logging.getLogger(__name__)

# Zones shown beside an offer's own, for the other region's readers.
OTHER_REGION_ZONES = {
    "asia": ["Europe/Lisbon", "Europe/Berlin", "Europe/Helsinki"],
    "europe": ["Asia/Kolkata", "Asia/Bangkok", "Asia/Shanghai", "Asia/Tokyo"],
}


@dataclass(frozen=True)
class Slot:
    zone: str
    weekday: int
    start: dt.time
    end: dt.time
    next_day_end: bool = False

    def label(self) -> str:
        suffix = " (+1)" if self.next_day_end else ""
        return f"{WEEKDAYS[self.weekday]} {self.start:%H:%M}–{self.end:%H:%M}{suffix}"


def _first_weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def convert(
    weekday: int, start: dt.time, end: dt.time, source: str, target: str, week_of: dt.date
) -> Slot:
    """The window as it falls in `target`, in the week that starts on or after `week_of`."""
    src, dst = zoneinfo.ZoneInfo(source), zoneinfo.ZoneInfo(target)
    day = _first_weekday_on_or_after(week_of, weekday)
    a = dt.datetime.combine(day, start, tzinfo=src).astimezone(dst)
    b = dt.datetime.combine(day, end, tzinfo=src).astimezone(dst)
    return Slot(target, a.weekday(), a.time(), b.time(), next_day_end=b.date() > a.date())


def offset_changes(zones: list[str], start: dt.date, end: dt.date) -> list[dt.date]:
    """Days within [start, end] on which any of the zones changes its UTC offset."""
    days, day = [], start
    infos = [zoneinfo.ZoneInfo(z) for z in zones]

    def offsets(d: dt.date):
        noon = dt.datetime.combine(d, dt.time(12))
        return tuple(z.utcoffset(noon) for z in infos)

    previous = offsets(day)
    while day < end:
        day += dt.timedelta(days=1)
        current = offsets(day)
        if current != previous:
            days.append(day)
        previous = current
    return days


def window_table(
    windows: list[tuple[int, dt.time, dt.time]],
    source: str,
    region: str,
    term_start: dt.date,
    term_end: dt.date,
    viewer_zone: str | None = None,
) -> dict | None:
    """Rows of each window in its own zone, UTC, the viewer's zone and the other region's
    zones, for each period of the term between daylight-saving changes."""
    zones = ["UTC"] + OTHER_REGION_ZONES.get(region, [])
    if viewer_zone and viewer_zone not in zones and viewer_zone != source:
        zones.insert(1, viewer_zone)
    try:
        changes = offset_changes([source, *zones], term_start, term_end)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OverflowError):
        # A row written past the rules (an unknown zone): the page goes without the table.
        logger.warning("offer time table: cannot convert from %r", source, exc_info=True)
        return None
    periods = [term_start, *changes]
    table = []
    for i, begin in enumerate(periods):
        until = periods[i + 1] - dt.timedelta(days=1) if i + 1 < len(periods) else term_end
        rows = []
        for weekday, start, end in sorted(windows):
            own = Slot(source, weekday, start, end)
            rows.append(
                {
                    "own": own,
                    "others": [convert(weekday, start, end, source, z, begin) for z in zones],
                }
            )
        table.append({"from": begin, "until": until, "rows": rows})
    return {"zones": zones, "periods": table}
