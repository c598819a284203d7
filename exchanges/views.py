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
from exchanges import decisions, drafting, page, selectors, services, thread
from exchanges.access import ACTIONS as ACTIONS_SHOWN
from exchanges.access import proposal_access
from exchanges.agreement import agreement_available
from exchanges.forms import ChangesForm, CommentForm, TermsForm
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


def _zone(user) -> str:
    return getattr(user, "time_zone", "") or "UTC"


def _detail_context(request: HttpRequest, proposal, *, terms_form=None, comment_form=None):
    access = proposal_access(request.user, proposal)
    can = {action: access.can(action) for action in ACTIONS_SHOWN}
    # One panel carries the office's decision: approve, request changes or reject.
    decide = [can.pop(a) for a in ("approve", "request_changes", "reject")]
    can["decide"] = any(decide)
    latest = drafting.current_version(proposal) if access.sides or access.offices else None
    frozen = (proposal.terms or {}).get("agreed")
    shown = frozen if frozen is not None and latest is None else (latest.data if latest else frozen)
    if access.can_draft and terms_form is None:
        terms_form = TermsForm.from_data(latest.data, zone=_zone(request.user))
    situation = page.situation(proposal, access)
    waiting_for_partner = (
        proposal.state == ProposalState.PROPOSED
        and bool(access.sides)
        and not access.pending_sides
        and len(access.sides) == 1
    )
    return {
        "proposal": proposal,
        "offers": [proposal.asian_offer, proposal.european_offer],
        "reasons": _reasons(proposal),
        "events": proposal.events.exclude(kind="commented").select_related("actor"),
        "decisions": proposal.decisions.select_related("institution", "decided_by"),
        "can": can,
        "situation": situation,
        "agreement_available": agreement_available(proposal),
        "accepted_sides": access.accepted_sides,
        "note_form": NoteForm(),
        "reject_form": RejectForm(),
        "changes_form": ChangesForm(),
        # The terms: the latest draft (or what was frozen), its history and who accepted.
        "latest": latest,
        "terms_data": shown,
        "sessions": page.sessions_both_times(proposal, shown) if shown else [],
        "versions": page.version_rows(proposal) if latest else [],
        "accepted_versions": {
            "asia": access.accepted_version("asia"),
            "europe": access.accepted_version("europe"),
        },
        "frozen_version": (proposal.terms or {}).get("version"),
        "terms_form": terms_form if access.can_draft else None,
        "can_accept_latest": access.can("accept"),
        # The thread with the offices: lecturers and both offices only.
        "in_thread": access.in_thread,
        "comments": thread.comments(proposal) if access.in_thread else [],
        "comment_form": comment_form or CommentForm(),
        # For the side waiting for the partner: when it expires and how fast they answer.
        "waiting_for_partner": waiting_for_partner,
        "partner_response": page.partner_response_time(proposal, access)
        if waiting_for_partner
        else "",
        "next_suggestions": page.next_suggestions(proposal, access),
        # What the apps above add (the chat panel).
        **panels.contribute(panels.PROPOSAL_PAGE, request, proposal, access),
    }


@login_required
@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    return render(request, "exchanges/proposal_detail.html", _detail_context(request, proposal))


@login_required
@require_POST
def proposal_terms(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the terms draft as a new version ("Save and accept" accepts it too)."""
    proposal = selectors.get_proposal_for_user(request.user, pk)
    if not proposal_access(request.user, proposal).sides:
        raise PermissionDenied
    form = TermsForm(request.POST, zone=_zone(request.user))
    accept = "accept" in request.POST
    if form.is_valid():
        latest = drafting.current_version(proposal)
        try:
            version = drafting.draft_save(
                proposal=proposal,
                actor=request.user,
                changes=form.changes(),
                note=form.cleaned_data["note"],
                accept=accept,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if version.number == latest.number and not accept:
                messages.info(
                    request,
                    _("Nothing changed: the terms stay at version %(n)s.") % {"n": version.number},
                )
            elif accept:
                messages.success(
                    request,
                    _("You saved and accepted version %(n)s of the terms.") % {"n": version.number},
                )
            else:
                messages.success(
                    request,
                    _("You saved version %(n)s of the terms. Accept it when it is ready.")
                    % {"n": version.number},
                )
            return redirect(reverse("exchanges:proposal-detail", args=[proposal.pk]) + "#terms")
    proposal = selectors.get_proposal_for_user(request.user, pk)
    context = _detail_context(request, proposal, terms_form=form)
    return render(request, "exchanges/proposal_detail.html", context, status=400)


@login_required
@require_POST
def proposal_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Post in the proposal's thread with the offices."""
    proposal = selectors.get_proposal_for_user(request.user, pk)
    thread.thread_or_404(request.user, proposal)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            thread.comment_post(
                proposal=proposal, actor=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Your comment is posted."))
            return redirect(reverse("exchanges:proposal-detail", args=[proposal.pk]) + "#thread")
    context = _detail_context(request, proposal, comment_form=form)
    return render(request, "exchanges/proposal_detail.html", context, status=400)


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, problems in exc.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        form.add_error(None, " ".join(exc.messages))


ACTIONS = {
    "accept": (
        lambda p, u, d: services.proposal_accept(proposal=p, actor=u, version=d),
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
    "request_changes": (
        lambda p, u, d: decisions.proposal_request_changes(proposal=p, actor=u, comment=d),
        gettext_lazy("You asked for changes; the lecturers and the other office see your comment."),
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
    field = {"reject": "reason", "request_changes": "comment"}.get(action, "note")
    text = request.POST.get(field, "")
    if action == "accept":
        # The version the page showed: a newer one must be reviewed first.
        raw = request.POST.get("version", "")
        text = int(raw) if raw.isdigit() and len(raw) < 10 else None
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
    page_ = Paginator(selectors.approval_queue(request.user), 25).get_page(request.GET.get("page"))
    for p in page_.object_list:
        # What the offices approve: the agreed students per direction and session dates.
        p.agreed = (p.terms or {}).get("agreed")
        p.session_starts = [s.start for s in drafting.sessions_of(p.agreed or {})]
    return render(
        request,
        "exchanges/approval_queue.html",
        {"page": page_, "changes_form": ChangesForm(), "reject_form": RejectForm()},
    )


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
