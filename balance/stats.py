"""The balance of Asia–Europe exchange, as the secretariat and the offices read it: one
`compute` per filters and scope, which the page, the exports and the API share.

The statistics are made of
- balance.queries: what one dashboard reads from the database, once (`Filters` there);
- balance.folds: what several tables share, folded from those rows;
- balance.tables: the registry of tables, one small function each;
- balance.figures: a table's shape (`Table`, `Column`) and the flow of a group.

Definitions (the page, the exports, the API and docs/statistics.md say the same):

- An *exchange* is a proposal both offices approved: approved, active or completed.
- Its *term* is the half-year in which the earlier of its two courses starts: January–June
  or July–December of that year. The period filter reads the same date.
- Participants of approved and active exchanges come from the agreed terms, those of
  completed exchanges from the completion report.
- Balance index `(A→E − E→A) / (A→E + E→A)` (`core.balance_rules.balance_index`): 0 is
  balanced, positive leans towards Europe (more Asian participants join European
  courses), blank without any flow.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Institution
from balance import queries, tables
from balance.figures import Column, Table
from balance.folds import Folds
from balance.queries import Filters

__all__ = ["Column", "Filters", "Statistics", "Table", "compute", "scope_institutions"]


@dataclass
class Statistics:
    """One dashboard's figures: the summary by key, the tables in the registry's order
    and the charts' points."""

    filters: Filters
    summary: dict
    tables: dict[str, Table]
    country_chart: list[dict]
    index_chart: list[dict]
    funnel_chart: list[dict]

    def table(self, slug: str) -> Table:
        return self.tables[slug]


def compute(f: Filters) -> Statistics:
    """Every figure of the filters and scope `f`: one fetch (balance.queries), then each
    table folds the fetched rows without another query."""
    folds = Folds(queries.fetch(f))
    return Statistics(
        filters=f,
        summary=folds.summary,
        tables=tables.build_all(folds),
        country_chart=folds.country_chart(),
        index_chart=folds.index_chart(),
        funnel_chart=folds.funnel_chart(),
    )


def scope_institutions(institutions: frozenset[int] | None) -> list[Institution]:
    if institutions is None:
        return []
    return list(Institution.objects.filter(pk__in=list(institutions)).order_by("name"))
