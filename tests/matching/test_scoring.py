"""Hard constraints, explained scores and suggestions against a brute-force reference."""

import dataclasses
import datetime as dt
import random

import numpy as np
import pytest

from matching import scoring
from matching.features import OfferFeatures, Weights
from matching.similarity import TextModel

T = dt.time


def offer(id=1, **changes) -> OfferFeatures:
    base = dict(
        id=id,
        region="asia",
        country="MY",
        institution_id=10,
        kind="coil",
        isced="0521",
        level="6",
        languages=(("en", "B2"),),
        students=24,
        term_start=dt.date(2025, 2, 3),
        term_end=dt.date(2025, 6, 27),
        duration_weeks=8,
        time_zone="Asia/Kuala_Lumpur",
        windows=((1, T(15), T(17)),),
        sync_sessions=4,
        sdgs=frozenset({14}),
        priority="balanced_mobility",
        title="Coastal ecosystems",
    )
    base.update(changes)
    return OfferFeatures(**base)


def berlin(id=2, **changes) -> OfferFeatures:
    base = dict(
        region="europe",
        country="DE",
        institution_id=20,
        time_zone="Europe/Berlin",
        windows=((1, T(8), T(10)),),
        term_start=dt.date(2025, 1, 6),
        term_end=dt.date(2025, 5, 30),
        isced="0522",
        students=30,
        sdgs=frozenset({14, 13}),
    )
    base.update(changes)
    return offer(id, **base)


def codes(failures):
    return [f.code for f in failures]


def test_a_good_pair_passes_every_hard_constraint():
    assert scoring.hard_failures(offer(), berlin()) == []


def test_same_region_fails():
    assert codes(scoring.hard_failures(offer(), offer(2, country="TH"))) == [scoring.REGION]


def test_no_shared_language_fails():
    b = berlin(languages=(("de", "B2"), ("fr", "C1")))
    assert codes(scoring.hard_failures(offer(), b)) == [scoring.LANGUAGE]


def test_any_gap_in_cefr_level_is_accepted_unless_limited():
    a, b = offer(languages=(("en", "A2"),)), berlin(languages=(("en", "C1"),))
    assert scoring.hard_failures(a, b) == []
    assert codes(scoring.hard_failures(a, b, Weights(max_cefr_gap=2))) == [scoring.LANGUAGE]
    assert scoring.hard_failures(a, b, Weights(max_cefr_gap=3)) == []


def test_excluded_country_fails_either_way():
    assert codes(scoring.hard_failures(offer(excluded_countries=frozenset({"DE"})), berlin())) == [
        scoring.EXCLUDED
    ]
    failures = scoring.hard_failures(offer(), berlin(excluded_countries=frozenset({"MY"})))
    assert codes(failures) == [scoring.EXCLUDED]
    assert failures[0].text == "offer 2 excludes partners from MY"


def test_too_short_shared_term_fails():
    # Shared term 3 Feb – 30 May is 16 weeks.
    assert scoring.hard_failures(offer(duration_weeks=16), berlin()) == []
    failures = scoring.hard_failures(offer(), berlin(duration_weeks=17))
    assert codes(failures) == [scoring.TERM]
    assert failures[0].text == "16 weeks of shared term, 17 needed"


def test_too_little_weekly_overlap_fails_only_when_sync_sessions_are_wanted():
    # KL 15–17 vs Berlin 08–10: 2 h in winter, 1 h from 30 March.
    assert scoring.hard_failures(offer(), berlin(), Weights(min_overlap_hours=2)) == []
    long = berlin(duration_weeks=12)  # must live through the clock change: 1 h guaranteed
    assert codes(scoring.hard_failures(offer(), long, Weights(min_overlap_hours=2))) == [
        scoring.OVERLAP
    ]
    evening = berlin(windows=((1, T(18), T(20)),))
    assert codes(scoring.hard_failures(offer(), evening)) == [scoring.OVERLAP]
    no_sync = scoring.hard_failures(offer(sync_sessions=0), berlin(windows=(), sync_sessions=0))
    assert no_sync == []
    one_side = scoring.hard_failures(offer(sync_sessions=0), berlin(windows=()))
    assert codes(one_side) == [scoring.OVERLAP]


