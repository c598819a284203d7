"""Pages of the pairing workflow: propose, the proposal page with its actions and timeline,
the lecturer's proposals and the international office's approval queue."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import office_required
from core import panels
from exchanges import decisions, selectors, services
from exchanges.access import ACTIONS as ACTIONS_SHOWN
from exchanges.access import proposal_access
from exchanges.agreement import agreement_available
from exchanges.models import CompletionReport, ProposalOrigin, ProposalState
from matching import engine
from offers import selectors as offer_selectors
from offers.access import editors_q, visible_offers
from offers.models import Offer, OfferStatus


class ProposeForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message to the partner lecturer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Say why the courses fit and what you have in mind."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CompletionForm(forms.ModelForm):
    class Meta:
        model = CompletionReport
        fields = CompletionReport.REPORTED
        widgets = {"outcomes": forms.Textarea(attrs={"rows": 4})}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": decisions.REASON_NEEDED},
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest, pk: int) -> HttpResponse:
    offer = offer_selectors.get_offer_for_user(request.user, pk, write=True)
    try:
        partner_id = int(request.POST.get("partner") or request.GET.get("partner") or 0)
    except ValueError:
        raise Http404 from None
    partner = (
        visible_offers(request.user)
        .filter(pk=partner_id, status=OfferStatus.OPEN)
        .select_related("institution__country")
        .first()
    )
    if partner is None:
        raise Http404
    # Shown before proposing; the service records the match itself.
    match = engine.explain_pair(offer, partner)
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        origin = (
            ProposalOrigin.SUGGESTION
            if request.POST.get("origin") == "suggestion"
            else ProposalOrigin.BROWSE
        )
        try:
            proposal = services.proposal_create(
                actor=request.user,
                offer=offer,
                partner=partner,
                origin=origin,
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _(
                    "Your proposal is sent. Next, %(name)s accepts it; then the international "
                    "offices of both institutions approve it."
                )
                % {"name": partner.owner.full_name},
            )
            return redirect("exchanges:proposal-detail", pk=proposal.pk)
    return render(
        request,
        "exchanges/proposal_new.html",
        {
            "offer": offer,
            "partner": partner,
            "form": form,
            "match": match,
            "origin": request.GET.get("origin", ""),
        },
    )


def _reasons(proposal):
    return [
        r
        for r in proposal.explanation
        if r.get("weight", 0) > 0 or r.get("code") in ("language", "term")
    ]


@login_required
@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    access = proposal_access(request.user, proposal)
    can = {action: access.can(action) for action in ACTIONS_SHOWN}
    # One form carries the office's decision: approve or reject.
    approve, reject = can.pop("approve"), can.pop("reject")
    can["decide"] = approve or reject
    return render(
        request,
        "exchanges/proposal_detail.html",
        {
            "proposal": proposal,
            "offers": [proposal.asian_offer, proposal.european_offer],
            "reasons": _reasons(proposal),
            "events": proposal.events.select_related("actor"),
            "decisions": proposal.decisions.select_related("institution", "decided_by"),
            "can": can,
            "agreement_available": agreement_available(proposal),
            "accepted_sides": access.accepted_sides,
            "note_form": NoteForm(),
            "reject_form": RejectForm(),
            # What the apps above add (the chat panel).
            **panels.contribute(panels.PROPOSAL_PAGE, request, proposal, access),
        },
    )


ACTIONS = {
    "accept": (
        lambda p, u, d: services.proposal_accept(proposal=p, actor=u),
        gettext_lazy("You accepted the proposal."),
    ),
    "decline": (
        lambda p, u, d: services.proposal_decline(proposal=p, actor=u, note=d),
        gettext_lazy("You declined the proposal."),
    ),
    "withdraw": (
        lambda p, u, d: services.proposal_withdraw(proposal=p, actor=u, note=d),
        gettext_lazy("You withdrew the proposal."),
    ),
    "approve": (
        lambda p, u, d: decisions.proposal_approve(proposal=p, actor=u, comment=d),
        gettext_lazy("You approved the agreed terms for your institution."),
    ),
    "reject": (
        lambda p, u, d: decisions.proposal_reject(proposal=p, actor=u, reason=d),
        gettext_lazy("You rejected the proposal; the lecturers see your reason."),
    ),
    "start": (
        lambda p, u, d: services.proposal_start(proposal=p, actor=u),
        gettext_lazy("The exchange is active."),
    ),
}


@login_required
@require_POST
def proposal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    proposal = selectors.get_proposal_for_user(request.user, pk)
    run, done = ACTIONS[action]
    text = request.POST.get("reason" if action == "reject" else "note", "")
    try:
        run(proposal, request.user, text)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, str(done))
    return redirect("exchanges:proposal-detail", pk=proposal.pk)


@login_required
@require_GET
def proposal_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.lecturer_proposals(request.user)
    state = request.GET.get("state", "")
    if state in ProposalState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    mine = set(Offer.objects.filter(editors_q(request.user)).values_list("pk", flat=True))
    return render(
        request,
        "exchanges/proposal_list.html",
        {"page": page, "state": state, "states": ProposalState.choices, "mine": mine},
    )


@office_required
@require_GET
def approval_queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.approval_queue(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "exchanges/approval_queue.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_complete(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    if not proposal_access(request.user, proposal).sides:
        raise PermissionDenied
    if proposal.state != ProposalState.ACTIVE:
        messages.error(request, _("Only an active exchange can be completed."))
        return redirect("exchanges:proposal-detail", pk=proposal.pk)
    form = CompletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = {name: form.cleaned_data[name] for name in CompletionForm.Meta.fields}
        try:
            services.proposal_complete(proposal=proposal, actor=request.user, report=report)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, problems in exc.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Thank you: the exchange is completed and reported."))
            return redirect("exchanges:proposal-detail", pk=proposal.pk)
    return render(request, "exchanges/proposal_complete.html", {"proposal": proposal, "form": form})


@login_required
@require_GET
def proposal_choose(request: HttpRequest) -> HttpResponse:
    """From a partner's offer page: the lecturer picked which of their offers to pair."""
    try:
        offer_id = int(request.GET.get("offer", ""))
        partner_id = int(request.GET.get("partner", ""))
    except ValueError:
        raise Http404 from None
    offer = offer_selectors.get_offer_for_user(request.user, offer_id, write=True)
    url = reverse("exchanges:proposal-new", args=[offer.pk])
    return redirect(f"{url}?partner={partner_id}")
