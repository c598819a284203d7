"""What one dashboard reads from the database, once, whichever tables it shows.

Every figure is aggregated by the database: each query groups the proposals (their narrow
copies, `balance.models.ProposalFact`) or the offers by a few keys and sums their
participants by direction, which every proposal carries (`Proposal.flow_a_to_e`,
`flow_e_to_a`, stamped by the rule of `core.balance_rules.students_per_direction`).
The tables (balance.tables) only fold the grouped rows — at most a few thousand, never
one per exchange.

On PostgreSQL a dashboard computed afresh runs three statements (docs/statistics.md):
one GROUPING SETS over the exchanges' facts, on a connection of its own meanwhile; one
aggregate of all proposals' facts with the median time to approval; one index-only
GROUP BY of the published offers. Plus the small reference reads (countries, fields,
goals) every backend makes.
"""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db import connection, connections
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, ExtractYear

from accounts.models import Country
from balance.models import ProposalFact, decode, encode
from core.locale_names import country_name
from exchanges.models import ProposalState
from offers.models import IscedField, Offer, Sdg

logger = logging.getLogger(__name__)

AGREED = (ProposalState.APPROVED, ProposalState.ACTIVE, ProposalState.COMPLETED)
SIDES = {"asia": ("asian",), "europe": ("european",)}
BOTH_SIDES = ("asian", "european")

# The SDG mask is grouped in two halves, goals 1–9 and 10–17 (see exchange_sets).
SDG_SPLIT = 9
SDG_LOW = (1 << SDG_SPLIT) - 1

# --- filters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the figures are restricted to. `institutions` is the viewer's scope: None for
    the secretariat (everything), an office's institutions otherwise; it never comes from
    the request's parameters."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str = ""
    priority: str = ""
    level: str = ""
    region: str = ""
    institutions: frozenset[int] | None = None

    def sides(self) -> tuple[str, ...]:
        return SIDES.get(self.region, BOTH_SIDES)


def _side_filter(f: Filters, prefix_sides: tuple[str, ...]) -> Q:
    q = Q()
    for name in ("kind", "priority", "level"):
        value = getattr(f, name)
        if value:
            code = encode(name, value)
            q &= reduce(or_, [Q(**{f"{side}_{name}": code}) for side in prefix_sides])
    return q


