"""Bulk import of offers from a CSV or JSON file, for an institution's international office.

The importer only reads files; the offer's rules and their messages are the services'
(offers.services, offers.validation), as for the pages and the API:

- columns: the format's columns, which are required, what an empty cell means;
- files: a file as a whole (type, size, encoding, CSV or JSON, columns) into numbered
  records, or FileRefused before any row is touched;
- cells: one record's cells (text, numbers, dates, lists) into services.OfferData;
- report: what was imported and why each other row was not;
- runner: each row through offer_create (and offer_publish), in its own savepoint.

The columns are documented for offices in docs/import.md; keep the two in step.
"""

from offers.importing.cells import (
    BAD_LANGUAGE,
    BAD_WINDOW,
    ISCED_ZERO_DROPPED,
    NESTED_VALUE,
    NOT_A_BOOLEAN,
    NOT_A_DATE,
    NOT_A_NUMBER,
    REQUIRED_CELL,
)
from offers.importing.columns import COLUMNS, REQUIRED, WEEKDAY_NAMES, column_guide
from offers.importing.files import (
    BAD_CSV,
    BAD_JSON,
    CANNOT_READ,
    DUPLICATE_COLUMNS,
    FILE_EMPTY,
    FILE_TOO_BIG,
    FORMATS,
    JSON_NOT_OBJECT,
    JSON_SHAPE,
    MAX_BYTES,
    MAX_ROWS,
    MISSING_COLUMNS,
    NO_ROWS,
    NOT_UTF8,
    SEPARATOR,
    SPREADSHEET,
    TOO_MANY_CELLS,
    TOO_MANY_ROWS,
    UNKNOWN_COLUMNS,
    WRONG_TYPE,
    FileRefused,
    check_size,
    detect_format,
    read_path,
    read_records,
)
from offers.importing.report import ImportedRow, ImportReport, RejectedRow
from offers.importing.runner import (
    ALREADY_IMPORTED,
    OWNER_NOT_LECTURER,
    ROW_NOT_SAVED,
    offers_import,
)

__all__ = [
    "ALREADY_IMPORTED",
    "BAD_CSV",
    "BAD_JSON",
    "BAD_LANGUAGE",
    "BAD_WINDOW",
    "CANNOT_READ",
    "COLUMNS",
    "DUPLICATE_COLUMNS",
    "FILE_EMPTY",
    "FILE_TOO_BIG",
    "FORMATS",
    "ISCED_ZERO_DROPPED",
    "JSON_NOT_OBJECT",
    "JSON_SHAPE",
    "MAX_BYTES",
    "MAX_ROWS",
    "MISSING_COLUMNS",
    "NESTED_VALUE",
    "NOT_A_BOOLEAN",
    "NOT_A_DATE",
    "NOT_A_NUMBER",
    "NO_ROWS",
    "NOT_UTF8",
    "OWNER_NOT_LECTURER",
    "REQUIRED",
    "REQUIRED_CELL",
    "ROW_NOT_SAVED",
    "SEPARATOR",
    "SPREADSHEET",
    "TOO_MANY_CELLS",
    "TOO_MANY_ROWS",
    "UNKNOWN_COLUMNS",
    "WEEKDAY_NAMES",
    "WRONG_TYPE",
    "FileRefused",
    "ImportReport",
    "ImportedRow",
    "RejectedRow",
    "check_size",
    "column_guide",
    "detect_format",
    "offers_import",
    "read_path",
    "read_records",
]
