"""The relevance rule: a partner must share subject — close ISCED-F fields (same tree or a
related-fields pair) or a text similarity above the floor. Pure: no database."""

import numpy as np
import pytest

from matching import scoring
from matching.components import ISCED_RELATED, isced_closeness, related_fields
from matching.features import Weights
from matching.related_fields import RELATED_FIELDS
from tests.matching.test_scoring import berlin, codes, offer


def test_related_fields_cross_broad_groups_both_ways():
    # 0521 environmental sciences ~ 0731 architecture and town planning (detailed pair);
    # 0521 ~ 081 agriculture stands for every detailed field of 081.
    assert isced_closeness(521, 731) == ISCED_RELATED
    assert isced_closeness(731, 521) == ISCED_RELATED
    assert isced_closeness(521, 811) == ISCED_RELATED
    assert isced_closeness(313, 923) == ISCED_RELATED  # psychology ~ social work
    assert isced_closeness(521, 222) == 0  # history: no shared subject
    assert isced_closeness(714, 421) == 0  # electronics and law
    # Same narrow field still beats a related pair; a related pair beats "same broad".
    assert isced_closeness(521, 522) > ISCED_RELATED > isced_closeness(521, 541)


def test_every_code_of_the_table_is_an_isced_code_and_pairs_are_unique():
    import json
    from pathlib import Path

    known = {f["code"] for f in json.loads(Path("data/isced_f_2013.json").read_text())["fields"]}
    pairs = {frozenset(p) for p in RELATED_FIELDS}
    assert len(pairs) == len(RELATED_FIELDS)
    for pair in RELATED_FIELDS:
        assert set(pair) <= known, pair
    assert bool(related_fields(np.array([521]), np.array([712]))[0])


def chulalongkorn():
    """Issue #12's new lecturer: environmental science, ISCED 0521, bachelor, English B2."""
    return offer(1, country="TH", time_zone="Asia/Bangkok", title="Environmental Science")


@pytest.mark.parametrize(
    ("isced", "text", "shown"),
    [
        ("0222", 0.00, False),  # "Preistoria e protostoria II": history, nothing shared
        ("0714", 0.05, False),  # "Digital Logic": below the text floor
        ("0731", 0.00, True),  # town planning: a related field
        ("0532", 0.00, True),  # earth sciences: same broad field and related
        ("0222", 0.30, True),  # other field, but the texts share a lot
    ],
)
def test_a_pair_without_shared_subject_is_never_suggested(isced, text, shown):
    partner = berlin(2, isced=isced)
    found = scoring.suggest(chulalongkorn(), [partner], {2: text}, Weights(), k=5)
    assert [m.partner_id for m in found] == ([2] if shown else [])
    failures = scoring.hard_failures(chulalongkorn(), partner, Weights(), text_similarity=text)
    assert (scoring.RELEVANCE in codes(failures)) is not shown


def test_the_floor_is_a_weight_and_checked():
    partner = berlin(2, isced="0222")
    loose = Weights(min_text_without_field=0.0)
    assert scoring.suggest(chulalongkorn(), [partner], {2: 0.0}, loose, k=5)
    with pytest.raises(ValueError, match="min_text_without_field"):
        Weights(min_text_without_field=1.5)


def test_candidate_edges_of_a_round_obey_the_rule():
    from matching.similarity import TextModel

    offers = [
        chulalongkorn(),
        berlin(2, isced="0222", title="Preistoria e protostoria"),
        berlin(3, isced="0731", title="Urban planning studio"),
    ]
    model = TextModel(min_df=1).fit([(o.id, o.text) for o in offers])
    asian, european, _ = scoring.candidate_edges(scoring.OfferTable(offers), model, k=5)
    assert sorted(zip(asian.tolist(), european.tolist(), strict=True)) == [(1, 3)]


def test_explanation_names_related_fields():
    match = scoring.explain(chulalongkorn(), berlin(2, isced="0731"), 0.0, Weights())
    isced = next(r for r in match.reasons if r.code == "isced")
    assert isced.text == "related fields 0521 and 0731"
    assert isced.value == ISCED_RELATED
