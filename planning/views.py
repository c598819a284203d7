"""Pages of session planning: the planner of a proposal, its .ics, the academic calendar of
an international office, the calendar settings and the private feed."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.emails import site_url
from accounts.models import Institution
from accounts.selectors import office_institution_ids
from exchanges import drafting, selectors
from exchanges.access import proposal_access
from exchanges.drafting import Session, current_version
from planning import calendars, feeds, ics
from planning.forms import (
    MAX_MINUTES,
    MIN_MINUTES,
    PeriodForm,
    PreferenceForm,
    SessionFormSet,
    session_initial,
)
from planning.models import CalendarFeed, CalendarPeriod, PlanningPreference
from planning.sessions import local_times, planned_sessions

# States in which the lecturers may still change the terms (exchanges.drafting.draft_save
# decides; the page only hides the forms elsewhere).
DRAFTABLE_STATES = ("proposed", "changes", "accepted", "rejected")
FEED_SESSION_KEY = "planning_new_feed_token"


# --- the planner ---------------------------------------------------------------------------


def _lecturer_proposal(request: HttpRequest, pk: int):
    """The proposal if the user is one of its lecturers; 404 for anyone else."""
    proposal = selectors.get_proposal_for_user(request.user, pk)
    if not proposal_access(request.user, proposal).sides:
        raise Http404
    return proposal


def _int_param(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.GET.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)


def _save(request: HttpRequest, proposal, sessions: list[dict], note: str) -> bool:
    """Save the sessions as a new version of the terms; True when saved."""
    changes: dict = {"sessions": sessions}
    if sessions:
        changes["session_count"] = len(sessions)
    try:
        drafting.draft_save(proposal=proposal, actor=request.user, changes=changes, note=note)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    return True


def _suggested_rows(plan, proposal, viewer_zone: str) -> list[dict]:
    return [
        {"times": local_times(start, plan.minutes, proposal, viewer_zone), "start": start}
        for start in plan.starts
    ]


def _skipped_rows(plan, sides, proposal) -> list[dict]:
    offers = (proposal.asian_offer, proposal.european_offer)
    rows = []
    for skip in plan.skipped:
        offer = offers[skip.side]
        rows.append(
            {
                "date": skip.local_date,
                "country": offer.country.display_name,
                "institution": offer.institution.name,
                "reasons": skip.reasons,
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def planner(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _lecturer_proposal(request, pk)
    viewer_zone = request.user.time_zone
    editable = proposal.state in DRAFTABLE_STATES
    saved = planned_sessions(proposal)
    minutes_default = saved[0].minutes if saved else calendars.DEFAULT_MINUTES
    count = _int_param(request, "count", calendars.wanted_count(proposal), 1, 60)
    minutes = _int_param(request, "minutes", minutes_default, MIN_MINUTES, MAX_MINUTES)

    formset = SessionFormSet(initial=session_initial(saved), prefix="s")
    if request.method == "POST":
        if not editable:
            messages.error(request, _("The terms of this proposal can no longer change."))
            return redirect("planning:planner", pk=proposal.pk)
        if "pick" in request.POST:
            # The picked suggestions, as UTC instants the page sent back.
            picked = []
            for value in request.POST.getlist("start"):
                try:
                    start = dt.datetime.fromisoformat(value)
                except ValueError:
                    continue
                if start.tzinfo is not None:
                    picked.append(start.astimezone(dt.UTC))
            rows = [{"start": s.isoformat(), "minutes": minutes} for s in sorted(set(picked))]
            if not rows:
                messages.error(request, _("Pick at least one date."))
            elif _save(request, proposal, rows, _("Session dates picked from the suggestions")):
                messages.success(request, _("The session plan is saved."))
                return redirect("planning:planner", pk=proposal.pk)
        else:
            formset = SessionFormSet(request.POST, prefix="s")
            if formset.is_valid():
                if _save(request, proposal, formset.sessions(), _("Session plan changed")):
                    messages.success(request, _("The session plan is saved."))
                    return redirect("planning:planner", pk=proposal.pk)

    plan, sides = calendars.suggest_for(proposal, count=count, minutes=minutes)
    planned = [local_times(s.start, s.minutes, proposal, viewer_zone) for s in saved]
    return render(
        request,
        "planning/planner.html",
        {
            "proposal": proposal,
            "editable": editable,
            "planned": planned,
            "wanted": (current_version(proposal).data.get("session_count") or 0),
            "formset": formset,
            "rows": list(zip(formset.forms, planned + [None] * len(formset.forms), strict=False)),
            "plan": plan,
            "suggested": _suggested_rows(plan, proposal, viewer_zone),
            "skipped": _skipped_rows(plan, sides, proposal),
            "count": count,
            "minutes": minutes,
            "viewer_zone": viewer_zone,
            "show_viewer": viewer_zone
            not in (proposal.asian_offer.time_zone, proposal.european_offer.time_zone),
        },
    )


# --- calendars -----------------------------------------------------------------------------


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def proposal_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposal's sessions: for its lecturers and offices (anyone else: 404)."""
    proposal = selectors.get_proposal_for_user(request.user, pk)
    access = proposal_access(request.user, proposal)
    if not (access.sides or access.offices):
        raise Http404
    sessions: list[Session] = planned_sessions(proposal)
    content = ics.calendar(ics.summary(proposal), [(proposal, sessions)])
    return _ics_response(content, f"tandem-proposal-{proposal.pk}-sessions.ics")


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: no sign-in, the token is the key. Unknown or revoked: one bare
    404, the same bytes for any token (no page around it that could differ)."""
    user = feeds.feed_owner(token)
    if user is None:
        return HttpResponseNotFound(b"Not found\n", content_type="text/plain; charset=utf-8")
    with translation.override(user.preferred_language or "en"):
        content = ics.calendar(_("Tandem joint sessions"), feeds.feed_items(user))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    # Personal: no shared cache keeps it, and calendar programs poll it anyway.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def feed_url(token: str) -> str:
    return site_url(reverse("planning:feed", args=[token]))


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    preference = PlanningPreference.objects.filter(user=request.user).first()
    form = PreferenceForm(instance=preference or PlanningPreference(user=request.user))
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("create", "regenerate"):
            request.session[FEED_SESSION_KEY] = feeds.feed_create(user=request.user)
            messages.success(
                request,
                _("Your new feed address is below. The previous one no longer works.")
                if action == "regenerate"
                else _("Your feed address is below."),
            )
            return redirect("planning:calendar")
        if action == "revoke":
            feeds.feed_revoke(user=request.user)
            request.session.pop(FEED_SESSION_KEY, None)
            messages.success(request, _("Your feed address no longer works."))
            return redirect("planning:calendar")
        if action == "preferences":
            form = PreferenceForm(request.POST, instance=form.instance)
            if form.is_valid():
                choice = form.save(commit=False)
                choice.updated_at = timezone.now()
                choice.save()
                messages.success(request, _("Your preferences are saved."))
                return redirect("planning:calendar")
        else:
            return redirect("planning:calendar")
    # The address is shown once, right after it was made: only its hash is kept.
    token = request.session.pop(FEED_SESSION_KEY, None)
    return render(
        request,
        "planning/calendar_settings.html",
        {
            "feed": CalendarFeed.objects.filter(user=request.user).first(),
            "new_url": feed_url(token) if token else "",
            "form": form,
        },
    )


# --- the academic calendar of an office ----------------------------------------------------


def _office_institutions(request: HttpRequest) -> list[Institution]:
    ids = office_institution_ids(request.user)
    if not ids:
        raise PermissionDenied
    return list(Institution.objects.filter(pk__in=ids).order_by("name", "pk"))


@login_required
@require_http_methods(["GET", "POST"])
def office_calendar(request: HttpRequest) -> HttpResponse:
    institutions = _office_institutions(request)
    chosen = request.POST.get("institution") or request.GET.get("institution")
    institution = next((i for i in institutions if str(i.pk) == str(chosen)), institutions[0])
    form = PeriodForm()
    if request.method == "POST":
        form = PeriodForm(request.POST)
        if form.is_valid():
            period = form.save(commit=False)
            period.institution = institution
            period.created_by = request.user
            period.save()
            messages.success(request, _("The period is added."))
            return redirect(f"{reverse('planning:office-calendar')}?institution={institution.pk}")
    periods = CalendarPeriod.objects.filter(institution=institution).order_by("start", "pk")
    return render(
        request,
        "planning/office_calendar.html",
        {
            "institutions": institutions,
            "institution": institution,
            "periods": periods,
            "form": form,
        },
    )


@login_required
@require_POST
def office_calendar_remove(request: HttpRequest, pk: int) -> HttpResponse:
    ids = office_institution_ids(request.user)
    if not ids:
        raise PermissionDenied
    # Another institution's period is not there, for this office.
    period = get_object_or_404(CalendarPeriod, pk=pk, institution_id__in=ids)
    institution_id = period.institution_id
    period.delete()
    messages.success(request, _("The period is removed."))
    return redirect(f"{reverse('planning:office-calendar')}?institution={institution_id}")
