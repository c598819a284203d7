"""Bulk import of offers from a CSV or JSON file, for an institution's international office.

Every row goes through the services the offer pages use (offer_create, then offer_publish
for status=open), each in its own savepoint: a good row is imported, a bad row is reported
with its row number and the reasons by column. A file that cannot be read as a whole (size,
encoding, format, columns, row count) is refused before any row is touched.

The columns are documented for offices in docs/import.md; keep the two in step.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.models import Affiliation, AffiliationRole, Country, Institution, User
from core.vocabulary import WEEKDAYS
from offers import services, validation
from offers.models import (
    IscedField,
    Offer,
    OfferKind,
    OfferLevel,
    OfferStatus,
    Priority,
    Sdg,
    TransversalSkill,
)

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
FORMATS = ("csv", "json")

# Every column, in the order of the example file.
COLUMNS = (
    "owner_email",
    "kind",
    "title",
    "description",
    "learning_outcomes",
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
IMPORT_STATUSES = (OfferStatus.DRAFT.value, OfferStatus.OPEN.value)
WEEKDAY_NAMES = tuple(day.lower() for day in WEEKDAYS)
TRUE = {"true", "yes", "y", "1"}
FALSE = {"false", "no", "n", "0"}

# --- messages: a whole file refused ---------------------------------------------------

FILE_EMPTY = _("The file is empty.")
CANNOT_READ = _("Cannot read %(path)s: %(error)s.")
FILE_TOO_BIG = _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
NO_ROWS = _("The file has no offers, only a header.")
TOO_MANY_ROWS = _(
    "The file has %(rows)s offers; the limit is %(limit)s per file. Split it into smaller files."
)
WRONG_TYPE = _("Upload a CSV file (.csv) or a JSON file (.json).")
SPREADSHEET = _(
    "This is a spreadsheet, not a CSV file. In your spreadsheet program, save it as "
    "“CSV UTF-8 (comma delimited)” and upload that file."
)
NOT_UTF8 = _(
    "The file is not UTF-8 text (the first problem is on line %(line)s). Save it as "
    "“CSV UTF-8 (comma delimited)”, or re-encode it as UTF-8."
)
BAD_CSV = _("The file is not valid CSV: %(error)s (line %(line)s).")
BAD_JSON = _("The file is not valid JSON: %(error)s (line %(line)s, column %(column)s).")
JSON_SHAPE = _(
    "A JSON file holds a list of offers, or an object with that list under “offers”; "
    "each offer is an object whose keys are the column names."
)
JSON_NOT_OBJECT = _("Entry %(row)s is not an object; each offer is an object of column: value.")
SEPARATOR = _(
    "The columns are separated by semicolons or tabs. Save the file with commas: "
    "“CSV UTF-8 (comma delimited)”."
)
MISSING_COLUMNS = _("Add the missing required columns: %(columns)s.")
UNKNOWN_COLUMNS = _(
    "Remove or rename the unknown columns: %(columns)s. Tandem reads these columns: %(known)s."
)
DUPLICATE_COLUMNS = _("These columns appear more than once: %(columns)s; keep one of each.")

# --- messages: one row rejected -------------------------------------------------------

REQUIRED_CELL = _("This column is required; fill it in.")
TOO_MANY_CELLS = _(
    "This row has %(cells)s cells but the header has %(columns)s; a comma inside a text "
    "must be in double quotes."
)
NESTED_VALUE = _("Give a text, a number or a list here, not an object.")
NOT_A_NUMBER = _("“%(value)s” is not a whole number.")
NOT_A_DATE = _("“%(value)s” is not a date; write it as YYYY-MM-DD, such as 2027-02-15.")
NOT_A_BOOLEAN = _("“%(value)s” is neither true nor false.")
NOT_A_CHOICE = _("“%(value)s” is not one of the allowed values: %(choices)s.")
UNKNOWN_ISCED = _(
    "“%(value)s” is not an ISCED-F code; give the detailed field in four digits, "
    "such as 0521 for environmental sciences."
)
ISCED_ZERO_DROPPED = _(
    "“%(value)s” has lost its leading zero; write 0%(value)s and format the column as text "
    "so that the spreadsheet keeps it."
)
BAD_LANGUAGE = _("“%(value)s” is not a language with its level; write code:level, such as en:B2.")
BAD_WINDOW = _(
    "“%(value)s” is not a weekly time window; write the day and the hours, such as Tue 15:00-17:00."
)
UNKNOWN_SDG = _("“%(value)s” is not a Sustainable Development Goal; use numbers from 1 to 17.")
UNKNOWN_COUNTRY = _(
    "“%(value)s” is not the two-letter ISO code of an ASEM partner country, such as MY or NL."
)
OWNER_NOT_LECTURER = _(
    "%(email)s is not a verified lecturer of %(institution)s. Offers are imported for "
    "verified lecturers only: ask them to claim their role on Tandem, then verify it."
)
ALREADY_IMPORTED = _(
    "%(owner)s already has the offer “%(title)s” starting on %(date)s (imported before, or "
    "earlier in this file). Remove the row, or change its title or term if it is another offer."
)
ROW_NOT_SAVED = _("This row could not be saved. Check its values, or write to the secretariat.")


class FileRefused(Exception):
    """The file as a whole cannot be imported; nothing was written."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass
