"""The fast, block-wise fit gives the very vectors of the plain fit it replaced: scikit-learn's
CountVectorizer for the word uni- and bigrams, word counts × each word's character n-grams
for the characters, a per-row argpartition for the pruning (issue #12 part 6)."""

from __future__ import annotations

import math
import unicodedata

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, strip_accents_unicode
from sklearn.preprocessing import normalize

from matching import text_fit
from matching.glossary import prepare
from matching.similarity import TextModel
from matching.text_tokens import char_counts, char_expansion, preprocess
from matching.text_vectors import RowStore, TermWeights, keep_top, transpose

SUBJECTS = [
    "Coral reef ecology and coastal fisheries management in South-East Asia.",
    "Introduction to programming: Python, algorithms, data structures and testing.",
    "Università di Trento: ingegneria ambientale, ecosistemi e cambiamento climatico.",
    "Umweltwissenschaften: Ökosysteme, Klimawandel und nachhaltige Nutzung; Übungen.",
    "Énergie solaire et éolienne ; réseaux électriques, stockage, déjà très étudiés.",
    "Contract law, courts and legal reasoning; human rights litigation in Europe.",
    "Ａｐｐｌｉｅｄ ﬁnance ½ x² — ab abc ab c a b, e\u0301te\u0301 and co\u0308operation.",
    "Public health: epidemiology, nutrition, vaccines and disease prevention.",
]


def corpus(n: int = 90, seed: int = 3) -> list[tuple[int, str]]:
    """Texts that share words, bigrams and n-grams in many combinations (ties included)."""
    rng = np.random.default_rng(seed)
    words = " ".join(SUBJECTS).split()
    docs = []
    for i in range(n):
        picked = rng.choice(words, size=int(rng.integers(3, 60)))
        docs.append((7 * i + 11, f"{SUBJECTS[i % len(SUBJECTS)]} {' '.join(picked)}"))
    docs.append((5, "x"))  # no token at all
    return docs


def old_keep_top(x: sp.csr_matrix, max_terms: int | None) -> sp.csr_matrix:
    """The pruning as it was: one argpartition per long row."""
    x = x.tocsr()
    x.sum_duplicates()
    x.sort_indices()
    if max_terms is not None:
        keep = np.ones(x.nnz, dtype=bool)
        for row in np.flatnonzero(np.diff(x.indptr) > max_terms):
            a, b = x.indptr[row], x.indptr[row + 1]
            drop = np.argpartition(x.data[a:b], b - a - max_terms)[: b - a - max_terms]
            keep[a + drop] = False
        x.data[~keep] = 0
        x.eliminate_zeros()
    return normalize(x, copy=False).astype(np.float32)


def old_fit(texts: list[str], **params) -> tuple[sp.csr_matrix, object]:
    """The previous TextModel.fit's vectors, and a transform of new texts like its own."""
    p = {**TextModel().params, **params}
    words_cv = CountVectorizer(
        ngram_range=(1, 2),
        min_df=min(p["min_df"], max(1, len(texts))),
        strip_accents="unicode",
        dtype=np.float32,
    )
    counts = words_cv.fit_transform(texts)
    word_weights = TermWeights(p["weighting"]).fit(counts)
    chars_setup = None
    if p["word_weight"] < 1.0:
        counter = CountVectorizer(strip_accents="unicode", dtype=np.float32)
        per_word = counter.fit_transform(texts)
        vocab, expand = char_expansion(counter.get_feature_names_out(), *p["char_ngrams"])
        char_counts_fit = (per_word @ expand).tocsr()
        chars_setup = (vocab, TermWeights(p["weighting"]).fit(char_counts_fit))

    def vectors(word_counts, char_counts_):
        words = old_keep_top(word_weights.apply(word_counts), p["word_max_terms"])
        if chars_setup is None:
            return words
        chars = old_keep_top(chars_setup[1].apply(char_counts_), p["char_max_terms"])
        a, b = math.sqrt(p["word_weight"]), math.sqrt(1 - p["word_weight"])
        return sp.hstack([words * a, chars * b], format="csr", dtype=np.float32)

    def transform(new: list[str]) -> sp.csr_matrix:
        grams = None
        if chars_setup is not None:
            grams = char_counts(new, chars_setup[0], *p["char_ngrams"])
        return vectors(words_cv.transform(new), grams)

    return vectors(counts, char_counts_fit if chars_setup else None), transform


