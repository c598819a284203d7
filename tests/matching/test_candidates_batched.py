"""Batched candidate generation of a round (`matching.candidates`): the same partners and
scores as ranking each offer on its own (`OfferTable.rank`), the batched exact overlap
equal to `overlap.overlap_summary`, and rounds on the batched graph within every cap."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from matching import candidates, scoring
from matching import overlap as ov
from matching.features import Weights
from matching.overlap_batch import OccurrenceIndex
from matching.pairing import Edges, RoundOffer, cap_violations, solve_exact, solve_greedy
from matching.similarity import TextModel
from matching.table import ASIA
from tests.matching.test_scoring import random_offer

TOPICS = ["ocean coral reefs", "python programming", "contract law", "solar energy", "art"]


def world(seed: int, n: int):
    rng = random.Random(seed)
    offers = [
        dataclasses.replace(
            random_offer(rng, i), title=f"{rng.choice(TOPICS)} {rng.choice(TOPICS)}"
        )
        for i in range(n)
    ]
    model = TextModel(min_df=1).fit([(o.id, o.text) for o in offers])
    return offers, model, scoring.OfferTable(offers)


def one_by_one(table, model, weights, k, pool=None):
    """The reference: every offer ranked on its own against the other region."""
    edges = {}
    for side in (table.asia, ~table.asia):
        others = np.flatnonzero(~side)
        partners = table.take(others)
        targets = model.subset(model.rows_of(table.ids[others]))
        for row in np.flatnonzero(side):
            q = table.offers[row]
            text = targets.score_block(model.vector(q.id))[0]
            rows = None
            if pool is not None and pool < len(text):
                rows = np.argpartition(-text, pool - 1)[:pool]
                text = text[rows]
            for r, score, _ in partners.rank(q, text, weights, k, rows):
                other = int(partners.ids[r])
                edges[(q.id, other) if q.region == ASIA else (other, q.id)] = score
    return edges


def as_dict(asian, european, scores):
    return dict(
        zip(zip(asian.tolist(), european.tolist(), strict=True), scores.tolist(), strict=True)
    )


@pytest.mark.parametrize(
    ("seed", "weights", "k"),
    [
        (1, Weights(), 5),
        (2, Weights(text=0.1, overlap=0.5, min_overlap_hours=2), 3),
        (3, Weights(max_cefr_gap=1, min_text_without_field=0.3), 8),
    ],
)
def test_batched_edges_equal_ranking_every_offer_on_its_own(seed, weights, k):
    _, model, table = world(seed, 500)
    want = one_by_one(table, model, weights, k)
    # Small batches, so that several batches and both directions are exercised.
    got = as_dict(*candidates.candidate_edges(table, model, weights, k, batch_size=37))
    assert set(got) == set(want)
    assert all(got[e] == pytest.approx(want[e], abs=1e-9) for e in want)
    assert len(want) > 300  # most offers do find partners


def test_a_text_pool_equals_ranking_within_the_same_pool():
    _, model, table = world(4, 400)
    want = one_by_one(table, model, Weights(), 4, pool=30)
    got = as_dict(*candidates.candidate_edges(table, model, Weights(), 4, pool=30))
    assert got.keys() == want.keys()


def test_a_wide_enough_pool_misses_no_pair_of_the_exact_graph():
    _, model, table = world(5, 300)
    exact = as_dict(*candidates.candidate_edges(table, model, Weights(), 4))
    wide = as_dict(*candidates.candidate_edges(table, model, Weights(), 4, pool=len(table)))
    assert wide == exact
    narrow = as_dict(*candidates.candidate_edges(table, model, Weights(), 4, pool=5))
    # A narrow pool only drops pairs; what it keeps is scored exactly.
    assert all(narrow[e] == pytest.approx(exact[e]) for e in narrow.keys() & exact.keys())


def test_scoring_candidate_edges_is_the_batched_one():
    _, model, table = world(6, 200)
    a = as_dict(*scoring.candidate_edges(table, model, Weights(), k=3))
    b = as_dict(*candidates.candidate_edges(table, model, Weights(), k=3))
    assert a == b


def test_batched_overlap_equals_overlap_summary_on_random_pairs():
    offers, _, _ = world(7, 300)
    index = OccurrenceIndex(offers)
    rng = np.random.default_rng(7)
    a = rng.integers(0, len(offers), 2000)
    b = rng.integers(0, len(offers), 2000)
    need = np.array(
        [max(offers[i].duration_weeks, offers[j].duration_weeks) for i, j in zip(a, b, strict=True)]
    )
    got = index.guaranteed(a, b, need)
    want = [
        ov.overlap_summary(offers[i], offers[j], n).guaranteed
        for i, j, n in zip(a.tolist(), b.tolist(), need.tolist(), strict=True)
    ]
    assert got.tolist() == want
    assert (got > 0).sum() > 100  # not a comparison of zeros
    # Longer exchanges than any shared term: nothing is guaranteed.
    assert not index.guaranteed(a[:50], b[:50], np.full(50, 60)).any()


def test_a_round_on_the_batched_graph_keeps_every_cap_and_beats_greedy():
    offers, model, table = world(8, 600)
    asian, european, scores = candidates.candidate_edges(table, model, Weights(), k=5)
    graph = Edges(asian, european, scores)
    round_offers = {
        o.id: RoundOffer(o.region, o.country, o.institution_id, o.capacity) for o in offers
    }
    caps = {"institution_cap": 3, "country_slack": 0.1}
    exact = solve_exact(graph, round_offers, **caps)
    greedy = solve_greedy(graph, round_offers, **caps)
    assert exact.stats["caps_kept"] and greedy.stats["caps_kept"]
    assert not cap_violations(exact.pairs, round_offers, exact.caps)
    assert exact.total_score >= greedy.total_score - 1e-9
    assert len(exact.pairs) > 50
    assert {(a, b) for a, b, _ in exact.pairs} <= set(
        zip(asian.tolist(), european.tolist(), strict=True)
    )
