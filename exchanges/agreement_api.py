"""GET /api/v1/proposals/{id}/agreement.pdf: the agreement's PDF through the API, beside
its JSON (exchanges.api.ProposalAgreementView), for the same people and in the same
states. Errors stay JSON, as everywhere in the API."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import TandemAPIView, service_errors
from exchanges import selectors
from exchanges.agreement import build_agreement
from exchanges.agreement_display import agreement_view
from exchanges.agreement_pdf import agreement_pdf_filename, render_view


class PdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class PdfOnly(BaseContentNegotiation):
    """The answer is a PDF whatever the Accept header asks: there is one format here."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ProposalAgreementPdfView(TandemAPIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [PdfRenderer]
    content_negotiation_class = PdfOnly

    @extend_schema(
        summary="Download the agreement of an approved proposal as PDF",
        description="The agreement to print, sign and file (A4): both institutions, both "
        "courses with ISCED-F, EQF and CEFR, the agreed terms and session plan in both "
        "local times, the approvals, the terms' SHA-256 and a signature block per "
        "institution. Labels in the caller's language (Accept-Language or their "
        "preference), approval times in their time zone. Sent as an attachment.",
        operation_id="proposals_agreement_pdf",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            401: OpenApiResponse(description="Not signed in."),
            404: OpenApiResponse(description="No such proposal that you can see."),
            409: OpenApiResponse(description="Not approved (yet): there is no agreement."),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        proposal = selectors.get_proposal_for_user(request.user, pk)
        with service_errors():
            document = build_agreement(proposal)
        response = Response(render_view(agreement_view(document)))
        response["Content-Disposition"] = (
            f'attachment; filename="{agreement_pdf_filename(document)}"'
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def handle_exception(self, exc: Exception) -> Response:
        # An error has no PDF: it is answered in JSON, like every other endpoint's.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response
