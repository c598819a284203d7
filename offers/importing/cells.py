"""One row's cells into the values the offer services take (offers.services.OfferData).

Only reading happens here: text, whole numbers, dates, true/false, the lists of the
languages, windows, SDGs, skills and countries columns. Whether the values make a good
offer (known codes and choices, bounds, dates in order, overlapping windows…) is the
services' to say, in the words the pages and the API use."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.spreadsheet import restore_cell
from core.text_language import detect_language
from offers import services, validation
from offers.importing.columns import (
    COLUMNS,
    DEFAULTS,
    FALSE,
    IMPORT_STATUSES,
    REQUIRED,
    TRUE,
    WEEKDAY_NAMES,
)
from offers.models import OfferStatus

REQUIRED_CELL = _("This column is required; fill it in.")
NESTED_VALUE = _("Give a text, a number or a list here, not an object.")
NOT_A_NUMBER = _("“%(value)s” is not a whole number.")
NOT_A_DATE = _("“%(value)s” is not a date; write it as YYYY-MM-DD, such as 2027-02-15.")
NOT_A_BOOLEAN = _("“%(value)s” is neither true nor false.")
ISCED_ZERO_DROPPED = _(
    "“%(value)s” has lost its leading zero; write 0%(value)s and format the column as text "
    "so that the spreadsheet keeps it."
)
BAD_LANGUAGE = _("“%(value)s” is not a language with its level; write code:level, such as en:B2.")
BAD_WINDOW = _(
    "“%(value)s” is not a weekly time window; write the day and the hours, such as Tue 15:00-17:00."
)

_INTEGER = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WINDOW = re.compile(
    r"(?P<day>[a-z]{3})\s+(?P<start>\d{1,2}:\d{2})\s*[-–]\s*(?P<end>\d{1,2}:\d{2})", re.I
)


@dataclass
class ParsedRow:
    owner_email: str | None
    data: services.OfferData
    publish: bool
    # Column → what could not be read; those columns reach the services as missing.
    errors: dict[str, list[str]]


def cell_text(value: object) -> str:
    """A cell as text: JSON numbers, booleans and lists become what a CSV cell would hold.
    ValueError for a JSON object."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        raise ValueError
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


def _integer(text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise ValidationError(NOT_A_NUMBER % {"value": text})
    return int(text)


def _date(text: str) -> dt.date:
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(NOT_A_DATE % {"value": text}) from None


def _boolean(text: str) -> bool:
    if text.lower() in TRUE:
        return True
    if text.lower() in FALSE:
        return False
    raise ValidationError(NOT_A_BOOLEAN % {"value": text})


def _status(text: str) -> str:
    if text.lower() not in IMPORT_STATUSES:
        allowed = ", ".join(IMPORT_STATUSES)
        raise ValidationError(services.NOT_A_CHOICE % {"value": text, "choices": allowed})
    return text.lower()


def _languages(text: str) -> list[tuple[str, str]]:
    languages, problems = [], []
    for item in _items(text):
        code, colon, level = item.partition(":")
        if not colon or not code.strip() or not level.strip():
            problems.append(BAD_LANGUAGE % {"value": item})
        else:
            languages.append((code.strip().lower(), level.strip().upper()))
    if problems:
        raise ValidationError(problems)
    return languages


def _window(item: str) -> tuple[int, dt.time, dt.time]:
    match = _WINDOW.fullmatch(item)
    if not match or match["day"].lower() not in WEEKDAY_NAMES:
        raise ValueError
    return (
        WEEKDAY_NAMES.index(match["day"].lower()),
        dt.time.fromisoformat(match["start"].zfill(5)),
        dt.time.fromisoformat(match["end"].zfill(5)),
    )


def _windows(text: str) -> list[tuple[int, dt.time, dt.time]]:
    windows, problems = [], []
    for item in _items(text):
        try:
            windows.append(_window(item))
        except ValueError:
            problems.append(BAD_WINDOW % {"value": item})
    if problems:
        raise ValidationError(problems)
    return windows


def _numbers(text: str) -> list[int]:
    numbers, problems = [], []
    for item in _items(text):
        if _INTEGER.fullmatch(item):
            numbers.append(int(item))
        else:
            problems.append(NOT_A_NUMBER % {"value": item})
    if problems:
        raise ValidationError(problems)
    return sorted(set(numbers))


def _codes(text: str) -> list[str]:
    return sorted({item.upper() for item in _items(text)})


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(item.lower() for item in _items(text)))


