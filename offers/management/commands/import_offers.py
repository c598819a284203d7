"""manage.py import_offers FILE --institution ID [--atomic] [--format csv|json]

Exit status: 0 when every row was imported; 1 when the file was refused as a whole
(nothing imported); 2 when some rows were rejected (the others were imported, or with
--atomic none was). The report goes to standard output either way.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import Institution
from offers import importing

EXIT_REFUSED = 1
EXIT_ROWS_REJECTED = 2


def report_lines(report: importing.ImportReport) -> list[str]:
    """The import report as plain text, the same content as the import page shows."""
    lines = [
        _("Import into %(institution)s (%(format)s, %(rows)s rows)")
        % {
            "institution": report.institution.name,
            "format": report.format.upper(),
            "rows": report.rows,
        }
    ]
    if report.rolled_back:
        lines.append(
            _(
                "Nothing imported: %(bad)s rows are wrong and --atomic was given; "
                "%(good)s rows are ready."
            )
            % {"bad": len(report.rejected), "good": report.would_import}
        )
    else:
        lines.append(
            _("Imported: %(imported)s. Rejected: %(rejected)s.")
            % {"imported": len(report.imported), "rejected": len(report.rejected)}
        )
    if report.imported:
        lines += ["", _("Imported offers:")]
        for item in report.imported:
            lines.append(
                f"  {report.row_label} {item.row}: #{item.offer_id} {item.title} "
                f"({item.owner_email}, {item.status})"
            )
    if report.rejected:
        lines += ["", _("Rejected rows:")]
        for item in report.rejected:
            lines.append(f"  {report.row_label} {item.row}: {item.title}")
            for column, problems in item.errors.items():
                for problem in problems:
                    lines.append(f"    - {column}: {problem}" if column else f"    - {problem}")
    return lines


class Command(BaseCommand):
    help = (
        "Import offers into an institution from a CSV or JSON file (columns in docs/import.md). "
        "Exit status 0: all imported; 1: file refused, nothing imported; "
        "2: some rows rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV or JSON file.")
        parser.add_argument(
            "--institution", type=int, required=True, help="The institution's id (number)."
        )
        parser.add_argument(
            "--atomic",
            action="store_true",
            help="All or nothing: import no row if any row is wrong.",
        )
        parser.add_argument(
            "--format",
            choices=importing.FORMATS,
            default="",
            help="csv or json; by default from the file name's extension.",
        )

    def handle(self, *args, file: Path, institution: int, atomic: bool, format: str, **options):
        try:
            target = Institution.objects.get(pk=institution)
        except Institution.DoesNotExist:
            raise CommandError(
                _("No institution has the id %(id)s.") % {"id": institution},
                returncode=EXIT_REFUSED,
            ) from None
        try:
            file_format = importing.detect_format(file.name, format)
            content = importing.read_path(file)
            report = importing.offers_import(
                institution=target, content=content, format=file_format, atomic=atomic
            )
        except importing.FileRefused as exc:
            raise CommandError(
                _("The file was refused; nothing was imported.") + " " + " ".join(exc.messages),
                returncode=EXIT_REFUSED,
            ) from None
        self.stdout.write("\n".join(report_lines(report)))
        if report.rejected:
            raise CommandError(
                _("%(n)s rows were rejected; see the report above.") % {"n": len(report.rejected)},
                returncode=EXIT_ROWS_REJECTED,
            )
