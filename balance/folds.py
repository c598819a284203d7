"""The folds that several tables, the summary and the charts share: computed once per
dashboard, on first use, from the rows balance.queries fetched. Nothing here queries."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from balance.co2 import capitals, co2_avoided_kg, great_circle_km
from balance.figures import Flow, fold, pct, term_label
from balance.queries import Fetched
from core.vocabulary import TVET_AND_LIFELONG_LEVELS, VIRTUAL_MOBILITY
from offers.models import OfferStatus

COVERED_STATUSES = (OfferStatus.OPEN, OfferStatus.PAIRED)


class Folds:
    """One dashboard's grouped rows (`rows`) and what is folded from them."""

    def __init__(self, rows: Fetched):
        self.rows = rows
        self.filters = rows.filters
        self.names = rows.country_names

    def country(self, code: str) -> str:
        return self.names.get(code, code)

    # --- the funnel ---------------------------------------------------------------------------

    @cached_property
    def offer_totals(self) -> dict[str, int]:
        """Offers published: their number, and students or seats by direction."""
        totals = {"n": 0, "a": 0, "e": 0}
        for r in self.rows.offer_rows:
            # Asia hosts (or Europe opens virtual-mobility seats): Asia → Europe.
            vm = r["kind"] == VIRTUAL_MOBILITY
            towards_europe = (r["region"] == Region.ASIA and not vm) or (
                r["region"] == Region.EUROPE and vm
            )
            totals["n"] += r["n"]
            totals["a" if towards_europe else "e"] += r["students"]
        return totals

    @cached_property
    def stages(self) -> list[tuple]:
        """(key, label, number, A→E, E→A) of each stage of the funnel."""
        o, p = self.offer_totals, self.rows.totals
        return [
            ("offers", _("Offers published"), o["n"], o["a"], o["e"]),
            ("proposals", _("Proposals"), p["n"], p["a"], p["e"]),
            ("approved", _("Approved exchanges"), p["n_agreed"], p["a_agreed"], p["e_agreed"]),
            ("completed", _("Completed exchanges"), p["n_done"], p["a_done"], p["e_done"]),
        ]

    # --- countries and time -----------------------------------------------------------------

    @cached_property
    def pairs(self) -> dict[tuple[str, str], Flow]:
        return fold(self.rows.groups["pairs"], lambda r: [(r["ac"], r["ec"])])

    @cached_property
    def per_country(self) -> dict[str, Flow]:
        """An exchange counts for the country of each of its two institutions."""
        return fold(self.rows.groups["pairs"], lambda r: [r["ac"], r["ec"]])

    @cached_property
    def shown_countries(self) -> list[str]:
        """The countries of the selected region, most participants first."""
        flows, region = self.per_country, self.filters.region
        regions = self.rows.country_regions
        shown = [c for c in flows if not region or regions.get(c) == region]
        shown.sort(key=lambda c: (-flows[c].total, -flows[c].n, self.names.get(c, c)))
        return shown

    @cached_property
    def terms(self) -> dict[tuple[int, int], Flow]:
        """By (year, half): the stored half-year is year × 2, + 1 for July–December."""
        return fold(self.rows.groups["time"], lambda r: [(r["t"] // 2, r["t"] % 2 + 1)])

    # --- levels, coverage, CO₂ --------------------------------------------------------------------

    @cached_property
    def tvet(self) -> Flow:
        """The exchanges with a course at a TVET or lifelong-learning level."""
        levels = set(TVET_AND_LIFELONG_LEVELS)
        rows = self.rows.groups["kinds_levels"]
        return fold(rows, lambda r: ["tvet"] if {r["al"], r["el"]} & levels else []).get(
            "tvet", Flow()
        )

    @cached_property
    def coverage_places(self) -> list[dict]:
        """Open or paired offers, and those with an approved pairing, per region and
        country: {region, country_id, total, covered}."""
        by_place: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for r in self.rows.offer_rows:
            if r["status"] in COVERED_STATUSES:
                by_place[r["region"], r["country_id"]][0] += r["n"]
                by_place[r["region"], r["country_id"]][1] += r["covered"]
        return [
            {"region": region, "country_id": country, "total": total, "covered": covered}
            for (region, country), (total, covered) in by_place.items()
        ]

    @cached_property
    def coverage_by_region(self) -> dict[str, list[int]]:
        """[offers, covered] by region."""
        by_region: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in self.coverage_places:
            by_region[r["region"]][0] += r["total"]
            by_region[r["region"]][1] += r["covered"]
        return by_region

    @cached_property
    def co2(self) -> tuple[list[dict], float, int]:
        """Rows per country pair of completed exchanges, kilograms and travellers in all.
        A pair whose capital is unknown is left out."""
        name = self.names.get
        done = [r for r in self.rows.groups["pairs"] if r["done"]]
        places = capitals()
        rows, kg_total, travellers_total = [], 0.0, 0
        for r in sorted(done, key=lambda r: (name(r["ac"], ""), name(r["ec"], ""))):
            travellers = r["a_done"] + r["e_done"]
            if r["ac"] not in places or r["ec"] not in places:
                continue
            km = great_circle_km(places[r["ac"]], places[r["ec"]])
            kg = co2_avoided_kg(km, travellers)
            kg_total += kg
            travellers_total += travellers
            rows.append(
                {
                    "asian_country": self.country(r["ac"]),
                    "european_country": self.country(r["ec"]),
                    "exchanges": r["done"],
                    "participants": travellers,
                    "distance_km": km,
                    "co2_tonnes": kg / 1000,
                }
            )
        rows.sort(key=lambda r: -r["co2_tonnes"])
        return rows, kg_total, travellers_total

    # --- the summary and the charts ---------------------------------------------------------

    @cached_property
    def summary(self) -> dict:
        """The headline figures, by key (the page, the summary table and the API)."""
        p = self.rows.totals
        total = Flow(p["n_agreed"], p["n_done"], p["a_agreed"], p["e_agreed"])
        offers = sum(v[0] for v in self.coverage_by_region.values())
        covered = sum(v[1] for v in self.coverage_by_region.values())
        _rows, co2_kg, travellers = self.co2
        return {
            "exchanges": total.n,
            "completed": total.done,
            "a_to_e": total.a,
            "e_to_a": total.e,
            "index": total.index,
            "tvet_lll_exchanges": self.tvet.n,
            "tvet_lll_share": pct(self.tvet.n, total.n),
            "coverage": pct(covered, offers),
            "uncovered_offers": offers - covered,
            "median_days_to_approval": self.rows.median_days,
            "co2_tonnes": co2_kg / 1000,
            "co2_participants": travellers,
        }

    def country_chart(self) -> list[dict]:
        """The 15 countries shown first, by direction."""
        flows = self.per_country
        return [
            {"label": self.country(c), "a": flows[c].a, "e": flows[c].e}
            for c in self.shown_countries[:15]
        ]

    def index_chart(self) -> list[dict]:
        return [{"label": term_label(*t), "index": self.terms[t].index} for t in sorted(self.terms)]

    def funnel_chart(self) -> list[dict]:
        return [{"label": str(label), "value": n} for _key, label, n, _a, _e in self.stages]
