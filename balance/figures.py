"""The shapes of the statistics' figures: a table of columns and rows, and the flow of a
group of exchanges (how many, and their participants by direction), summed from grouped
rows. Plain Python: nothing here reads the database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from core.balance_rules import balance_index

# --- tables -----------------------------------------------------------------------------------


@dataclass
class Column:
    key: str
    label: str
    kind: str = "int"  # text, int, index, pct, days, km, tonnes

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass
class Table:
    slug: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    note: str = ""

    def value(self, row: dict, column: Column):
        """The value as exported (CSV, XLSX, JSON): rounded as the page shows it. A row
        may carry its own kind (the summary's figures)."""
        kind = row.get("kind", column.kind) if column.key == "value" else column.kind
        return export_value(kind, row.get(column.key))


ROUNDING = {"index": 2, "pct": 1, "days": 1, "km": 0, "tonnes": 1}


def export_value(kind: str, value):
    if value is None or kind == "text":
        return "" if value is None else str(value)
    digits = ROUNDING.get(kind)
    if digits is None:
        return int(value)
    rounded = round(float(value), digits)
    return int(rounded) if digits == 0 else rounded


def pct(part: int, whole: int) -> float | None:
    return None if not whole else 100.0 * part / whole


def term_label(year: int, half: int) -> str:
    if half == 1:
        return str(_("%(year)s January–June") % {"year": year})
    return str(_("%(year)s July–December") % {"year": year})


# --- flows ------------------------------------------------------------------------------------


@dataclass
class Flow:
    """Exchanges and their participants by direction."""

    n: int = 0
    done: int = 0
    a: int = 0  # Asia → Europe
    e: int = 0  # Europe → Asia

    def add(self, other: Flow) -> None:
        self.n += other.n
        self.done += other.done
        self.a += other.a
        self.e += other.e

    @property
    def total(self) -> int:
        return self.a + self.e

    @property
    def index(self) -> float | None:
        return balance_index(self.a, self.e)


def fold(rows: list[dict], keys_of: Callable[[dict], Iterable]) -> dict:
    """Sum grouped rows into the keys each belongs to (a set: one exchange may count under
    several; never twice under one). A key no row has reads as an empty Flow."""
    sums: dict = {}
    for row in rows:
        n, done, a, e = row["n"], row["done"], row["a"], row["e"]
        for key in keys_of(row):
            total = sums.get(key)
            if total is None:
                sums[key] = [n, done, a, e]
            else:
                total[0] += n
                total[1] += done
                total[2] += a
                total[3] += e
    out: dict = defaultdict(Flow)
    out.update((key, Flow(*total)) for key, total in sums.items())
    return out


def flow_columns(*first: Column) -> list[Column]:
    """The columns of a flow table: its label columns, then the flow."""
    return [
        *first,
        Column("exchanges", _("Exchanges")),
        Column("completed", _("Completed")),
        Column("a_to_e", _("Participants Asia → Europe")),
        Column("e_to_a", _("Participants Europe → Asia")),
        Column("index", _("Balance index"), "index"),
    ]


def flow_row(flow: Flow, **labels) -> dict:
    return {
        **labels,
        "exchanges": flow.n,
        "completed": flow.done,
        "a_to_e": flow.a,
        "e_to_a": flow.e,
        "index": flow.index,
    }
