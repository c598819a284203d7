"""Partner alerts' pages: set one from an offer page, list one's own, remove one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications import alerts
from notifications.models import PartnerAlert
from offers.selectors import get_offer_for_user


@login_required
@require_POST
def alert_create(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for_user(request.user, pk, write=True)
    try:
        _alert, created = alerts.alert_create(user=request.user, offer=offer)
    except alerts.AlertRefused as exc:
        messages.error(request, str(exc))  # marked for translation where raised
    else:
        messages.success(
            request,
            _(
                "Tandem will tell you when a partner course fitting “%(title)s” is published "
                "(at most once a day)."
            )
            % {"title": offer.title}
            if created
            else _("Your alert for “%(title)s” is already set.") % {"title": offer.title},
        )
    return redirect(f"{offer.get_absolute_url()}#suggestions")


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    mine = (
        PartnerAlert.objects.filter(user=request.user)
        .select_related("offer")
        .order_by("-created_at", "-pk")
    )
    return render(request, "notifications/alert_list.html", {"alerts": mine})


@login_required
@require_POST
def alert_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not alerts.alert_delete(user=request.user, pk=pk):
        raise Http404
    messages.success(request, _("The alert is removed."))
    return redirect("notifications:alerts")
