"""The balance of Asia–Europe exchange, as the secretariat and the offices read it.

Every figure is aggregated by the database: each query groups the proposals (their
narrow copies, `balance.models.ProposalFact`) or the offers by a few keys and sums their
participants by direction, which every proposal carries (`Proposal.flow_a_to_e`,
`flow_e_to_a`, stamped by the rule of `core.balance_rules.students_per_direction`).
Python only folds the grouped rows — at most a few thousand, never one per exchange —
into the tables: an exchange whose two offers name two priorities counts under each, as
does one with several SDGs.

Definitions (the page, the exports, the API and docs/statistics.md say the same):

- An *exchange* is a proposal both offices approved: approved, active or completed.
- Its *term* is the half-year in which the earlier of its two courses starts: January–June
  or July–December of that year. The period filter reads the same date.
- Participants of approved and active exchanges come from the agreed terms, those of
  completed exchanges from the completion report.
- Balance index `(A→E − E→A) / (A→E + E→A)`: 0 is balanced, positive leans towards
  Europe (more Asian participants join European courses), blank without any flow.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, reduce
from operator import or_

from django.conf import settings
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
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import Country, Institution, Region
from balance.models import ProposalFact, decode, encode, sdg_bits
from core.balance_rules import balance_index
from core.vocabulary import TVET_AND_LIFELONG_LEVELS
from exchanges.models import ProposalState
from offers.models import IscedField, Offer, OfferKind, OfferLevel, OfferStatus, Priority, Sdg

AGREED = (ProposalState.APPROVED, ProposalState.ACTIVE, ProposalState.COMPLETED)
VM = OfferKind.VIRTUAL_MOBILITY
SIDES = {"asia": ("asian",), "europe": ("european",)}
BOTH_SIDES = ("asian", "european")
# Levels counted as TVET and lifelong learning (the journey's "only 6 % of exchanges").
TVET_LLL_LEVELS = TVET_AND_LIFELONG_LEVELS

# UK DESNZ (formerly DEFRA/BEIS) greenhouse-gas conversion factors 2024, business travel
# by air, long-haul flight, economy class, including the effect of radiative forcing:
# about 0.15 kg CO2e per passenger-km. See docs/statistics.md.
EMISSION_FACTOR_KG_PER_PKM = 0.15
EMISSION_FACTOR_SOURCE = "UK DESNZ greenhouse-gas conversion factors 2024"
EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


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


# --- flows ----------------------------------------------------------------------------------


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


COMPLETED = Q(state=ProposalState.COMPLETED)
FLOW_AGGREGATES = {
    "n": Count("pk"),
    "done": Count("pk", filter=COMPLETED),
    "a": Coalesce(Sum("a_to_e"), 0),
    "e": Coalesce(Sum("e_to_a"), 0),
    "a_done": Coalesce(Sum("a_to_e", filter=COMPLETED), 0),
    "e_done": Coalesce(Sum("e_to_a", filter=COMPLETED), 0),
}


def _grouped(qs: QuerySet, **keys) -> list[dict]:
    """One database GROUP BY: the keys, and the flow of each group."""
    return list(qs.values(**keys).annotate(**FLOW_AGGREGATES).order_by())


def grouped_sets(qs: QuerySet, sets: dict[str, dict]) -> dict[str, list[dict]]:
    """Several GROUP BYs of one queryset, each with the flow of its groups.

    On PostgreSQL one statement with GROUPING SETS: the proposals are joined to their
    offers once, not once per table. Elsewhere one query per set."""
    if connection.vendor != "postgresql":
        return {name: _grouped(qs, **keys) for name, keys in sets.items()}
    columns: dict = {}
    for keys in sets.values():
        columns.update(keys)
    names = list(columns)
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


def _decode_keys(groups: dict[str, list[dict]]) -> None:
    """Back to the text values, in place: the tables fold and sort those."""
    for rows in groups.values():
        if not rows:
            continue
        coded = [(k, CODED_KEYS[k]) for k in rows[0] if k in CODED_KEYS]
        if not coded:
            continue
        memo: dict = {}
        for row in rows:
            for key, name in coded:
                code = row[key]
                value = memo.get((name, code))
                if value is None:
                    value = memo[name, code] = decode(name, code)
                row[key] = value


def _flow(row: dict) -> Flow:
    return Flow(row["n"], row["done"], row["a"], row["e"])


def _fold(rows: list[dict], keys_of) -> dict:
    """Sum grouped rows into the keys each belongs to (a set: one exchange may count under
    several; never twice under one)."""
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


def _total(qs: QuerySet) -> Flow:
    return _flow(qs.aggregate(**FLOW_AGGREGATES))


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


def _flow_columns(first: list[Column]) -> list[Column]:
    return [
        *first,
        Column("exchanges", _("Exchanges")),
        Column("completed", _("Completed")),
        Column("a_to_e", _("Participants Asia → Europe")),
        Column("e_to_a", _("Participants Europe → Asia")),
        Column("index", _("Balance index"), "index"),
    ]


def _flow_row(flow: Flow, **labels) -> dict:
    return {
        **labels,
        "exchanges": flow.n,
        "completed": flow.done,
        "a_to_e": flow.a,
        "e_to_a": flow.e,
        "index": flow.index,
    }


def _pct(part: int, whole: int) -> float | None:
    return None if not whole else 100.0 * part / whole


# --- geography ------------------------------------------------------------------------------


@cache
def capitals() -> dict[str, tuple[float, float]]:
    data = json.loads((settings.TANDEM_DATA_DIR / "asem_capitals.json").read_text())
    return {c["iso_alpha2"]: (c["lat"], c["lon"]) for c in data["capitals"]}


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance on a sphere of the mean Earth radius."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def co2_avoided_kg(distance_km: float, travellers: int) -> float:
    """A return flight per travelling participant."""
    return 2 * distance_km * travellers * EMISSION_FACTOR_KG_PER_PKM


# --- the statistics ---------------------------------------------------------------------------


def term_label(year: int, half: int) -> str:
    if half == 1:
        return str(_("%(year)s January–June") % {"year": year})
    return str(_("%(year)s July–December") % {"year": year})


@dataclass
class Statistics:
    filters: Filters
    summary: dict
    tables: dict[str, Table]
    country_chart: list[dict]
    index_chart: list[dict]
    funnel_chart: list[dict]

    def table(self, slug: str) -> Table:
        return self.tables[slug]


def compute(f: Filters) -> Statistics:
    ex = exchanges(f)
    names = dict(Country.objects.values_list("code", "name"))
    tables: dict[str, Table] = {}

    # The grouping sets of the exchanges (below) and the funnel are independent
    # statements: the first runs meanwhile on a connection of its own where it can.
    grouping_sets = {
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
    grouped = in_background(lambda: grouped_sets(ex, grouping_sets))

    # Funnel: offers published → proposals → approved → completed. The offers in one
    # GROUP BY, which the coverage tables below fold too (one scan of the wide table).
    offer_rows = list(
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
    offer_totals = {"n": 0, "a": 0, "e": 0}
    for r in offer_rows:
        # Asia hosts (or Europe opens virtual-mobility seats): Asia → Europe.
        asia_hosts_or_europe_sends = (r["region"] == Region.ASIA and r["kind"] != VM) or (
            r["region"] == Region.EUROPE and r["kind"] == VM
        )
        offer_totals["n"] += r["n"]
        offer_totals["a" if asia_hosts_or_europe_sends else "e"] += r["students"]
    agreed, completed = Q(state__in=AGREED), Q(state=ProposalState.COMPLETED)
    funnel_aggregates = {
        "n": Count("pk"),
        "a": Coalesce(Sum("a_to_e"), 0),
        "e": Coalesce(Sum("e_to_a"), 0),
        "n_agreed": Count("pk", filter=agreed),
        "a_agreed": Coalesce(Sum("a_to_e", filter=agreed), 0),
        "e_agreed": Coalesce(Sum("e_to_a", filter=agreed), 0),
        "n_done": Count("pk", filter=completed),
        "a_done": Coalesce(Sum("a_to_e", filter=completed), 0),
        "e_done": Coalesce(Sum("e_to_a", filter=completed), 0),
    }
    if connection.vendor == "postgresql":
        # The median in the same scan (elsewhere: median_days_to_approval).
        funnel_aggregates["median_wait"] = MedianSeconds(
            "approved_at", "created_at", filter=agreed & Q(approved_at__isnull=False)
        )
    p = proposals(f).aggregate(**funnel_aggregates)
    stages = [
        ("offers", _("Offers published"), offer_totals["n"], offer_totals["a"], offer_totals["e"]),
        ("proposals", _("Proposals"), p["n"], p["a"], p["e"]),
        ("approved", _("Approved exchanges"), p["n_agreed"], p["a_agreed"], p["e_agreed"]),
        ("completed", _("Completed exchanges"), p["n_done"], p["a_done"], p["e_done"]),
    ]
    tables["funnel"] = Table(
        "funnel",
        _("Pipeline: offers → proposals → approved → completed"),
        [
            Column("stage", _("Stage"), "text"),
            Column("count", _("Number")),
            Column("share", _("Share of the offers (%)"), "pct"),
            Column("a_to_e", _("Participants Asia → Europe")),
            Column("e_to_a", _("Participants Europe → Asia")),
            Column("index", _("Balance index"), "index"),
        ],
        [
            {
                "stage": str(label),
                "count": n,
                "share": _pct(n, offer_totals["n"]),
                "a_to_e": a,
                "e_to_a": e,
                "index": balance_index(a, e),
            }
            for _key, label, n, a, e in stages
        ],
        note=_(
            "Offers count their students (COIL, blended) or seats for partner students "
            "(virtual mobility) in the direction they would flow; proposals count the "
            "participants of their two offers, approved exchanges those of the agreed "
            "terms, completed exchanges those of the completion report."
        ),
    )
    funnel_chart = [{"label": str(label), "value": n} for _key, label, n, _a, _e in stages]

    groups = grouped()
    _decode_keys(groups)
    groups["kinds"] = groups["levels"] = groups["kinds_levels"]
    groups["priorities"] = groups["themes"] = groups["priorities_themes"]

    # By kind: where the direction rules of COIL and virtual mobility show.
    kinds = dict(OfferKind.choices)
    rows = groups["kinds"]
    by_kind = _fold(rows, lambda r: [(r["ak"], r["ek"])])
    tables["kinds"] = Table(
        "kinds",
        _("Exchanges by kind of the two courses"),
        _flow_columns(
            [
                Column("asian_kind", _("Asian course"), "text"),
                Column("european_kind", _("European course"), "text"),
            ]
        ),
        [
            _flow_row(
                by_kind[key],
                asian_kind=str(kinds.get(key[0], key[0])).split(" — ")[0],
                european_kind=str(kinds.get(key[1], key[1])).split(" — ")[0],
            )
            for key in sorted(by_kind)
        ],
        note=_(
            "COIL and blended: each class counts in its own direction. Virtual mobility: "
            "the host course opens seats, the other side's students take them (at most as "
            "many as the seats) and count towards the host's region; two virtual-mobility "
            "courses host each other."
        ),
    )

    # Countries and country pairs: one GROUP BY of the pair.
    rows = groups["pairs"]
    pairs = _fold(rows, lambda r: [(r["ac"], r["ec"])])
    per_country = _fold(rows, lambda r: [r["ac"], r["ec"]])
    region_of = dict(Country.objects.values_list("code", "region"))
    region_names = dict(Region.choices)
    shown = [c for c in per_country if not f.region or region_of.get(c) == f.region]
    shown.sort(key=lambda c: (-per_country[c].total, -per_country[c].n, names.get(c, c)))
    tables["countries"] = Table(
        "countries",
        _("Flows per country"),
        _flow_columns(
            [Column("country", _("Country"), "text"), Column("region", _("Region"), "text")]
        ),
        [
            _flow_row(
                per_country[c],
                country=names.get(c, c),
                region=str(region_names.get(region_of.get(c), "")),
            )
            for c in shown
        ],
        note=_(
            "Each exchange counts for the country of its Asian and of its European "
            "institution. For an Asian country Asia → Europe is outgoing, for a European "
            "country incoming."
        ),
    )
    country_chart = [
        {"label": names.get(c, c), "a": per_country[c].a, "e": per_country[c].e} for c in shown[:15]
    ]
    pair_keys = sorted(pairs, key=lambda k: (-pairs[k].total, names.get(k[0], ""), k))
    tables["pairs"] = Table(
        "pairs",
        _("Flows per country pair"),
        _flow_columns(
            [
                Column("asian_country", _("Asian country"), "text"),
                Column("european_country", _("European country"), "text"),
            ]
        ),
        [
            _flow_row(
                pairs[k],
                asian_country=names.get(k[0], k[0]),
                european_country=names.get(k[1], k[1]),
            )
            for k in pair_keys
        ],
    )

    # CO2 avoided: completed exchanges, per country pair.
    done_rows = [
        {**r, "n": r["done"], "a": r["a_done"], "e": r["e_done"]} for r in rows if r["done"]
    ]
    places = capitals()
    co2_rows, co2_total, travellers_total = [], 0.0, 0
    for row in sorted(done_rows, key=lambda r: (names.get(r["ac"], ""), names.get(r["ec"], ""))):
        travellers = row["a"] + row["e"]
        if row["ac"] not in places or row["ec"] not in places:
            continue
        km = great_circle_km(places[row["ac"]], places[row["ec"]])
        kg = co2_avoided_kg(km, travellers)
        co2_total += kg
        travellers_total += travellers
        co2_rows.append(
            {
                "asian_country": names.get(row["ac"], row["ac"]),
                "european_country": names.get(row["ec"], row["ec"]),
                "exchanges": row["n"],
                "participants": travellers,
                "distance_km": km,
                "co2_tonnes": kg / 1000,
            }
        )
    co2_rows.sort(key=lambda r: -r["co2_tonnes"])
    tables["co2"] = Table(
        "co2",
        _("Estimated CO₂ avoided by completed exchanges"),
        [
            Column("asian_country", _("Asian country"), "text"),
            Column("european_country", _("European country"), "text"),
            Column("exchanges", _("Completed exchanges")),
            Column("participants", _("Participants")),
            Column("distance_km", _("Distance between capitals (km)"), "km"),
            Column("co2_tonnes", _("CO₂ avoided (tonnes CO₂e)"), "tonnes"),
        ],
        co2_rows,
    )

    # Over time: year and month of the earlier course start, folded into half-years.
    rows = groups["time"]
    terms = _fold(rows, lambda r: [(r["t"] // 2, r["t"] % 2 + 1)])
    years = _fold(rows, lambda r: [r["t"] // 2])
    tables["years"] = Table(
        "years",
        _("Flows per year"),
        _flow_columns([Column("year", _("Year"), "text")]),
        [_flow_row(years[y], year=str(y)) for y in sorted(years)],
    )
    tables["terms"] = Table(
        "terms",
        _("Balance per term"),
        _flow_columns([Column("term", _("Term"), "text")]),
        [_flow_row(terms[t], term=term_label(*t)) for t in sorted(terms)],
        note=_(
            "An exchange's term is the half-year in which the earlier of its two courses "
            "starts: January–June or July–December."
        ),
    )
    index_chart = [{"label": term_label(*t), "index": terms[t].index} for t in sorted(terms)]

    # Thematic priority: each exchange counts under the priorities of its two courses.
    rows = groups["priorities"]
    by_priority = _fold(rows, lambda r: {r["ap"], r["ep"]} - {""} or {""})
    tables["priorities"] = Table(
        "priorities",
        _("Flows per ASEM thematic priority"),
        _flow_columns([Column("priority", _("Thematic priority"), "text")]),
        [
            _flow_row(by_priority.get(key, Flow()), priority=str(label))
            for key, label in [*Priority.choices, ("", _("No priority given"))]
        ],
        note=_("An exchange whose two courses name different priorities counts under each."),
    )

    # Transversal themes.
    rows = groups["themes"]

    def themes_of(r):
        out = set()
        if r["ad"] or r["ed"]:
            out.add("digitalisation")
        if r["asu"] or r["esu"]:
            out.add("sustainability")
        return out or {"none"}

    by_theme = _fold(rows, themes_of)
    theme_labels = [
        ("digitalisation", _("Digitalisation")),
        ("sustainability", _("Sustainable development")),
        ("none", _("Neither theme")),
    ]
    tables["themes"] = Table(
        "themes",
        _("Flows per transversal theme"),
        _flow_columns([Column("theme", _("Transversal theme"), "text")]),
        [_flow_row(by_theme.get(k, Flow()), theme=str(label)) for k, label in theme_labels],
        note=_("An exchange counts under a theme when either course has it; under both if so."),
    )

    # Level: all levels shown, TVET and lifelong learning among them.
    rows = groups["levels"]
    by_level = _fold(rows, lambda r: {r["al"], r["el"]})
    tvet = _fold(rows, lambda r: ["tvet"] if {r["al"], r["el"]} & set(TVET_LLL_LEVELS) else [])
    tables["levels"] = Table(
        "levels",
        _("Flows per level"),
        _flow_columns([Column("level", _("Level"), "text")]),
        [
            _flow_row(by_level.get(key, Flow()), level=str(label))
            for key, label in OfferLevel.choices
        ],
        note=_(
            "TVET and lifelong learning are EQF 4, EQF 5 and non-formal courses. An "
            "exchange of two levels counts under each."
        ),
    )

    # ISCED-F broad field: the first two digits of the detailed field.
    rows = groups["fields"]
    by_field = _fold(rows, lambda r: {r["af"], r["ef"]})
    broad = dict(IscedField.objects.filter(level="broad").values_list("code", "label_en"))
    broad_labels = {f_.code: f_.label for f_ in IscedField.objects.filter(code__in=list(by_field))}
    tables["fields"] = Table(
        "fields",
        _("Flows per ISCED-F broad field"),
        _flow_columns(
            [Column("code", _("Code"), "text"), Column("field", _("Broad field"), "text")]
        ),
        [
            _flow_row(by_field[code], code=code, field=broad_labels.get(code, broad.get(code, "")))
            for code in sorted(by_field)
        ],
        note=_("An exchange of two fields counts under each."),
    )

    # SDGs: each exchange's facts hold the union of its two courses' goals.
    by_sdg = {
        **_fold(groups["sdgs_low"], lambda r: sdg_bits(r["g1"])),
        **_fold(groups["sdgs_high"], lambda r: [k + SDG_SPLIT for k in sdg_bits(r["g2"])]),
    }
    tables["sdgs"] = Table(
        "sdgs",
        _("Flows per Sustainable Development Goal"),
        _flow_columns([Column("sdg", _("SDG"), "text")]),
        [_flow_row(by_sdg.get(s.number, Flow()), sdg=str(s)) for s in Sdg.objects.all()],
        note=_(
            "An exchange counts under every SDG either of its courses names: the rows add "
            "up to more than the exchanges."
        ),
    )

    # Coverage: open or paired offers with at least one approved pairing.
    by_place: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in offer_rows:
        if r["status"] in (OfferStatus.OPEN, OfferStatus.PAIRED):
            by_place[r["region"], r["country_id"]][0] += r["n"]
            by_place[r["region"], r["country_id"]][1] += r["covered"]
    cov_rows = [
        {"region": region, "country_id": country, "total": total, "covered": covered}
        for (region, country), (total, covered) in by_place.items()
    ]
    by_region: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in cov_rows:
        by_region[r["region"]][0] += r["total"]
        by_region[r["region"]][1] += r["covered"]
    cov_columns = [
        Column("offers", _("Open or paired offers")),
        Column("covered", _("With an approved partner")),
        Column("uncovered", _("Still without a partner")),
        Column("coverage", _("Coverage (%)"), "pct"),
    ]

    def cov(total, covered, **labels):
        return {
            **labels,
            "offers": total,
            "covered": covered,
            "uncovered": total - covered,
            "coverage": _pct(covered, total),
        }

    tables["coverage_regions"] = Table(
        "coverage_regions",
        _("Coverage per region"),
        [Column("region", _("Region"), "text"), *cov_columns],
        [
            cov(*by_region[key], region=str(label))
            for key, label in Region.choices
            if key in by_region
        ],
    )
    cov_rows.sort(
        key=lambda r: (r["covered"] / r["total"], -r["total"], names.get(r["country_id"], ""))
    )
    tables["coverage_countries"] = Table(
        "coverage_countries",
        _("Coverage per country"),
        [
            Column("country", _("Country"), "text"),
            Column("region", _("Region"), "text"),
            *cov_columns,
        ],
        [
            cov(
                r["total"],
                r["covered"],
                country=names.get(r["country_id"], r["country_id"]),
                region=str(region_names.get(r["region"], r["region"])),
            )
            for r in cov_rows
        ],
        note=_("Countries with the lowest coverage first."),
    )

    # Summary.
    total = Flow(p["n_agreed"], p["n_done"], p["a_agreed"], p["e_agreed"])
    cov_total = sum(v[0] for v in by_region.values())
    cov_covered = sum(v[1] for v in by_region.values())
    summary = {
        "exchanges": total.n,
        "completed": total.done,
        "a_to_e": total.a,
        "e_to_a": total.e,
        "index": total.index,
        "tvet_lll_exchanges": tvet.get("tvet", Flow()).n,
        "tvet_lll_share": _pct(tvet.get("tvet", Flow()).n, total.n),
        "coverage": _pct(cov_covered, cov_total),
        "uncovered_offers": cov_total - cov_covered,
        "median_days_to_approval": (
            p["median_wait"] / 86400 if p["median_wait"] is not None else None
        )
        if "median_wait" in p
        else median_days_to_approval(ex),
        "co2_tonnes": co2_total / 1000,
        "co2_participants": travellers_total,
    }
    summary_labels = [
        ("exchanges", _("Approved exchanges"), "int"),
        ("completed", _("of which completed"), "int"),
        ("a_to_e", _("Participants Asia → Europe"), "int"),
        ("e_to_a", _("Participants Europe → Asia"), "int"),
        ("index", _("Balance index"), "index"),
        ("tvet_lll_share", _("TVET and lifelong learning (% of exchanges)"), "pct"),
        ("coverage", _("Open or paired offers with a partner (%)"), "pct"),
        ("median_days_to_approval", _("Median days from proposal to approval"), "days"),
        ("co2_tonnes", _("Estimated CO₂ avoided (tonnes CO₂e)"), "tonnes"),
    ]
    tables = {
        "summary": Table(
            "summary",
            _("Summary"),
            [Column("figure", _("Figure"), "text"), Column("value", _("Value"), "text")],
            [
                {"figure": str(label), "value": summary[key], "kind": kind, "key": key}
                for key, label, kind in summary_labels
            ],
        ),
        **tables,
    }
    return Statistics(f, summary, tables, country_chart, index_chart, funnel_chart)


class MedianSeconds(Aggregate):
    """PostgreSQL: the median of `end - start` in seconds (the mean of the two middle
    values for an even count, as median_days_to_approval)."""

    function = "percentile_cont"
    arg_joiner = " - "
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', %(expressions)s))"
    output_field = FloatField()


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


def scope_institutions(institutions: frozenset[int] | None) -> list[Institution]:
    if institutions is None:
        return []
    return list(Institution.objects.filter(pk__in=list(institutions)).order_by("name"))