def proposals(f: Filters) -> QuerySet[ProposalFact]:
    """All proposals (any state) the filters and the scope select.

    Kind, priority and level match either offer, or only the selected region's offer."""
    qs = ProposalFact.objects.filter(_side_filter(f, f.sides()))
    if f.date_from:
        qs = qs.filter(start__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(start__lte=f.date_to)
    if f.institutions is not None:
        ids = list(f.institutions)
        qs = qs.filter(Q(asian_institution_id__in=ids) | Q(european_institution_id__in=ids))
    return qs


def exchanges(f: Filters) -> QuerySet[ProposalFact]:
    return proposals(f).filter(state__in=AGREED)


def offers(f: Filters) -> QuerySet[Offer]:
    """Published offers (open, paired or closed) of the filters and the scope; the period
    reads their term start."""
    qs = Offer.objects.filter(published_at__isnull=False)
    for name in ("kind", "priority", "level", "region"):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value})
    if f.date_from:
        qs = qs.filter(term_start__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(term_start__lte=f.date_to)
    if f.institutions is not None:
        qs = qs.filter(institution_id__in=list(f.institutions))
    return qs


def years_with_data(institutions: frozenset[int] | None) -> list[int]:
    """The years in which a proposal's term or a published offer's term starts, within
    the scope, newest first: the choices of the year filter."""
    scope = Filters(institutions=institutions)
    years = set(
        proposals(scope).annotate(y=ExtractYear("start")).values_list("y", flat=True).distinct()
    )
    years |= set(
        offers(scope).annotate(y=ExtractYear("term_start")).values_list("y", flat=True).distinct()
    )
    return sorted((y for y in years if y is not None), reverse=True)


# --- grouping sets of the exchanges --------------------------------------------------------

COMPLETED = Q(state=ProposalState.COMPLETED)
FLOW_AGGREGATES = {
    "n": Count("pk"),
    "done": Count("pk", filter=COMPLETED),
    "a": Coalesce(Sum("a_to_e"), 0),
    "e": Coalesce(Sum("e_to_a"), 0),
    "a_done": Coalesce(Sum("a_to_e", filter=COMPLETED), 0),
    "e_done": Coalesce(Sum("e_to_a", filter=COMPLETED), 0),
}


def exchange_sets() -> dict[str, dict]:
    """The GROUP BYs of the exchanges every dashboard folds, by name: their grouped keys
    by alias (balance.tables reads the aliases)."""
    return {
        # Two small tables per set (kinds × levels, priorities × themes: a few hundred
        # groups each): two hash tables fewer per row than one set per table.
        "kinds_levels": {
            "ak": F("asian_kind"),
            "ek": F("european_kind"),
            "al": F("asian_level"),
            "el": F("european_level"),
        },
        "priorities_themes": {
            "ap": F("asian_priority"),
            "ep": F("european_priority"),
            "ad": F("asian_digital"),
            "asu": F("asian_sustainable"),
            "ed": F("european_digital"),
            "esu": F("european_sustainable"),
        },
        "pairs": {"ac": F("asian_country"), "ec": F("european_country")},
        # The half-year, stored (a hundred values rather than a thousand days).
        "time": {"t": F("term")},
        "fields": {"af": F("asian_field"), "ef": F("european_field")},
        # The SDG mask in two halves (SDGs 1–9, 10–17): each goal lies in one, and
        # the halves have a few hundred values where the mask has thousands.
        "sdgs_low": {"g1": F("sdg_mask").bitand(SDG_LOW)},
        "sdgs_high": {"g2": F("sdg_mask").bitrightshift(SDG_SPLIT)},
    }


def _grouped(qs: QuerySet, **keys) -> list[dict]:
    """One database GROUP BY: the keys, and the flow of each group."""
    return list(qs.values(**keys).annotate(**FLOW_AGGREGATES).order_by())


def _grouping_sets_sql(qs: QuerySet, sets: dict[str, dict], names: list[str]):
    """The one statement of `grouped_sets` on PostgreSQL, and its parameters."""
    columns = {name: expression for keys in sets.values() for name, expression in keys.items()}
    inner = qs.values("state", "a_to_e", "e_to_a", **columns).order_by()
    sql, params = inner.query.sql_with_params()
    quoted = [connection.ops.quote_name(n) for n in names]
    done = "WHERE x.state = 'completed'"
    grouping = ", ".join(
        "(" + ", ".join(connection.ops.quote_name(k) for k in keys) + ")" for keys in sets.values()
    )
    statement = (
        f"SELECT {', '.join(quoted)}, GROUPING({', '.join(quoted)}) AS grouping_mask, "  # noqa: S608
        f"COUNT(*), COUNT(*) FILTER ({done}), "
        "COALESCE(SUM(x.a_to_e), 0), COALESCE(SUM(x.e_to_a), 0), "
        f"COALESCE(SUM(x.a_to_e) FILTER ({done}), 0), "
        f"COALESCE(SUM(x.e_to_a) FILTER ({done}), 0) "
        f"FROM ({sql}) AS x GROUP BY GROUPING SETS ({grouping})"
    )  # names are ours and quoted; the values stay the ORM's parameters
    return statement, params


def grouped_sets(qs: QuerySet, sets: dict[str, dict]) -> dict[str, list[dict]]:
    """Several GROUP BYs of one queryset, each with the flow of its groups.

    On PostgreSQL one statement with GROUPING SETS: the proposals are joined to their
    offers once, not once per table. Elsewhere one query per set."""
    if connection.vendor != "postgresql":
        return {name: _grouped(qs, **keys) for name, keys in sets.items()}
    names = list({name: None for keys in sets.values() for name in keys})
    statement, params = _grouping_sets_sql(qs, sets, names)
    # GROUPING() sets the bit of every column a row is *not* grouped by (first column:
    # highest bit).
    out: dict[str, list[dict]] = {name: [] for name in sets}
    masks = {}
    for name, keys in sets.items():
        mask = sum(1 << (len(names) - 1 - i) for i, n in enumerate(names) if n not in keys)
        masks[mask] = (out[name], [(k, names.index(k)) for k in keys])
    width = len(names)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for row in cursor.fetchall():
            mask, n, done_n, a, e, a_done, e_done = row[width:]
            rows, keys = masks[mask]
            group = {k: row[i] for k, i in keys}
            for k, v in group.items():
                if isinstance(v, Decimal):
                    group[k] = int(v)
            group.update(n=n, done=done_n, a=a, e=e, a_done=a_done, e_done=e_done)
            rows.append(group)
    return out


# The grouped keys the facts store as codes (balance.models.encode), by their aliases.
CODED_KEYS = {
    "ak": "kind",
    "ek": "kind",
    "ac": "country",
    "ec": "country",
    "al": "level",
    "el": "level",
    "ap": "priority",
    "ep": "priority",
    "af": "field",
    "ef": "field",
}


def decode_keys(groups: dict[str, list[dict]]) -> None:
    """Back to the text values, in place: the tables fold and sort those. A grouped row
    with a code that decodes to nothing known (a fact written past `encode`) is left out
    and logged: it must not take the whole dashboard down."""
    for group, rows in groups.items():
        if not rows:
            continue
        coded = [(k, CODED_KEYS[k]) for k in rows[0] if k in CODED_KEYS]
        if not coded:
            continue
        memo: dict = {}
        kept = []
        for row in rows:
            try:
                for key, name in coded:
                    code = row[key]
                    value = memo.get((name, code))
                    if value is None:
                        value = memo[name, code] = decode(name, code)
                    row[key] = value
            except (IndexError, ValueError, OverflowError, TypeError) as exc:
                logger.warning(
                    "statistics: a %s row left out, its codes are unknown: %s (%s)",
                    group,
                    {k: row[k] for k, _n in coded},
                    exc,
                )
                continue
            kept.append(row)
        rows[:] = kept


def in_background(call):
    """Start `call` on a thread with database connections of its own; return a function
    that waits for its result. Only on PostgreSQL outside a transaction (another
    connection would not see the transaction's changes, and SQLite has one writer):
    elsewhere `call` runs at once. Two cores then work on one dashboard."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        result = call()
        return lambda: result

    def run():
        try:
            return call()
        finally:
            connections.close_all()  # this thread's own

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(run)
    pool.shutdown(wait=False)
    return future.result


# --- the funnel and the offers ---------------------------------------------------------------


def offer_groups(f: Filters) -> list[dict]:
    """The published offers in one GROUP BY, which the funnel and both coverage tables
    fold (one scan of the wide table)."""
    return list(
        offers(f)
        .values("region", "country_id", "status", "kind")
        .annotate(
            # Columns of exchanges' offer_stats_idx only: an index-only scan.
            n=Count("*"),
            students=Coalesce(Sum("students"), 0),
            covered=Count("approved_pairings", filter=Q(approved_pairings__gt=0)),
        )
        .order_by()
    )


class MedianSeconds(Aggregate):
    """PostgreSQL: the median of `end - start` in seconds (the mean of the two middle
    values for an even count, as median_days_to_approval)."""

    function = "percentile_cont"
    arg_joiner = " - "
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', %(expressions)s))"
    output_field = FloatField()


def proposal_totals(f: Filters) -> dict:
    """One aggregate over all proposals: every stage of the funnel after the offers
    (n, a, e; `_agreed`, `_done`), and on PostgreSQL `median_wait` in seconds."""
    agreed = Q(state__in=AGREED)
    aggregates = {
        "n": Count("pk"),
        "a": Coalesce(Sum("a_to_e"), 0),
        "e": Coalesce(Sum("e_to_a"), 0),
        "n_agreed": Count("pk", filter=agreed),
        "a_agreed": Coalesce(Sum("a_to_e", filter=agreed), 0),
        "e_agreed": Coalesce(Sum("e_to_a", filter=agreed), 0),
        "n_done": Count("pk", filter=COMPLETED),
        "a_done": Coalesce(Sum("a_to_e", filter=COMPLETED), 0),
        "e_done": Coalesce(Sum("e_to_a", filter=COMPLETED), 0),
    }
    if connection.vendor == "postgresql":
        # The median in the same scan (elsewhere: median_days_to_approval).
        aggregates["median_wait"] = MedianSeconds(
            "approved_at", "created_at", filter=agreed & Q(approved_at__isnull=False)
        )
    return proposals(f).aggregate(**aggregates)


def median_days_to_approval(ex: QuerySet[ProposalFact]) -> float | None:
    """The median time from proposal to approval, in days, computed by the database on
    every backend: count, then read the one or two middle rows in order."""
    approved = ex.filter(approved_at__isnull=False)
    n = approved.count()
    if not n:
        return None
    wait = ExpressionWrapper(F("approved_at") - F("created_at"), output_field=DurationField())
    middle = list(
        approved.annotate(_wait=wait)
        .order_by("_wait")
        .values_list("_wait", flat=True)[(n - 1) // 2 : n // 2 + 1]
    )
    seconds = sum(d.total_seconds() for d in middle) / len(middle)
    return seconds / 86400


# --- one dashboard's reads ---------------------------------------------------------------------


@dataclass
class Fetched:
    """Everything one dashboard reads; the tables fold it without another query."""

    filters: Filters
    groups: dict[str, list[dict]]  # exchange_sets' grouped rows, keys decoded
    offer_rows: list[dict]  # offer_groups
    totals: dict  # proposal_totals
    median_days: float | None  # from proposal to approval
    country_names: dict[str, str]  # by code
    country_regions: dict[str, str]  # by code
    broad_fields: dict[str, str]  # English label of every ISCED-F broad field, by code
    field_labels: dict[str, str]  # label in the active language of the fields grouped
    sdgs: list[Sdg]


def fetch(f: Filters) -> Fetched:
    """Read one dashboard's rows in a fixed plan (the order of the statements is part of
    it: the grouping sets run meanwhile on a connection of their own where they can)."""
    ex = exchanges(f)
    names = {
        code: country_name(code, name) for code, name in Country.objects.values_list("code", "name")
    }
    grouped = in_background(lambda: grouped_sets(ex, exchange_sets()))
    offer_rows = offer_groups(f)
    totals = proposal_totals(f)
    groups = grouped()
    decode_keys(groups)
    regions = dict(Country.objects.values_list("code", "region"))
    codes = list(dict.fromkeys(c for r in groups["fields"] for c in {r["af"], r["ef"]}))
    broad = dict(IscedField.objects.filter(level="broad").values_list("code", "label_en"))
    labels = {x.code: x.label for x in IscedField.objects.filter(code__in=codes)}
    sdgs = list(Sdg.objects.all())
    if "median_wait" in totals:
        wait = totals["median_wait"]
        median = wait / 86400 if wait is not None else None
    else:
        median = median_days_to_approval(ex)
    return Fetched(f, groups, offer_rows, totals, median, names, regions, broad, labels, sdgs)
