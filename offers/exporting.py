"""Export offers as CSV in the import format (docs/import.md), so an office can export,
edit in a spreadsheet and import again."""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from core.spreadsheet import safe_cell
from offers.importing.columns import COLUMNS, WEEKDAY_NAMES
from offers.models import Offer

MAX_EXPORT_ROWS = 10_000

logger = logging.getLogger(__name__)


class _Echo:
    def write(self, value: str) -> str:
        return value


def offer_row(offer: Offer, *, with_owner: bool) -> dict[str, str]:
    windows = "; ".join(
        f"{WEEKDAY_NAMES[w.weekday].title()} {w.start:%H:%M}-{w.end:%H:%M}"
        for w in offer.windows.all()
    )
    return {
        "owner_email": offer.owner.email if with_owner else "",
        "kind": offer.kind,
        "title": offer.title,
        "description": offer.description,
        "learning_outcomes": offer.learning_outcomes,
        "description_language": offer.description_language,
        "isced": offer.isced_id,
        "level": offer.level,
        "languages": "; ".join(f"{x.language}:{x.cefr}" for x in offer.languages.all()),
        "students": str(offer.students),
        "term_start": offer.term_start.isoformat(),
        "term_end": offer.term_end.isoformat(),
        "duration_weeks": str(offer.duration_weeks),
        "time_zone": offer.time_zone,
        "sync_sessions": str(offer.sync_sessions),
        "windows": windows,
        "sdgs": "; ".join(str(s.number) for s in offer.sdgs.all()),
        "priority": offer.priority,
        "theme_digitalisation": "true" if offer.theme_digitalisation else "false",
        "theme_sustainability": "true" if offer.theme_sustainability else "false",
        "skills": "; ".join(offer.skills),
        "preferred_countries": "; ".join(c.code for c in offer.preferred_countries.all()),
        "excluded_countries": "; ".join(c.code for c in offer.excluded_countries.all()),
        "partners_sought": str(offer.partners_sought),
        "status": offer.status,
    }


def csv_lines(offers: Iterable[Offer], *, owner_visible) -> Iterator[str]:
    """The CSV text line by line (UTF-8 with a BOM, so spreadsheets read any script).
    Cells that a spreadsheet would run as formulas are quoted (the import unquotes them).
    An offer whose row cannot be written is left out and logged: one bad row must not
    cut everybody's export short."""
    writer = csv.DictWriter(_Echo(), fieldnames=list(COLUMNS), lineterminator="\r\n")
    yield "\ufeff" + ",".join(COLUMNS) + "\r\n"
    for offer in offers:
        try:
            row = offer_row(offer, with_owner=owner_visible(offer))
        except Exception:
            logger.exception("offer export: offer %s left out, its row cannot be written", offer.pk)
            continue
        yield writer.writerow({name: safe_cell(value) for name, value in row.items()})


def export_queryset(qs: QuerySet[Offer]) -> QuerySet[Offer]:
    return qs.select_related("owner").prefetch_related(
        "languages", "windows", "sdgs", "preferred_countries", "excluded_countries"
    )[:MAX_EXPORT_ROWS]
