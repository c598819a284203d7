"""The global pairing round: a balanced assignment over plain ids — no Django.

Given candidate edges (Asian offer, European offer, score), choose pairs that maximise the
total score subject to:
- each offer's capacity (partners sought);
- a cap on pairs per institution in the round (counted on each institution's own offers);
- country fairness: a country's pairs ≤ ceil((1 + slack) × share × R), where share is the
  country's fraction of its region's open offers and R = min(total Asian capacity, total
  European capacity), the size of the round if the scarcer side were fully paired. So no
  country can take far more than its share of the partners the scarcer side offers.

`solve_exact` solves this as a linear programme with HiGHS (dual simplex). Offers, their
institutions and their countries form a nested (laminar) family on each side and every
edge joins one chain per side, so the constraint matrix is a network matrix — totally
unimodular — and a vertex optimum is integral: the LP optimum *is* the best pairing (the
result is checked to be integral). `solve_greedy` is the baseline: best edge first.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from core.vocabulary import REGIONS

ASIA, EUROPE = REGIONS


@dataclass(frozen=True, slots=True)
class RoundOffer:
    """What the round needs of an open offer."""

    region: str
    country: str
    institution_id: int
    capacity: int = 1


@dataclass(frozen=True, slots=True)
class Edges:
    """Candidate edges as parallel arrays; `score` should be positive."""

    asian: np.ndarray
    european: np.ndarray
    score: np.ndarray

    @classmethod
    def from_tuples(cls, edges: Iterable[tuple[int, int, float]]) -> Edges:
        rows = list(edges)
        return cls(
            np.array([r[0] for r in rows], dtype=np.int64),
            np.array([r[1] for r in rows], dtype=np.int64),
            np.array([r[2] for r in rows], dtype=np.float64),
        )

    def __len__(self) -> int:
        return len(self.score)


@dataclass(frozen=True, slots=True)
class Caps:
    """The limits of one round: per offer, per institution and per country."""

    offer: dict[int, int]
    institution: int | None
    country: dict[str, int]


@dataclass
class RoundResult:
    """Chosen pairs (asian id, european id, score), best first, and figures about them."""

    method: str
    pairs: list[tuple[int, int, float]]
    total_score: float
    caps: Caps
    seconds: float
    stats: dict[str, object] = field(default_factory=dict)


def country_caps(offers: Mapping[int, RoundOffer], slack: float | None) -> dict[str, int]:
    """Per-country cap on pairs (see module docstring); empty when `slack` is None."""
    if slack is None:
        return {}
    capacity = Counter()
    count = Counter()
    per_country = Counter()
    for o in offers.values():
        capacity[o.region] += o.capacity
        count[o.region] += 1
        per_country[(o.region, o.country)] += 1
    size = min(capacity[ASIA], capacity[EUROPE])
    return {
        country: math.ceil((1 + slack) * n / count[region] * size - 1e-9)
        for (region, country), n in per_country.items()
    }


def _prepare(
    edges: Edges,
    offers: Mapping[int, RoundOffer],
    institution_cap: int | None,
    country_slack: float | None,
) -> tuple[Edges, Caps]:
    """Drop edges with unknown offers, wrong regions or score ≤ 0; keep each pair once."""
    lookup = _Lookup(offers)
    keep = (
        (lookup.region(edges.asian) == ASIA)
        & (lookup.region(edges.european) == EUROPE)
        & (np.asarray(edges.score) > 0)
    )
    a, b, s = edges.asian[keep], edges.european[keep], edges.score[keep]
    # Highest score first, so np.unique keeps the best copy of a duplicated pair.
    order = np.argsort(-s, kind="stable")
    a, b, s = a[order], b[order], s[order]
    _, first = np.unique(np.stack([a, b], axis=1), axis=0, return_index=True)
    first.sort()
    clean = Edges(a[first], b[first], s[first])
    caps = Caps(
        offer={i: o.capacity for i, o in offers.items()},
        institution=institution_cap,
        country=country_caps(offers, country_slack),
    )
    return clean, caps


class _Lookup:
    """Per-offer attributes for arrays of offer ids, without a Python loop per edge."""

    def __init__(self, offers: Mapping[int, RoundOffer]) -> None:
        self.ids = np.fromiter(offers, dtype=np.int64, count=len(offers))
        self.order = np.argsort(self.ids, kind="stable")
        self.sorted = self.ids[self.order]
        self.offers = [offers[i] for i in self.ids.tolist()]
        self._columns: dict[str, np.ndarray] = {}

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """Row of each id in `offers`, −1 when unknown."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(self.sorted):
            return np.full(len(ids), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.sorted, ids), len(self.sorted) - 1)
        return np.where(self.sorted[pos] == ids, self.order[pos], -1)

    def column(self, name: str, ids: np.ndarray) -> np.ndarray:
        values = self._columns.get(name)
        if values is None:
            values = [getattr(o, name) for o in self.offers] + [None]
            values = self._columns[name] = np.array(values, dtype=object)
        return values[self.rows(ids)]  # the unknown's −1 picks the None

    def region(self, ids: np.ndarray) -> np.ndarray:
        return self.column("region", ids)


