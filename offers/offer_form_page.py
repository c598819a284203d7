"""What the offer form page shows besides the fields: its sections with their problems,
the summary of every problem, and the data its script needs for the time zones (the
zone an institution's lecturer most likely teaches in, and the other region's zones)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.time_zones import UTC, canonical, zone_name
from offers.timewindows import OTHER_REGION_ZONES
from offers.validation import WEEKDAYS

# A country's zones come from zone.tab, which lists some countries from west to east; where
# the first is not where most people live, the main zone is named here.
MAIN_ZONES = {"AU": "Australia/Sydney", "RU": "Europe/Moscow"}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[str, ...] = ()
    formsets: tuple[str, ...] = ()


SECTIONS = (
    Section(
        "course",
        gettext_lazy("The course"),
        (
            "institution",
            "kind",
            "title",
            "description",
            "learning_outcomes",
            "description_language",
            "isced",
            "level",
        ),
    ),
    Section("languages", gettext_lazy("Languages"), formsets=("languages",)),
    Section(
        "term",
        gettext_lazy("Students and term"),
        ("students", "partners_sought", "term_start", "term_end", "duration_weeks"),
    ),
    Section(
        "sessions",
        gettext_lazy("Live sessions"),
        ("time_zone", "sync_sessions"),
        formsets=("windows",),
    ),
    Section(
        "themes",
        gettext_lazy("Themes"),
        ("priority", "theme_digitalisation", "theme_sustainability", "skills", "sdgs"),
    ),
    Section(
        "partners", gettext_lazy("Partner wishes"), ("preferred_countries", "excluded_countries")
    ),
)


@dataclass
class Problem:
    """One line of the error summary: what is wrong, and where (an element id) if a field."""

    message: str
    label: str = ""
    target: str = ""


@dataclass
class SectionState:
    key: str
    title: str
    template: str
    problems: list[Problem] = field(default_factory=list)


# --- time zones ----------------------------------------------------------------------


def main_zone(country) -> str:
    zones = country.time_zones or []
    return canonical(MAIN_ZONES.get(country.code) or (zones[0] if zones else UTC))


def default_time_zone(user, institution) -> str:
    """The lecturer's own zone when they chose one in the institution's country (a campus
    in Kuching, not Kuala Lumpur), else the main zone of the institution's country."""
    own = canonical(getattr(user, "time_zone", "") or UTC)
    if institution is None:
        return own
    country_zones = {canonical(z) for z in institution.country.time_zones or []}
    if own != UTC and own in country_zones:
        return own
    return main_zone(institution.country)


def zone_data(user, institutions, offer=None) -> str:
    """JSON for static/js/offer_form.js: per institution, the zone to preselect and the
    other region's zones (named as on the offer page), plus the short weekday names."""
    places = {}
    for inst in institutions:
        partners = OTHER_REGION_ZONES.get(inst.country.region, [])
        places[str(inst.pk)] = {
            "zone": default_time_zone(user, inst),
            "partners": [[z, zone_name(z)] for z in partners],
        }
    return json.dumps(
        {
            "places": places,
            "current": str(offer.institution_id) if offer else "",
            "weekdays": [str(d) for d in WEEKDAYS],
        }
    )


# --- sections and problems -----------------------------------------------------------


def _target(bound) -> str:
    """The id a link to the field should move focus to (a radio or checkbox list: its
    first box)."""
    return bound.id_for_label or f"{bound.auto_id}_0"


def _field_problems(form, names) -> list[Problem]:
    problems = []
    for name in names:
        if form is None or name not in form.fields or name not in form.errors:
            continue
        bound = form[name]
        problems += [Problem(str(e), str(bound.label), _target(bound)) for e in bound.errors]
    return problems


def _row_label(formset_name: str, row: int, field_label: str = "") -> str:
    if formset_name == "languages":
        if field_label:
            return _("%(field)s in working language %(row)s") % {"field": field_label, "row": row}
        return _("Working language %(row)s") % {"row": row}
    if field_label:
        return _("%(field)s in weekly window %(row)s") % {"field": field_label, "row": row}
    return _("Weekly window %(row)s") % {"row": row}


def _formset_problems(name: str, formset) -> list[Problem]:
    forms = list(formset)
    first = _target(forms[0][next(iter(forms[0].fields))]) if forms else ""
    group = _("Working languages") if name == "languages" else _("Weekly time windows")
    problems = [Problem(str(e), group, first) for e in formset.non_form_errors()]
    for row, form in enumerate(forms, start=1):
        if not form.is_bound or not form.errors:
            continue
        start = _target(form[next(iter(form.fields))])
        problems += [Problem(str(e), _row_label(name, row), start) for e in form.non_field_errors()]
        for fname in form.fields:
            bound = form[fname]
            problems += [
                Problem(str(e), _row_label(name, row, str(bound.label)), _target(bound))
                for e in bound.errors
            ]
    return problems


def sections(form, formsets: dict, institution_form=None) -> list[SectionState]:
    """The form's sections in order, each with the problems of its fields and rows."""
    states = []
    for s in SECTIONS:
        state = SectionState(s.key, str(s.title), f"offers/_form_{s.key}.html")
        if "institution" in s.fields:
            state.problems += _field_problems(institution_form, ["institution"])
        state.problems += _field_problems(form, s.fields)
        for name in s.formsets:
            if formsets[name].is_bound:
                state.problems += _formset_problems(name, formsets[name])
        states.append(state)
    return states


def general_problems(form) -> list[Problem]:
    """Problems of the offer as a whole (a rule the service checks), not of one field."""
    return [Problem(str(e)) for e in form.non_field_errors()] if form.is_bound else []
