"""How the statistics' numbers read on the page (the exports carry the same values,
unformatted)."""

from __future__ import annotations

from django import template
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from balance.figures import ROUNDING

register = template.Library()

MINUS = "\u2212"


def _formats() -> tuple:
    """The active language's decimal separator, grouping and thousand separator."""
    lang = get_language()
    return tuple(
        get_format(name, lang, use_l10n=True)
        for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
    )


def number_format(value, decimal_pos=None, force_grouping=False, formats=None) -> str:
    """django.utils.formats.number_format, with the language's formats looked up once per
    table rather than once per cell."""
    decimal_sep, grouping, thousand_sep = formats or _formats()
    return numberformat.format(
        value,
        decimal_sep,
        decimal_pos,
        grouping,
        thousand_sep,
        force_grouping=force_grouping,
        use_l10n=True,
    )


@register.filter
def fmt_int(value, formats=None) -> str:
    if value is None:
        return "—"
    return number_format(int(value), force_grouping=True, formats=formats)


@register.filter
def fmt_index(value, formats=None) -> str:
    """+0.13, −0.12, 0.00; a dash when there is no flow."""
    if value is None:
        return "—"
    rounded = round(float(value), 2)
    if rounded == 0:
        return number_format(0.0, 2, formats=formats)
    text = number_format(abs(rounded), 2, formats=formats)
    return ("+" if rounded > 0 else MINUS) + text


@register.filter
def fmt_cell(value, kind: str, formats=None) -> str:
    if kind == "text":
        return "" if value is None else str(value)
    if value is None:
        return "—"
    if kind == "int":
        return fmt_int(value, formats)
    if kind == "index":
        return fmt_index(value, formats)
    digits = ROUNDING.get(kind, 0)
    text = number_format(round(float(value), digits), digits, force_grouping=True, formats=formats)
    return f"{text} %" if kind == "pct" else text


@register.filter
def cell(row: dict, column, formats=None) -> str:
    """A table cell of the statistics: the summary's rows carry their own kind."""
    kind = row.get("kind", column.kind) if column.key == "value" else column.kind
    return fmt_cell(row.get(column.key), kind, formats)


@register.filter
def is_numeric_cell(row: dict, column) -> bool:
    kind = row.get("kind", column.kind) if column.key == "value" else column.kind
    return kind != "text"


@register.filter
def table_rows(table) -> str:
    """The body rows of a statistics table, as the cell-by-cell loop rendered them (row
    header, numeric cells, text cells), built in one pass: the pair and country tables
    run to thousands of cells, and the template engine took most of the page's time."""
    columns = table.columns
    formats = _formats()
    parts = []
    for row in table.rows:
        parts.append("<tr>")
        for i, column in enumerate(columns):
            text = conditional_escape(cell(row, column, formats))
            if i == 0:
                parts.append(f'<th scope="row">{text}</th>')
            elif is_numeric_cell(row, column):
                parts.append(f'<td class="num">{text}</td>')
            else:
                parts.append(f"<td>{text}</td>")
        parts.append("</tr>\n  ")
    return mark_safe("".join(parts))  # noqa: S308 - every cell escaped above
