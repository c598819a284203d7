"""What an import did, row by row: the page and the command show it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from django.utils.translation import gettext_lazy as _

from accounts.models import Institution
from offers.importing.columns import COLUMNS
from offers.models import Offer

# The row's own problems ("") first, then the columns in the file's order.
_ORDER = {name: i for i, name in enumerate(("", *COLUMNS))}


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
    # A check only: nothing was kept; `imported` lists what an import would save.
    check_only: bool = False
    would_import: int = 0

    @property
    def row_label(self) -> str:
        """What the numbers count: spreadsheet rows, or entries of a JSON list."""
        return str(_("Row") if self.format == "csv" else _("Entry"))

    def add_imported(self, row: int, offer: Offer, owner_email: str) -> None:
        self.imported.append(
            ImportedRow(
                row=row,
                offer_id=offer.pk,
                title=offer.title,
                owner_email=owner_email,
                status=offer.status,
                url=offer.get_absolute_url(),
            )
        )

    def add_rejected(self, row: int, title: str, errors: dict[str, list[str]]) -> None:
        ordered = dict(sorted(errors.items(), key=lambda e: _ORDER.get(e[0], len(_ORDER))))
        self.rejected.append(RejectedRow(row=row, title=title, errors=ordered))

    def checked_only(self) -> None:
        self.check_only = True
        self.would_import = len(self.imported)

    def to_json(self) -> dict:
        """What the job keeps of the report (the institution is the job's)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "institution"}
        data["imported"] = [asdict(row) for row in self.imported]
        data["rejected"] = [asdict(row) for row in self.rejected]
        return data

    @classmethod
    def from_json(cls, institution: Institution, data: dict) -> ImportReport:
        return cls(
            institution=institution,
            **{k: v for k, v in data.items() if k not in ("imported", "rejected")},
            imported=[ImportedRow(**row) for row in data["imported"]],
            rejected=[RejectedRow(**row) for row in data["rejected"]],
        )

    def roll_back(self) -> None:
        """All or nothing, and a row was bad: nothing stays imported."""
        self.rolled_back = True
        self.would_import = len(self.imported)
        self.imported = []
