"""How the statistics' numbers read on the page (the exports carry the same values,
unformatted)."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

from balance.stats import ROUNDING

register = template.Library()

MINUS = "\u2212"


@register.filter
def fmt_int(value) -> str:
    if value is None:
        return "—"
    return number_format(int(value), force_grouping=True)


@register.filter
def fmt_index(value) -> str:
    """+0.13, −0.12, 0.00; a dash when there is no flow."""
    if value is None:
        return "—"
    rounded = round(float(value), 2)
    if rounded == 0:
        return number_format(0.0, 2)
    text = number_format(abs(rounded), 2)
    return ("+" if rounded > 0 else MINUS) + text


@register.filter
def fmt_cell(value, kind: str) -> str:
    if kind == "text":
        return "" if value is None else str(value)
    if value is None:
        return "—"
    if kind == "int":
        return fmt_int(value)
    if kind == "index":
        return fmt_index(value)
    digits = ROUNDING.get(kind, 0)
    text = number_format(round(float(value), digits), digits, force_grouping=True)
    return f"{text} %" if kind == "pct" else text


@register.filter
def cell(row: dict, column) -> str:
    """A table cell of the statistics: the summary's rows carry their own kind."""
    kind = row.get("kind", column.kind) if column.key == "value" else column.kind
    return fmt_cell(row.get(column.key), kind)


@register.filter
def is_numeric_cell(row: dict, column) -> bool:
    kind = row.get("kind", column.kind) if column.key == "value" else column.kind
    return kind != "text"
