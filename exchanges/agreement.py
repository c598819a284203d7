"""The agreement of an approved proposal: the structured document an institution files.

It is built from the terms frozen on acceptance (`Proposal.terms`), the very terms both
offices approved by their SHA-256, and not from the offers as they stand today: an offer
that still seeks more partners may change after an approval, the agreement may not. The
document carries those terms verbatim, so anyone can recompute the hash (see
`terms_digest` and docs/proposals_api.md).

`build_agreement` only reads: the same approved proposal always gives the same document,
whoever asks and in whatever language (labels are English; codes are the reference).
The API sends it as JSON; the PDF (exchanges.agreement_pdf) and the printable page
(exchanges.agreement_views) lay the same document out for people.

Format version 2 adds the terms both lecturers agreed (`agreed`: students per direction,
the session plan, mode, working language, credits, joint assignment, platform) when the
frozen terms have them, and `ewp_iia`: the fields that coincide with an Erasmus Without
Paper inter-institutional agreement (IIAs API v7), under EWP's own element names.
"""

from __future__ import annotations

import hashlib
import json
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Country
from core.balance_rules import students_per_direction
from exchanges.drafting import sessions_of
from exchanges.errors import ProposalError
from exchanges.models import DecisionKind, Proposal, ProposalState
from offers.languages import LANGUAGE_NAMES
from offers.models import IscedField, OfferKind, OfferLevel

FORMAT = "tandem-agreement"
# 2: `agreed` (the terms both lecturers drafted) and `ewp_iia`; students_per_direction
# from the agreed terms when they exist. Every key of version 1 is still there.
FORMAT_VERSION = 2

MODE_LABELS = {"coil": _("COIL"), "virtual_mobility": _("Virtual mobility")}
CREDIT_SYSTEM_LABELS = {"ects": _("ECTS"), "local": _("local credits")}

# An agreement exists from approval on, and stays while the exchange runs and after it.
AGREEMENT_STATES = (ProposalState.APPROVED, ProposalState.ACTIVE, ProposalState.COMPLETED)

NOT_APPROVED = _(
    "The agreement exists once both international offices have approved the proposal; "
    "this one is %(state)s."
)

SIDES = (("asia", "asian_offer"), ("europe", "european_offer"))


def agreement_available(proposal: Proposal) -> bool:
    return proposal.state in AGREEMENT_STATES


def agreement_filename(proposal: Proposal) -> str:
    """A file name that says what it is and which terms: two versions never collide."""
    return f"tandem-agreement-{proposal.pk}-{proposal.terms_hash[:12]}.json"


