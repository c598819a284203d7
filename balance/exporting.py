"""CSV and XLSX of the statistics' tables: the same values as the page, unformatted
(indexes to two decimals, percentages to one), one table a file or all in one workbook."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from balance.stats import Statistics, Table
from core.spreadsheet import safe_cell


def header(table: Table) -> list[str]:
    return [str(c.label) for c in table.columns]


def rows(table: Table) -> list[list]:
    return [[safe_cell(table.value(row, c)) for c in table.columns] for row in table.rows]


def table_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(table))
    writer.writerows(rows(table))
    # With a byte-order mark, spreadsheet programs read the UTF-8 (→, ₂, names) right.
    return ("\ufeff" + out.getvalue()).encode()


def workbook(stats: Statistics, slugs: list[str], about: list[tuple[str, str]]) -> bytes:
    book = Workbook()
    first = book.active
    first.title = _("About")[:31]
    first.append([_("Tandem — exchange balance statistics")])
    first["A1"].font = Font(bold=True)
    for label, value in about:
        first.append([label, value])
    for slug in slugs:
        table = stats.tables[slug]
        sheet = book.create_sheet(title=slug[:31])
        sheet.append([str(table.title)])
        sheet["A1"].font = Font(bold=True)
        sheet.append(header(table))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows(table):
            sheet.append(row)
        for i, column in enumerate(table.columns):
            letter = sheet.cell(row=2, column=i + 1).column_letter
            sheet.column_dimensions[letter].width = max(12, min(40, len(str(column.label)) + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
