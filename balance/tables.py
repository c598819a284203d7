"""The statistics' tables, in one registry: the page, the CSV and XLSX exports and the API
all list the tables of `REGISTRY`, in its order (the order they are registered in below).

Each table is a `TableSpec`: its slug (the URL of its exports, its key in the API), title,
columns and note, and a small function that folds one dashboard's already-fetched rows
(balance.folds) into the table's rows — never a query of its own.

Several values: an exchange counts under every value either of its two courses has (both
priorities, both levels, both fields, each theme, every SDG), once per value; those tables
add up to more than the exchanges and say so in their note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from balance.figures import Column, Flow, Table, flow_columns, flow_row, fold, pct, term_label
from balance.folds import Folds
from balance.models import sdg_bits
from balance.queries import SDG_SPLIT
from core.balance_rules import balance_index
from offers.models import OfferKind, OfferLevel, Priority

Rows = Callable[[Folds], list[dict]]


@dataclass(frozen=True)
class TableSpec:
    slug: str
    title: str
    columns: tuple[Column, ...]
    rows: Rows
    note: str = ""

    def build(self, folds: Folds) -> Table:
        return Table(self.slug, self.title, list(self.columns), self.rows(folds), self.note)


REGISTRY: list[TableSpec] = []


def table(slug: str, title: str, columns: list[Column], note: str = "") -> Callable[[Rows], Rows]:
    """Register the decorated function as the rows of the table `slug`, after the tables
    registered before it."""

    def register(rows: Rows) -> Rows:
        if any(spec.slug == slug for spec in REGISTRY):
            raise ValueError(f"Two statistics tables named {slug!r}.")
        REGISTRY.append(TableSpec(slug, title, tuple(columns), rows, note))
        return rows

    return register


def slugs() -> list[str]:
    """The slugs of the tables, in the registry's order."""
    return [spec.slug for spec in REGISTRY]


def build_all(folds: Folds) -> dict[str, Table]:
    """Every table of the registry, in its order, by slug."""
    return {spec.slug: spec.build(folds) for spec in REGISTRY}


# --- summary and funnel ---------------------------------------------------------------------

SUMMARY_FIGURES = [
    ("exchanges", _("Approved exchanges"), "int"),
    ("completed", _("of which completed"), "int"),
    ("a_to_e", _("Participants Asia → Europe"), "int"),
    ("e_to_a", _("Participants Europe → Asia"), "int"),
    ("index", _("Balance index"), "index"),
    # xgettext:no-python-format
    ("tvet_lll_share", _("TVET and lifelong learning (% of exchanges)"), "pct"),
    ("coverage", _("Open or paired offers with a partner (%)"), "pct"),
    ("median_days_to_approval", _("Median days from proposal to approval"), "days"),
    ("co2_tonnes", _("Estimated CO₂ avoided (tonnes CO₂e)"), "tonnes"),
]


@table(
    "summary",
    _("Summary"),
    [Column("figure", _("Figure"), "text"), Column("value", _("Value"), "text")],
)
def summary(d: Folds) -> list[dict]:
    """One row per headline figure, carrying its own kind (how its value reads)."""
    return [
        {"figure": str(label), "value": d.summary[key], "kind": kind, "key": key}
        for key, label, kind in SUMMARY_FIGURES
    ]


@table(
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
    note=_(
        "Offers count their students (COIL, blended) or seats for partner students "
        "(virtual mobility) in the direction they would flow; proposals count the "
        "participants of their two offers, approved exchanges those of the agreed "
        "terms, completed exchanges those of the completion report."
    ),
)
def funnel(d: Folds) -> list[dict]:
    offers = d.offer_totals["n"]
    return [
        {
            "stage": str(label),
            "count": n,
            "share": pct(n, offers),
            "a_to_e": a,
            "e_to_a": e,
            "index": balance_index(a, e),
        }
        for _key, label, n, a, e in d.stages
    ]


# --- countries and time ---------------------------------------------------------------------