VARIANTS = [
    {},
    {"min_df": 1},
    {"word_weight": 1.0},
    {"weighting": "bm25"},
    {"word_max_terms": 7, "char_max_terms": 11},  # heavy pruning: many ties at the cut
    {"word_max_terms": None, "char_max_terms": None},
]


@pytest.mark.parametrize(
    "params", VARIANTS, ids=lambda p: ",".join(map(str, p.items())) or "default"
)
def test_the_fit_gives_the_vectors_of_the_plain_fit(monkeypatch, params):
    monkeypatch.setattr(text_fit, "CHUNK_DOCS", 16)  # several blocks, a short last one
    docs = corpus()
    model = TextModel(**params).fit(docs)
    # The plain fit reads the texts as the model does: through the glossary first.
    prepared = [prepare(t) for _, t in docs]
    expected, old_plain_transform = old_fit(prepared, **params)

    def old_transform(texts):
        return old_plain_transform([prepare(t) for t in texts])

    got = model.rows(model.ids)
    assert got.shape == expected.shape
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    exact = params.get("weighting") != "bm25"  # BM25's mean length is summed in float64 now
    if exact:
        assert np.array_equal(got.data, expected.data)
    else:
        assert np.allclose(got.data, expected.data, rtol=1e-6, atol=1e-7)
    new = ["Coral reefs and Python testing", "déjà ecosistemi Ökosysteme", "", "a b ab"]
    fresh, old = model.transform(new), old_transform(new)
    assert np.array_equal(fresh.indices, old.indices) and np.array_equal(fresh.indptr, old.indptr)
    assert np.allclose(fresh.data, old.data, rtol=1e-6, atol=1e-7)
    for i, (_doc_id, text) in enumerate(docs[:5]):  # a training text gets its stored vector
        assert model.scores(model.transform([text]))[i] == pytest.approx(1.0, abs=1e-5)


def test_texts_without_words_cannot_be_fitted():
    with pytest.raises(ValueError, match="empty vocabulary"):
        TextModel().fit([(1, "x"), (2, "!?")])


def test_preprocessing_strips_accents_as_scikit_learn_does():
    texts = [*SUBJECTS, "ÆØÅ œuvre Straße İstanbul ǅ", "\u0301\u0301abc", "Ǆemal ﬃ ㎏"]
    assert [preprocess(t) for t in texts] == [strip_accents_unicode(t.lower()) for t in texts]
    assert all(not unicodedata.combining(c) for c in preprocess(" ".join(texts)))


def test_pruning_with_ties_and_very_long_rows_keeps_what_a_per_row_argpartition_keeps():
    rng = np.random.default_rng(0)
    lengths = [0, 3, 5, 6, 40, 300, 5000, 77, 6]
    rows = []
    for length in lengths:
        cols = np.sort(rng.choice(10_000, size=length, replace=False))
        values = rng.integers(1, 4, size=length).astype(np.float32) / 3  # many ties
        rows.append((cols, values))
    x = sp.csr_matrix(
        (
            np.concatenate([v for _, v in rows]),
            np.concatenate([c for c, _ in rows]),
            np.concatenate([[0], np.cumsum(lengths)]),
        ),
        shape=(len(lengths), 10_000),
    )
    for max_terms in (1, 5, 6, 50):
        got, expected = keep_top(x.copy(), max_terms), old_keep_top(x.copy(), max_terms)
        assert np.array_equal(got.indptr, expected.indptr)
        assert np.array_equal(got.indices, expected.indices)
        assert np.array_equal(got.data, expected.data)


@pytest.mark.parametrize("bound", [9, None])
def test_the_block_wise_transposition_equals_scipy_and_locates_each_row(bound):
    rng = np.random.default_rng(1)
    blocks = [
        sp.random(n, 40, density=0.2, format="csr", dtype=np.float32, random_state=rng)
        for n in (5, 1, 7, 3)
    ]
    blocks = [keep_top(b, 9) for b in blocks]
    store = RowStore(16, bound)
    for block in blocks:
        store.append(block)
    x = sp.vstack(blocks, format="csr")
    xt, row_pos, row_ptr = transpose(store, 40, block_docs=3)
    expected = x.T.tocsr()
    expected.sort_indices()
    assert np.array_equal(xt.indptr, expected.indptr)
    assert np.array_equal(xt.indices, expected.indices)
    assert np.array_equal(xt.data, expected.data)
    # As TextModel._locate: each document's entries in the transposed data, in order.
    assert np.array_equal(row_pos, np.argsort(xt.indices, kind="stable"))
    assert np.array_equal(row_ptr, x.indptr)
