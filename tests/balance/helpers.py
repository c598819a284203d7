"""Reading the dashboard as a user does: its tables, cell by cell."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.summary: dict[str, str] = {}
        self._table = None
        self._row = None
        self._cell = None
        self._dd = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-table"):
            self._table = attrs["data-table"]
            self.tables[self._table] = []
        elif self._table and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("th", "td"):
            self._cell = []
        elif tag == "dd" and attrs.get("data-key"):
            self._dd = attrs["data-key"]
            self.summary[self._dd] = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag in ("th", "td") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "dd":
            self._dd = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._dd:
            self.summary[self._dd] += data.strip()


def page_tables(html: bytes | str) -> dict[str, list[list[str]]]:
    """Each statistics table of the page by its slug: header row first, then the rows."""
    parser = _Tables()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser.tables


def page_summary(html: bytes) -> dict[str, str]:
    parser = _Tables()
    parser.feed(html.decode())
    return parser.summary


def body(table: list[list[str]]) -> list[list[str]]:
    return table[1:]


def as_number(text: str) -> str:
    """A page cell as the exports write it: no grouping, a plain minus, no '+', no '%'."""
    text = text.replace(",", "").replace("\u2212", "-").replace(" %", "").strip()
    if text == "—":
        return ""
    return text[1:] if text.startswith("+") else text


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def norm(cell) -> object:
    """A cell's value, page or export: numbers compared as numbers (0.10 is 0.1)."""
    text = as_number(str(cell)) if not isinstance(cell, int | float) else cell
    try:
        return float(text)
    except (TypeError, ValueError):
        return text


def norm_rows(rows) -> list[list]:
    return [[norm(c) for c in row] for row in rows]