def test_isced_closeness_orders_detailed_narrow_broad_none():
    a = offer()
    scores = [
        scoring.explain(a, berlin(isced=code), 0.3).score
        for code in ("0521", "0522", "0531", "0913")
    ]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 4
    texts = [
        next(r.text for r in scoring.explain(a, berlin(isced=c), 0.3).reasons if r.code == "isced")
        for c in ("0521", "0522", "0531", "0913")
    ]
    assert texts == [
        "same detailed field 0521",
        "same narrow field 052",
        "same broad field 05",
        "different fields 0521 and 0913",
    ]


def test_explanation_reads_component_by_component():
    match = scoring.explain(offer(), berlin(), 0.42)
    reasons = {r.code: r for r in match.reasons}
    assert reasons["text"].text == "text similarity 0.42"
    assert reasons["isced"].text == "same narrow field 052"
    assert reasons["level"].text == "both EQF 6"
    assert reasons["overlap"].text == (
        "2 h a week of overlap: Tue 15:00–17:00 in Asia/Kuala_Lumpur = 08:00–10:00 in "
        "Europe/Berlin (1–2 h a week across the term)"
    )
    assert reasons["size"].text == "classes of 24 and 30 students"
    assert reasons["sdg"].text == "SDG 14"
    assert reasons["priority"].text == "same priority: balanced mobility"
    assert reasons["language"].text == "both English B2"
    assert reasons["term"].text == "16 weeks of shared term"
    assert match.as_dict()["reasons"][1] == {
        "code": "isced",
        "value": 0.6,
        "weight": Weights().isced,
        "text": "same narrow field 052",
        "template": "same narrow field %(field)s",
        "params": {"field": "052"},
    }


def test_explanation_details_for_other_cases():
    a = offer(level="nonformal", languages=(("en", "B1"), ("ms", "C2")), sdgs=frozenset({4, 13}))
    b = berlin(level="5", languages=(("en", "C1"),), sdgs=frozenset({4, 13, 14}), priority="")
    reasons = {r.code: r.text for r in scoring.explain(a, b, 0.1).reasons}
    assert reasons["level"] == "non-formal and EQF 5"
    assert reasons["language"] == "English at C1 (B1 and C1)"
    assert reasons["sdg"] == "SDGs 4 and 13"
    assert reasons["priority"] == "different priorities"
    quiet = scoring.explain(offer(sync_sessions=0), berlin(sync_sessions=0), 0.1)
    overlap = next(r for r in quiet.reasons if r.code == "overlap")
    assert (overlap.weight, overlap.text) == (0.0, "no synchronous sessions wanted")


def test_score_is_the_weighted_mean_of_applicable_components():
    w = Weights()
    match = scoring.explain(offer(), berlin(), 0.5, w)
    soft = [r for r in match.reasons if r.weight > 0]
    assert match.score == pytest.approx(
        sum(r.value * r.weight for r in soft) / sum(r.weight for r in soft)
    )
    assert 0.0 <= match.score <= 1.0
    perfect = scoring.explain(offer(), berlin(isced="0521", students=24, sdgs=frozenset({14})), 1.0)
    assert perfect.score == pytest.approx(
        (w.text + w.isced + w.level + w.overlap * 0.5 + w.size + w.sdg + w.priority) / 1.0
    )


def test_weights_from_settings_reject_unknown_keys():
    assert Weights.from_mapping({"text": 0.7}).text == 0.7
    with pytest.raises(ValueError):
        Weights.from_mapping({"txt": 0.7})
    with pytest.raises(ValueError):
        Weights(text=-1)


ZONES = {
    "asia": ["Asia/Kuala_Lumpur", "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata"],
    "europe": ["Europe/Berlin", "Europe/London", "Europe/Helsinki", "Europe/Lisbon"],
}
COUNTRIES = {"asia": ["MY", "JP", "AU", "IN"], "europe": ["DE", "GB", "FI", "PT"]}


