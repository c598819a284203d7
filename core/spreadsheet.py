"""Text cells that a spreadsheet would run as formulas (CSV/formula injection).

Every export (offers, statistics) writes cells through `safe_cell`; the offer import
reads them back through `restore_cell`, so exporting and importing again gives the text
exactly as it was."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The spreadsheet's own "this is text" mark.
QUOTE = "'"


def safe_cell(value):
    """A text starting like a formula gets a leading apostrophe; so does a text that
    already starts with an apostrophe before such a character (or another apostrophe),
    so that `restore_cell` can tell the two apart."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START) or (
        value.startswith(QUOTE) and value[1:2] and value[1:2] in (*FORMULA_START, QUOTE)
    ):
        return QUOTE + value
    return value


def restore_cell(text: str) -> str:
    """The inverse of `safe_cell` for a text cell read back from a file."""
    rest = text[1:]
    if text.startswith(QUOTE) and rest[:1] and rest[:1] in (*FORMULA_START, QUOTE):
        return rest
    return text
