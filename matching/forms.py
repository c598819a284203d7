from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Country
from core.locale_names import NamedChoiceField
from matching.engine import SuggestionFilters
from offers.languages import with_blank
from offers.models import OfferKind, OfferLevel


class SuggestionFilterForm(forms.Form):
    """Narrows an offer's suggestions; fields are prefixed so they live beside others."""

    country = NamedChoiceField(
        label=_("Partner country"),
        required=False,
        queryset=Country.objects.only("code", "name"),
        empty_label=_("Any country"),
    )
    level = forms.ChoiceField(
        label=_("Partner level"),
        required=False,
        choices=[("", _("Any level"))] + OfferLevel.choices,
    )
    language = forms.ChoiceField(
        label=_("Working language"),
        required=False,
        choices=with_blank(_("Any language")),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind"))] + OfferKind.choices
    )

    def filters(self) -> SuggestionFilters:
        if not self.is_valid():
            return SuggestionFilters()
        c = self.cleaned_data
        return SuggestionFilters(
            country=c["country"].pk if c.get("country") else "",
            level=c.get("level") or "",
            language=c.get("language") or "",
            kind=c.get("kind") or "",
        )


class HideForm(forms.Form):
    partner = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
