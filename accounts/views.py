from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from accounts import mfa, selectors, services
from accounts.decorators import office_required
from accounts.forms import ClaimForm, InstitutionSearchForm, PreferencesForm, RefuseForm
from accounts.models import Country, Institution
from core import panels


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_preferences(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your preferences are saved."))
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def institution_claim(request: HttpRequest) -> HttpResponse:
    countries = Country.objects.all()
    search = InstitutionSearchForm(request.GET or None, countries=countries)
    results = None
    if search.is_valid() and (search.cleaned_data["q"] or search.cleaned_data["country"]):
        results = selectors.institution_search(
            search.cleaned_data["q"], country=search.cleaned_data["country"]
        )
    claim = ClaimForm(request.POST or None)
    if request.method == "POST":
        if claim.is_valid():
            try:
                affiliation = services.affiliation_claim(
                    user=request.user,
                    institution=claim.cleaned_data["institution"],
                    role=claim.cleaned_data["role"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    claim.add_error(None, message)
            else:
                if affiliation.is_verified:
                    messages.success(
                        request,
                        _("You are now a verified %(role)s at %(institution)s.")
                        % {
                            "role": affiliation.get_role_display().lower(),
                            "institution": affiliation.institution.name,
                        },
                    )
                else:
                    messages.info(
                        request,
                        _(
                            "Your claim is waiting for the international office of "
                            "%(institution)s. We will e-mail you when it is decided."
                        )
                        % {"institution": affiliation.institution.name},
                    )
                return redirect("dashboard:dashboard")
    return render(
        request,
        "accounts/institution_claim.html",
        {
            "search": search,
            "results": results,
            "claim": claim,
            "suggested": selectors.institutions_for_email(request.user.email)[:5],
        },
    )


@require_GET
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(
        Institution.objects.select_related("country").prefetch_related("domains"), pk=pk
    )
    context = {"institution": institution, "summary": selectors.institution_summary(institution)}
    if request.user.is_authenticated:
        context["office_contacts"] = selectors.office_contacts(institution)
    # The apps above add the institution's offers and exchanges (dashboard.profiles).
    context.update(panels.contribute(panels.INSTITUTION_PAGE, request, institution, None))
    return render(request, "accounts/institution_detail.html", context)


@office_required
@require_GET
def verification_queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.verification_queue(request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/verification_queue.html", {"page": page})


@office_required
@require_POST
def affiliation_verify(request: HttpRequest, pk: int) -> HttpResponse:
    affiliation = selectors.get_affiliation_for_decider(request.user, pk)
    try:
        services.affiliation_verify(affiliation=affiliation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s is verified as %(role)s.")
            % {"name": affiliation.user, "role": affiliation.get_role_display().lower()},
        )
    return redirect("accounts:verification-queue")


@office_required
@require_http_methods(["GET", "POST"])
def affiliation_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    affiliation = selectors.get_affiliation_for_decider(request.user, pk)
    form = RefuseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.affiliation_refuse(
                affiliation=affiliation, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, _("The claim of %(name)s is refused.") % {"name": affiliation.user}
            )
            return redirect("accounts:verification-queue")
    return render(
        request, "accounts/affiliation_refuse.html", {"affiliation": affiliation, "form": form}
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_GET
def security(request: HttpRequest) -> HttpResponse:
    """The account's second factor and sessions; where offices without one are sent."""
    user = request.user
    kinds = set(user.authenticator_set.values_list("type", flat=True))
    return render(
        request,
        "accounts/security.html",
        {
            "required": mfa.must_use_mfa(user),
            "missing": mfa.lacks_required_mfa(user),
            "kinds": kinds,
            "next": _safe_next(request, ""),
        },
    )


@require_http_methods(["GET", "POST"])
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin signs in through the sign-in page: the same rate limit on failed
    attempts and the same second factor. A POST here signs nobody in."""
    target = _safe_next(request, reverse("admin:index"))
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target}, safe='/')}")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, remembering the choice on the account of a signed-in user
    (whose saved preference otherwise wins over the cookie)."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_update_preferences(user=request.user, preferred_language=language)
    return django_set_language(request)