def _groups(edges: Edges, offers: Mapping[int, RoundOffer], caps: Caps):
    """Constraint groups as (name, group index per edge, limit per group)."""
    groups = []
    lookup = _Lookup(offers)
    for side, ids in (("offer", edges.asian), ("offer", edges.european)):
        uniq, idx = np.unique(ids, return_inverse=True)
        limit = lookup.column("capacity", uniq).astype(np.int64)
        groups.append((side, idx, limit))
    if caps.institution is not None:
        for ids in (edges.asian, edges.european):
            inst = lookup.column("institution_id", ids).astype(np.int64)
            uniq, idx = np.unique(inst, return_inverse=True)
            groups.append(("institution", idx, np.full(len(uniq), caps.institution)))
    if caps.country:
        for ids in (edges.asian, edges.european):
            ctry = lookup.column("country", ids).astype(str)
            uniq, idx = np.unique(ctry, return_inverse=True)
            groups.append(("country", idx, np.array([caps.country[str(c)] for c in uniq])))
    return groups


def solve_exact(
    edges: Edges,
    offers: Mapping[int, RoundOffer],
    *,
    institution_cap: int | None = None,
    country_slack: float | None = None,
) -> RoundResult:
    """The pairing of maximum total score within every cap (see module docstring).

    `offers` must hold every open offer of the round, paired or not: the country shares
    and the coverage figures are computed from it.
    """
    import scipy.sparse as sp
    from scipy.optimize import linprog

    started = time.perf_counter()
    clean, caps = _prepare(edges, offers, institution_cap, country_slack)
    n = len(clean)
    chosen = np.zeros(n, dtype=bool)
    if n:
        blocks, limits = [], []
        for _name, idx, limit in _groups(clean, offers, caps):
            blocks.append(sp.csr_matrix((np.ones(n), (idx, np.arange(n))), shape=(len(limit), n)))
            limits.append(limit)
        res = linprog(
            -clean.score,
            A_ub=sp.vstack(blocks).tocsr(),
            b_ub=np.concatenate(limits).astype(np.float64),
            bounds=(0, 1),
            method="highs-ds",
        )
        if res.status != 0:
            raise RuntimeError(f"pairing LP failed: {res.message}")
        if np.abs(res.x - np.round(res.x)).max() > 1e-6:
            raise RuntimeError("pairing LP returned a fractional vertex")
        chosen = res.x > 0.5
    return _result("exact", clean, chosen, offers, caps, started)


def solve_greedy(
    edges: Edges,
    offers: Mapping[int, RoundOffer],
    *,
    institution_cap: int | None = None,
    country_slack: float | None = None,
) -> RoundResult:
    """Baseline: take edges best first whenever every cap still allows them."""
    started = time.perf_counter()
    clean, caps = _prepare(edges, offers, institution_cap, country_slack)
    left_offer = dict(caps.offer)
    left_inst: Counter = Counter()
    left_country: Counter = Counter(caps.country)
    chosen = np.zeros(len(clean), dtype=bool)
    for e, (a, b) in enumerate(zip(clean.asian.tolist(), clean.european.tolist(), strict=True)):
        oa, ob = offers[a], offers[b]
        if left_offer[a] <= 0 or left_offer[b] <= 0:
            continue
        if caps.institution is not None and (
            left_inst[(ASIA, oa.institution_id)] >= caps.institution
            or left_inst[(EUROPE, ob.institution_id)] >= caps.institution
        ):
            continue
        if caps.country and (left_country[oa.country] <= 0 or left_country[ob.country] <= 0):
            continue
        chosen[e] = True
        left_offer[a] -= 1
        left_offer[b] -= 1
        left_inst[(ASIA, oa.institution_id)] += 1
        left_inst[(EUROPE, ob.institution_id)] += 1
        if caps.country:
            left_country[oa.country] -= 1
            left_country[ob.country] -= 1
    return _result("greedy", clean, chosen, offers, caps, started)