def _isced(text: str, known: Collection[str]) -> str:
    """The code as written (whether it exists is the service's to say), except when a
    spreadsheet has visibly dropped its leading zero."""
    if text not in known and text.isdigit() and "0" + text in known:
        raise ValidationError(ISCED_ZERO_DROPPED % {"value": text})
    return text


_READERS: dict[str, Callable[[str], object]] = {
    "owner_email": str.lower,
    # Codes are written in any case.
    "kind": str.lower,
    "level": str.lower,
    "priority": str.lower,
    "description_language": str.lower,
    "status": _status,
    "students": _integer,
    "duration_weeks": _integer,
    "sync_sessions": _integer,
    "partners_sought": _integer,
    "term_start": _date,
    "term_end": _date,
    "theme_digitalisation": _boolean,
    "theme_sustainability": _boolean,
    "languages": _languages,
    "windows": _windows,
    "sdgs": _numbers,
    "skills": _words,
    "preferred_countries": _codes,
    "excluded_countries": _codes,
}
_EMPTY = object()


def _read_cell(name: str, value: object, isced_codes: Collection[str]) -> object:
    """The cell's value, _EMPTY for an empty optional cell without a default; a
    ValidationError says why it cannot be read."""
    try:
        # The export quotes text that a spreadsheet would run as a formula: unquote.
        text = restore_cell(cell_text(value))
    except ValueError:
        raise ValidationError(NESTED_VALUE) from None
    # A NUL cannot even be looked up in the database.
    if validation.has_control_characters(text):
        raise ValidationError(validation.CONTROL_CHARACTERS)
    if not text:
        if name in REQUIRED:
            raise ValidationError(REQUIRED_CELL)
        return DEFAULTS.get(name, _EMPTY)
    if name == "isced":
        return _isced(text, isced_codes)
    return _READERS.get(name, str)(text)


def parse_row(cells: dict[str, object], *, isced_codes: Collection[str]) -> ParsedRow:
    """Read every cell. A cell that cannot be read is reported by its column and given to
    the service as missing, so that the service still reports every other problem."""
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    for name in COLUMNS:
        try:
            value = _read_cell(name, cells.get(name), isced_codes)
        except ValidationError as exc:
            errors[name] = [str(m) for m in exc.messages]
            continue
        if value is not _EMPTY:
            values[name] = value
    fields = {name: values.get(name) for name in services.OFFER_FIELDS}
    fields["skills"] = values.get("skills", [])
    if not fields["description_language"]:  # not given: told from the text, if it can be
        text = f"{fields['title'] or ''}\n{fields['description'] or ''}"
        fields["description_language"] = detect_language(text)
    data = services.OfferData(
        fields=fields,
        languages=values.get("languages", []),
        windows=values.get("windows", []),
        sdgs=values.get("sdgs", []),
        preferred_countries=values.get("preferred_countries", []),
        excluded_countries=values.get("excluded_countries", []),
    )
    return ParsedRow(
        owner_email=values.get("owner_email"),
        data=data,
        publish=values.get("status") == OfferStatus.OPEN,
        errors=errors,
    )


def title_of(cells: dict[str, object]) -> str:
    """The row's title for the report, shortened."""
    try:
        title = restore_cell(cell_text(cells.get("title")))
    except ValueError:
        return ""
    return title if len(title) <= 80 else title[:79] + "…"
