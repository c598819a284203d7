"""The pages that gather every app: the landing page, each user's dashboard and /healthz."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Country, Institution
from dashboard import health, profiles, sections
from dashboard import landing as landing_figures


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    stats = {
        "countries": Country.objects.count(),
        "institutions": Institution.objects.count(),
    }
    return render(
        request, "dashboard/landing.html", {"stats": stats, "figures": landing_figures.figures()}
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, results = health.run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "down", "checks": results}, status=200 if healthy else 503
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Each role's pending work first (dashboard.sections); a user may hold several."""
    return render(request, "dashboard/dashboard.html", sections.build(request))


@login_required
@require_GET
def lecturer_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """A lecturer's public face for signed-in colleagues: institution, open offers, record."""
    return render(request, "dashboard/lecturer_profile.html", profiles.lecturer(pk))