def _result(
    method: str,
    edges: Edges,
    chosen: np.ndarray,
    offers: Mapping[int, RoundOffer],
    caps: Caps,
    started: float,
) -> RoundResult:
    pairs = sorted(
        zip(
            edges.asian[chosen].tolist(),
            edges.european[chosen].tolist(),
            edges.score[chosen].tolist(),
            strict=True,
        ),
        key=lambda p: (-p[2], p[0], p[1]),
    )
    result = RoundResult(
        method=method,
        pairs=pairs,
        total_score=float(sum(p[2] for p in pairs)),
        caps=caps,
        seconds=time.perf_counter() - started,
    )
    result.stats = round_stats(pairs, offers, caps)
    return result


def cap_violations(
    pairs: Iterable[tuple[int, int, float]], offers: Mapping[int, RoundOffer], caps: Caps
) -> list[str]:
    """Every cap the pairs break, as text (empty = all kept); also checks regions and
    that no pair is chosen twice."""
    problems = []
    pairs = list(pairs)
    if len({(a, b) for a, b, _ in pairs}) != len(pairs):
        problems.append("a pair is chosen twice")
    per_offer: Counter = Counter()
    per_inst: Counter = Counter()
    per_country: Counter = Counter()
    for a, b, _ in pairs:
        if offers[a].region != ASIA or offers[b].region != EUROPE:
            problems.append(f"pair {a}–{b} does not join Asia and Europe")
        for i in (a, b):
            per_offer[i] += 1
            per_inst[(offers[i].region, offers[i].institution_id)] += 1
            per_country[offers[i].country] += 1
    problems += [
        f"offer {i}: {n} pairs > capacity {caps.offer[i]}"
        for i, n in per_offer.items()
        if n > caps.offer[i]
    ]
    if caps.institution is not None:
        problems += [
            f"institution {inst}: {n} pairs > cap {caps.institution}"
            for (_, inst), n in per_inst.items()
            if n > caps.institution
        ]
    problems += [
        f"country {c}: {n} pairs > cap {caps.country[c]}"
        for c, n in per_country.items()
        if c in caps.country and n > caps.country[c]
    ]
    return problems


def round_stats(
    pairs: list[tuple[int, int, float]], offers: Mapping[int, RoundOffer], caps: Caps
) -> dict[str, object]:
    """Figures for the secretariat: pairs, coverage per region and country, caps kept.

    Coverage is the share of open offers with at least one pair.
    """
    paired = {a for a, _, _ in pairs} | {b for _, b, _ in pairs}
    offers_by: Counter = Counter()
    paired_by: Counter = Counter()
    pairs_by: Counter = Counter()
    for i, o in offers.items():
        for key in (o.region, (o.region, o.country)):
            offers_by[key] += 1
            paired_by[key] += i in paired
    for a, b, _ in pairs:
        pairs_by[offers[a].country] += 1
        pairs_by[offers[b].country] += 1
    countries = sorted({(o.region, o.country) for o in offers.values()})
    violations = cap_violations(pairs, offers, caps)
    return {
        "pairs": len(pairs),
        "total_score": round(sum(p[2] for p in pairs), 4),
        "coverage": {
            r: round(paired_by[r] / offers_by[r], 4) if offers_by[r] else 0.0
            for r in (ASIA, EUROPE)
        },
        "countries": {
            c: {
                "region": r,
                "offers": offers_by[(r, c)],
                "paired_offers": paired_by[(r, c)],
                "coverage": round(paired_by[(r, c)] / offers_by[(r, c)], 4),
                "pairs": pairs_by[c],
                "cap": caps.country.get(c),
            }
            for r, c in countries
        },
        "caps_kept": not violations,
        "violations": violations[:20],
    }
