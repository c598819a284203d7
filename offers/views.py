from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import AffiliationRole, AffiliationStatus, Institution
from core import panels
from offers import exporting, selectors, services, validation
from offers import offer_form_page as form_page
from offers.access import editors_q, offer_access
from offers.filters import page_filters
from offers.forms import (
    CoOwnersForm,
    InstitutionChoiceForm,
    LanguageFormSet,
    OfferForm,
    WindowFormSet,
    offer_data_from_forms,
)
from offers.models import Offer
from offers.pagination import SearchPaginator
from offers.timewindows import window_table

PAGE_SIZE = 20


def _lecturer_institutions(user):
    return Institution.objects.filter(
        affiliations__user=user,
        affiliations__role=AffiliationRole.LECTURER,
        affiliations__status=AffiliationStatus.VERIFIED,
    ).select_related("country")


def _attach_errors(exc: ValidationError, form, languages, windows) -> None:
    """Put a service's ValidationError on the form fields it names."""
    for field, problems in exc.message_dict.items():
        for problem in problems:
            if field == "languages":
                languages._non_form_errors.append(problem)
            elif field == "windows":
                windows._non_form_errors.append(problem)
            elif field in form.fields:
                form.add_error(field, problem)
            else:
                form.add_error(None, problem)


def _check_children(form, languages, windows) -> None:
    chosen = [
        (f.cleaned_data["language"], f.cleaned_data["cefr"])
        for f in languages
        if f.cleaned_data.get("language")
    ]
    slots = [
        (f.cleaned_data["weekday"], f.cleaned_data["start"], f.cleaned_data["end"])
        for f in windows
        if f.cleaned_data.get("weekday") is not None
    ]
    sync = form.cleaned_data.get("sync_sessions") or 0
    languages._non_form_errors.extend(str(e) for e in validation.language_errors(chosen))
    windows._non_form_errors.extend(str(e) for e in validation.window_errors(slots, sync))


def _formsets(request, offer: Offer | None):
    if request.method == "POST":
        return (
            LanguageFormSet(request.POST, prefix="languages"),
            WindowFormSet(request.POST, prefix="windows"),
        )
    languages = (
        [{"language": x.language, "cefr": x.cefr} for x in offer.languages.all()] if offer else []
    )
    windows = (
        [{"weekday": w.weekday, "start": w.start, "end": w.end} for w in offer.windows.all()]
        if offer
        else []
    )
    return (
        LanguageFormSet(initial=languages, prefix="languages"),
        WindowFormSet(initial=windows, prefix="windows"),
    )


