"""The text model's variants: the default ranks a same-subject course first across
languages, its parameters are part of the stored data hash, and the stored format is
versioned."""

from __future__ import annotations

import joblib
import pytest

from matching.similarity import FORMAT_VERSION, ModelFormatError, TextModel, data_hash

GERMAN_ENV = (
    "Umweltwissenschaften: Ökosysteme, Klimawandel, Biodiversität und nachhaltige "
    "Nutzung natürlicher Ressourcen; Umweltmonitoring und ökologische Modellierung."
)
ENGLISH_ENV = (
    "Environmental science: ecosystems, climate change, biodiversity and the sustainable "
    "use of natural resources; environmental monitoring and ecological modelling."
)
UNRELATED = (
    "Contract law: formation of contracts, obligations, remedies for breach and the "
    "interpretation of commercial agreements in civil courts."
)
FILLER = [
    "Introduction to programming in Python: variables, loops, functions and testing.",
    "Microeconomics: markets, prices, consumers, firms and competition.",
    "Medieval history of Europe: kingdoms, churches and trade routes.",
]


def corpus():
    return list(enumerate([ENGLISH_ENV, UNRELATED, *FILLER], start=1))


def test_the_default_ranks_a_german_environmental_course_next_to_the_english_one():
    model = TextModel(min_df=1).fit(corpus())
    scores = model.scores(model.transform([GERMAN_ENV]))
    by_id = dict(zip(model.ids.tolist(), scores.tolist(), strict=True))
    assert by_id[1] > by_id[2]
    assert by_id[1] > max(by_id[i] for i in (3, 4, 5))


def test_words_alone_cannot_tell_them_apart_which_is_why_chars_are_on():
    words = TextModel(min_df=1, word_weight=1.0).fit(corpus())
    scores = words.scores(words.transform([GERMAN_ENV]))
    assert scores[0] <= 0.05  # the character n-grams carry the cross-language match


@pytest.mark.parametrize(
    "change", [{"weighting": "bm25"}, {"svd_components": 8}, {"field_weight": 0.3}]
)
def test_changing_the_variant_changes_the_data_hash_so_the_store_refits(change):
    docs = corpus()
    assert data_hash(docs, TextModel().params) != data_hash(docs, TextModel(**change).params)
    assert data_hash(docs, TextModel().params) == data_hash(docs, TextModel().params)


def test_an_unknown_weighting_is_refused():
    with pytest.raises(ValueError, match="bm25"):
        TextModel(weighting="okapi")


def test_field_affinity_lifts_the_same_detailed_field_over_the_same_broad_one():
    docs = [(1, "course one"), (2, "course two"), (3, "course three")]
    model = TextModel(min_df=1, field_weight=0.5).fit(docs, ["0712", "0711", "0421"])
    scores = model.scores(model.transform(["a course"]), field="0712")
    assert scores[0] > scores[1] > scores[2]


def test_bm25_model_round_trips_and_an_older_format_is_refused(tmp_path):
    model = TextModel(min_df=1, weighting="bm25").fit(corpus())
    path = tmp_path / "m.joblib"
    model.save(path)
    loaded = TextModel.load(path)
    q = model.transform([ENGLISH_ENV])
    assert loaded.scores(q).tolist() == model.scores(q).tolist()
    assert FORMAT_VERSION >= 2
    joblib.dump({"format_version": FORMAT_VERSION - 1, "state": {}}, path)
    with pytest.raises(ModelFormatError):
        TextModel.load(path)
