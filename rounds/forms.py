"""The form that starts a pairing round."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Country, Region
from core.locale_names import country_name, sorted_by_name
from offers.models import OfferKind, OfferLevel
from rounds.params import (
    DEFAULT_COUNTRY_SLACK,
    DEFAULT_INSTITUTION_CAP,
    DEFAULT_K,
    DEFAULT_MIN_SCORE,
    MAX_COUNTRY_SLACK,
    MAX_INSTITUTION_CAP,
    MAX_K,
    MAX_MIN_SCORE,
    RoundParams,
)


class RoundForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the round"),
        max_length=120,
        help_text=_("For example “Spring 2027, all open offers”."),
        error_messages={"required": _("Give the round a name, so that you can find it later.")},
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of offer"),
        choices=OfferKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every kind."),
    )
    levels = forms.MultipleChoiceField(
        label=_("Levels"),
        choices=OfferLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every level."),
    )
    asian_countries = forms.MultipleChoiceField(
        label=_("Countries in Asia"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every Asian country."),
    )
    european_countries = forms.MultipleChoiceField(
        label=_("Countries in Europe"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every European country."),
    )
    institution_cap = forms.IntegerField(
        label=_("Proposals per institution"),
        initial=DEFAULT_INSTITUTION_CAP,
        min_value=1,
        max_value=MAX_INSTITUTION_CAP,
        help_text=_("The most pairs any one institution gets in this round, on each side."),
        error_messages={
            "required": _("Say how many proposals one institution may get."),
            "min_value": _("Each institution must be allowed at least one proposal."),
            "max_value": _("At most %(limit_value)s proposals per institution."),
            "invalid": _("Enter a whole number of proposals."),
        },
    )
    country_slack = forms.DecimalField(
        label=_("Country fairness slack"),
        initial=Decimal(str(DEFAULT_COUNTRY_SLACK)),
        min_value=Decimal(0),
        max_value=Decimal(str(MAX_COUNTRY_SLACK)),
        max_digits=4,
        decimal_places=2,
        help_text=_(
            "0.2 means no country gets more than 1.2 × its share of the pairs (rounded up "
            "to whole pairs); 0 means exactly its share."
        ),
        error_messages={
            "required": _("Say how far a country may go above its share; 0.2 is usual."),
            "min_value": _("The slack cannot be negative."),
            "max_value": _("A slack above %(limit_value)s would not limit anything."),
            "invalid": _("Enter a number such as 0.2."),
            "max_decimal_places": _("Use at most two decimals, such as 0.25."),
        },
    )
    k = forms.IntegerField(
        label=_("Candidates per offer"),
        initial=DEFAULT_K,
        min_value=1,
        max_value=MAX_K,
        help_text=_(
            "How many of its best partners each offer brings into the round. More finds "
            "more pairs and takes longer."
        ),
        error_messages={
            "required": _("Say how many candidates each offer brings."),
            "min_value": _("Each offer needs at least one candidate."),
            "max_value": _("At most %(limit_value)s candidates per offer."),
            "invalid": _("Enter a whole number of candidates."),
        },
    )

    min_score = forms.DecimalField(
        label=_("Minimum score of a pair"),
        initial=Decimal(str(DEFAULT_MIN_SCORE)),
        min_value=Decimal(0),
        max_value=Decimal(str(MAX_MIN_SCORE)),
        max_digits=3,
        decimal_places=2,
        required=False,
        help_text=_(
            "Candidate pairs scoring below this never enter the round, however few pairs "
            "are left. Empty means 0.35; 0 turns the floor off."
        ),
        error_messages={
            "min_value": _("The minimum score cannot be negative."),
            "max_value": _("A minimum above %(limit_value)s would leave almost no pair."),
            "invalid": _("Enter a number between 0 and 0.95, such as 0.35."),
            "max_digits": _("Enter a number between 0 and 0.95, such as 0.35."),
            "max_decimal_places": _("Use at most two decimals, such as 0.35."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, region in (
            ("asian_countries", Region.ASIA),
            ("european_countries", Region.EUROPE),
        ):
            self.fields[name].choices = sorted_by_name(
                (code, country_name(code, english))
                for code, english in Country.objects.filter(region=region).values_list(
                    "code", "name"
                )
            )

    def params(self) -> RoundParams:
        """The round's parameters; call after `is_valid()`."""
        data = self.cleaned_data
        return RoundParams(
            kinds=tuple(data["kinds"]),
            levels=tuple(data["levels"]),
            asian_countries=tuple(data["asian_countries"]),
            european_countries=tuple(data["european_countries"]),
            institution_cap=data["institution_cap"],
            country_slack=float(data["country_slack"]),
            k=data["k"],
            min_score=float(DEFAULT_MIN_SCORE if data["min_score"] is None else data["min_score"]),
        )
