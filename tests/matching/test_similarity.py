"""The TF-IDF text model: top-k against a brute-force reference, persistence, cheap import."""

import subprocess
import sys

import numpy as np
import pytest

from matching.similarity import FORMAT_VERSION, ModelFormatError, TextModel, data_hash

TOPICS = {
    "marine": "ocean coral reef fisheries marine biology coastal ecosystems plankton",
    "code": "programming python algorithms data structures software testing debugging",
    "law": "contract law courts constitution legal reasoning human rights litigation",
    "energy": "solar wind renewable energy grids batteries power electricity storage",
    "health": "public health epidemiology nutrition vaccines disease prevention hospitals",
}


def corpus(n=120, seed=0):
    rng = np.random.default_rng(seed)
    names = list(TOPICS)
    docs = []
    for i in range(n):
        topic = names[i % len(names)]
        words = TOPICS[topic].split() + TOPICS[names[(i + 2) % len(names)]].split()[:2]
        picked = rng.choice(words, size=int(rng.integers(6, 14)))
        docs.append((1000 + i * 7, f"Course {i} on {topic}: " + " ".join(picked)))
    return docs


@pytest.fixture(scope="module")
def model():
    return TextModel(min_df=1).fit(corpus())


def dense_rows(m: TextModel):
    return m.rows(m.ids).toarray()


def test_rows_are_unit_length_and_scores_are_cosines(model):
    x = dense_rows(model)
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    q = model.transform(["coral reef fisheries and python"])
    assert np.allclose(model.scores(q), x @ q.toarray()[0], atol=1e-5)


def test_topk_equals_brute_force(model):
    x = dense_rows(model)
    for text in ["coral reef ecosystems", "python software testing", "renewable storage grids"]:
        q = model.transform([text])
        reference = x @ q.toarray()[0]
        order = sorted(range(len(x)), key=lambda i: (-reference[i], i))[:7]
        got = model.topk(q, 7)
        assert [i for i, _ in got] == [int(model.ids[i]) for i in order]
        assert np.allclose([s for _, s in got], reference[order], atol=1e-5)


def test_topk_respects_candidates_and_exclusions(model):
    q = model.vector(1000)
    allowed = [int(i) for i in model.ids[::3]]
    got = model.topk(q, 5, candidates=allowed, exclude=[1000])
    assert len(got) == 5
    assert all(i in allowed and i != 1000 for i, _ in got)
    mask = np.isin(model.ids, allowed)
    assert model.topk(q, 5, candidates=mask, exclude=[1000]) == got
    # Fewer candidates than k: only those come back.
    assert [i for i, _ in model.topk(q, 5, candidates=[1007, 1014])] == sorted(
        [1007, 1014], key=lambda i: -model.scores(q)[model.rows_of([i])[0]]
    )


def test_batched_topk_equals_one_query_at_a_time(model):
    queries = model.rows(model.ids[:40])
    allowed = model.ids[1::2]
    ids, scores = model.topk_batch(
        queries, 6, candidates=allowed, exclude_ids=model.ids[:40], batch_size=16
    )
    for j, doc_id in enumerate(model.ids[:40]):
        single = model.topk(model.vector(int(doc_id)), 6, candidates=allowed, exclude=[int(doc_id)])
        assert np.allclose(scores[j], [s for _, s in single], atol=1e-5)
        # Ids agree except where two candidates tie exactly.
        assert sorted(ids[j]) == sorted(i for i, _ in single) or len(set(scores[j])) < 6


def test_batched_topk_pads_when_there_are_few_candidates(model):
    ids, scores = model.topk_batch(model.rows(model.ids[:2]), 4, candidates=[1007, 1014])
    assert ids.shape == (2, 4)
    assert (ids[:, 2:] == -1).all() and np.isneginf(scores[:, 2:]).all()
    assert set(ids[0, :2]) == {1007, 1014}


def test_transform_of_a_training_text_gives_its_stored_vector(model):
    for doc_id, text in corpus()[:10]:
        stored = model.vector(doc_id)
        fresh = model.transform([text])
        assert stored.multiply(fresh).sum() == pytest.approx(1.0, abs=1e-5)


def test_character_ngrams_catch_spelling_variants():
    docs = [(1, "programming in python"), (2, "marine biology of coral reefs")]
    full = TextModel(min_df=1).fit(docs)
    words_only = TextModel(min_df=1, word_weight=1.0).fit(docs)
    misspelt = "programing pythons"
    assert words_only.scores(words_only.transform([misspelt]))[0] == 0.0
    scores = full.scores(full.transform([misspelt]))
    assert scores[0] > 0.2 > scores[1]


def test_unknown_ids_are_reported(model):
    assert model.rows_of([1000, 5, 1007]).tolist() == [0, -1, 1]
    with pytest.raises(KeyError):
        model.vector(5)


def test_save_and_load_round_trip(model, tmp_path):
    path = tmp_path / "text.joblib"
    model.save(path)
    loaded = TextModel.load(path)
    assert loaded.data_hash == model.data_hash
    assert loaded.ids.tolist() == model.ids.tolist()
    q = model.transform(["solar batteries"])
    assert np.allclose(loaded.scores(loaded.transform(["solar batteries"])), model.scores(q))


def test_loading_another_format_version_fails(tmp_path):
    import joblib

    path = tmp_path / "old.joblib"
    joblib.dump({"format_version": FORMAT_VERSION + 1, "state": {}}, path)
    with pytest.raises(ModelFormatError):
        TextModel.load(path)


def test_data_hash_follows_texts_and_parameters():
    docs = corpus(10)
    assert data_hash(docs) == data_hash(list(reversed(docs)))
    assert data_hash(docs) != data_hash([(docs[0][0], "changed"), *docs[1:]])
    assert data_hash(docs, {"min_df": 1}) != data_hash(docs, {"min_df": 2})


def test_lsa_option_blends_a_dense_part():
    docs = corpus()
    lsa = TextModel(min_df=1, svd_components=8).fit(docs)
    q = lsa.transform(["coral reef fisheries"])
    s = lsa.scores(q)
    assert s.shape == (len(docs),) and (s >= 0).all() and s.max() <= 1.0 + 1e-5
    top = lsa.topk(q, 5)
    assert all("marine" in dict(docs)[i] for i, _ in top)
    ids, _ = lsa.topk_batch(q, 5)
    assert ids[0].tolist() == [i for i, _ in top]


def test_importing_the_pure_modules_loads_neither_django_nor_sklearn():
    code = (
        "import sys; import matching.similarity, matching.scoring, matching.overlap, "
        "matching.pairing, matching.features, matching.text_vectors, matching.text_tokens, "
        "matching.text_fit, matching.timetable, "
        "matching.table, matching.explanation, matching.constraints, matching.components, "
        "matching.reasons; "
        "print(sorted(m for m in ('django', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
