"""Serializers for the proposals API: they read requests and present proposals.

The workflow's rules live in exchanges.services; here we only check that the
input can be read (types, lengths, choices), so the API, the pages and the services say
the same thing."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from accounts.models import User
from core import panels
from core.api import LARGEST_NUMBER
from exchanges.access import ACTIONS, proposal_access
from exchanges.agreement import agreement_available
from exchanges.models import (
    CompletionReport,
    DecisionKind,
    OfficeDecision,
    Proposal,
    ProposalEvent,
    ProposalOrigin,
    ProposalState,
)
from matching.api import ReasonSerializer
from offers.serializers import InstitutionSummarySerializer, OfferListSerializer

ROLES = {
    "incoming": "Proposals of my offers that my side has not accepted yet.",
    "outgoing": "Proposals made from my offers, by me or a co-owner.",
    "office": "Accepted proposals waiting for my institution's decision, oldest first.",
}


# --- named enums: drf-spectacular would name them after the field, and "role" and
# "status" are taken by the affiliations' enums already ------------------------------------


@extend_schema_field(
    {"type": "string", "enum": ProposalState.values}, component_name="ProposalStateEnum"
)
class ProposalStateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ProposalState.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "enum": ProposalOrigin.values}, component_name="ProposalOriginEnum"
)
class ProposalOriginField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ProposalOrigin.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "enum": [ProposalOrigin.SUGGESTION, ProposalOrigin.BROWSE]},
    component_name="ProposalCreateOriginEnum",
)
class CreateOriginField(serializers.ChoiceField):
    """Where a lecturer found the partner; rounds make their proposals themselves."""

    def __init__(self, **kwargs):
        super().__init__(choices=[ProposalOrigin.SUGGESTION, ProposalOrigin.BROWSE], **kwargs)


@extend_schema_field({"type": "string", "enum": list(ROLES)}, component_name="ProposalRoleEnum")
class RoleField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=list(ROLES), **kwargs)


@extend_schema_field(
    {"type": "string", "enum": DecisionKind.values}, component_name="OfficeDecisionEnum"
)
class DecisionField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=DecisionKind.choices, **kwargs)


# --- parts ---------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    """A person by name only: the API never shows an e-mail address."""

    name = serializers.CharField(source="full_name", read_only=True)


def _person(user: User | None) -> dict | None:
    return PersonSerializer(user).data if user is not None else None


class ProposalOfferSummarySerializer(serializers.Serializer):
    """One side of a proposal in a list. Reads only what the list's select_related loads."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    institution = InstitutionSummarySerializer(read_only=True)
    owner = PersonSerializer(read_only=True)


class ProposalOfferSerializer(OfferListSerializer):
    """One side of a proposal in the detail: the offer's key fields, as the offers API
    shows them, plus what the partners plan with."""

    class Meta(OfferListSerializer.Meta):
        fields = OfferListSerializer.Meta.fields + [
            "time_zone",
            "sync_sessions",
            "partners_sought",
        ]
        read_only_fields = fields


class ProposalEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField(help_text="Null when Tandem moved it (expiry).")
    from_state = serializers.CharField(
        read_only=True, help_text="Empty for the first event, the proposal itself."
    )
    to_state = ProposalStateField(read_only=True)

    class Meta:
        model = ProposalEvent
        fields = ["id", "at", "actor", "from_state", "to_state", "note"]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_actor(self, event: ProposalEvent) -> dict | None:
        return _person(event.actor)


class OfficeDecisionSerializer(serializers.ModelSerializer):
    institution = InstitutionSummarySerializer(read_only=True)
    decision = DecisionField(read_only=True)
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = OfficeDecision
        fields = ["institution", "decision", "decided_by", "comment", "at", "terms_hash"]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_decided_by(self, decision: OfficeDecision) -> dict | None:
        return _person(decision.decided_by)


