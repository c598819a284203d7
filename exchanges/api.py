"""REST API for proposals under /api/v1/: the user's proposals, one proposal with its
timeline, proposing, the workflow's actions, and the agreement once approved.

Thin views, as for offers: a serializer reads the request, a service does the work, a
serializer presents the result. Who sees a proposal is selectors.get_proposal_for_user,
exactly as on the pages: the lecturers of its two offers, the verified international
offices of its two institutions and the secretariat; anyone else gets 404. Who may do
what is the services' call (a 403 with their message); a move the proposal's state does
not allow is a 409 and changes nothing.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api import BAD_REQUEST, TandemAPIView, service_errors
from exchanges import decisions, selectors, services
from exchanges.agreement import agreement_filename, build_agreement
from exchanges.agreement_api import ProposalAgreementPdfView
from exchanges.agreement_serializers import AgreementSerializer
from exchanges.api_queries import (
    _detail_response,
    _incoming,
    _list_relations,
    _outgoing,
)
from exchanges.api_terms import ProposalCommentsView, ProposalTermsView
from exchanges.models import Proposal
from exchanges.serializers import (
    ApproveSerializer,
    CompletionReportInputSerializer,
    NoteSerializer,
    ProposalCreateSerializer,
    ProposalDetailSerializer,
    ProposalFilterSerializer,
    ProposalListSerializer,
    RejectSerializer,
)
from exchanges.terms_serializers import AcceptSerializer, RequestChangesSerializer
from offers import selectors as offer_selectors
from offers.models import Offer

OFFER_NOT_FOUND = _("You have no offer %(id)s that you can see.")
PARTNER_NOT_FOUND = _("There is no partner offer %(id)s that you can see.")

# --- plumbing ------------------------------------------------------------------------------


class ProposalPagination(PageNumberPagination):
    page_size = 20


def _offer_or_404(user: User, pk: int, message) -> Offer:
    try:
        return offer_selectors.get_offer_for_user(user, pk)
    except Http404:
        raise exceptions.NotFound(message % {"id": pk}) from None


NOT_SIGNED_IN = OpenApiResponse(description="Not signed in.")
FORBIDDEN = OpenApiResponse(
    description="The user is part of the proposal but may not do this (the message says who may)."
)
NOT_FOUND = OpenApiResponse(description="No such proposal, or the user is not part of it.")
CONFLICT = OpenApiResponse(
    description="The proposal's state does not allow this now; nothing changed."
)


# --- list, detail, create ---------------------------------------------------------------------


class ProposalListView(TandemAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = ProposalPagination

    @extend_schema(
        summary="The proposals the user is part of",
        description="As a lecturer of either offer, an international office of either "
        "institution, or (everything) the secretariat. Newest first; with role=office "
        "oldest first. 20 a page.",
        parameters=[ProposalFilterSerializer],
        responses={200: ProposalListSerializer(many=True), 400: BAD_REQUEST, 401: NOT_SIGNED_IN},
    )
    def get(self, request: Request) -> Response:
        params = ProposalFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        user = request.user
        qs = selectors.proposals_visible_to(user)
        role = params.validated_data.get("role")
        order = ("-updated_at", "-pk")
        if role == "incoming":
            qs = qs.filter(_incoming(user))
        elif role == "outgoing":
            qs = qs.filter(_outgoing(user))
        elif role == "office":
            qs = qs.filter(pk__in=selectors.approval_queue(user).order_by().values("pk"))
            order = ("updated_at", "pk")  # whoever waits longest comes first
        if params.validated_data.get("state"):
            qs = qs.filter(state=params.validated_data["state"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(_list_relations(qs).order_by(*order), request, self)
        data = ProposalListSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        summary="Propose pairing one of my offers with a partner offer",
        description="The partner lecturer is asked to accept; then both international "
        "offices approve. Both offers must be open and of different regions.",
        request=ProposalCreateSerializer,
        responses={
            201: ProposalDetailSerializer,
            400: BAD_REQUEST,
            401: NOT_SIGNED_IN,
            403: OpenApiResponse(description="The offer is not the user's own or co-owned."),
            404: OpenApiResponse(description="No such offer, or the user may not see it."),
            409: OpenApiResponse(description="The two offers have a live proposal already."),
        },
    )
    def post(self, request: Request) -> Response:
        given = ProposalCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        c = given.validated_data
        offer = _offer_or_404(request.user, c["offer"], OFFER_NOT_FOUND)
        partner = _offer_or_404(request.user, c["partner"], PARTNER_NOT_FOUND)
        with service_errors():
            proposal = services.proposal_create(
                actor=request.user,
                offer=offer,
                partner=partner,
                origin=c["origin"],
                message=c["message"],
            )
        response = _detail_response(request, proposal, status_code=status.HTTP_201_CREATED)
        response["Location"] = reverse("api:proposal-detail", args=[proposal.pk])
        return response


class ProposalDetailView(TandemAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="One proposal: both offers, the match, the terms, the decisions, the timeline",
        responses={200: ProposalDetailSerializer, 401: NOT_SIGNED_IN, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        proposal = selectors.get_proposal_for_user(request.user, pk)
        return _detail_response(request, proposal)


# --- actions ------------------------------------------------------------------------------------


class ProposalActionView(TandemAPIView):
    # POST: check access (404), read the body (400), call the service, show the result.

    permission_classes = [IsAuthenticated]
    body: type[serializers.Serializer] | None = None

    def act(self, proposal: Proposal, actor: User, data: dict) -> Proposal:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        proposal = selectors.get_proposal_for_user(request.user, pk)
        data: dict = {}
        if self.body is not None:
            given = self.body(data=request.data)
            given.is_valid(raise_exception=True)
            data = given.validated_data
        with service_errors():
            self.act(proposal, request.user, data)
        return _detail_response(request, proposal)


def _action_schema(summary: str, description: str, action: str, body=None):
    responses = {
        200: ProposalDetailSerializer,
        401: NOT_SIGNED_IN,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: CONFLICT,
    }
    if body is not None:
        responses[400] = BAD_REQUEST
    return extend_schema_view(
        post=extend_schema(
            summary=summary,
            description=description + " Answers the proposal as it stands after the move.",
            operation_id=f"proposals_{action}",
            request=body,
            responses=responses,
        )
    )


@_action_schema(
    "Accept the latest version of the terms (either lecturer)",
    "From proposed, for a side that has not accepted the latest version. Give the version "
    "reviewed: a newer one answers 409 terms_changed. Once both sides accepted the same "
    "latest version, it is frozen and both international offices are asked to approve it.",
    "accept",
    AcceptSerializer,
)
class ProposalAcceptView(ProposalActionView):
    body = AcceptSerializer

    def act(self, proposal: Proposal, actor: User, data: dict) -> Proposal:
        return services.proposal_accept(proposal=proposal, actor=actor, version=data["version"])


@_action_schema(
    "Decline a proposal (the partner lecturer)",
    "From proposed, by a lecturer whose side has not accepted; ends the proposal. The "
    "side that proposed withdraws instead (409).",
    "decline",
    NoteSerializer,
)
class ProposalDeclineView(ProposalActionView):
    body = NoteSerializer

    def act(self, proposal: Proposal, actor: User, data: dict) -> Proposal:
        return services.proposal_decline(proposal=proposal, actor=actor, note=data["note"])


@_action_schema(
    "Withdraw a proposal (either lecturer)",
    "From proposed or accepted, before the offices have approved; ends the proposal.",
    "withdraw",
    NoteSerializer,
)
class ProposalWithdrawView(ProposalActionView):
    body = NoteSerializer

    def act(self, proposal: Proposal, actor: User, data: dict) -> Proposal:
        return services.proposal_withdraw(proposal=proposal, actor=actor, note=data["note"])


@_action_schema(
    "Approve the agreed terms for my institution (international office)",
    "From accepted. When both institutions have approved the current terms, the proposal "
    "is approved and takes one partner place of each offer.",
    "approve",
    ApproveSerializer,
)
class ProposalApproveView(ProposalActionView):
    body = ApproveSerializer

    def act(self, proposal: Proposal, actor: User, data: dict) -> Proposal:
        return decisions.proposal_approve(proposal=proposal, actor=actor, comment=data["comment"])


@_action_schema(
    "Reject the agreed terms, with the reason (international office)",
    "From accepted; ends the proposal. The reason is required.",
    "reject",
    RejectSerializer,
)
class ProposalRejectView(ProposalActionView):
    body = RejectSerializer

    def act(self, proposal: Proposal, actor: User, data: dict) -> Proposal:
        return decisions.proposal_reject(proposal=proposal, actor=actor, reason=data["reason"])


@_action_schema(
    "Request changes to the agreed terms, with a comment (international office)",
    "From accepted. The comment (required) is posted in the proposal's thread; the "
    "lecturers revise the terms (PUT terms), which sends the proposal back to both sides "
    "and then to both offices.",
    "request_changes",
    RequestChangesSerializer,
)
class ProposalRequestChangesView(ProposalActionView):
    body = RequestChangesSerializer

    def act(self, proposal: Proposal, actor: User, data: dict) -> Proposal:
        return decisions.proposal_request_changes(
            proposal=proposal, actor=actor, comment=data["comment"]
        )


@_action_schema(
    "Start the exchange (either lecturer)",
    "From approved; the proposal becomes active.",
    "start",
)
class ProposalStartView(ProposalActionView):
    def act(self, proposal: Proposal, actor: User, data: dict) -> Proposal:
        return services.proposal_start(proposal=proposal, actor=actor)


@_action_schema(
    "Complete the exchange with its report (either lecturer)",
    "From active. The report counts the participants of each side and the synchronous "
    "hours held; the optional counts are anonymous aggregates.",
    "complete",
    CompletionReportInputSerializer,
)
class ProposalCompleteView(ProposalActionView):
    body = CompletionReportInputSerializer

    def act(self, proposal: Proposal, actor: User, data: dict) -> Proposal:
        services.proposal_complete(proposal=proposal, actor=actor, report=dict(data))
        return proposal


# --- agreement ------------------------------------------------------------------------------------


class AgreementRenderer(JSONRenderer):
    """JSON, indented: a file people open and keep."""

    def get_indent(self, accepted_media_type, renderer_context):
        return 2


class ProposalAgreementView(TandemAPIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [AgreementRenderer]

    @extend_schema(
        summary="Download the agreement of an approved proposal",
        description="A structured document an institution can file: both institutions "
        "and offers, students per direction, the approvals, and the approved terms with "
        "their SHA-256. Sent as an attachment.",
        operation_id="proposals_agreement",
        responses={
            200: AgreementSerializer,
            401: NOT_SIGNED_IN,
            404: NOT_FOUND,
            409: OpenApiResponse(description="Not approved (yet): there is no agreement."),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        proposal = selectors.get_proposal_for_user(request.user, pk)
        with service_errors():
            document = build_agreement(proposal)
        response = Response(AgreementSerializer(document).data)
        response["Content-Disposition"] = f'attachment; filename="{agreement_filename(proposal)}"'
        return response


urlpatterns = [
    path("proposals/", ProposalListView.as_view(), name="proposal-list"),
    path("proposals/<int:pk>/", ProposalDetailView.as_view(), name="proposal-detail"),
    path("proposals/<int:pk>/accept/", ProposalAcceptView.as_view(), name="proposal-accept"),
    path("proposals/<int:pk>/decline/", ProposalDeclineView.as_view(), name="proposal-decline"),
    path("proposals/<int:pk>/withdraw/", ProposalWithdrawView.as_view(), name="proposal-withdraw"),
    path("proposals/<int:pk>/approve/", ProposalApproveView.as_view(), name="proposal-approve"),
    path("proposals/<int:pk>/reject/", ProposalRejectView.as_view(), name="proposal-reject"),
    path(
        "proposals/<int:pk>/request-changes/",
        ProposalRequestChangesView.as_view(),
        name="proposal-request-changes",
    ),
    path("proposals/<int:pk>/terms/", ProposalTermsView.as_view(), name="proposal-terms"),
    path(
        "proposals/<int:pk>/comments/",
        ProposalCommentsView.as_view(),
        name="proposal-comments",
    ),
    path("proposals/<int:pk>/start/", ProposalStartView.as_view(), name="proposal-start"),
    path("proposals/<int:pk>/complete/", ProposalCompleteView.as_view(), name="proposal-complete"),
    path(
        "proposals/<int:pk>/agreement/",
        ProposalAgreementView.as_view(),
        name="proposal-agreement",
    ),
    path(
        "proposals/<int:pk>/agreement.pdf",
        ProposalAgreementPdfView.as_view(),
        name="proposal-agreement-pdf",
    ),
]
