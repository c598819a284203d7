"""The import format's columns: their names and order (the export writes the same, see
offers.exporting), which are required, what an empty cell means, and the guide the
import page shows. docs/import.md documents them for offices; keep the two in step."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.vocabulary import WEEKDAYS
from offers.models import OfferKind, OfferLevel, OfferStatus, Priority, TransversalSkill

# Every column, in the order of the example file.
COLUMNS = (
    "owner_email",
    "kind",
    "title",
    "description",
    "learning_outcomes",
    "description_language",
    "isced",
    "level",
    "languages",
    "students",
    "term_start",
    "term_end",
    "duration_weeks",
    "time_zone",
    "sync_sessions",
    "windows",
    "sdgs",
    "priority",
    "theme_digitalisation",
    "theme_sustainability",
    "skills",
    "preferred_countries",
    "excluded_countries",
    "partners_sought",
    "status",
)
REQUIRED = (
    "owner_email",
    "kind",
    "title",
    "description",
    "isced",
    "level",
    "languages",
    "students",
    "term_start",
    "term_end",
    "duration_weeks",
    "time_zone",
)
# What an empty optional cell means.
DEFAULTS = {
    "learning_outcomes": "",
    "sync_sessions": 0,
    "priority": "",
    "theme_digitalisation": False,
    "theme_sustainability": False,
    "partners_sought": 1,
}
# The status column says what to do with the offer: keep it a draft, or publish it.
IMPORT_STATUSES = (OfferStatus.DRAFT.value, OfferStatus.OPEN.value)
# Days as the windows column writes them (any case): mon … sun.
WEEKDAY_NAMES = tuple(day.lower() for day in WEEKDAYS)
TRUE = frozenset({"true", "yes", "y", "1"})
FALSE = frozenset({"false", "no", "n", "0"})


def _values(choices) -> str:
    return ", ".join(c[0] for c in choices)


def column_guide() -> list[tuple[str, bool, str]]:
    """(column, required, what to write) for every column, in the active language."""
    guide = {
        "owner_email": _("E-mail address of a verified lecturer of the institution: the owner."),
        "kind": _("One of: %(values)s.") % {"values": _values(OfferKind.choices)},
        "title": _("The course title, at most 200 characters, in any script."),
        "description": _("What the course is about, at most 10,000 characters."),
        "learning_outcomes": _("Optional, at most 5,000 characters."),
        "description_language": _(
            "Optional: the ISO 639-1 code of the language the title and description are "
            "written in, such as de or ja; empty means Tandem tells it from the text."
        ),
        "isced": _("ISCED-F detailed field, four digits with the leading zero: 0521."),
        "level": _("One of: %(values)s.") % {"values": _values(OfferLevel.choices)},
        "languages": _("Working languages with the CEFR level needed: en:B2; fr:B1."),
        "students": _("Class size, or seats for virtual mobility: 1 to 2000."),
        "term_start": _("The earliest start of the joint part: YYYY-MM-DD, 2000 to 2100."),
        "term_end": _(
            "The latest end of the joint part: YYYY-MM-DD, after term_start and at most "
            "four years later."
        ),
        "duration_weeks": _("Weeks the joint part lasts, 1 to 104; it must fit in the term."),
        "time_zone": _("The zone of the time windows, such as Asia/Kuala_Lumpur."),
        "sync_sessions": _("Live sessions wanted, 0 to 100; empty means 0."),
        "windows": _(
            "Weekly slots in that zone, English day names: Tue 15:00-17:00; Thu 9:00-11:00."
        ),
        "sdgs": _("SDG numbers, 1 to 17: 13; 14."),
        "priority": _("Optional, one of: %(values)s.") % {"values": _values(Priority.choices)},
        "theme_digitalisation": _("true or false; empty means false."),
        "theme_sustainability": _("true or false; empty means false."),
        "skills": _("Optional, separated by ;, from: %(values)s.")
        % {"values": _values(TransversalSkill.choices)},
        "preferred_countries": _("ISO country codes separated by ;: NL; DE."),
        "excluded_countries": _("ISO country codes separated by ;, none also preferred."),
        "partners_sought": _("1 to 10; empty means 1."),
        "status": _("draft (the default) or open: open publishes the offer at once."),
    }
    return [(name, name in REQUIRED, str(guide[name])) for name in COLUMNS]