class ImportedRow:
    row: int
    offer_id: int
    title: str
    owner_email: str
    status: str
    url: str


@dataclass
class RejectedRow:
    row: int
    title: str
    # Column name ("" for the row as a whole) → messages, in column order.
    errors: dict[str, list[str]]


@dataclass
class ImportReport:
    institution: Institution
    format: str
    atomic: bool
    rows: int = 0
    imported: list[ImportedRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    # All or nothing, and some rows were bad: the good ones were rolled back too.
    rolled_back: bool = False
    would_import: int = 0

    @property
    def row_label(self) -> str:
        """What the numbers count: spreadsheet rows, or entries of a JSON list."""
        return str(_("Row") if self.format == "csv" else _("Entry"))


# --- reading the file -----------------------------------------------------------------

Record = tuple[int, dict[str, object]]


def detect_format(filename: str, fmt: str = "") -> str:
    """csv or json: as asked, else from the file name's extension."""
    if fmt:
        if fmt not in FORMATS:
            raise FileRefused([str(WRONG_TYPE)])
        return fmt
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in ("xlsx", "xls", "xlsm", "ods", "numbers"):
        raise FileRefused([str(SPREADSHEET)])
    if extension in ("csv", "txt"):
        return "csv"
    if extension == "json":
        return "json"
    raise FileRefused([str(WRONG_TYPE)])


def check_size(size: int) -> None:
    """Refuse a file over the limit before reading it."""
    if size > MAX_BYTES:
        raise FileRefused(
            [str(FILE_TOO_BIG % {"size": filesizeformat(size), "limit": filesizeformat(MAX_BYTES)})]
        )


def read_path(path: Path) -> bytes:
    """A file's bytes from the server's disk (for the command), its size checked first."""
    try:
        check_size(path.stat().st_size)
        return path.read_bytes()
    except OSError as exc:
        raise FileRefused([str(CANNOT_READ % {"path": path, "error": exc.strerror})]) from None


def _decode(content: bytes) -> str:
    check_size(len(content))
    if content[:4] == b"PK\x03\x04":  # a zip: xlsx, ods, numbers
        raise FileRefused([str(SPREADSHEET)])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise FileRefused([str(NOT_UTF8 % {"line": line})]) from None
    if not text.strip():
        raise FileRefused([str(FILE_EMPTY)])
    return text


def _check_columns(columns: list[str]) -> None:
    problems = []
    duplicates = sorted({c for c in columns if columns.count(c) > 1 and c})
    if duplicates:
        problems.append(str(DUPLICATE_COLUMNS % {"columns": ", ".join(duplicates)}))
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        problems.append(str(MISSING_COLUMNS % {"columns": ", ".join(missing)}))
    unknown = [c for c in columns if c and c not in COLUMNS]
    if unknown:
        problems.append(
            str(UNKNOWN_COLUMNS % {"columns": ", ".join(unknown), "known": ", ".join(COLUMNS)})
        )
    if problems:
        raise FileRefused(problems)


def _read_csv(text: str) -> list[Record]:
    # Strict: after a stray quote the cells no longer line up with the header.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error as exc:
        raise FileRefused([str(BAD_CSV % {"error": exc, "line": reader.line_num})]) from None
    header = [c.strip().lower() for c in rows[0]]
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        raise FileRefused([str(SEPARATOR)])
    _check_columns(header)
    records: list[Record] = []
    for index, cells in enumerate(rows[1:], start=2):  # the header is row 1
        if not any(c.strip() for c in cells):
            continue  # blank lines and trailing ",,,," rows of spreadsheets
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            records.append(
                (
                    index,
                    {
                        "": str(TOO_MANY_CELLS % {"cells": len(cells), "columns": len(header)}),
                        "title": cells[header.index("title")],
                    },
                )
            )
            continue
        records.append(
            (index, {name: value for name, value in zip(header, cells, strict=False) if name})
        )
    return records


def _read_json(text: str) -> list[Record]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRefused(
            [str(BAD_JSON % {"error": exc.msg, "line": exc.lineno, "column": exc.colno})]
        ) from None
    if isinstance(data, dict) and set(data) == {"offers"}:
        data = data["offers"]
    if not isinstance(data, list):
        raise FileRefused([str(JSON_SHAPE)])
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise FileRefused([str(JSON_NOT_OBJECT % {"row": index})])
    keys: list[str] = []
    for item in data:
        keys.extend(k for k in item if k not in keys)
    unknown = [k for k in keys if k not in COLUMNS]
    if unknown:
        raise FileRefused(
            [str(UNKNOWN_COLUMNS % {"columns": ", ".join(unknown), "known": ", ".join(COLUMNS)})]
        )
    return list(enumerate(data, start=1))


def read_records(content: bytes, *, format: str) -> list[Record]:
    """The file's offers as (row number, column → value); FileRefused if it cannot be read.

    Row numbers are what the office sees: spreadsheet rows (the header is row 1) for CSV,
    positions in the list (from 1) for JSON."""
    text = _decode(content)
    records = _read_csv(text) if format == "csv" else _read_json(text)
    if not records:
        raise FileRefused([str(NO_ROWS)])
    if len(records) > MAX_ROWS:
        raise FileRefused([str(TOO_MANY_ROWS % {"rows": len(records), "limit": MAX_ROWS})])
    return records


# --- one row into OfferData -----------------------------------------------------------


def _text(value: object) -> str:
    """A cell as text: JSON numbers, booleans and lists become what a CSV cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        raise ValueError
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


class _Lookups:
    """Reference values and owners, read once per import."""

    def __init__(self, institution: Institution):
        self.institution = institution
        self.isced = set(IscedField.objects.values_list("code", flat=True))
        self.sdgs = set(Sdg.objects.values_list("number", flat=True))
        self.countries = set(Country.objects.values_list("code", flat=True))
        self._owners: dict[str, User | None] = {}

    def owner(self, email: str) -> User | None:
        email = email.lower()
        if email not in self._owners:
            affiliation = (
                Affiliation.objects.verified()
                .filter(
                    user__email=email,
                    institution=self.institution,
                    role=AffiliationRole.LECTURER,
                    user__is_active=True,
                )
                .select_related("user")
                .first()
            )
            self._owners[email] = affiliation.user if affiliation else None
        return self._owners[email]


@dataclass
class _Row:
    owner: User | None
    data: services.OfferData
    publish: bool
    errors: dict[str, list[str]]


def _choice(value: str, choices: list[tuple[str, str]] | tuple[str, ...]) -> str:
    allowed = [c[0] if isinstance(c, tuple) else c for c in choices]
    if value not in allowed:
        raise ValidationError(NOT_A_CHOICE % {"value": value, "choices": ", ".join(allowed)})
    return value


def _integer(value: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", value):
        raise ValidationError(NOT_A_NUMBER % {"value": value})
    return int(value)


def _date(value: str) -> dt.date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(NOT_A_DATE % {"value": value}) from None


def _boolean(value: str) -> bool:
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ValidationError(NOT_A_BOOLEAN % {"value": value})


def _isced(value: str, lookups: _Lookups) -> str:
    if value in lookups.isced:
        return value  # the service says so if it is a broad or narrow field
    if value.isdigit() and "0" + value in lookups.isced:
        raise ValidationError(ISCED_ZERO_DROPPED % {"value": value})
    raise ValidationError(UNKNOWN_ISCED % {"value": value})


def _languages(value: str) -> list[tuple[str, str]]:
    languages, problems = [], []
    for item in _items(value):
        code, colon, level = item.partition(":")
        if not colon or not code.strip() or not level.strip():
            problems.append(BAD_LANGUAGE % {"value": item})
        else:
            # Unknown codes, levels and duplicates are the service's to report.
            languages.append((code.strip().lower(), level.strip().upper()))
    if problems:
        raise ValidationError(problems)
    return languages


_WINDOW = re.compile(
    r"(?P<day>[a-z]{3})\s+(?P<start>\d{1,2}:\d{2})\s*[-–]\s*(?P<end>\d{1,2}:\d{2})", re.I
)


def _windows(value: str) -> list[tuple[int, dt.time, dt.time]]:
    windows, problems = [], []
    for item in _items(value):
        match = _WINDOW.fullmatch(item)
        try:
            if not match or match["day"].lower() not in WEEKDAY_NAMES:
                raise ValueError
            windows.append(
                (
                    WEEKDAY_NAMES.index(match["day"].lower()),
                    dt.time.fromisoformat(match["start"].zfill(5)),
                    dt.time.fromisoformat(match["end"].zfill(5)),
                )
            )
        except ValueError:
            problems.append(BAD_WINDOW % {"value": item})
    if problems:
        raise ValidationError(problems)
    return windows


def _sdgs(value: str, lookups: _Lookups) -> list[int]:
    numbers, problems = [], []
    for item in _items(value):
        if item.isdigit() and int(item) in lookups.sdgs:
            numbers.append(int(item))
        else:
            problems.append(UNKNOWN_SDG % {"value": item})
    if problems:
        raise ValidationError(problems)
    return sorted(set(numbers))


def _countries(value: str, lookups: _Lookups) -> list[str]:
    codes, problems = [], []
    for item in _items(value):
        if item.upper() in lookups.countries:
            codes.append(item.upper())
        else:
            problems.append(UNKNOWN_COUNTRY % {"value": item})
    if problems:
        raise ValidationError(problems)
    return sorted(set(codes))


def _skills(value: str) -> list[str]:
    skills = [_choice(item.lower(), TransversalSkill.choices) for item in _items(value)]
    return list(dict.fromkeys(skills))


def _parse(cells: dict[str, object], lookups: _Lookups) -> _Row:
    """Turn the cells into the values the services take. A cell that cannot be read is
    reported by its column and given to the service as missing, so that the service still
    reports every other problem of the row."""
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    for name in COLUMNS:
        try:
            text = _text(cells.get(name))
        except ValueError:
            errors[name] = [str(NESTED_VALUE)]
            continue
        if validation.has_control_characters(text):
            errors[name] = [str(validation.CONTROL_CHARACTERS)]
            continue
        if not text:
            if name in REQUIRED:
                errors[name] = [str(REQUIRED_CELL)]
            elif name in DEFAULTS:
                values[name] = DEFAULTS[name]
            continue
        try:
            values[name] = _convert(name, text, lookups)
        except ValidationError as exc:
            errors[name] = [str(m) for m in exc.messages]

    owner = None
    if "owner_email" in values:
        owner = lookups.owner(values["owner_email"])
        if owner is None:
            errors["owner_email"] = [
                str(
                    OWNER_NOT_LECTURER
                    % {"email": values["owner_email"], "institution": lookups.institution.name}
                )
            ]
    fields = {name: values.get(name) for name in services.OFFER_FIELDS}
    fields["skills"] = values.get("skills", [])
    data = services.OfferData(
        fields=fields,
        languages=values.get("languages", []),
        windows=values.get("windows", []),
        sdgs=values.get("sdgs", []),
        preferred_countries=values.get("preferred_countries", []),
        excluded_countries=values.get("excluded_countries", []),
    )
    return _Row(
        owner=owner,
        data=data,
        publish=values.get("status") == OfferStatus.OPEN,
        errors=errors,
    )


def _convert(name: str, text: str, lookups: _Lookups) -> object:
    if name in ("students", "duration_weeks", "sync_sessions", "partners_sought"):
        return _integer(text)
    if name in ("term_start", "term_end"):
        return _date(text)
    if name in ("theme_digitalisation", "theme_sustainability"):
        return _boolean(text)
    converters = {
        "owner_email": lambda t: t.lower(),
        "kind": lambda t: _choice(t.lower(), OfferKind.choices),
        "level": lambda t: _choice(t.lower(), OfferLevel.choices),
        "priority": lambda t: _choice(t.lower(), Priority.choices),
        "status": lambda t: _choice(t.lower(), IMPORT_STATUSES),
        "isced": lambda t: _isced(t, lookups),
        "languages": _languages,
        "windows": _windows,
        "sdgs": lambda t: _sdgs(t, lookups),
        "skills": _skills,
        "preferred_countries": lambda t: _countries(t, lookups),
        "excluded_countries": lambda t: _countries(t, lookups),
    }
    return converters.get(name, lambda t: t)(text)


# --- the import -----------------------------------------------------------------------


class _Discard(Exception):
    """Roll the row's savepoint back: the service accepted it but the file's cells did not."""


def _merge(errors: dict[str, list[str]], exc: ValidationError) -> None:
    """Add the service's messages, except for columns whose cell could not be read: the
    service only saw them as missing, and the reading problem says what to fix."""
    for name, messages in exc.message_dict.items():
        column = "" if name == NON_FIELD_ERRORS else name
        if column not in errors:
            errors[column] = [str(m) for m in messages]


def _already_imported(row: _Row, institution: Institution) -> bool:
    title, start = row.data.fields.get("title"), row.data.fields.get("term_start")
    return bool(
        row.owner
        and title
        and start
        and Offer.objects.filter(
            institution=institution, owner=row.owner, title=title, term_start=start
        ).exists()
    )


def _import_row(
    number: int, cells: dict[str, object], lookups: _Lookups, report: ImportReport
) -> None:
    if "" in cells:
        # Refused while reading: the cells do not line up with the header, so any other
        # message about them would be noise.
        report.rejected.append(
            RejectedRow(row=number, title=_title_of(cells), errors={"": [str(cells[""])]})
        )
        return
    row = _parse(cells, lookups)
    errors = row.errors
    if _already_imported(row, lookups.institution):
        errors.setdefault("title", []).append(
            str(
                ALREADY_IMPORTED
                % {
                    "owner": row.owner.email,
                    "title": row.data.fields["title"],
                    "date": row.data.fields["term_start"].isoformat(),
                }
            )
        )
    offer = None
    if row.owner is not None:
        try:
            with transaction.atomic():
                offer = services.offer_create(
                    owner=row.owner, institution=lookups.institution, data=row.data
                )
                if row.publish:
                    offer = services.offer_publish(offer=offer, actor=row.owner)
                if errors:
                    raise _Discard
        except _Discard:
            offer = None
        except ValidationError as exc:
            offer = None
            _merge(errors, exc)
        except PermissionDenied as exc:
            offer = None
            errors.setdefault("owner_email", []).append(str(exc))
        except IntegrityError:
            logger.exception("offer import: row %s of institution %s", number, lookups.institution)
            offer = None
            errors.setdefault("", []).append(str(ROW_NOT_SAVED))
    if offer is None:
        order = {name: i for i, name in enumerate(("", *COLUMNS))}
        report.rejected.append(
            RejectedRow(
                row=number,
                title=_title_of(cells),
                errors=dict(sorted(errors.items(), key=lambda e: order.get(e[0], len(order)))),
            )
        )
        return
    report.imported.append(
        ImportedRow(
            row=number,
            offer_id=offer.pk,
            title=offer.title,
            owner_email=row.owner.email,
            status=offer.status,
            url=offer.get_absolute_url(),
        )
    )


def _title_of(cells: dict[str, object]) -> str:
    try:
        title = _text(cells.get("title"))
    except ValueError:
        return ""
    return title if len(title) <= 80 else title[:79] + "…"


def offers_import(
    *,
    institution: Institution,
    content: bytes,
    format: str,
    atomic: bool = False,
) -> ImportReport:
    """Import the file's offers into the institution; report what was imported and why
    each other row was not.

    The caller has checked that the actor may import for this institution. Raises
    FileRefused, having written nothing, when the file cannot be read as a whole. With
    atomic=True nothing is imported when any row is bad; the report still lists them all."""
    records = read_records(content, format=format)
    report = ImportReport(institution=institution, format=format, atomic=atomic, rows=len(records))
    lookups = _Lookups(institution)
    with transaction.atomic():
        for number, cells in records:
            _import_row(number, cells, lookups, report)
        if atomic and report.rejected:
            report.rolled_back = True
            report.would_import = len(report.imported)
            report.imported = []
            transaction.set_rollback(True)
    return report


# --- the columns, for the import page ---------------------------------------------------


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
        "isced": _("ISCED-F detailed field, four digits with the leading zero: 0521."),
        "level": _("One of: %(values)s.") % {"values": _values(OfferLevel.choices)},
        "languages": _("Working languages with the CEFR level needed: en:B2; fr:B1."),
        "students": _("Class size, or seats for virtual mobility: 1 to 2000."),
        "term_start": _("The earliest start of the joint part: YYYY-MM-DD."),
        "term_end": _("The latest end of the joint part: YYYY-MM-DD, after term_start."),
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
