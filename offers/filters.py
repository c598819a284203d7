"""The catalogue's filters, defined once: names, choices, limits and messages.

The pages read the query string with OfferFilterForm; the API validates its query
parameters with the same form (offers.api), which also documents them in the OpenAPI
schema. So a filter the page refuses, the API refuses with the same message."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Country, Institution, Region
from core.locale_names import NamedChoiceField
from offers import services, validation
from offers.languages import with_blank
from offers.models import OfferKind, OfferLevel, OfferStatus, Priority, Sdg
from offers.selectors import OfferFilters

SEARCH_MAX_LENGTH = 200
SORTS = [("relevance", _("Relevance")), ("newest", _("Newest"))]
TERM_TO_BEFORE_FROM = _("The end of the period is before its start.")

_COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")
# What a query string may say for "no": a page's checkbox sends nothing, a client may
# send false, 0 or no.
_NO = frozenset({"false", "0", "no", "off", "f", "n"})

# What the API's documentation adds to a parameter's type, limits and choices.
PARAMETER_NOTES = {
    "q": "Words to search for, in any script.",
    "country": "The institution's country, by its ISO code: MY, NL…",
    "institution": "One institution, by its id.",
    "isced": "A broad (05), narrow (052) or detailed (0521) ISCED-F field.",
    "language": "A working language, by its ISO 639-1 code.",
    "term_from": "Offers whose term overlaps the period from this date…",
    "term_to": "…to this date.",
    "sdg": "A Sustainable Development Goal, by its number (1 to 17).",
    "sort": "With q, relevance first unless newest; without q, always newest.",
    "mine": "Only offers I own or co-own.",
}


class CountryCodeField(NamedChoiceField):
    """A partner country by its ISO code, in either case (the page's select sends MY, a
    client may send my)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        code = str(value).strip()
        country = (
            self.queryset.filter(pk=code.upper()).first() if _COUNTRY_CODE.fullmatch(code) else None
        )
        if country is None:
            raise ValidationError(
                services.UNKNOWN_COUNTRY, code="invalid_choice", params={"code": code}
            )
        return country


class QueryCheckbox(forms.CheckboxInput):
    """A checkbox that also reads a client's spellings of "no"."""

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if isinstance(value, str) and value.strip().lower() in _NO:
            return False
        return super().value_from_datadict(data, files, name)


class OfferFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("Both regions"))] + Region.choices
    )
    country = CountryCodeField(
        label=_("Country"),
        required=False,
        queryset=Country.objects.only("code", "name"),
        empty_label=_("All countries"),
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        required=False,
        queryset=Institution.objects.all(),
        widget=forms.HiddenInput,
    )
    isced = forms.RegexField(
        validation.ISCED_CODE,
        label=_("ISCED-F field"),
        required=False,
        strip=True,
        error_messages={"invalid": validation.ISCED_FORMAT},
        help_text=_("2, 3 or 4 digits: 05, 052 or 0521"),
        widget=forms.TextInput(attrs={"maxlength": 4, "inputmode": "numeric"}),
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels"))] + OfferLevel.choices
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=with_blank(_("All languages"))
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds"))] + OfferKind.choices
    )
    term_from = forms.DateField(
        label=_("Term overlaps from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    term_to = forms.DateField(
        label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sdg = forms.ModelChoiceField(
        label=_("SDG"), required=False, queryset=Sdg.objects.all(), empty_label=_("All SDGs")
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("All priorities"))] + Priority.choices
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status"))] + OfferStatus.choices
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)
    mine = forms.BooleanField(label=_("Only my offers"), required=False, widget=QueryCheckbox)

    def clean(self):
        data = super().clean()
        if data.get("term_from") and data.get("term_to") and data["term_to"] < data["term_from"]:
            self.add_error("term_to", TERM_TO_BEFORE_FROM)
        return data

    def to_filters(self) -> OfferFilters:
        """The valid form's filters (call is_valid() first)."""
        c = self.cleaned_data
        return OfferFilters(
            q=c.get("q") or "",
            region=c.get("region") or "",
            country=c["country"].pk if c.get("country") else "",
            institution=c["institution"].pk if c.get("institution") else None,
            isced=c.get("isced") or "",
            level=c.get("level") or "",
            language=c.get("language") or "",
            kind=c.get("kind") or "",
            term_from=c.get("term_from"),
            term_to=c.get("term_to"),
            sdg=c["sdg"].pk if c.get("sdg") else None,
            priority=c.get("priority") or "",
            status=c.get("status") or "",
            sort=c.get("sort") or "",
            mine=bool(c.get("mine")),
        )

    def filters_or_error(self) -> OfferFilters:
        """The filters, or a ValidationError naming each bad filter (for the API, which
        answers it as a service's refusal: core.api.service_errors)."""
        if not self.is_valid():
            raise ValidationError(self.errors.as_data())
        return self.to_filters()


def page_filters(params) -> tuple[OfferFilterForm, OfferFilters]:
    """The page's form and its filters: none while a filter is wrong (the form says
    which)."""
    form = OfferFilterForm(params or None)
    return form, form.to_filters() if form.is_valid() else OfferFilters()
