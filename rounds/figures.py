"""The figures a computed round stores (JSON in `PairingRound.stats`): offers, candidates,
the exact and greedy pairings side by side, coverage per region and country, balance and
the caps used. Plain computation over the round's offers and results, no queries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from core.balance_rules import balance_index, students_per_direction
from matching import pairing
from matching.features import OfferFeatures
from rounds.params import ASIA, EUROPE, RoundParams


def pair_directions(a: OfferFeatures, b: OfferFeatures) -> tuple[int, int]:
    """Participants of one pair by direction: (Asia → Europe, Europe → Asia); `a` is the
    Asian offer, `b` the European one. The rule is core.balance_rules.students_per_direction."""
    return students_per_direction(a.kind, a.students, b.kind, b.students)


def figures(
    features: Sequence[OfferFeatures],
    offers: dict[int, pairing.RoundOffer],
    exact: pairing.RoundResult,
    greedy: pairing.RoundResult,
    candidates: int,
    params: RoundParams,
    model_info: dict[str, object],
) -> dict[str, object]:
    """The stored figures of a round (JSON): offers, candidates, exact and greedy side by
    side, coverage per region and country, balance, and the caps used."""
    by_id = {f.id: f for f in features}
    capacity = Counter()
    count = Counter()
    for o in offers.values():
        capacity[o.region] += o.capacity
        count[o.region] += 1
    # The size of the round if the scarcer side were fully paired (see pairing.country_caps).
    size = min(capacity[ASIA], capacity[EUROPE])
    countries = _countries(exact, greedy, count, size)
    exact_fig, greedy_fig = _method(exact, by_id), _method(greedy, by_id)
    return {
        "offers": len(features),
        "candidates": candidates,
        "round_size": size,
        "params": params.as_json(),
        "model": model_info,
        "exact": exact_fig,
        "greedy": greedy_fig,
        "gain": {
            "pairs_percent": _gain(exact_fig["pairs"], greedy_fig["pairs"]),
            "score_percent": _gain(exact_fig["total_score"], greedy_fig["total_score"]),
        },
        "regions": _regions(countries, greedy, count),
        "countries": countries,
        "max_ratio": max((r["ratio"] for r in countries if r["ratio"] is not None), default=None),
    }


def _method(result: pairing.RoundResult, by_id: dict[int, OfferFeatures]) -> dict[str, object]:
    """The figures of one method's pairing (exact or greedy)."""
    s = result.stats
    paired = {a for a, _, _ in result.pairs} | {b for _, b, _ in result.pairs}
    return {
        "pairs": len(result.pairs),
        "total_score": round(result.total_score, 4),
        "mean_score": round(result.total_score / len(result.pairs), 4) if result.pairs else None,
        "paired_offers": len(paired),
        "coverage": s["coverage"],
        "caps_kept": s["caps_kept"],
        "seconds": round(result.seconds, 3),
        "balance": _balance(result.pairs, by_id),
    }


def _countries(
    exact: pairing.RoundResult, greedy: pairing.RoundResult, count: Counter, size: int
) -> list[dict[str, object]]:
    """Per country: offers, pairs, coverage, its fair share of the round and its cap."""
    countries = []
    for code, row in exact.stats["countries"].items():
        share = row["offers"] / count[row["region"]]
        fair = share * size
        countries.append(
            {
                "code": code,
                "region": row["region"],
                "offers": row["offers"],
                "paired_offers": row["paired_offers"],
                "coverage": row["coverage"],
                "pairs": row["pairs"],
                "share": round(share, 4),
                "fair_pairs": round(fair, 2),
                "ratio": round(row["pairs"] / fair, 2) if fair else None,
                "cap": row["cap"],
                "greedy_pairs": greedy.stats["countries"][code]["pairs"],
            }
        )
    countries.sort(key=lambda r: (r["region"], -r["offers"], r["code"]))
    return countries


def _regions(
    countries: list[dict[str, object]], greedy: pairing.RoundResult, count: Counter
) -> list[dict[str, object]]:
    """Per region: offers, offers paired and coverage, exact and greedy."""
    regions = []
    for region in (ASIA, EUROPE):
        paired = sum(r["paired_offers"] for r in countries if r["region"] == region)
        regions.append(
            {
                "region": region,
                "offers": count[region],
                "paired_offers": paired,
                "coverage": round(paired / count[region], 4) if count[region] else 0.0,
                "greedy_coverage": greedy.stats["coverage"][region],
            }
        )
    return regions


def _balance(pairs, by_id: dict[int, OfferFeatures]) -> dict[str, object]:
    a_to_e = e_to_a = 0
    for a, b, _score in pairs:
        x, y = pair_directions(by_id[a], by_id[b])
        a_to_e += x
        e_to_a += y
    index = balance_index(a_to_e, e_to_a)
    return {
        "a_to_e": a_to_e,
        "e_to_a": e_to_a,
        "index": None if index is None else round(index, 4),
    }


def _gain(new: float, old: float) -> float | None:
    """Percent gained over the baseline; None when the baseline is 0."""
    return round(100 * (new - old) / old, 1) if old else None