@table(
    "countries",
    _("Flows per country"),
    flow_columns(Column("country", _("Country"), "text"), Column("region", _("Region"), "text")),
    note=_(
        "Each exchange counts for the country of its Asian and of its European "
        "institution. For an Asian country Asia → Europe is outgoing, for a European "
        "country incoming."
    ),
)
def countries(d: Folds) -> list[dict]:
    region_names = dict(Region.choices)
    regions = d.rows.country_regions
    return [
        flow_row(
            d.per_country[c],
            country=d.country(c),
            region=str(region_names.get(regions.get(c), "")),
        )
        for c in d.shown_countries
    ]


@table(
    "pairs",
    _("Flows per country pair"),
    flow_columns(
        Column("asian_country", _("Asian country"), "text"),
        Column("european_country", _("European country"), "text"),
    ),
)
def pairs(d: Folds) -> list[dict]:
    flows = d.pairs
    keys = sorted(flows, key=lambda k: (-flows[k].total, d.names.get(k[0], ""), k))
    return [
        flow_row(flows[k], asian_country=d.country(k[0]), european_country=d.country(k[1]))
        for k in keys
    ]


@table(
    "terms",
    _("Balance per term"),
    flow_columns(Column("term", _("Term"), "text")),
    note=_(
        "An exchange's term is the half-year in which the earlier of its two courses "
        "starts: January–June or July–December."
    ),
)
def terms(d: Folds) -> list[dict]:
    return [flow_row(d.terms[t], term=term_label(*t)) for t in sorted(d.terms)]


