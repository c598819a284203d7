"""Checks on an offer's data that span several fields or child rows, and the formats of
the codes every input reads.

Shared by the pages, the API and the bulk import, so all three say the same thing."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, F, Q
from django.utils.translation import gettext_lazy as _

from core.terms import TERM_FIRST_DAY, TERM_LAST_DAY, TERM_MAX_DAYS
from core.vocabulary import CEFR_LEVELS
from offers.languages import LANGUAGE_NAMES

TERM_END_BEFORE_START = _("The term must end after it starts.")
TERM_DAY_OUTSIDE = _("Give a date from %(first)s to %(last)s.")
# No placeholder: the database constraint says it too (core.terms.TERM_MAX_DAYS).
TERM_TOO_LONG = _(
    "A term lasts at most four years; give the dates of the term in which the joint part can run."
)
DURATION_TOO_LONG = _(
    "The course lasts %(weeks)s weeks but the term window holds only %(available)s; "
    "shorten the duration or widen the term."
)
NO_LANGUAGE = _("Add at least one working language.")
DUPLICATE_LANGUAGE = _("%(language)s is listed twice; keep one line per language.")
UNKNOWN_LANGUAGE = _("“%(language)s” is not a language Tandem knows; pick one from the list.")
UNKNOWN_CEFR = _("“%(level)s” is not a CEFR level; use A1, A2, B1, B2, C1 or C2.")
WINDOW_END_BEFORE_START = _("%(window)s ends before it starts.")
WINDOWS_OVERLAP = _("%(first)s and %(second)s overlap; merge them into one window.")
SESSIONS_NEED_WINDOWS = _(
    "You want synchronous sessions: add at least one weekly time window when you can meet."
)
BAD_WEEKDAY = _("A weekday is a number from 0 (Monday) to 6 (Sunday).")
CONTROL_CHARACTERS = _("Remove the control characters (such as NUL) from the text.")
EXCLUDED_AND_PREFERRED = _("%(country)s is both preferred and excluded; choose one.")
ISCED_FORMAT = _("Use 2 to 4 digits, such as 05, 052 or 0521.")

# An ISCED-F code as written: broad (05), narrow (052) or detailed (0521).
ISCED_CODE = r"\A\d{2,4}\Z"

CEFR = CEFR_LEVELS
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WEEKDAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text or ""))


def weeks_between(start: dt.date, end: dt.date) -> int:
    """Whole weeks a term window holds (its last day included)."""
    return math.floor(((end - start).days + 1) / 7)


# The same rule, kept by the database (a constraint of offers.models.Offer): the matcher's
# calendar arithmetic never meets a year 1 or 9999. A day outside the window fails its
# field's validator before this.
TERM_CONSTRAINT = CheckConstraint(
    condition=Q(term_start__gte=TERM_FIRST_DAY)
    & Q(term_end__lte=TERM_LAST_DAY)
    & Q(term_end__lte=F("term_start") + dt.timedelta(days=TERM_MAX_DAYS)),
    name="offer_term_in_window",
    violation_error_message=TERM_TOO_LONG,
)


def validate_term_day(day: dt.date) -> None:
    """A term's first or last day lies in the window of core.terms (a field validator:
    the form, the API and the import all run it; the database checks it too)."""
    if not TERM_FIRST_DAY <= day <= TERM_LAST_DAY:
        raise ValidationError(
            TERM_DAY_OUTSIDE,
            code="term_day_outside",
            params={"first": TERM_FIRST_DAY.isoformat(), "last": TERM_LAST_DAY.isoformat()},
        )


def term_errors(start: dt.date | None, end: dt.date | None, weeks: int | None) -> dict:
    """The term as a whole: it ends after it starts, lasts at most TERM_MAX_DAYS and holds
    the duration. (Each day's window is `validate_term_day`'s, said once.)"""
    errors: dict[str, list] = {}
    if start and end:
        if end <= start:
            errors.setdefault("term_end", []).append(TERM_END_BEFORE_START)
        elif (end - start).days > TERM_MAX_DAYS and TERM_FIRST_DAY <= start <= end <= TERM_LAST_DAY:
            errors.setdefault("term_end", []).append(TERM_TOO_LONG)
        elif weeks and weeks > weeks_between(start, end):
            errors.setdefault("duration_weeks", []).append(
                DURATION_TOO_LONG % {"weeks": weeks, "available": weeks_between(start, end)}
            )
    return errors


def language_errors(languages: Iterable[tuple[str, str]]) -> list:
    errors, seen = [], set()
    languages = list(languages)
    if not languages:
        return [NO_LANGUAGE]
    for code, level in languages:
        if code not in LANGUAGE_NAMES:
            errors.append(UNKNOWN_LANGUAGE % {"language": code})
        elif code in seen:
            errors.append(DUPLICATE_LANGUAGE % {"language": LANGUAGE_NAMES[code]})
        if level not in CEFR:
            errors.append(UNKNOWN_CEFR % {"level": level})
        seen.add(code)
    return errors


def window_label(weekday: int, start: dt.time, end: dt.time) -> str:
    return f"{WEEKDAYS[weekday]} {start:%H:%M}–{end:%H:%M}"


def window_errors(windows: Iterable[tuple[int, dt.time, dt.time]], sync_sessions: int) -> list:
    windows = sorted(windows)
    errors = []
    if any(not 0 <= weekday <= 6 for weekday, _start, _end in windows):
        return [BAD_WEEKDAY]
    for weekday, start, end in windows:
        if end <= start:
            errors.append(WINDOW_END_BEFORE_START % {"window": window_label(weekday, start, end)})
    for (d1, s1, e1), (d2, s2, e2) in zip(windows, windows[1:], strict=False):
        if d1 == d2 and s2 < e1:
            errors.append(
                WINDOWS_OVERLAP
                % {"first": window_label(d1, s1, e1), "second": window_label(d2, s2, e2)}
            )
    if sync_sessions and not windows:
        errors.append(SESSIONS_NEED_WINDOWS)
    return errors
