"""Sessions as iCalendar (RFC 5545): the .ics download of one proposal and the private feed.

Each session is one event whose UID is made of the proposal and the session's start, so a
calendar that reads the file again (or polls the feed) updates the same events instead of
adding copies; a moved session is a new event, and the old one leaves the feed. Starts and
ends are written in UTC: every calendar program shows them in its own zone."""

from __future__ import annotations

from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.emails import site_url
from exchanges.drafting import Session
from exchanges.models import Proposal

PRODID = "-//Tandem//Joint sessions//EN"


def _host() -> str:
    return urlsplit(settings.TANDEM_SITE_URL).hostname or "tandem"


def session_uid(proposal: Proposal, session: Session) -> str:
    return f"proposal-{proposal.pk}-session-{session.start:%Y%m%dT%H%M%SZ}@{_host()}"


def summary(proposal: Proposal) -> str:
    return _("Joint session: %(asian)s ↔ %(european)s") % {
        "asian": proposal.asian_offer.title,
        "european": proposal.european_offer.title,
    }


def _description(proposal: Proposal, number: int, total: int, platform: str) -> str:
    asia, europe = proposal.asian_offer, proposal.european_offer
    lines = [
        _("Session %(n)d of %(total)d") % {"n": number, "total": total},
        f"{asia.title} — {asia.institution.name} ({asia.time_zone})",
        f"{europe.title} — {europe.institution.name} ({europe.time_zone})",
    ]
    if platform:
        lines.append(_("Where: %(platform)s") % {"platform": platform})
    lines.append(site_url(reverse("planning:planner", args=[proposal.pk])))
    return "\n".join(lines)


def _platform(proposal: Proposal) -> str:
    agreed = (proposal.terms or {}).get("agreed") or {}
    if agreed.get("platform"):
        return agreed["platform"]
    latest = proposal.term_versions.order_by("-number").first()
    return (latest.data.get("platform") or "") if latest else ""


def calendar(name: str, items: list[tuple[Proposal, list[Session]]]) -> bytes:
    """One calendar of the sessions of each (proposal, its sessions)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for proposal, sessions in items:
        platform = _platform(proposal)
        for number, session in enumerate(sessions, start=1):
            event = icalendar.Event()
            event.add("uid", session_uid(proposal, session))
            # The plan's last change, not "now": reading the file twice gives the same file.
            event.add("dtstamp", proposal.updated_at)
            event.add("dtstart", session.start)
            event.add("dtend", session.end)
            event.add("summary", summary(proposal))
            event.add("description", _description(proposal, number, len(sessions), platform))
            if platform:
                event.add("location", platform)
            event.add("url", site_url(reverse("planning:planner", args=[proposal.pk])))
            cal.add_component(event)
    return cal.to_ical()