def random_offer(rng: random.Random, id: int) -> OfferFeatures:
    region = rng.choice(["asia", "europe"])
    z = rng.randrange(4)
    windows = []
    for day in rng.sample(range(5), rng.randint(1, 3)):
        start = rng.randrange(6, 20)
        windows.append((day, T(start), T(min(start + rng.randint(1, 4), 23))))
    start = dt.date(2025, 1, 6) + dt.timedelta(weeks=rng.randrange(0, 30))
    return OfferFeatures(
        id=id,
        region=region,
        country=COUNTRIES[region][z],
        institution_id=rng.randrange(20),
        kind="coil",
        isced=rng.choice(["0521", "0522", "0531", "0613", "0611", "0913"]),
        level=rng.choice(["5", "6", "7", "nonformal"]),
        languages=tuple(
            (lang, rng.choice(["B1", "B2", "C1"]))
            for lang in rng.sample(["en", "fr", "de", "ms"], rng.randint(1, 2))
        ),
        students=rng.randint(5, 60),
        term_start=start,
        term_end=start + dt.timedelta(weeks=rng.randint(6, 24)),
        duration_weeks=rng.randint(4, 10),
        time_zone=ZONES[region][z],
        windows=tuple(windows),
        sync_sessions=rng.choice([0, 0, 3, 6]),
        sdgs=frozenset(rng.sample(range(1, 18), rng.randint(0, 3))),
        priority=rng.choice(["", "balanced_mobility", "lifelong_learning"]),
        excluded_countries=frozenset(
            rng.sample(COUNTRIES["asia"] + COUNTRIES["europe"], rng.choice([0, 0, 1]))
        ),
    )


def brute_force(query, offers, text, weights, k):
    scored = []
    for o in offers:
        if scoring.hard_failures(query, o, weights, text_similarity=text.get(o.id, 0.0)):
            continue
        scored.append((scoring.explain(query, o, text[o.id], weights).score, o.id))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return scored[:k]


@pytest.mark.parametrize(
    "weights", [Weights(), Weights(text=0.1, overlap=0.5, min_overlap_hours=2)]
)
def test_suggest_equals_scoring_every_pair(weights):
    rng = random.Random(3)
    offers = [random_offer(rng, i) for i in range(400)]
    text = {o.id: rng.random() for o in offers}
    table = scoring.OfferTable(offers)
    aligned = np.array([text[int(i)] for i in table.ids], dtype=np.float32)
    checked = 0
    for query in offers[:40]:
        got = scoring.suggest(query, table, aligned, weights, k=5)
        want = brute_force(
            query, offers, {i: float(np.float32(s)) for i, s in text.items()}, weights, 5
        )
        assert [round(m.score, 6) for m in got] == [round(s, 6) for s, _ in want]
        assert [m.partner_id for m in got] == [i for _, i in want]
        checked += len(got)
    assert checked > 100  # most queries do find partners


def test_suggest_accepts_plain_offers_and_a_mapping_of_text_scores():
    a, b, c = offer(), berlin(), berlin(3, isced="0913", students=90)
    got = scoring.suggest(a, [a, b, c], {2: 0.5, 3: 0.5}, k=5)
    assert [m.partner_id for m in got] == [2, 3]
    assert got[0].reasons[0].text == "text similarity 0.50"
    assert scoring.suggest(a, [a, b, c], {}, k=1)[0].partner_id == 2


def test_candidate_edges_keep_the_best_partners_in_both_directions():
    rng = random.Random(5)
    topics = ["ocean coral reefs", "python programming", "contract law", "solar energy"]
    offers = [
        dataclasses.replace(
            random_offer(rng, i), title=f"{rng.choice(topics)} {rng.choice(topics)}"
        )
        for i in range(160)
    ]
    model = TextModel(min_df=1).fit([(o.id, o.text) for o in offers])
    table = scoring.OfferTable(offers)
    asian, european, scores = scoring.candidate_edges(table, model, k=3, batch_size=32)
    edges = {(int(a), int(b)): s for a, b, s in zip(asian, european, scores, strict=True)}
    assert len(edges) == len(asian)
    by_id = {o.id: o for o in offers}
    assert all(by_id[a].region == "asia" and by_id[b].region == "europe" for a, b in edges)
    for query in offers:
        text = dict(
            zip(model.ids.tolist(), model.scores(model.vector(query.id)).tolist(), strict=True)
        )
        want = brute_force(query, offers, text, Weights(), 3)
        for score, other in want:
            key = (query.id, other) if query.region == "asia" else (other, query.id)
            assert edges[key] == pytest.approx(score, abs=1e-5)


def test_offer_features_refuse_malformed_values():
    for bad in (
        dict(region="africa"),
        dict(isced="52"),
        dict(languages=(("en", "B3"),)),
        dict(time_zone="Mars/Olympus"),
        dict(term_end=dt.date(2025, 1, 1)),
        dict(duration_weeks=0),
    ):
        with pytest.raises(ValueError):
            offer(**bad)
