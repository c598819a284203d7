"""The pairing round: exact optimum within every cap, against brute force and greedy."""

import itertools
import math
import random

import numpy as np
import pytest

from matching.pairing import (
    Edges,
    RoundOffer,
    cap_violations,
    country_caps,
    solve_exact,
    solve_greedy,
)


def instance(rng: random.Random, n_asia: int, n_europe: int, n_edges: int, capacity=(1, 1)):
    offers = {}
    for i in range(n_asia):
        offers[i] = RoundOffer("asia", rng.choice("ABC"), rng.randrange(3), rng.randint(*capacity))
    for i in range(100, 100 + n_europe):
        offers[i] = RoundOffer(
            "europe", rng.choice("XYZ"), 10 + rng.randrange(3), rng.randint(*capacity)
        )
    pairs = rng.sample(
        [(a, b) for a in range(n_asia) for b in range(100, 100 + n_europe)],
        min(n_edges, n_asia * n_europe),
    )
    return Edges.from_tuples((a, b, round(rng.random(), 3)) for a, b in pairs), offers


def brute_force(edges: Edges, offers, caps) -> float:
    rows = list(
        zip(edges.asian.tolist(), edges.european.tolist(), edges.score.tolist(), strict=True)
    )
    best = 0.0
    for r in range(len(rows) + 1):
        for subset in itertools.combinations(rows, r):
            if not cap_violations(subset, offers, caps):
                best = max(best, sum(s for _, _, s in subset))
    return best


def test_exact_beats_greedy_on_the_classic_trap():
    offers = {
        1: RoundOffer("asia", "MY", 1),
        2: RoundOffer("asia", "MY", 2),
        11: RoundOffer("europe", "DE", 11),
        12: RoundOffer("europe", "DE", 12),
    }
    edges = Edges.from_tuples([(1, 11, 0.9), (1, 12, 0.8), (2, 11, 0.8)])
    greedy = solve_greedy(edges, offers)
    exact = solve_exact(edges, offers)
    assert greedy.pairs == [(1, 11, 0.9)]
    assert exact.pairs == [(1, 12, 0.8), (2, 11, 0.8)]
    assert exact.total_score == pytest.approx(1.6)


