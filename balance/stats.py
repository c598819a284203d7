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
from balance import maps, queries, tables
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
    map_rows: list[dict]

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
        map_rows=map_rows(folds),
    )


def map_rows(folds: Folds) -> list[dict]:
    """Every ASEM country of the map that the region filter shows, with or without
    exchanges, most participants first (balance.maps)."""
    flows, names, region = folds.per_country, folds.names, folds.filters.region
    # The region of the ASEM partner list (the map's file), so that a country without
    # any row in the database still shows in its region.
    outlines = maps.outlines()["countries"]
    codes = [c for c, o in outlines.items() if not region or o["group"].lower() == region]
    codes.sort(key=lambda c: (-flows[c].total if c in flows else 0, names.get(c, c)))
    return maps.countries(flows, names, codes)


def scope_institutions(institutions: frozenset[int] | None) -> list[Institution]:
    if institutions is None:
        return []
    return list(Institution.objects.filter(pk__in=list(institutions)).order_by("name"))
