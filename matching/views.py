from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import secretariat_required
from matching import model_page, outcomes, services, tasks
from matching.forms import HideForm
from offers.models import Offer, OfferStatus
from offers.selectors import get_offer_for_user


@login_required
@require_POST
def suggestion_hide(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for_user(request.user, pk, write=True)
    form = HideForm(request.POST)
    if not form.is_valid():
        raise Http404
    partner = Offer.objects.filter(pk=form.cleaned_data["partner"], status=OfferStatus.OPEN).first()
    if partner is None:
        raise Http404
    try:
        services.suggestion_hide(offer=offer, partner=partner, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        outcomes.record_hidden(offer.pk, partner.pk)
        messages.success(
            request, _("“%(title)s” will not be suggested again.") % {"title": partner.title}
        )
    return redirect(f"{offer.get_absolute_url()}#suggestions")


@login_required
@require_POST
def suggestions_unhide(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for_user(request.user, pk, write=True)
    services.suggestions_unhide_all(offer=offer)
    messages.success(request, _("Hidden suggestions are shown again."))
    return redirect(f"{offer.get_absolute_url()}#suggestions")


@secretariat_required
@require_GET
@never_cache
def ranking_model(request: HttpRequest) -> HttpResponse:
    """The suggestion ranking: the weights in use, the last fits and how they did."""
    return render(request, "matching/model.html", model_page.context())


@secretariat_required
@require_POST
def ranking_refit(request: HttpRequest) -> HttpResponse:
    tasks.refit_ranking.delay()
    messages.success(
        request,
        _("A refit is queued. Its result appears here when it is done (reload the page)."),
    )
    return redirect("matching:ranking-model")
