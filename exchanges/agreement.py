"""The agreement of an approved proposal: the structured document an institution files.

It is built from the terms frozen on acceptance (`Proposal.terms`), the very terms both
offices approved by their SHA-256, and not from the offers as they stand today: an offer
that still seeks more partners may change after an approval, the agreement may not. The
document carries those terms verbatim, so anyone can recompute the hash (see
`terms_digest` and docs/proposals_api.md).

`build_agreement` only reads: the same approved proposal always gives the same document,
whoever asks and in whatever language (labels are English; codes are the reference).
The pages and the API both call it.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Country
from core.balance_rules import students_per_direction
from exchanges.errors import ProposalError
from exchanges.models import DecisionKind, Proposal, ProposalState
from offers.languages import LANGUAGE_NAMES
from offers.models import IscedField, OfferKind, OfferLevel

FORMAT = "tandem-agreement"
FORMAT_VERSION = 1

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
    they stand before. With a completion report, each side's reported participants travel
    (the host's seats from the terms still cap a virtual mobility)."""
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
    approvals = (
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
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "proposal_id": proposal.pk,
            "institutions": institutions,
            "offers": offers,
            "students_per_direction": {"asia_to_europe": a_to_e, "europe_to_asia": e_to_a},
            "approvals": [_approval(d) for d in approvals],
            "approved_at": proposal.approved_at.isoformat() if proposal.approved_at else None,
            "approved_on": proposal.approved_at.date().isoformat()
            if proposal.approved_at
            else None,
            "terms_sha256": proposal.terms_hash,
            "terms": terms,
        }


# --- its shape in the API's schema --------------------------------------------------------


class AgreementInstitutionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="As frozen in the approved terms.")
    city = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166 alpha-2 code.")
    country_name = serializers.CharField()
    region = serializers.CharField(help_text="asia or europe, from the ASEM partner list.")


class AgreementIscedSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ISCED-F 2013 detailed field.")
    label = serializers.CharField()


class AgreementLevelSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="4 to 8, or nonformal.")
    eqf = serializers.IntegerField(allow_null=True, help_text="EQF level; null if non-formal.")
    label = serializers.CharField()


class AgreementLanguageSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ISO 639-1.")
    name = serializers.CharField()
    cefr = serializers.CharField(help_text="CEFR level participants need.")


class AgreementWindowSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 is Monday.")
    start = serializers.CharField(help_text="HH:MM in the offer's time zone.")
    end = serializers.CharField()


class AgreementOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    lecturer = serializers.CharField()
    isced_f = AgreementIscedSerializer()
    level = AgreementLevelSerializer()
    languages = AgreementLanguageSerializer(many=True)
    term_start = serializers.CharField(help_text="ISO date.")
    term_end = serializers.CharField(help_text="ISO date.")
    duration_weeks = serializers.IntegerField()
    sync_sessions = serializers.IntegerField()
    time_zone = serializers.CharField()
    weekly_windows = AgreementWindowSerializer(many=True)
    students = serializers.IntegerField()
    students_are = serializers.ChoiceField(
        choices=["class", "seats"],
        help_text="class: the course's own students; seats: places for partner students.",
    )


class AgreementInstitutionsSerializer(serializers.Serializer):
    asia = AgreementInstitutionSerializer()
    europe = AgreementInstitutionSerializer()


class AgreementOffersSerializer(serializers.Serializer):
    asia = AgreementOfferSerializer()
    europe = AgreementOfferSerializer()


class AgreementDirectionsSerializer(serializers.Serializer):
    asia_to_europe = serializers.IntegerField()
    europe_to_asia = serializers.IntegerField()


class AgreementApprovalSerializer(serializers.Serializer):
    institution_id = serializers.IntegerField()
    institution = serializers.CharField()
    approved_by = serializers.CharField()
    approved_at = serializers.CharField(help_text="ISO 8601, UTC.")
    comment = serializers.CharField(allow_blank=True)


class AgreementSerializer(serializers.Serializer):
    format = serializers.CharField()
    format_version = serializers.IntegerField()
    proposal_id = serializers.IntegerField()
    institutions = AgreementInstitutionsSerializer()
    offers = AgreementOffersSerializer()
    students_per_direction = AgreementDirectionsSerializer()
    approvals = AgreementApprovalSerializer(many=True)
    approved_at = serializers.CharField(help_text="ISO 8601, UTC.")
    approved_on = serializers.CharField(help_text="ISO date (UTC) of the approval.")
    terms_sha256 = serializers.CharField(help_text="proposal.terms_hash: SHA-256 of `terms`.")
    terms = serializers.JSONField(
        help_text="The approved terms verbatim; their canonical JSON (sorted keys, no "
        "spaces, UTF-8) hashes to terms_sha256."
    )
