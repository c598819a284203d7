"""The terms both lecturers draft together while a proposal is open.

Each save is a new `TermsVersion` (never edited), so the timeline shows who changed what,
and each side accepts one specific version number. Acceptance of the same, latest version
by both sides freezes it into `Proposal.terms` (see exchanges.terms), which the offices
approve by its hash.

The agreed fields (JSON-ready values):

- ``students_asia_to_europe`` / ``students_europe_to_asia``: participants per direction
  (the statistics' flows come from these once frozen);
- ``session_count``: joint sessions planned; ``sessions``: their dates, a list of
  ``{"start": ISO 8601 in UTC, "minutes": int}`` sorted by start (may be shorter than
  the count until all are planned; the session planner fills it);
- ``mode``: ``coil`` or ``virtual_mobility``; ``working_language``: ISO 639-1 code;
- ``credits_asia`` / ``credits_europe``: a number as a string (``"5"``, ``"2.5"``),
  ``credit_system_asia`` / ``credit_system_europe``: ``ects`` or ``local``;
- ``joint_assignment`` (text), ``platform`` (text: where the sessions meet).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from core.balance_rules import students_per_direction
from exchanges.models import Proposal, TermsVersion

AGREED_FIELDS = (
    "students_asia_to_europe",
    "students_europe_to_asia",
    "session_count",
    "sessions",
    "mode",
    "working_language",
    "credits_asia",
    "credit_system_asia",
    "credits_europe",
    "credit_system_europe",
    "joint_assignment",
    "platform",
)

MODES = ("coil", "virtual_mobility")
CREDIT_SYSTEMS = ("ects", "local")


@dataclass(frozen=True)
class Session:
    """One joint session: an aware start (UTC) and a length."""

    start: dt.datetime
    minutes: int

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.minutes)


def initial_terms(proposal: Proposal) -> dict:
    """Version 1, drafted from the two offers as they stand."""
    asia, europe = proposal.asian_offer, proposal.european_offer
    a_to_e, e_to_a = students_per_direction(asia.kind, asia.students, europe.kind, europe.students)
    common = sorted(
        {x.language for x in asia.languages.all()} & {x.language for x in europe.languages.all()}
    )
    both_vm = asia.kind == europe.kind == "virtual_mobility"
    return {
        "students_asia_to_europe": a_to_e,
        "students_europe_to_asia": e_to_a,
        "session_count": min(asia.sync_sessions, europe.sync_sessions),
        "sessions": [],
        "mode": "virtual_mobility" if both_vm else "coil",
        "working_language": "en" if "en" in common else (common[0] if common else ""),
        "credits_asia": "",
        "credit_system_asia": "local",
        "credits_europe": "",
        "credit_system_europe": "ects",
        "joint_assignment": "",
        "platform": "",
    }


def current_version(proposal: Proposal) -> TermsVersion:
    """The latest version; version 1 is drafted from the offers the first time it is asked
    for (proposals made before drafting existed have none)."""
    latest = proposal.term_versions.order_by("-number").first()
    if latest is not None:
        return latest
    with transaction.atomic():
        version, _created = TermsVersion.objects.get_or_create(
            proposal=proposal,
            number=1,
            defaults={"data": initial_terms(proposal), "author": proposal.proposed_by},
        )
    return version


def sessions_of(data: dict) -> list[Session]:
    return [
        Session(dt.datetime.fromisoformat(s["start"]).astimezone(dt.UTC), int(s["minutes"]))
        for s in data.get("sessions", [])
    ]


def session_plan(proposal: Proposal) -> list[Session]:
    """The sessions that count: from the frozen terms once both sides accepted, else from
    the latest draft."""
    agreed = (proposal.terms or {}).get("agreed")
    if agreed is not None:
        return sessions_of(agreed)
    return sessions_of(current_version(proposal).data)