def _offer_form_page(request, *, offer: Offer | None, institution_form=None):
    form = OfferForm(request.POST or None, instance=offer)
    places = (
        list(institution_form.fields["institution"].queryset)
        if institution_form
        else [offer.institution]
    )
    if offer is None and request.method == "GET":
        form.initial.setdefault(
            "time_zone", form_page.default_time_zone(request.user, places[0] if places else None)
        )
        form.initial.setdefault("kind", "coil")
    languages, windows = _formsets(request, offer)
    if request.method == "POST":
        valid = all(
            [form.is_valid(), languages.is_valid(), windows.is_valid()]
            + ([institution_form.is_valid()] if institution_form else [])
        )
        if not valid and languages.is_valid() and windows.is_valid():
            # Say everything at once: the child rows' problems too, not only the fields'.
            _check_children(form, languages, windows)
        if valid:
            data = offer_data_from_forms(form, languages, windows)
            try:
                if offer is None:
                    offer = services.offer_create(
                        owner=request.user,
                        institution=institution_form.cleaned_data["institution"],
                        data=data,
                    )
                    messages.success(
                        request, _("Your draft is saved. Check it below, then publish it.")
                    )
                else:
                    offer = services.offer_update(offer=offer, data=data)
                    messages.success(request, _("Your changes are saved."))
            except ValidationError as exc:
                _attach_errors(exc, form, languages, windows)
            else:
                return redirect(offer.get_absolute_url())
    return render(
        request,
        "offers/offer_form.html",
        {
            "form": form,
            "languages": languages,
            "windows": windows,
            "offer": offer,
            "institution_form": institution_form,
            "sections": form_page.sections(
                form, {"languages": languages, "windows": windows}, institution_form
            ),
            "general_problems": form_page.general_problems(form),
            "zone_data": form_page.zone_data(request.user, places, offer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest) -> HttpResponse:
    institutions = _lecturer_institutions(request.user)
    if not institutions:
        raise PermissionDenied(_("Only verified lecturers register offers."))
    institution_form = InstitutionChoiceForm(request.POST or None, prefix="offer")
    institution_form.fields["institution"].queryset = institutions
    return _offer_form_page(request, offer=None, institution_form=institution_form)


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.get_offer_for_user(request.user, pk, write=True)
    if not offer.is_editable():
        messages.error(request, _("A closed or paired offer can no longer be edited."))
        return redirect(offer.get_absolute_url())
    return _offer_form_page(request, offer=offer)


@require_GET
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.get_offer_for_user(request.user, pk)
    access = offer_access(request.user, offer)
    windows = [(w.weekday, w.start, w.end) for w in offer.windows.all()]
    context = {
        "offer": offer,
        "languages": offer.languages.all(),
        "sdgs": offer.sdgs.all(),
        "access": access,
        "can_edit": access.can_edit,
        "can_manage": access.can_manage,
        "co_owners": offer.co_owners.all(),
        "preferred": offer.preferred_countries.all(),
        "excluded": offer.excluded_countries.all(),
        "show_contact": request.user.is_authenticated,
        "times": window_table(
            windows,
            offer.time_zone,
            offer.institution.country.region,
            offer.term_start,
            offer.term_end,
            viewer_zone=getattr(request.user, "time_zone", None),
        )
        if windows
        else None,
    }
    if request.user.is_authenticated and offer.is_open() and not access.can_edit:
        # The viewer's own open offers of the other region, to propose a pairing from.
        context["propose_from"] = list(
            Offer.objects.filter(editors_q(request.user), status="open")
            .exclude(region=offer.region)
            .only("pk", "title")
        )
    # What the apps above add to the page (matching: the suggestions).
    context.update(panels.contribute(panels.OFFER_PAGE, request, offer, access))
    return render(request, "offers/offer_detail.html", context)


def _transition(request, pk: int, action, done: str, *, allowed: str):
    offer = selectors.get_offer_for_user(request.user, pk)
    if not getattr(offer_access(request.user, offer), allowed):
        raise PermissionDenied
    try:
        action(offer=offer, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(offer.get_absolute_url())


@login_required
@require_POST
def offer_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        services.offer_publish,
        _("Your offer is open: partners can find it now."),
        allowed="can_edit",
    )


@login_required
@require_POST
def offer_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request, pk, services.offer_close, _("The offer is closed."), allowed="can_close"
    )


@login_required
@require_POST
def offer_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.get_offer_for_user(request.user, pk, write=True)
    try:
        copy = services.offer_duplicate(offer=offer, actor=request.user)
    except ValidationError as exc:
        # The copy breaks a rule the original predates (its dates, say): say which.
        messages.error(
            request, _("No copy was made: %(problems)s") % {"problems": " ".join(exc.messages)}
        )
        return redirect(offer.get_absolute_url())
    messages.success(request, _("A copy for the next term is saved as a draft; adjust its dates."))
    return redirect("offers:offer-edit", pk=copy.pk)


@login_required
@require_http_methods(["GET", "POST"])
def offer_co_owners(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.get_offer_for_user(request.user, pk, write=True)
    if not offer_access(request.user, offer).can_set_co_owners:
        raise PermissionDenied
    initial = "\n".join(offer.co_owners.values_list("email", flat=True))
    form = CoOwnersForm(request.POST or None, initial={"emails": initial})
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_set_co_owners(
                offer=offer, emails=form.cleaned_data["emails"].splitlines()
            )
        except ValidationError as exc:
            for problem in exc.message_dict.get("co_owners", exc.messages):
                form.add_error("emails", problem)
        else:
            messages.success(request, _("Co-owners saved."))
            return redirect(offer.get_absolute_url())
    return render(request, "offers/offer_co_owners.html", {"offer": offer, "form": form})


def _list_page(request, *, public: bool) -> HttpResponse:
    form, filters = page_filters(request.GET)
    user = request.user if not public else _Anonymous()
    qs = selectors.with_list_relations(selectors.offer_search(user, filters))
    page = SearchPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "offers/offer_list.html",
        {"form": form, "page": page, "public": public, "query": query.urlencode()},
    )


class _Anonymous:
    is_authenticated = False
    pk = None


@login_required
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, public=False)


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    return _list_page(request, public=True)


@login_required
@require_GET
def offer_export(request: HttpRequest) -> HttpResponse:
    """The offers of the current search as CSV, in the import format. Owners' e-mails
    only for offers the user owns or whose institution's office they are."""
    _form, filters = page_filters(request.GET)
    offers = exporting.export_queryset(selectors.offer_search(request.user, filters))

    def owner_visible(offer: Offer) -> bool:
        access = offer_access(request.user, offer)
        return access.can_edit or access.can_manage

    response = StreamingHttpResponse(
        exporting.csv_lines(offers, owner_visible=owner_visible),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="tandem-offers.csv"'
    return response
