"""The days each side of a proposal cannot meet, and the suggested plan built from them.

Public holidays come from the `holidays` package (national holidays of the offer's
country; all 51 ASEM countries are covered), named in the reader's language when the
package has it, else in English, else in the country's own language. Exam weeks, breaks
and other closures come from each institution's academic calendar (CalendarPeriod)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays as holiday_data
from django.utils import timezone, translation

from exchanges.drafting import current_version
from exchanges.models import Proposal
from offers.models import Offer
from planning.models import CalendarPeriod
from planning.suggest import Closed, Plan, Side, suggest

DEFAULT_MINUTES = 90


def _holiday_language(code: str, language: str) -> str | None:
    """The package's language closest to a Django language code ("zh-hans" → "zh_CN")."""
    supported = holiday_data.country_holidays(code).supported_languages or ()
    wanted = {"zh-hans": "zh_CN", "en": "en_US"}.get(language, language)
    for candidate in (wanted, *(s for s in supported if s.split("_")[0] == wanted), "en_US"):
        if candidate in supported:
            return candidate
    return None


@lru_cache(maxsize=512)
def _holidays(code: str, year: int, language: str) -> tuple[tuple[dt.date, str], ...]:
    lang = _holiday_language(code, language)
    found = holiday_data.country_holidays(code, years=year, language=lang)
    return tuple(sorted(found.items()))


def holidays_between(code: str, first: dt.date, last: dt.date, language: str = "en") -> dict:
    """Local date → holiday names of one country (several names on one day are joined)."""
    days: dict[dt.date, list[str]] = {}
    for year in range(first.year, last.year + 1):
        for day, name in _holidays(code, year, language):
            if first <= day <= last:
                days.setdefault(day, []).extend(n.strip() for n in name.split(";"))
    return {day: "; ".join(dict.fromkeys(names)) for day, names in days.items()}


def periods_between(institution_id: int, first: dt.date, last: dt.date):
    return CalendarPeriod.objects.filter(
        institution_id=institution_id, start__lte=last, end__gte=first
    ).order_by("start", "pk")


def side_of(offer: Offer, first: dt.date, last: dt.date, language: str) -> Side:
    """One offer as the planner sees it: windows, term, and its closed days in [first, last]."""
    closed: dict[dt.date, list[Closed]] = {}
    for day, name in holidays_between(offer.country_id, first, last, language).items():
        closed.setdefault(day, []).append(Closed("holiday", name))
    for period in periods_between(offer.institution_id, first, last):
        day = max(period.start, first)
        while day <= min(period.end, last):
            closed.setdefault(day, []).append(Closed(period.kind, period.name))
            day += dt.timedelta(days=1)
    return Side(
        zone=offer.time_zone,
        windows=tuple((w.weekday, w.start, w.end) for w in offer.windows.all()),
        term_start=offer.term_start,
        term_end=offer.term_end,
        closed={day: tuple(reasons) for day, reasons in closed.items()},
        label=offer.country.display_name,
    )


def wanted_count(proposal: Proposal) -> int:
    """Sessions the draft asks for; else what the offers want (at least one)."""
    data = current_version(proposal).data
    count = int(data.get("session_count") or 0)
    if not count:
        count = min(proposal.asian_offer.sync_sessions, proposal.european_offer.sync_sessions)
    return max(count, 1)


def suggest_for(
    proposal: Proposal,
    *,
    count: int,
    minutes: int = DEFAULT_MINUTES,
    today: dt.date | None = None,
    language: str | None = None,
) -> tuple[Plan, tuple[Side, Side]]:
    """The suggested plan of a proposal, from tomorrow on (a session today is too soon to
    plan), with the two sides it was built from."""
    language = language or translation.get_language() or "en"
    today = today or timezone.now().date()
    asia, europe = proposal.asian_offer, proposal.european_offer
    # Closed days are read one day around the shared term: a local date may be the next
    # or previous one in the other zone.
    first = max(asia.term_start, europe.term_start) - dt.timedelta(days=1)
    last = min(asia.term_end, europe.term_end) + dt.timedelta(days=1)
    sides = (side_of(asia, first, last, language), side_of(europe, first, last, language))
    plan = suggest(sides, count=count, minutes=minutes, not_before=today + dt.timedelta(days=1))
    return plan, sides
