"""Checking a draft of the agreed terms (exchanges.drafting) field by field, with a message
per field that says what to do; and the short line that says what changed between two
versions, for the timeline and the notifications."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from exchanges.drafting import AGREED_FIELDS, CREDIT_SYSTEMS, MODES, Session
from exchanges.errors import ProposalError
from offers.languages import LANGUAGE_NAMES

MAX_STUDENTS = 5000
MAX_SESSIONS = 60
MIN_MINUTES, MAX_MINUTES = 15, 480
MAX_CREDITS = Decimal("999")
TEXT_LIMITS = {"joint_assignment": 2000, "platform": 200}

NOT_A_FIELD = _("“%(name)s” is not one of the agreed terms.")
WHOLE_NUMBER = _("Enter a whole number from %(low)s to %(high)s.")
NO_NUL = _("Remove the NUL character: it cannot be stored.")
TOO_LONG = _("At most %(n)s characters.")
BAD_MODE = _("Choose COIL or virtual mobility.")
BAD_LANGUAGE = _("Choose a working language from the list.")
BAD_CREDITS = _("Enter a number of credits of 0 or more (such as 5 or 2.5), or leave it empty.")
BAD_SYSTEM = _("Choose ECTS or local credits.")
SESSIONS_LIST = _("Give the sessions as a list of a start and a length in minutes.")
SESSION_START = _("Session %(n)s: give its start as a date and time with its time zone.")
SESSION_MINUTES = _("Session %(n)s: its length is from %(low)s to %(high)s minutes.")
SESSION_ORDER = _("Session %(n)s starts before the one listed before it: list them in order.")
SESSION_OVERLAP = _("Session %(n)s starts before session %(prev)s ends.")
TOO_MANY_SESSIONS = _("%(given)s sessions are planned but %(count)s agreed: add to the number.")


def _whole(value, low: int, high: int) -> int:
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(WHOLE_NUMBER % {"low": low, "high": high})
    return value


def _text(value, limit: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(TOO_LONG % {"n": limit})
    if "\x00" in value:
        raise ValidationError(NO_NUL)
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(TOO_LONG % {"n": limit})
    return value


def _credits(value) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValidationError(BAD_CREDITS)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(BAD_CREDITS) from None
    if not number.is_finite() or number < 0 or number > MAX_CREDITS:
        raise ValidationError(BAD_CREDITS)
    number = number.quantize(Decimal("0.01")).normalize()
    return format(number, "f")


def _sessions(value, count: int | None) -> list[dict]:
    if not isinstance(value, list):
        raise ValidationError(SESSIONS_LIST)
    out: list[dict] = []
    previous: Session | None = None
    for n, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ValidationError(SESSIONS_LIST)
        start = item.get("start")
        try:
            moment = dt.datetime.fromisoformat(start) if isinstance(start, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValidationError(SESSION_START % {"n": n})
        minutes = item.get("minutes")
        if isinstance(minutes, str) and minutes.strip().isdigit():
            minutes = int(minutes)
        if (
            isinstance(minutes, bool)
            or not isinstance(minutes, int)
            or not MIN_MINUTES <= minutes <= MAX_MINUTES
        ):
            raise ValidationError(
                SESSION_MINUTES % {"n": n, "low": MIN_MINUTES, "high": MAX_MINUTES}
            )
        session = Session(moment.astimezone(dt.UTC), minutes)
        if previous is not None:
            if session.start < previous.start:
                raise ValidationError(SESSION_ORDER % {"n": n})
            if session.start < previous.end:
                raise ValidationError(SESSION_OVERLAP % {"n": n, "prev": n - 1})
        previous = session
        out.append({"start": session.start.isoformat(), "minutes": minutes})
    if count is not None and len(out) > count:
        raise ValidationError(TOO_MANY_SESSIONS % {"given": len(out), "count": count})
    return out


def clean_terms(data: dict) -> dict:
    """The draft `data` checked and in its stored form; a ValidationError names every
    field that is wrong, with what to do."""
    errors: dict[str, list] = {}
    clean: dict = {}

    def check(name, fn, *args):
        try:
            clean[name] = fn(data.get(name), *args)
        except ValidationError as exc:
            errors[name] = exc.messages

    for name in data:
        if name not in AGREED_FIELDS:
            errors[name] = [NOT_A_FIELD % {"name": name}]
    check("students_asia_to_europe", _whole, 0, MAX_STUDENTS)
    check("students_europe_to_asia", _whole, 0, MAX_STUDENTS)
    check("session_count", _whole, 1, MAX_SESSIONS)
    check("sessions", _sessions, clean.get("session_count"))
    check("mode", _choice, MODES, BAD_MODE)
    check("working_language", _choice, tuple(LANGUAGE_NAMES), BAD_LANGUAGE)
    for side in ("asia", "europe"):
        check(f"credits_{side}", _credits)
        check(f"credit_system_{side}", _choice, CREDIT_SYSTEMS, BAD_SYSTEM)
    for name, limit in TEXT_LIMITS.items():
        check(name, _text, limit)
    if errors:
        raise ValidationError(errors, code=ProposalError.INVALID_TERMS)
    return {name: clean[name] for name in AGREED_FIELDS}


def _choice(value, allowed: tuple, message) -> str:
    if value not in allowed:
        raise ValidationError(message)
    return value


# --- what changed --------------------------------------------------------------------------

SUMMARY_LABELS = {
    "students_asia_to_europe": _("students Asia → Europe"),
    "students_europe_to_asia": _("students Europe → Asia"),
    "session_count": _("number of sessions"),
    "mode": _("mode"),
    "working_language": _("working language"),
    "credits_asia": _("credits (Asia)"),
    "credit_system_asia": _("credit system (Asia)"),
    "credits_europe": _("credits (Europe)"),
    "credit_system_europe": _("credit system (Europe)"),
    "joint_assignment": _("joint assignment"),
    "platform": _("platform"),
}


def describe_changes(before: dict | None, after: dict) -> str:
    """A short line for the timeline: “students Asia → Europe 35 → 30; 6 sessions planned”."""
    if before is None:
        return str(_("first draft, from the two offers"))
    parts = []
    for name, label in SUMMARY_LABELS.items():
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in TEXT_LIMITS:
            parts.append(str(_("%(label)s changed") % {"label": label}))
        else:
            parts.append(f"{label} {_shown(old)} → {_shown(new)}")
    if before.get("sessions") != after.get("sessions"):
        n = len(after.get("sessions") or [])
        parts.append(str(_("sessions planned: %(n)s") % {"n": n}))
    return "; ".join(parts)


def _shown(value) -> str:
    return "—" if value in (None, "") else str(value)
