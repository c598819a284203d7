"""The fast round path (issue #12 part 6) against the old exact path, on small random
rounds: candidates from one pass over both sides, cut by season (`candidates._Segments`)
and kept per column only while they can still reach its top k, then the LP. The pairing
must be as good as the one on the old graph (each offer ranked on its own), keep every
cap, every hard rule and the relevance rule, and never pair below the minimum score."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import numpy as np
import pytest

from matching import candidates, scoring
from matching.constraints import hard_failures
from matching.features import Weights
from matching.overlap_batch import OccurrenceIndex
from matching.pairing import Edges, RoundOffer, cap_violations, solve_exact, solve_greedy
from matching.timetable import occurrences
from rounds.edge_filters import filter_edges
from tests.matching.test_candidates_batched import as_dict, one_by_one, world

CAPS = {"institution_cap": 2, "country_slack": 0.1}


def two_seasons(seed: int, n: int):
    """A world whose offers teach in February or in September: half the pairs can never
    share a week, and whole segments of partners are skipped."""
    offers, _, _ = world(seed, n)
    rng = random.Random(seed)
    moved = []
    for o in offers:
        start = dt.date(2025, rng.choice([2, 9]), 1) + dt.timedelta(days=rng.randrange(0, 21))
        length = o.term_end - o.term_start
        moved.append(dataclasses.replace(o, term_start=start, term_end=start + length))
    model = world(seed, n)[1]  # the same texts, so the same text model
    return moved, model, scoring.OfferTable(moved)


def round_offers(offers):
    return {o.id: RoundOffer(o.region, o.country, o.institution_id, o.capacity) for o in offers}


def solve(edges: dict, offers, min_score: float):
    """A round as `rounds.compute` runs it on a candidate graph: minimum score, then LP."""
    keys = list(edges)
    asian = np.array([a for a, _ in keys], dtype=np.int64)
    european = np.array([b for _, b in keys], dtype=np.int64)
    scores = np.array([edges[e] for e in keys], dtype=np.float64)
    kept = filter_edges(asian, european, scores, min_score=min_score, refused=())
    graph = Edges(kept.asian, kept.european, kept.score)
    return solve_exact(graph, round_offers(offers), **CAPS), graph


@pytest.mark.parametrize(
    ("seed", "make", "weights", "k", "min_score"),
    [
        (11, world, Weights(), 4, 0.35),
        (12, world, Weights(text=0.2, overlap=0.4, min_overlap_hours=2), 3, 0.3),
        (13, two_seasons, Weights(), 5, 0.35),
        (14, two_seasons, Weights(max_cefr_gap=1), 2, 0.0),
    ],
)
def test_the_fast_round_is_as_good_as_the_old_exact_one(seed, make, weights, k, min_score):
    offers, model, table = make(seed, 400)
    old = one_by_one(table, model, weights, k)
    new = as_dict(*candidates.candidate_edges(table, model, weights, k, batch_size=29))
    # Every pair of the new graph is scored as the old path scores it...
    common = old.keys() & new.keys()
    assert all(new[e] == pytest.approx(old[e], abs=1e-6) for e in common)
    # ...and the graphs differ at most by a few ties at a k-th place (the old path broke
    # them arbitrarily, the new one to the lower id), which the pairing below must absorb.
    assert len(old.keys() ^ new.keys()) <= len(old) // 50
    want, _ = solve(old, offers, min_score)
    got, graph = solve(new, offers, min_score)
    assert got.total_score == pytest.approx(want.total_score, abs=1e-6)
    assert len(got.pairs) > 20

    by_id = {o.id: o for o in offers}
    assert cap_violations(got.pairs, round_offers(offers), got.caps) == []
    greedy = solve_greedy(graph, round_offers(offers), **CAPS)
    assert got.total_score >= greedy.total_score - 1e-9
    for a, b, score in got.pairs:
        assert score >= min_score - 1e-9
        cosine = float(model.subset(model.rows_of([b])).score_block(model.vector(a))[0, 0])
        # Every hard rule, the weekly overlap and the relevance rule included.
        assert hard_failures(by_id[a], by_id[b], weights, text_similarity=cosine) == []
        assert scoring.explain(by_id[a], by_id[b], cosine, weights).score == pytest.approx(
            score, abs=1e-6
        )


def test_offers_of_other_seasons_are_never_candidates():
    offers, model, table = two_seasons(15, 300)
    asian, european, _ = candidates.candidate_edges(table, model, Weights(), 5)
    start = {o.id: o.term_start.month for o in offers}
    assert len(asian) > 100
    assert all(start[a] == start[b] for a, b in zip(asian.tolist(), european.tolist(), strict=True))


def test_a_side_without_any_partner_in_its_season():
    offers, model, _ = world(16, 120)
    # Every Asian offer in February, every European one in September: nothing can meet.
    moved = [
        dataclasses.replace(
            o,
            term_start=dt.date(2025, 2 if o.region == "asia" else 9, 1),
            term_end=dt.date(2025, 2 if o.region == "asia" else 9, 1) + dt.timedelta(weeks=12),
        )
        for o in offers
    ]
    asian, european, scores = candidates.candidate_edges(
        scoring.OfferTable(moved), model, Weights(), 5
    )
    assert len(asian) == len(european) == len(scores) == 0


def test_the_greedy_baseline_never_beats_the_fast_round():
    offers, model, table = world(17, 500)
    new = as_dict(*candidates.candidate_edges(table, model, Weights(), 6))
    got, graph = solve(new, offers, 0.3)
    greedy = solve_greedy(graph, round_offers(offers), **CAPS)
    assert got.stats["caps_kept"] and greedy.stats["caps_kept"]
    assert got.total_score >= greedy.total_score - 1e-9


def test_the_occurrence_index_holds_every_offers_occurrences():
    """All offers' window occurrences at once equal `timetable.occurrences` of each, also
    across daylight-saving changes and for windows that touch or cross midnight."""
    offers, _, _ = world(18, 300)
    rng = random.Random(18)
    odd = [
        dataclasses.replace(
            offers[i],
            windows=((6, dt.time(22), dt.time(0)), (0, dt.time(0), dt.time(2))),
            time_zone=rng.choice(["Europe/Berlin", "Asia/Tokyo", "Europe/London"]),
            term_start=dt.date(2025, 3, 1),
            term_end=dt.date(2025, 11, 30),
        )
        for i in range(5)
    ]
    offers = offers + odd + [dataclasses.replace(offers[5], id=10_000, windows=())]
    index = OccurrenceIndex(offers)
    owner = np.searchsorted(index._key_start, np.arange(len(offers) + 1) * (1 << 36))
    for row, o in enumerate(offers):
        want = occurrences(o.time_zone, tuple(o.windows), o.term_start, o.term_end)
        got = slice(owner[row], owner[row + 1])
        assert index.start[got].tolist() == want.start.tolist()
        assert index.end[got].tolist() == want.end.tolist()