@table("years", _("Flows per year"), flow_columns(Column("year", _("Year"), "text")))
def years(d: Folds) -> list[dict]:
    by_year = fold(d.rows.groups["time"], lambda r: [r["t"] // 2])
    return [flow_row(by_year[y], year=str(y)) for y in sorted(by_year)]


# --- kinds, priorities, themes, levels, fields, goals --------------------------------------------


def _kind_label(kinds: dict, key: str) -> str:
    """A kind's name without its explanation ("Virtual mobility — …")."""
    return str(kinds.get(key, key)).split(" — ")[0]


@table(
    "kinds",
    _("Exchanges by kind of the two courses"),
    flow_columns(
        Column("asian_kind", _("Asian course"), "text"),
        Column("european_kind", _("European course"), "text"),
    ),
    note=_(
        "COIL and blended: each class counts in its own direction. Virtual mobility: "
        "the host course opens seats, the other side's students take them (at most as "
        "many as the seats) and count towards the host's region; two virtual-mobility "
        "courses host each other."
    ),
)
def kinds(d: Folds) -> list[dict]:
    names = dict(OfferKind.choices)
    by_kind = fold(d.rows.groups["kinds_levels"], lambda r: [(r["ak"], r["ek"])])
    return [
        flow_row(
            by_kind[key],
            asian_kind=_kind_label(names, key[0]),
            european_kind=_kind_label(names, key[1]),
        )
        for key in sorted(by_kind)
    ]


@table(
    "priorities",
    _("Flows per ASEM thematic priority"),
    flow_columns(Column("priority", _("Thematic priority"), "text")),
    note=_("An exchange whose two courses name different priorities counts under each."),
)
def priorities(d: Folds) -> list[dict]:
    rows = d.rows.groups["priorities_themes"]
    by_priority = fold(rows, lambda r: {r["ap"], r["ep"]} - {""} or {""})
    return [
        flow_row(by_priority.get(key, Flow()), priority=str(label))
        for key, label in [*Priority.choices, ("", _("No priority given"))]
    ]


THEMES = [
    ("digitalisation", _("Digitalisation")),
    ("sustainability", _("Sustainable development")),
    ("none", _("Neither theme")),
]


def _themes_of(row: dict) -> set[str]:
    out = set()
    if row["ad"] or row["ed"]:
        out.add("digitalisation")
    if row["asu"] or row["esu"]:
        out.add("sustainability")
    return out or {"none"}


@table(
    "themes",
    _("Flows per transversal theme"),
    flow_columns(Column("theme", _("Transversal theme"), "text")),
    note=_("An exchange counts under a theme when either course has it; under both if so."),
)
def themes(d: Folds) -> list[dict]:
    by_theme = fold(d.rows.groups["priorities_themes"], _themes_of)
    return [flow_row(by_theme.get(k, Flow()), theme=str(label)) for k, label in THEMES]


@table(
    "levels",
    _("Flows per level"),
    flow_columns(Column("level", _("Level"), "text")),
    note=_(
        "TVET and lifelong learning are EQF 4, EQF 5 and non-formal courses. An "
        "exchange of two levels counts under each."
    ),
)
def levels(d: Folds) -> list[dict]:
    """Every level, empty ones too: TVET and lifelong learning show among them."""
    by_level = fold(d.rows.groups["kinds_levels"], lambda r: {r["al"], r["el"]})
    return [
        flow_row(by_level.get(key, Flow()), level=str(label)) for key, label in OfferLevel.choices
    ]


@table(
    "fields",
    _("Flows per ISCED-F broad field"),
    flow_columns(Column("code", _("Code"), "text"), Column("field", _("Broad field"), "text")),
    note=_("An exchange of two fields counts under each."),
)
def fields(d: Folds) -> list[dict]:
    """ISCED-F broad fields: the first two digits of the detailed field."""
    by_field = fold(d.rows.groups["fields"], lambda r: {r["af"], r["ef"]})
    labels, broad = d.rows.field_labels, d.rows.broad_fields
    return [
        flow_row(by_field[code], code=code, field=labels.get(code, broad.get(code, "")))
        for code in sorted(by_field)
    ]


@table(
    "sdgs",
    _("Flows per Sustainable Development Goal"),
    flow_columns(Column("sdg", _("SDG"), "text")),
    note=_(
        "An exchange counts under every SDG either of its courses names: the rows add "
        "up to more than the exchanges."
    ),
)
def sdgs(d: Folds) -> list[dict]:
    """Each exchange's facts hold the union of its two courses' goals, in two halves."""
    groups = d.rows.groups
    by_sdg = {
        **fold(groups["sdgs_low"], lambda r: sdg_bits(r["g1"])),
        **fold(groups["sdgs_high"], lambda r: [k + SDG_SPLIT for k in sdg_bits(r["g2"])]),
    }
    return [flow_row(by_sdg.get(s.number, Flow()), sdg=str(s)) for s in d.rows.sdgs]


# --- coverage and CO₂ --------------------------------------------------------------------------

COVERAGE_COLUMNS = [
    Column("offers", _("Open or paired offers")),
    Column("covered", _("With an approved partner")),
    Column("uncovered", _("Still without a partner")),
    Column("coverage", _("Coverage (%)"), "pct"),
]


def _coverage_row(total: int, covered: int, **labels) -> dict:
    return {
        **labels,
        "offers": total,
        "covered": covered,
        "uncovered": total - covered,
        "coverage": pct(covered, total),
    }


@table(
    "coverage_regions",
    _("Coverage per region"),
    [Column("region", _("Region"), "text"), *COVERAGE_COLUMNS],
)
def coverage_regions(d: Folds) -> list[dict]:
    """Open or paired offers with at least one approved pairing."""
    by_region = d.coverage_by_region
    return [
        _coverage_row(*by_region[key], region=str(label))
        for key, label in Region.choices
        if key in by_region
    ]


@table(
    "coverage_countries",
    _("Coverage per country"),
    [
        Column("country", _("Country"), "text"),
        Column("region", _("Region"), "text"),
        *COVERAGE_COLUMNS,
    ],
    note=_("Countries with the lowest coverage first."),
)
def coverage_countries(d: Folds) -> list[dict]:
    region_names = dict(Region.choices)
    places = sorted(
        d.coverage_places,
        key=lambda r: (r["covered"] / r["total"], -r["total"], d.names.get(r["country_id"], "")),
    )
    return [
        _coverage_row(
            r["total"],
            r["covered"],
            country=d.country(r["country_id"]),
            region=str(region_names.get(r["region"], r["region"])),
        )
        for r in places
    ]


@table(
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
)
def co2(d: Folds) -> list[dict]:
    """Completed exchanges per country pair, largest first (balance.co2)."""
    rows, _kg, _travellers = d.co2
    return rows