class CompletionReportSerializer(serializers.ModelSerializer):
    filed_by = serializers.SerializerMethodField()

    class Meta:
        model = CompletionReport
        fields = [
            *CompletionReport.REPORTED,
            "filed_by",
            "filed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_filed_by(self, report: CompletionReport) -> dict | None:
        return _person(report.filed_by)


# --- proposals out ---------------------------------------------------------------------------


class ProposalListSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    state = ProposalStateField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    origin = ProposalOriginField(read_only=True)
    asian_offer = ProposalOfferSummarySerializer(read_only=True)
    european_offer = ProposalOfferSummarySerializer(read_only=True)
    proposed_by = serializers.SerializerMethodField(
        help_text="Null when the proposer's account is gone."
    )

    class Meta:
        model = Proposal
        fields = [
            "id",
            "url",
            "state",
            "state_label",
            "origin",
            "asian_offer",
            "european_offer",
            "proposed_by",
            "asian_accepted_at",
            "european_accepted_at",
            "created_at",
            "updated_at",
            "expires_at",
            "approved_at",
        ]
        read_only_fields = fields

    def get_url(self, proposal: Proposal) -> str:
        path = reverse("api:proposal-detail", args=[proposal.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_proposed_by(self, proposal: Proposal) -> dict | None:
        return _person(proposal.proposed_by)


class ProposalDetailSerializer(ProposalListSerializer):
    """The whole proposal: both offers, the match, the agreed terms, the offices' standing
    decisions and the timeline. The view loads the relations (see proposal_api)."""

    asian_offer = ProposalOfferSerializer(read_only=True)
    european_offer = ProposalOfferSerializer(read_only=True)
    explanation = serializers.SerializerMethodField(
        help_text="Why the matcher paired these offers, reason by reason (may be empty)."
    )
    terms = serializers.SerializerMethodField(
        help_text="Both offers' terms and the agreed draft (`agreed`, version `version`) as "
        "frozen when both sides accepted the same version; null before."
    )
    terms_hash = serializers.SerializerMethodField(
        help_text="SHA-256 of the terms as canonical JSON; the offices approve exactly this."
    )
    decisions = serializers.SerializerMethodField(
        help_text="Each institution's standing decision on the current terms."
    )
    events = ProposalEventSerializer(many=True, read_only=True)
    agreement_url = serializers.SerializerMethodField(
        help_text="Where to download the agreement once both offices approved; null before."
    )
    completion_report = serializers.SerializerMethodField(
        help_text="What the exchange achieved, once a lecturer filed it; null before."
    )
    allowed_actions = serializers.SerializerMethodField(
        help_text="What the signed-in user may do with the proposal now: the actions of "
        "POST /api/v1/proposals/{id}/{action}/ (and 'complete'), the same the page offers."
    )
    chat = serializers.SerializerMethodField(
        help_text="The partners' conversation (docs/chat_protocol.md): its id and WebSocket "
        "path, for its members only; null for everyone else."
    )

    class Meta(ProposalListSerializer.Meta):
        fields = ProposalListSerializer.Meta.fields + [
            "asian_accepted_version",
            "european_accepted_version",
            "message",
            "score",
            "explanation",
            "terms",
            "terms_hash",
            "decisions",
            "events",
            "agreement_url",
            "completion_report",
            "allowed_actions",
            "chat",
        ]
        read_only_fields = fields

    @extend_schema_field(
        inline_serializer(
            "ProposalChat",
            {"conversation": serializers.IntegerField(), "websocket": serializers.CharField()},
            allow_null=True,
        )
    )
    def get_chat(self, proposal: Proposal) -> dict | None:
        # The chat app fills this in (core.panels): exchanges does not know the chat.
        request = self.context.get("request")
        if request is None:
            return None
        access = proposal_access(request.user, proposal)
        return panels.contribute(panels.PROPOSAL_API, request, proposal, access).get("chat")

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=list(ACTIONS)))
    )
    def get_allowed_actions(self, proposal: Proposal) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return proposal_access(request.user, proposal).allowed_actions

    @extend_schema_field(ReasonSerializer(many=True))
    def get_explanation(self, proposal: Proposal) -> list:
        return proposal.explanation or []

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_terms(self, proposal: Proposal) -> dict | None:
        return proposal.terms if proposal.terms_hash else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_terms_hash(self, proposal: Proposal) -> str | None:
        return proposal.terms_hash or None

    @extend_schema_field(OfficeDecisionSerializer(many=True))
    def get_decisions(self, proposal: Proposal) -> list[dict]:
        # The view prefetches them as standing_decisions; the voided ones no longer count.
        standing = getattr(proposal, "standing_decisions", None)
        if standing is None:
            standing = proposal.decisions.filter(void=False).select_related(
                "institution__country", "decided_by"
            )
        return OfficeDecisionSerializer(standing, many=True).data

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_agreement_url(self, proposal: Proposal) -> str | None:
        if not agreement_available(proposal):
            return None
        path = reverse("api:proposal-agreement", args=[proposal.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(CompletionReportSerializer(allow_null=True))
    def get_completion_report(self, proposal: Proposal) -> dict | None:
        try:
            report = proposal.completion_report
        except CompletionReport.DoesNotExist:
            return None
        return CompletionReportSerializer(report).data


# --- proposals in ----------------------------------------------------------------------------


class ProposalFilterSerializer(serializers.Serializer):
    state = ProposalStateField(required=False, help_text="Only proposals in this state.")
    role = RoleField(
        required=False,
        help_text="incoming: my side has not accepted yet · outgoing: made from my offers · "
        "office: waiting for my institution's decision, oldest first.",
    )


class ProposalCreateSerializer(serializers.Serializer):
    offer = serializers.IntegerField(
        min_value=1, max_value=LARGEST_NUMBER, help_text="The id of my offer."
    )
    partner = serializers.IntegerField(
        min_value=1,
        max_value=LARGEST_NUMBER,
        help_text="The id of the partner's offer, in the other region.",
    )
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="A few words for the partner lecturer.",
    )
    origin = CreateOriginField(
        required=False,
        default=ProposalOrigin.BROWSE,
        help_text="suggestion if the partner came from Tandem's suggestions; browse otherwise.",
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Why, if you wish."
    )


class ApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RejectSerializer(serializers.Serializer):
    # Required by the service, which says why in its own words; here only its length.
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Required: what the lecturers should change.",
    )


# The model's bound on each side's participants; the optional counts cover both sides.
MAX_PARTICIPANTS = 5000


def _count(help_text: str, most: int, **optional) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=most, help_text=help_text, **optional)


OPTIONAL = {"required": False, "allow_null": True, "default": None}


class CompletionReportInputSerializer(serializers.Serializer):
    """The completion report as a lecturer files it. The rules between the counts are the
    service's (and the model's) to say; the bounds here keep every number to what the
    columns hold."""

    participants_asia = _count("Participants from the Asian institution.", MAX_PARTICIPANTS)
    participants_europe = _count("Participants from the European institution.", MAX_PARTICIPANTS)
    sync_hours = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=0, help_text="Synchronous hours held."
    )
    fewer_opportunities = _count(
        "Optional and anonymous: how many participants had fewer opportunities.",
        2 * MAX_PARTICIPANTS,
        **OPTIONAL,
    )
    first_international = _count(
        "Optional and anonymous: how many had a first international experience.",
        2 * MAX_PARTICIPANTS,
        **OPTIONAL,
    )
    outcomes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


# --- the agreement (exchanges.agreement builds it; these give its shape and schema) ---------
