"""Reading an import file as a whole: its type, size, encoding, CSV or JSON structure and
columns, into numbered records of column → cell. A file that cannot be read as a whole is
refused (FileRefused) before any row is touched."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from offers.importing.columns import COLUMNS, REQUIRED

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
# A list of offers, each an object whose cells may be lists: three levels are needed.
MAX_JSON_DEPTH = 10
FORMATS = ("csv", "json")

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
JSON_TOO_DEEP = _(
    "The JSON nests lists or objects more than %(limit)s levels deep; an offer is an object "
    "of column: value, and a value is a text, a number or a list of them."
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
# One row refused while reading: its cells do not line up with the header.
TOO_MANY_CELLS = _(
    "This row has %(cells)s cells but the header has %(columns)s; a comma inside a text "
    "must be in double quotes."
)


class FileRefused(Exception):
    """The file as a whole cannot be imported; nothing was written."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass
class Record:
    """One offer of the file, numbered as the office sees it: the spreadsheet row (the
    header is row 1) for CSV, the position in the list (from 1) for JSON."""

    number: int
    cells: dict[str, object]
    # Why the row cannot be read at all; any other message about its cells would be noise.
    refused: str = ""


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


def _unknown_columns(columns: list[str]) -> str:
    return str(UNKNOWN_COLUMNS % {"columns": ", ".join(columns), "known": ", ".join(COLUMNS)})


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
        problems.append(_unknown_columns(unknown))
    if problems:
        raise FileRefused(problems)


def _csv_rows(text: str) -> list[list[str]]:
    # Strict: after a stray quote the cells no longer line up with the header.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error as exc:
        raise FileRefused([str(BAD_CSV % {"error": exc, "line": reader.line_num})]) from None
    return rows


def _read_csv(text: str) -> list[Record]:
    rows = _csv_rows(text)
    header = [c.strip().lower() for c in rows[0]]
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        raise FileRefused([str(SEPARATOR)])
    _check_columns(header)
    records: list[Record] = []
    for number, cells in enumerate(rows[1:], start=2):  # the header is row 1
        if not any(c.strip() for c in cells):
            continue  # blank lines and trailing ",,,," rows of spreadsheets
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            problem = TOO_MANY_CELLS % {"cells": len(cells), "columns": len(header)}
            title = cells[header.index("title")]
            records.append(Record(number, {"title": title}, refused=str(problem)))
            continue
        row = {name: value for name, value in zip(header, cells, strict=False) if name}
        records.append(Record(number, row))
    return records


def _too_deep(data: object) -> bool:
    """Whether lists or objects nest past MAX_JSON_DEPTH (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


def _read_json(text: str) -> list[Record]:
    too_deep = FileRefused([str(JSON_TOO_DEEP % {"limit": MAX_JSON_DEPTH})])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRefused(
            [str(BAD_JSON % {"error": exc.msg, "line": exc.lineno, "column": exc.colno})]
        ) from None
    except RecursionError:  # thousands of levels: the parser gives up before we can count
        raise too_deep from None
    if _too_deep(data):
        raise too_deep
    if isinstance(data, dict) and set(data) == {"offers"}:
        data = data["offers"]
    if not isinstance(data, list):
        raise FileRefused([str(JSON_SHAPE)])
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise FileRefused([str(JSON_NOT_OBJECT % {"row": number})])
    keys: list[str] = []
    for item in data:
        keys.extend(k for k in item if k not in keys)
    unknown = [k for k in keys if k not in COLUMNS]
    if unknown:
        raise FileRefused([_unknown_columns(unknown)])
    return [Record(number, item) for number, item in enumerate(data, start=1)]


def read_records(content: bytes, *, format: str) -> list[Record]:
    """The file's offers, numbered; FileRefused if the file cannot be read as a whole."""
    text = _decode(content)
    records = _read_csv(text) if format == "csv" else _read_json(text)
    if not records:
        raise FileRefused([str(NO_ROWS)])
    if len(records) > MAX_ROWS:
        raise FileRefused([str(TOO_MANY_ROWS % {"rows": len(records), "limit": MAX_ROWS})])
    return records
