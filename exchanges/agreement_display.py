"""The agreement laid out for people: the sections both the PDF and the printable page
show, from one `build_agreement` document, so the two never say different things.

Labels are in the viewer's language; the approvals' times in the viewer's time zone;
each joint session in both institutions' local times, with the UTC offset that day (a
daylight-saving change between two sessions shows). Codes (ISCED-F, EQF, CEFR) stay
beside their names, as offices file them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exchanges.agreement import CREDIT_SYSTEM_LABELS
from offers.languages import LANGUAGE_NAMES
from offers.models import IscedField, OfferKind, OfferLevel

SIDES = ("asia", "europe")


@dataclass
class Block:
    """A titled list of label → value rows (one party, one course, the terms)."""

    heading: str
    rows: list[tuple[str, str]]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    empty: str = ""


@dataclass
class AgreementView:
    title: str
    courses_line: str
    reference: str
    parties: list[Block]
    courses: list[Block]
    terms: Block
    terms_note: str
    sessions: Table
    sessions_note: str
    approvals: Table
    approvals_zone: str
    terms_hash: str
    hash_note: str
    signatures: list[dict]
    signature_fields: list[str] = field(default_factory=list)


def _offset(value: dt.datetime) -> str:
    minutes = int(value.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_time(start_iso: str, zone: str) -> str:
    value = dt.datetime.fromisoformat(start_iso).astimezone(ZoneInfo(zone))
    return f"{date_format(value, 'D j M Y, H:i')} ({_offset(value)})"


def _day(iso: str) -> str:
    return date_format(dt.date.fromisoformat(iso), "j M Y") if iso else ""


def _viewer_time(iso: str) -> str:
    return date_format(timezone.localtime(dt.datetime.fromisoformat(iso)), "j M Y, H:i")


def _languages(languages: list[dict]) -> str:
    return ", ".join(f"{LANGUAGE_NAMES.get(x['code'], x['code'])} ({x['cefr']})" for x in languages)


def _party(side: str, document: dict, approvals: dict) -> Block:
    institution = document["institutions"][side]
    approval = approvals.get(institution["id"])
    if approval:
        office = _("approved by %(name)s") % {"name": approval["approved_by"] or _("(erased)")}
    else:
        office = _("no standing approval")
    heading = _("Asian partner") if side == "asia" else _("European partner")
    rows = [
        (_("Institution"), institution["name"]),
        (_("City"), institution["city"]),
        (_("Country"), f"{institution['country_name']} ({institution['country']})"),
        (_("International office"), office),
        (_("Lecturer"), document["offers"][side]["lecturer"]),
    ]
    return Block(heading, [(label, value) for label, value in rows if value])


def _course(side: str, document: dict, isced: dict[str, IscedField]) -> Block:
    offer = document["offers"][side]
    field_ = isced.get(offer["isced_f"]["code"])
    isced_label = field_.label if field_ else offer["isced_f"]["label"]
    level = offer["level"]
    level_label = (
        str(OfferLevel(level["code"]).label)
        if level["code"] in OfferLevel.values
        else level["label"]
    )
    students = (
        _("%(n)s seats for partner students") % {"n": offer["students"]}
        if offer["students_are"] == "seats"
        else _("%(n)s students in the class") % {"n": offer["students"]}
    )
    return Block(
        document["institutions"][side]["name"],
        [
            (_("Course"), offer["title"]),
            (_("Kind"), str(OfferKind(offer["kind"]).label)),
            (_("ISCED-F field"), f"{offer['isced_f']['code']} {isced_label}"),
            (_("Level"), level_label),
            (_("Languages (CEFR)"), _languages(offer["languages"])),
            (_("Term"), f"{_day(offer['term_start'])} – {_day(offer['term_end'])}"),
            (_("Time zone"), offer["time_zone"]),
            (_("Participants"), students),
        ],
    )


def _credits(credit: dict) -> str:
    if not credit["value"]:
        return _("not stated")
    system = CREDIT_SYSTEM_LABELS.get(credit["system"], credit["system"])
    return f"{credit['value']} {system}"


def _terms(document: dict) -> tuple[Block, str]:
    flows = document["students_per_direction"]
    rows = [
        (_("Students Asia → Europe"), str(flows["asia_to_europe"])),
        (_("Students Europe → Asia"), str(flows["europe_to_asia"])),
    ]
    agreed = document.get("agreed")
    if agreed is None:
        note = _(
            "These terms were approved before Tandem recorded terms drafted together: the "
            "two courses as described above are the terms, counted per direction by "
            "Tandem's rule."
        )
        return Block(_("Agreed terms"), rows), note
    institutions = document["institutions"]
    language = agreed["working_language"]
    rows += [
        (_("Joint sessions"), str(agreed["session_count"] or "")),
        (_("Mode"), _mode_label(agreed["mode"])),
        (
            _("Working language"),
            str(LANGUAGE_NAMES.get(language["code"], language["name"])) if language["code"] else "",
        ),
        (
            _("Credits at %(institution)s") % {"institution": institutions["asia"]["name"]},
            _credits(agreed["credits"]["asia"]),
        ),
        (
            _("Credits at %(institution)s") % {"institution": institutions["europe"]["name"]},
            _credits(agreed["credits"]["europe"]),
        ),
        (_("Joint assignment"), agreed["joint_assignment"] or _("not stated")),
        (_("Meeting platform"), agreed["platform"] or _("not stated")),
    ]
    if agreed["version"]:
        rows.append((_("Terms version"), str(agreed["version"])))
    return Block(_("Agreed terms"), rows), ""


def _mode_label(mode: str) -> str:
    return {"coil": _("COIL"), "virtual_mobility": _("Virtual mobility")}.get(mode, mode)


def _sessions(document: dict) -> tuple[Table, str]:
    agreed = document.get("agreed")
    institutions, offers = document["institutions"], document["offers"]
    headers = [_("No.")]
    for side in SIDES:
        headers.append(
            _("At %(institution)s (%(zone)s)")
            % {"institution": institutions[side]["name"], "zone": offers[side]["time_zone"]}
        )
    headers.append(_("Length"))
    rows = []
    for number, session in enumerate((agreed or {}).get("sessions", []), start=1):
        rows.append(
            [
                str(number),
                *(local_time(session["start"], offers[side]["time_zone"]) for side in SIDES),
                ngettext("%(n)s minute", "%(n)s minutes", session["minutes"])
                % {"n": session["minutes"]},
            ]
        )
    note = ""
    if agreed is None:
        note = _("No session plan is part of these terms.")
    elif len(rows) < (agreed["session_count"] or 0):
        note = _("%(planned)s of %(count)s sessions have dates in the agreed terms.") % {
            "planned": len(rows),
            "count": agreed["session_count"],
        }
    return Table(headers, rows, empty=_("No sessions are planned yet.")), note


def _approvals(document: dict) -> Table:
    rows = [
        [a["institution"], a["approved_by"], _viewer_time(a["approved_at"]), a["comment"]]
        for a in document["approvals"]
    ]
    return Table(
        [_("Institution"), _("Approved by"), _("Date and time"), _("Comment")],
        rows,
        empty=_("No standing approval."),
    )


def agreement_view(document: dict) -> AgreementView:
    """Lay out a `build_agreement` document in the active language and time zone."""
    offers = document["offers"]
    isced = IscedField.objects.in_bulk([offers[side]["isced_f"]["code"] for side in SIDES])
    approvals = {a["institution_id"]: a for a in document["approvals"]}
    terms, terms_note = _terms(document)
    sessions, sessions_note = _sessions(document)
    approved_on = (
        date_format(dt.date.fromisoformat(document["approved_on"]), "j F Y")
        if document["approved_on"]
        else ""
    )
    return AgreementView(
        title=_("Virtual exchange agreement"),
        courses_line=f"{offers['asia']['title']} ↔ {offers['europe']['title']}",
        reference=_("Tandem proposal %(id)s, approved by both international offices on %(date)s")
        % {"id": document["proposal_id"], "date": approved_on},
        parties=[_party(side, document, approvals) for side in SIDES],
        courses=[_course(side, document, isced) for side in SIDES],
        terms=terms,
        terms_note=terms_note,
        sessions=sessions,
        sessions_note=sessions_note,
        approvals=_approvals(document),
        approvals_zone=_("Times in %(zone)s.") % {"zone": timezone.get_current_timezone_name()},
        terms_hash=document["terms_sha256"],
        hash_note=_(
            "SHA-256 of the approved terms as canonical JSON (keys sorted, no spaces, "
            "UTF-8): the terms both offices approved. The JSON download of this agreement "
            "carries the terms, so anyone can recompute it."
        ),
        signatures=[
            {"side": side, "institution": document["institutions"][side]["name"]} for side in SIDES
        ],
        signature_fields=[_("Name"), _("Position"), _("Date"), _("Signature")],
    )