def terms_digest(terms: dict) -> str:
    """SHA-256 of the terms as canonical JSON (sorted keys, no spaces, UTF-8): the way
    exchanges.terms.agreed_terms hashes them."""
    canonical = json.dumps(terms, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def proposal_flows(proposal: Proposal, report=None) -> tuple[int, int]:
    """Participants of a proposal by direction, (Asia → Europe, Europe → Asia), by the rule
    of `students_per_direction`: from the frozen terms once accepted, from the offers as
    they stand before; the students per direction both lecturers agreed, once the frozen
    terms carry them. With a completion report, each side's reported participants travel
    (the host's seats from the terms still cap a virtual mobility)."""
    agreed = (proposal.terms or {}).get("agreed")
    if report is None and agreed and "students_asia_to_europe" in agreed:
        return int(agreed["students_asia_to_europe"]), int(agreed["students_europe_to_asia"])
    sides = []
    for key in ("asian_offer", "european_offer"):
        frozen = (proposal.terms or {}).get(key)
        if frozen:
            sides.append((frozen["kind"], int(frozen["students"])))
        else:
            offer = getattr(proposal, key)
            sides.append((offer.kind, offer.students))
    (asian_kind, asian_students), (european_kind, european_students) = sides
    if report is None:
        return students_per_direction(asian_kind, asian_students, european_kind, european_students)
    a_to_e, _e = students_per_direction(
        asian_kind, report.participants_asia, european_kind, european_students
    )
    _a, e_to_a = students_per_direction(
        asian_kind, asian_students, european_kind, report.participants_europe
    )
    return a_to_e, e_to_a


def _windows(frozen: list[str]) -> list[dict]:
    # Frozen as "1 15:00-17:00": weekday (0 is Monday), start and end in the offer's zone.
    out = []
    for window in frozen:
        weekday, _sep, span = window.partition(" ")
        start, _sep, end = span.partition("-")
        out.append({"weekday": int(weekday), "start": start, "end": end})
    return out


def _languages(frozen: list[str]) -> list[dict]:
    out = []
    for item in frozen:
        code, _sep, cefr = item.partition(":")
        out.append({"code": code, "name": str(LANGUAGE_NAMES.get(code, code)), "cefr": cefr})
    return out


def _offer(terms: dict, isced: dict[str, IscedField], owner_name: str) -> dict:
    field = isced.get(terms["isced_id"])
    level = terms["level"]
    return {
        "id": terms["id"],
        "title": terms["title"],
        "kind": terms["kind"],
        "kind_label": str(OfferKind(terms["kind"]).label),
        "lecturer": owner_name,
        "isced_f": {"code": terms["isced_id"], "label": field.label_en if field else ""},
        "level": {
            "code": level,
            "eqf": int(level) if level.isdigit() else None,
            "label": str(OfferLevel(level).label),
        },
        "languages": _languages(terms["languages"]),
        "term_start": terms["term_start"],
        "term_end": terms["term_end"],
        "duration_weeks": terms["duration_weeks"],
        "sync_sessions": terms["sync_sessions"],
        "time_zone": terms["time_zone"],
        "weekly_windows": _windows(terms["windows"]),
        # A virtual-mobility course counts its seats for partner students; the others
        # their own class.
        "students": terms["students"],
        "students_are": "seats" if terms["kind"] == OfferKind.VIRTUAL_MOBILITY else "class",
    }


def _institution(side: str, terms: dict, offer, countries: dict) -> dict:
    country = countries.get(terms["country"])
    return {
        "id": offer.institution_id,
        "name": terms["institution"],
        "city": offer.institution.city,
        "country": terms["country"],
        "country_name": country.name if country else "",
        "region": country.region if country else side,
    }


def _approval(decision) -> dict:
    return {
        "institution_id": decision.institution_id,
        "institution": decision.institution.name,
        "approved_by": decision.decided_by.full_name if decision.decided_by else "",
        "approved_at": decision.at.isoformat(),
        "comment": decision.comment,
    }


def _session(session, zones: dict[str, str]) -> dict:
    # Each start also in both institutions' local time: the offsets show a daylight-saving
    # change between two sessions.
    return {
        "start": session.start.isoformat(),
        "end": session.end.isoformat(),
        "minutes": session.minutes,
        "local": {
            side: session.start.astimezone(ZoneInfo(zone)).isoformat()
            for side, zone in zones.items()
        },
    }


def _agreed(agreed: dict, version, zones: dict[str, str]) -> dict:
    """The agreed fields made readable: labels beside codes, sessions in both local times.
    Fields a draft did not fill stay empty, never invented."""
    language = agreed.get("working_language", "")
    mode = agreed.get("mode", "")
    return {
        "version": version,
        "students_asia_to_europe": agreed.get("students_asia_to_europe"),
        "students_europe_to_asia": agreed.get("students_europe_to_asia"),
        "session_count": agreed.get("session_count"),
        "sessions": [_session(s, zones) for s in sessions_of(agreed)],
        "mode": mode,
        "mode_label": str(MODE_LABELS.get(mode, mode)),
        "working_language": {
            "code": language,
            "name": str(LANGUAGE_NAMES.get(language, language)),
        },
        "credits": {
            side: {
                "value": agreed.get(f"credits_{side}", ""),
                "system": agreed.get(f"credit_system_{side}", ""),
            }
            for side in ("asia", "europe")
        },
        "joint_assignment": agreed.get("joint_assignment", ""),
        "platform": agreed.get("platform", ""),
    }


def _isced_f_code(code: str) -> str | None:
    # EWP v7 takes four-digit (detailed) ISCED-F codes only.
    return code if len(code) == 4 and code.isdigit() else None


def _ewp_iia(document: dict, approvals: list[dict]) -> dict:
    """The fields an EWP inter-institutional agreement (IIAs API v7) shares with this one,
    under EWP's element names, so an office can carry them into its EWP system.

    One `student-studies-mobility-spec` per direction with participants: the sending side's
    students join the receiving side's course, so the subject area and the recommended
    language skills are the receiving course's, the EQF level the sending course's.
    Tandem knows no SCHAC code (EWP's hei-id): `hei-id` is null and Tandem's own
    institution id stands beside it."""
    institutions, offers = document["institutions"], document["offers"]
    signed = {a["institution_id"]: a for a in approvals}
    partners = []
    for side in ("asia", "europe"):
        institution = institutions[side]
        approval = signed.get(institution["id"])
        partners.append(
            {
                "hei-id": None,
                "tandem-institution-id": institution["id"],
                "name": institution["name"],
                "country": institution["country"],
                "signing-contact": {"contact-name": approval["approved_by"]}
                if approval and approval["approved_by"]
                else None,
                "signing-date": approval["approved_at"][:10] if approval else None,
            }
        )
    blended = any(offers[side]["kind"] == OfferKind.BLENDED for side in ("asia", "europe"))
    flows = document["students_per_direction"]
    specs = []
    for sending, receiving, key in (
        ("asia", "europe", "asia_to_europe"),
        ("europe", "asia", "europe_to_asia"),
    ):
        if not flows[key]:
            continue  # EWP's mobilities-per-year is a positive integer: no spec for none
        host, home = offers[receiving], offers[sending]
        code = _isced_f_code(host["isced_f"]["code"])
        specs.append(
            {
                "direction": key,
                "sending-hei-id": None,
                "sending-tandem-institution-id": institutions[sending]["id"],
                "receiving-hei-id": None,
                "receiving-tandem-institution-id": institutions[receiving]["id"],
                "mobilities-per-year": flows[key],
                "recommended-language-skill": [
                    {"language": x["code"], "cefr-level": x["cefr"]} for x in host["languages"]
                ],
                "subject-area": [{"isced-f-code": code, "isced-clarification": ""}] if code else [],
                "blended": blended,
                "eqf-level": [home["level"]["eqf"]] if home["level"]["eqf"] else [],
            }
        )
    return {
        "in-effect": True,
        "partner": partners,
        "cooperation-conditions": {"student-studies-mobility-spec": specs},
        "iia-hash": document["terms_sha256"],
    }


def build_agreement(proposal: Proposal) -> dict:
    """The agreement of an approved (active, completed) proposal as plain JSON data.

    Raises ValidationError (code "not_approved") before approval. Reads the proposal's
    offers' owners and institutions, its standing approvals, and the reference rows of
    the ISCED-F fields and countries it names; writes nothing."""
    if not agreement_available(proposal):
        raise ValidationError(
            NOT_APPROVED % {"state": proposal.get_state_display().lower()},
            code=ProposalError.NOT_APPROVED,
        )
    terms = proposal.terms
    countries = Country.objects.in_bulk([terms[key]["country"] for _side, key in SIDES])
    isced = IscedField.objects.in_bulk([terms[key]["isced_id"] for _side, key in SIDES])
    decisions = (
        proposal.decisions.filter(
            void=False, decision=DecisionKind.APPROVE, terms_hash=proposal.terms_hash
        )
        .select_related("institution", "decided_by")
        .order_by("at", "pk")
    )
    with translation.override("en"):
        institutions, offers = {}, {}
        for side, key in SIDES:
            offer = getattr(proposal, key)
            institutions[side] = _institution(side, terms[key], offer, countries)
            offers[side] = _offer(terms[key], isced, offer.owner.full_name)
        a_to_e, e_to_a = students_per_direction(
            offers["asia"]["kind"],
            offers["asia"]["students"],
            offers["europe"]["kind"],
            offers["europe"]["students"],
        )
        agreed = None
        if terms.get("agreed") is not None:
            zones = {side: offers[side]["time_zone"] for side in ("asia", "europe")}
            agreed = _agreed(terms["agreed"], terms.get("version"), zones)
            if agreed["students_asia_to_europe"] is not None:
                a_to_e = int(agreed["students_asia_to_europe"])
                e_to_a = int(agreed["students_europe_to_asia"])
        approvals = [_approval(d) for d in decisions]
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "proposal_id": proposal.pk,
            "institutions": institutions,
            "offers": offers,
            "students_per_direction": {"asia_to_europe": a_to_e, "europe_to_asia": e_to_a},
            "agreed": agreed,
            "approvals": approvals,
            "approved_at": proposal.approved_at.isoformat() if proposal.approved_at else None,
            "approved_on": proposal.approved_at.date().isoformat()
            if proposal.approved_at
            else None,
            "terms_sha256": proposal.terms_hash,
            "terms": terms,
        }
        document["ewp_iia"] = _ewp_iia(document, approvals)
        return document
