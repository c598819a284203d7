"""Pages of the global pairing rounds, for the secretariat only (403 for anyone else)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import secretariat_required
from rounds import publishing, selectors, services, undo
from rounds.forms import RoundForm
from rounds.models import RoundStatus
from rounds.params import RoundParams

# The page refreshes itself while the round is computed.
IN_PROGRESS = (RoundStatus.QUEUED, RoundStatus.RUNNING, RoundStatus.PUBLISHING)


@secretariat_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        undo.rounds_announce_due()  # the embedded mode has no beat (see round_detail)
    return render(request, "rounds/round_list.html", {"rounds": selectors.round_list()})


@secretariat_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    again = request.GET.get("from", "")
    if request.method == "GET" and again.isdigit():
        initial = selectors.round_params_initial(selectors.round_get(int(again)))
    form = RoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pairing_round = services.round_create(
                name=form.cleaned_data["name"], params=form.params(), actor=request.user
            )
        except ValidationError as exc:
            for problem in exc.messages:
                form.add_error(None, problem)
        else:
            messages.success(request, _("The round is started."))
            return redirect("rounds:round-detail", pk=pairing_round.pk)
    counts = selectors.round_offer_counts(RoundParams())
    return render(request, "rounds/round_form.html", {"form": form, "counts": counts})


@secretariat_required
@require_GET
@never_cache
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pairing_round = selectors.round_get(pk)
    if settings.CELERY_TASK_ALWAYS_EAGER and undo.due(pairing_round):
        # The embedded mode has no beat: the round's page announces it once it is due.
        undo.round_announce(round_id=pairing_round.pk)
        pairing_round.refresh_from_db()
    report = selectors.round_report(pairing_round)
    params = RoundParams.from_json(pairing_round.params)
    context = {
        "round": pairing_round,
        "params": params,
        "filters": selectors.round_filter_labels(params),
        "in_progress": pairing_round.status in IN_PROGRESS,
        "report": report,
        "page": selectors.round_pairs_page(pairing_round, request.GET.get("page"))
        if report
        else None,
        "published": publishing.publish_report_of(pairing_round),
        "can_publish": pairing_round.status == RoundStatus.DONE,
        "in_grace": undo.in_grace(pairing_round),
        "filters_applied": (pairing_round.stats or {}).get("filters"),
    }
    return render(request, "rounds/round_detail.html", context)


@secretariat_required
@require_GET
@never_cache
def round_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """Status and progress as JSON, polled by the round's page while it runs."""
    pairing_round = selectors.round_get(pk)
    return JsonResponse(
        {
            "status": pairing_round.status,
            "status_display": pairing_round.get_status_display(),
            "progress": pairing_round.progress,
            "note": _(pairing_round.progress_note) if pairing_round.progress_note else "",
            "url": reverse("rounds:round-detail", args=[pairing_round.pk]),
        }
    )


def _published_text(report: publishing.PublishReport) -> str:
    text = ngettext(
        "Published: %(created)d proposal was created. Its lecturers are told after "
        "%(minutes)d minutes; until then you can undo the round.",
        "Published: %(created)d proposals were created. Their lecturers are told after "
        "%(minutes)d minutes; until then you can undo the round.",
        report.created,
    ) % {"created": report.created, "minutes": settings.ROUND_UNDO_MINUTES}
    if not settings.ROUND_UNDO_MINUTES:  # no grace period: they were told at once
        text = ngettext(
            "Published: %(created)d proposal was sent to the lecturers.",
            "Published: %(created)d proposals were sent to the lecturers.",
            report.created,
        ) % {"created": report.created}
    if report.skipped:
        text += " " + ngettext(
            "%(skipped)d pair was skipped: its offers are no longer open, meanwhile "
            "have a live proposal or were refused.",
            "%(skipped)d pairs were skipped: their offers are no longer open, meanwhile "
            "have a live proposal or were refused.",
            report.skipped,
        ) % {"skipped": report.skipped}
    return text


@secretariat_required
@require_http_methods(["GET", "POST"])
@never_cache
def round_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation, with whom publishing reaches (changes nothing). POST: queue
    the publication."""
    pairing_round = selectors.round_get(pk)
    if request.method == "GET":
        if pairing_round.status != RoundStatus.DONE:
            return redirect("rounds:round-detail", pk=pairing_round.pk)
        context = {
            "round": pairing_round,
            "preview": selectors.round_publish_preview(pairing_round),
            "undo_minutes": settings.ROUND_UNDO_MINUTES,
        }
        return render(request, "rounds/round_publish.html", context)
    try:
        pairing_round = services.round_publish_queue(
            pairing_round=pairing_round, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("rounds:round-detail", pk=pairing_round.pk)
    report = publishing.publish_report_of(pairing_round)
    if report is None:  # a worker publishes it; the page follows
        messages.success(
            request,
            _("Publishing: the proposals are being created. This page shows the result."),
        )
    else:  # published at once (tasks run eagerly in the embedded mode)
        messages.success(request, _published_text(report))
    return redirect("rounds:round-detail", pk=pairing_round.pk)


@secretariat_required
@require_POST
def round_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a published round back within its grace period."""
    pairing_round = selectors.round_get(pk)
    try:
        removed = undo.round_undo(pairing_round=pairing_round, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext(
                "Undone: %(n)d proposal was removed before anyone was told. The round can "
                "be published again.",
                "Undone: %(n)d proposals were removed before anyone was told. The round can "
                "be published again.",
                removed,
            )
            % {"n": removed},
        )
    return redirect("rounds:round-detail", pk=pairing_round.pk)
