"""The pages that gather every app: the landing page, each user's dashboard and /healthz."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import selectors, services
from accounts.models import Affiliation, AffiliationStatus, Country, Institution
from dashboard import health
from messaging.selectors import memberships_with_unread
from offers.selectors import offers_of


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    stats = {
        "countries": Country.objects.count(),
        "institutions": Institution.objects.count(),
    }
    return render(request, "dashboard/landing.html", {"stats": stats})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, results = health.run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "down", "checks": results}, status=200 if healthy else 503
    )


DASHBOARD_CONVERSATIONS = 20


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    affiliations = (
        Affiliation.objects.filter(user=user)
        .select_related("institution", "institution__country")
        .order_by("-created_at")
    )
    context = {
        "affiliations": affiliations,
        "has_verified_email": bool(services.verified_emails(user)),
        "queue": selectors.verification_queue(user)[:5]
        if (user.is_secretariat or selectors.is_office(user))
        else None,
        "suggested_institutions": selectors.institutions_for_email(user.email)[:5],
    }
    context["my_offers"] = offers_of(user)
    context["conversations"] = list(memberships_with_unread(user)[:DASHBOARD_CONVERSATIONS])
    context["office_institutions"] = Institution.objects.filter(
        pk__in=selectors.office_institution_ids(user)
    )
    if user.is_secretariat:
        context["secretariat"] = {
            "countries": Country.objects.count(),
            "institutions": Institution.objects.count(),
            "pending": Affiliation.objects.filter(status=AffiliationStatus.PENDING).count(),
        }
    return render(request, "dashboard/dashboard.html", context)
