"""The statistics' filters: one GET form for the page, the exports and the API."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from balance.stats import Filters
from offers.models import OfferKind, OfferLevel, Priority

YEAR_AND_PERIOD = _("Choose either a year or a period (from, to), not both.")
FROM_AFTER_TO = _("The period must end on or after the day it starts.")
NO_SUCH_YEAR = _(
    "There are no figures for the year “%(value)s”; choose one of the years in the list."
)
YEAR_MIN, YEAR_MAX = 2000, 2100


def _choices(all_label, choices):
    return [("", all_label), *choices]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StatsFilterForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        help_text=_("Exchanges whose term starts in this year."),
    )
    date_from = forms.DateField(label=_("Terms starting from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Terms starting until"), required=False, widget=DateInput())
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_choices(_("All kinds"), OfferKind.choices)
    )
    priority = forms.ChoiceField(
        label=_("Thematic priority"),
        required=False,
        choices=_choices(_("All priorities"), Priority.choices),
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=_choices(_("All levels"), OfferLevel.choices)
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=_choices(_("Both regions"), Region.choices),
        help_text=_("Kind, priority and level then apply to that region's course only."),
    )

    def __init__(self, data=None, *args, years: list[int] | None = None, **kwargs):
        """`years`: the years with data, for the page's year select; without them (the
        API) any year from YEAR_MIN to YEAR_MAX is accepted."""
        super().__init__(data, *args, **kwargs)
        if years is not None:
            old = self.fields["year"]
            self.fields["year"] = forms.TypedChoiceField(
                label=old.label,
                help_text=old.help_text,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("All years")), *((str(y), str(y)) for y in years)],
                error_messages={"invalid_choice": NO_SUCH_YEAR},
            )

    def clean(self):
        data = super().clean()
        year, start, end = data.get("year"), data.get("date_from"), data.get("date_to")
        if year and (start or end):
            raise forms.ValidationError(YEAR_AND_PERIOD, code="year_and_period")
        if start and end and start > end:
            self.add_error("date_to", forms.ValidationError(FROM_AFTER_TO, code="from_after_to"))
        return data

    def filters(self, institutions: frozenset[int] | None) -> Filters:
        """The filters of a valid form, within the viewer's scope (never from the request)."""
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if data.get("year"):
            start, end = dt.date(data["year"], 1, 1), dt.date(data["year"], 12, 31)
        return Filters(
            date_from=start,
            date_to=end,
            kind=data.get("kind") or "",
            priority=data.get("priority") or "",
            level=data.get("level") or "",
            region=data.get("region") or "",
            institutions=institutions,
        )

    def applied(self) -> list[tuple[str, str]]:
        """(label, value) of each filter in use, for the page and the exports."""
        out = []
        for name, bound in self.fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if isinstance(bound, forms.ChoiceField):
                value = dict(bound.choices).get(value, value)
            out.append((str(bound.label), str(value)))
        return out
