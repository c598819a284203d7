"""REST API for the terms both lecturers draft together and the proposal's thread with
the offices, under /api/v1/proposals/<id>/ (routed by exchanges.api): thin views, as
there; who sees the proposal is selectors.get_proposal_for_user (404 otherwise), the
thread only its lecturers and both offices (thread.thread_or_404)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import BAD_REQUEST, TandemAPIView, service_errors
from exchanges import drafting, page, selectors, thread
from exchanges.access import proposal_access
from exchanges.models import Proposal
from exchanges.terms_serializers import (
    CommentInputSerializer,
    CommentSerializer,
    TermsDraftSerializer,
    TermsInputSerializer,
)

NOT_SIGNED_IN = OpenApiResponse(description="Not signed in.")
NOT_FOUND = OpenApiResponse(description="No such proposal, or the user is not part of it.")


class CommentPagination(PageNumberPagination):
    page_size = 20


def _terms_response(request: Request, proposal: Proposal, *, status_code: int = 200) -> Response:
    latest = drafting.current_version(proposal)
    rows = {r.number: r for r in page.version_rows(proposal)}
    versions = list(proposal.term_versions.select_related("author").order_by("number"))
    for v in versions:
        v.summary = rows[v.number].summary
    latest = next(v for v in versions if v.number == latest.number)
    access = proposal_access(request.user, proposal)
    data = {
        "latest": latest,
        "versions": versions,
        "accepted": {side: access.accepted_version(side) for side in ("asia", "europe")},
        "frozen_version": (proposal.terms or {}).get("version"),
        "can_edit": access.can_draft,
        "can_accept": access.can("accept"),
    }
    return Response(TermsDraftSerializer(data).data, status=status_code)


class ProposalTermsView(TandemAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The shared draft of the terms, with every version",
        description="Who may see the proposal sees its terms; version 1 is drafted from "
        "the two offers.",
        operation_id="proposals_terms_retrieve",
        responses={200: TermsDraftSerializer, 401: NOT_SIGNED_IN, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        proposal = selectors.get_proposal_for_user(request.user, pk)
        return _terms_response(request, proposal)

    @extend_schema(
        summary="Save a new version of the terms (either lecturer)",
        description="Any of the agreed fields; the others keep their latest value. A save "
        "identical to the latest version creates nothing. The partner must accept the new "
        "version (and the user too, unless `accept`). On an accepted, changes-requested or "
        "rejected proposal it goes back to proposed; the offices are asked again once both "
        "sides accept. 400 names each wrong field.",
        operation_id="proposals_terms_update",
        request=TermsInputSerializer,
        responses={
            200: TermsDraftSerializer,
            400: BAD_REQUEST,
            401: NOT_SIGNED_IN,
            403: OpenApiResponse(description="Not one of the two partner lecturers."),
            404: NOT_FOUND,
            409: OpenApiResponse(description="The proposal's state does not allow changes."),
        },
    )
    def put(self, request: Request, pk: int) -> Response:
        proposal = selectors.get_proposal_for_user(request.user, pk)
        given = TermsInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        changes = dict(given.validated_data)
        note, accept = changes.pop("note"), changes.pop("accept")
        if "sessions" in changes:
            changes["sessions"] = [dict(s) for s in changes["sessions"]]
        with service_errors():
            drafting.draft_save(
                proposal=proposal, actor=request.user, changes=changes, note=note, accept=accept
            )
        fresh = selectors.get_proposal_for_user(request.user, pk)
        return _terms_response(request, fresh)


class ProposalCommentsView(TandemAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = CommentPagination

    @extend_schema(
        summary="The proposal's thread with the offices, oldest first",
        description="For its two lecturers and the international offices of its two "
        "institutions only (404 for anyone else, the secretariat included). The offices' "
        "decision comments are in it too. 20 a page.",
        operation_id="proposals_comments_list",
        responses={200: CommentSerializer(many=True), 401: NOT_SIGNED_IN, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        proposal = selectors.get_proposal_for_user(request.user, pk)
        thread.thread_or_404(request.user, proposal)
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(thread.comments(proposal), request, self)
        return paginator.get_paginated_response(CommentSerializer(rows, many=True).data)

    @extend_schema(
        summary="Post in the proposal's thread with the offices",
        description="The others in the thread are notified.",
        operation_id="proposals_comments_create",
        request=CommentInputSerializer,
        responses={
            201: CommentSerializer,
            400: BAD_REQUEST,
            401: NOT_SIGNED_IN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        proposal = selectors.get_proposal_for_user(request.user, pk)
        thread.thread_or_404(request.user, proposal)
        given = CommentInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            comment = thread.comment_post(
                proposal=proposal, actor=request.user, body=given.validated_data["body"]
            )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
