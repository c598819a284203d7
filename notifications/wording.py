"""What each notification says, in one place: the in-app line per kind (rendered when
shown, so it reads in the viewer's language) and the e-mail templates per kind
(templates/emails/proposal_<kind>_{subject,body}.*, filled with the same parameters).

Keys are the values of notifications.models.NotificationKind; a test checks that every
kind has its line and its three e-mail templates."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# (kind, variant) → line. The variant is a flag in the parameters ("round", "again"), or
# the title of the offer that filled up ("full": a proposal closed for want of a place).
LINES = {
    ("received", ""): _(
        "%(actor)s proposes pairing your course “%(own)s” with “%(partner)s” (%(institution)s)."
    ),
    ("received", "round"): _(
        "A pairing round proposes your course “%(own)s” with “%(partner)s” (%(institution)s)."
    ),
    ("accepted", ""): _(
        "%(actor)s accepted pairing “%(own)s” with “%(partner)s”. "
        "The international offices decide next."
    ),
    ("approval_needed", ""): _("“%(asian)s” ↔ “%(european)s” waits for your office's approval."),
    ("approval_needed", "again"): _(
        "The terms of “%(asian)s” ↔ “%(european)s” changed: "
        "your office is asked to approve them again."
    ),
    ("approved", ""): _(
        "Both international offices approved pairing “%(own)s” with “%(partner)s”."
    ),
    ("rejected", ""): _(
        "An international office rejected pairing “%(own)s” with “%(partner)s”: %(reason)s"
    ),
    ("expiring", ""): _(
        "The proposal to pair your course “%(own)s” with “%(partner)s” expires on "
        "%(date)s. Please accept or decline it."
    ),
    ("expired", ""): _(
        "Your proposal to pair “%(own)s” with “%(partner)s” expired without an answer. "
        "See the next suggestions for your course."
    ),
    ("declined", ""): _(
        "Your proposal to pair “%(own)s” with “%(partner)s” was declined. "
        "See the next suggestions for your course."
    ),
    ("withdrawn", ""): _("The proposal to pair “%(own)s” with “%(partner)s” was withdrawn."),
    ("withdrawn", "full"): _(
        "The proposal to pair “%(own)s” with “%(partner)s” was closed: “%(full)s” has no "
        "partner place left."
    ),
    ("partner_found", ""): _(
        "A new partner course for “%(own)s”: “%(partner)s” (%(institution)s)."
    ),
    ("terms_drafted", ""): _(
        "%(actor)s saved version %(version)s of the terms of “%(own)s” ↔ “%(partner)s”. "
        "Review it, then accept it or change it."
    ),
    ("terms_drafted", "again"): _(
        "%(actor)s revised the terms of “%(own)s” ↔ “%(partner)s” (version %(version)s). "
        "Review and accept them: then both offices are asked again."
    ),
    ("terms_drafted", "accepted"): _(
        "%(actor)s accepted version %(version)s of the terms of “%(own)s” ↔ “%(partner)s”. "
        "Accept it too to send it to the offices."
    ),
    ("changes", ""): _(
        "An international office asks for changes to “%(asian)s” ↔ “%(european)s”: %(reason)s"
    ),
    ("commented", ""): _("%(actor)s commented on “%(asian)s” ↔ “%(european)s”: %(reason)s"),
    ("session_soon", ""): _(
        "Joint session of “%(asian)s” ↔ “%(european)s” starts %(date)s (your time)."
    ),
    ("completed", ""): _(
        "The exchange “%(asian)s” ↔ “%(european)s” is completed and its report filed."
    ),
}

VARIANTS = ("round", "again", "full", "accepted")
PLACEHOLDERS = (
    "own",
    "partner",
    "institution",
    "actor",
    "reason",
    "asian",
    "european",
    "full",
    "version",
)


def email_template(kind: str) -> str:
    """The e-mail of a kind: templates/emails/<this>_{subject.txt,body.txt,body.html}."""
    return f"proposal_{kind}"


def line(kind: str, params: dict) -> str:
    p = dict.fromkeys(PLACEHOLDERS, "") | params
    if kind == "partner_found":
        return _partner_found(p)
    variant = next((v for v in VARIANTS if p.get(v)), "")
    template = LINES.get((kind, variant)) or LINES.get((kind, ""))
    if template is None:
        return str(p["own"])
    if kind == "expiring":
        p["date"] = _format_date(p.get("expires_at"))
    if kind == "session_soon":
        p["date"] = _format_date(p.get("starts_at"))
    return str(template) % p


def _partner_found(p: dict) -> str:
    others = max(int(p.get("count") or 1) - 1, 0)
    if not others:
        return str(LINES[("partner_found", "")]) % p
    return ngettext(
        "New partner courses for “%(own)s”: “%(partner)s” (%(institution)s) and %(n)d more.",
        "New partner courses for “%(own)s”: “%(partner)s” (%(institution)s) and %(n)d more.",
        others,
    ) % (p | {"n": others})


def _format_date(value: str | None) -> str:
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