@pytest.mark.parametrize("seed", range(12))
def test_exact_equals_brute_force_on_tiny_instances(seed):
    rng = random.Random(seed)
    edges, offers = instance(rng, 4, 4, 10, capacity=(1, 2))
    kwargs = dict(
        institution_cap=rng.choice([None, 1, 2]), country_slack=rng.choice([None, 0.0, 0.5])
    )
    exact = solve_exact(edges, offers, **kwargs)
    assert exact.stats["caps_kept"]
    assert exact.total_score == pytest.approx(brute_force(edges, offers, exact.caps), abs=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_exact_keeps_every_cap_and_never_loses_to_greedy(seed):
    rng = random.Random(100 + seed)
    edges, offers = instance(rng, 60, 80, 900, capacity=(1, 3))
    kwargs = dict(institution_cap=15, country_slack=0.1)
    exact = solve_exact(edges, offers, **kwargs)
    greedy = solve_greedy(edges, offers, **kwargs)
    assert cap_violations(exact.pairs, offers, exact.caps) == []
    assert cap_violations(greedy.pairs, offers, greedy.caps) == []
    assert exact.stats["caps_kept"] and greedy.stats["caps_kept"]
    assert exact.total_score >= greedy.total_score - 1e-9
    # The caps do bind here, so the test is not vacuous.
    free = solve_exact(edges, offers)
    assert free.total_score > exact.total_score


def test_country_cap_is_share_of_the_scarcer_side_with_slack_rounded_up():
    offers = {i: RoundOffer("asia", "MY" if i < 3 else "JP", i) for i in range(4)}
    offers |= {10 + i: RoundOffer("europe", "DE" if i < 6 else "FR", 10 + i) for i in range(8)}
    caps = country_caps(offers, 0.2)
    # Round size R = min(4, 8) = 4. DE holds 6/8 of Europe: ceil(1.2 × 0.75 × 4) = 4.
    assert caps == {
        "MY": math.ceil(1.2 * 3 / 4 * 4),
        "JP": math.ceil(1.2 * 1 / 4 * 4),
        "DE": 4,
        "FR": math.ceil(1.2 * 2 / 8 * 4),
    }
    assert country_caps(offers, None) == {}


def test_country_cap_spreads_the_scarce_side_across_countries():
    offers = {i: RoundOffer("asia", "MY", i) for i in range(4)}
    offers |= {10 + i: RoundOffer("europe", "DE" if i < 4 else "FR", 10 + i) for i in range(8)}
    # Every Asian offer likes German offers best.
    edges = Edges.from_tuples(
        [(a, 10 + e, 0.9 if e < 4 else 0.5) for a in range(4) for e in range(8)]
    )
    unfair = solve_exact(edges, offers)
    fair = solve_exact(edges, offers, country_slack=0.0)
    assert unfair.stats["countries"]["DE"]["pairs"] == 4
    assert fair.stats["countries"]["DE"]["pairs"] == 2 == fair.stats["countries"]["FR"]["pairs"]
    assert fair.stats["caps_kept"]


def test_institution_cap_counts_pairs_per_institution():
    offers = {i: RoundOffer("asia", "MY", 1) for i in range(3)}
    offers |= {10 + i: RoundOffer("europe", "DE", 10 + i) for i in range(3)}
    edges = Edges.from_tuples([(i, 10 + i, 0.8) for i in range(3)])
    result = solve_exact(edges, offers, institution_cap=2)
    assert len(result.pairs) == 2 and result.stats["caps_kept"]
    assert len(solve_greedy(edges, offers, institution_cap=2).pairs) == 2


def test_capacity_above_one_takes_several_partners():
    offers = {1: RoundOffer("asia", "MY", 1, capacity=2)}
    offers |= {10 + i: RoundOffer("europe", "DE", 10 + i) for i in range(3)}
    edges = Edges.from_tuples([(1, 10, 0.5), (1, 11, 0.7), (1, 12, 0.6)])
    result = solve_exact(edges, offers)
    assert [p[:2] for p in result.pairs] == [(1, 11), (1, 12)]


def test_bad_and_duplicate_edges_are_dropped():
    offers = {
        1: RoundOffer("asia", "MY", 1),
        2: RoundOffer("europe", "DE", 2),
        3: RoundOffer("europe", "FR", 3),
    }
    edges = Edges.from_tuples(
        [(1, 2, 0.4), (1, 2, 0.6), (2, 1, 0.9), (3, 2, 0.9), (1, 3, 0.0), (1, 99, 1.0)]
    )
    result = solve_exact(edges, offers)
    assert result.pairs == [(1, 2, 0.6)]


def test_stats_report_coverage_per_region_and_country():
    offers = {1: RoundOffer("asia", "MY", 1), 2: RoundOffer("asia", "JP", 2)}
    offers |= {10: RoundOffer("europe", "DE", 10), 11: RoundOffer("europe", "DE", 11)}
    offers |= {12: RoundOffer("europe", "FR", 12), 13: RoundOffer("europe", "FR", 13)}
    result = solve_exact(Edges.from_tuples([(1, 10, 0.5)]), offers)
    stats = result.stats
    assert stats["pairs"] == 1
    assert stats["coverage"] == {"asia": 0.5, "europe": 0.25}
    de = {"region": "europe", "offers": 2, "paired_offers": 1, "coverage": 0.5, "pairs": 1}
    assert stats["countries"]["DE"] == de | {"cap": None}
    assert stats["countries"]["JP"]["pairs"] == 0


def test_empty_round():
    offers = {1: RoundOffer("asia", "MY", 1)}
    for solve in (solve_exact, solve_greedy):
        result = solve(Edges.from_tuples([]), offers, institution_cap=1, country_slack=0.1)
        assert result.pairs == [] and result.total_score == 0.0


def test_cap_violations_spot_every_broken_cap():
    offers = {
        1: RoundOffer("asia", "MY", 1),
        2: RoundOffer("europe", "DE", 2),
        3: RoundOffer("europe", "DE", 2),
    }
    result = solve_exact(
        Edges.from_tuples([(1, 2, 0.5)]), offers, institution_cap=1, country_slack=0.0
    )
    bad = [(1, 2, 0.5), (1, 3, 0.5), (1, 2, 0.5)]
    problems = cap_violations(bad, offers, result.caps)
    assert "a pair is chosen twice" in problems
    assert any(p.startswith("offer 1:") for p in problems)
    assert any(p.startswith("institution 1:") for p in problems)
    assert any(p.startswith("country DE:") for p in problems)
    assert np.isclose(result.total_score, 0.5)
