"""Pages of the signable agreement: the PDF and the printable page of an approved proposal.

Who may see them is who sees the proposal (selectors.get_proposal_for_user, as the JSON
download): its two lecturers, the international offices of its two institutions and the
secretariat; anyone else gets 404. Before approval there is no agreement: a page says so
(409, as the API answers)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from exchanges import selectors
from exchanges.agreement import NOT_APPROVED, agreement_available, build_agreement
from exchanges.agreement_display import agreement_view
from exchanges.agreement_pdf import agreement_pdf_filename, render_view


def _unavailable(request: HttpRequest, proposal) -> HttpResponse:
    message = NOT_APPROVED % {"state": proposal.get_state_display().lower()}
    return render(
        request,
        "exchanges/agreement_unavailable.html",
        {"proposal": proposal, "message": message},
        status=409,
    )


def _private(response: HttpResponse) -> HttpResponse:
    # Names and approvals of one exchange: never kept by a shared cache.
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def agreement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    if not agreement_available(proposal):
        return _unavailable(request, proposal)
    document = build_agreement(proposal)
    response = HttpResponse(render_view(agreement_view(document)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{agreement_pdf_filename(document)}"'
    return _private(response)


@login_required
@require_GET
def agreement_print(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    if not agreement_available(proposal):
        return _unavailable(request, proposal)
    document = build_agreement(proposal)
    return _private(
        render(
            request,
            "exchanges/agreement_print.html",
            {"proposal": proposal, "agreement": agreement_view(document)},
        )
    )
