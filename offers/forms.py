from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Country, Institution
from core.locale_names import NamedMultipleChoiceField
from core.terms import TERM_FIRST_DAY, TERM_LAST_DAY
from core.time_zones import TimeZoneField
from offers import description_language, isced_search
from offers.languages import with_blank
from offers.models import (
    WEEKDAY_CHOICES,
    Cefr,
    IscedField,
    IscedLevel,
    Offer,
    OfferKind,
    Sdg,
    TransversalSkill,
)
from offers.services import OFFER_FIELDS, OfferData

# The browser's date picker keeps to the term window too (offers.validation says why).
TERM_DATE = {"type": "date", "min": TERM_FIRST_DAY.isoformat(), "max": TERM_LAST_DAY.isoformat()}


class IscedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: IscedField) -> str:
        return f"{obj.code} {obj.label}"


class SdgChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Sdg) -> str:
        return f"{obj.number}. {obj.label}"


class IscedSelect(forms.Select):
    """A select whose options carry the words that find them (offers.isced_search)."""

    search: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        words = self.search.get(str(value))
        if words:
            option["attrs"]["data-search"] = words
        return option


def isced_grouped_choices() -> tuple[list, dict[str, str]]:
    """Detailed fields grouped under their broad field, for an <optgroup> select, and
    each detailed field's search words."""
    fields = list(IscedField.objects.order_by("code"))
    parents = {f.code: f for f in fields if f.level != IscedLevel.DETAILED}
    groups: dict[str, list] = {}
    search: dict[str, str] = {}
    for f in fields:
        if f.level == IscedLevel.DETAILED:
            broad = parents.get(f.code[:2])
            groups.setdefault(f"{f.code[:2]} {broad.label if broad else ''}", []).append(
                (f.code, f"{f.code} {f.label}")
            )
            search[f.code] = isced_search.search_text(f, parents)
    return [("", "---------")] + list(groups.items()), search


class OfferForm(forms.ModelForm):
    isced = IscedChoiceField(
        label=_("Field of education (ISCED-F)"),
        queryset=IscedField.objects.filter(level=IscedLevel.DETAILED),
        help_text=_("The detailed field, four digits. Type in the filter box to find it."),
        widget=IscedSelect(attrs={"data-filterable": "true"}),
    )
    description_language = forms.ChoiceField(
        label=_("Language of the description"),
        choices=description_language.choices,
        required=False,
        help_text=_(
            "The language your title and description are written in: it helps Tandem match "
            "your offer with courses described in other languages."
        ),
    )
    time_zone = TimeZoneField(
        label=_("Your time zone"),
        help_text=_("Your weekly time windows below are in this zone."),
    )
    sdgs = SdgChoiceField(
        label=_("Sustainable Development Goals"),
        queryset=Sdg.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"data-filterable": "true"}),
    )
    skills = forms.MultipleChoiceField(
        label=_("Transversal skills students practise"),
        choices=TransversalSkill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_countries = NamedMultipleChoiceField(
        label=_("Preferred partner countries"),
        queryset=Country.objects.all(),
        required=False,
        help_text=_("Optional: pick as many as you like."),
    )
    excluded_countries = NamedMultipleChoiceField(
        label=_("Countries you cannot work with"),
        queryset=Country.objects.all(),
        required=False,
        help_text=_("Optional. Offers from these countries are never suggested."),
    )

    class Meta:
        model = Offer
        fields = [*OFFER_FIELDS, "sdgs", "preferred_countries", "excluded_countries"]
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 6}),
            "learning_outcomes": forms.Textarea(attrs={"rows": 4}),
            "term_start": forms.DateInput(attrs=TERM_DATE, format="%Y-%m-%d"),
            "term_end": forms.DateInput(attrs=TERM_DATE, format="%Y-%m-%d"),
        }
        help_texts = {
            "students": _("Your class size for COIL, or the seats you open for virtual mobility."),
            "term_start": _("The earliest date the joint part can start."),
            "term_end": _("The last date it can end, at most four years after the start."),
            "duration_weeks": _("How many weeks the joint part lasts within that window."),
            "partners_sought": _("Usually 1."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["isced"].choices, self.fields["isced"].widget.search = isced_grouped_choices()
        self.fields["kind"].choices = OfferKind.choices  # a radio list needs no blank entry
        if self.instance.pk:
            self.initial["isced"] = self.instance.isced_id
        elif not self.initial.get("description_language"):
            self.initial["description_language"] = description_language.active_language()


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=with_blank("---------"), required=False
    )
    cefr = forms.ChoiceField(
        label=_("Level needed (CEFR)"),
        choices=[("", "---------")] + Cefr.choices,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("language")) != bool(data.get("cefr")):
            raise forms.ValidationError(_("Give both the language and the level, or neither."))
        return data


class WindowForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "---------"), *WEEKDAY_CHOICES],
    )
    start = forms.TimeField(
        label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=_("To"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def clean(self):
        data = super().clean()
        filled = [data.get("weekday") is not None, bool(data.get("start")), bool(data.get("end"))]
        if any(filled) and not all(filled):
            raise forms.ValidationError(
                _("Give the day, the start and the end, or leave all empty.")
            )
        return data


LanguageFormSet = forms.formset_factory(LanguageForm, extra=2, max_num=6, absolute_max=10)
WindowFormSet = forms.formset_factory(WindowForm, extra=3, max_num=14, absolute_max=20)


def offer_data_from_forms(form: OfferForm, languages, windows) -> OfferData:
    c = form.cleaned_data
    fields = {
        name: c[name]
        for name in form.Meta.fields
        if name not in {"sdgs", "preferred_countries", "excluded_countries"}
    }
    fields["isced"] = c["isced"].pk
    return OfferData(
        fields=fields,
        languages=[
            (f.cleaned_data["language"], f.cleaned_data["cefr"])
            for f in languages
            if f.cleaned_data.get("language")
        ],
        windows=[
            (f.cleaned_data["weekday"], f.cleaned_data["start"], f.cleaned_data["end"])
            for f in windows
            if f.cleaned_data.get("weekday") is not None
        ],
        sdgs=[s.pk for s in c["sdgs"]],
        preferred_countries=[x.pk for x in c["preferred_countries"]],
        excluded_countries=[x.pk for x in c["excluded_countries"]],
    )


class InstitutionChoiceForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Offered at"), queryset=Institution.objects.none(), empty_label=None
    )


class CoOwnersForm(forms.Form):
    emails = forms.CharField(
        label=_("Co-owners' e-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. Co-owners are verified lecturers; they can edit the offer."),
    )
