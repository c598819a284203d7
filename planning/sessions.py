"""The sessions a proposal has planned, read without writing anything, and how each one
reads in the two local times."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from exchanges.drafting import Session, session_plan
from exchanges.models import Proposal

# Proposals whose sessions go into calendars, feeds and reminders.
CALENDAR_STATES = ("accepted", "approved", "active")
REMINDER_STATES = ("approved", "active")


def planned_sessions(proposal: Proposal) -> list[Session]:
    """exchanges.drafting.session_plan, but never drafting version 1: a feed or the clock
    must not write."""
    return session_plan(proposal, draft=False)


@dataclass(frozen=True)
class LocalTimes:
    """One session in the Asian, the European and the reader's time zone."""

    start: dt.datetime  # UTC
    minutes: int
    asia: dt.datetime
    europe: dt.datetime
    viewer: dt.datetime | None

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.minutes)


def local_times(
    start: dt.datetime, minutes: int, proposal: Proposal, viewer_zone: str | None = None
) -> LocalTimes:
    asia = start.astimezone(zoneinfo.ZoneInfo(proposal.asian_offer.time_zone))
    europe = start.astimezone(zoneinfo.ZoneInfo(proposal.european_offer.time_zone))
    viewer = None
    if viewer_zone and viewer_zone not in (
        proposal.asian_offer.time_zone,
        proposal.european_offer.time_zone,
    ):
        viewer = start.astimezone(zoneinfo.ZoneInfo(viewer_zone))
    return LocalTimes(start, minutes, asia, europe, viewer)
