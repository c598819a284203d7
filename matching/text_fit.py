"""Fitting the text model's vectors (`similarity.TextModel.fit`) — no Django.

Each text is read once (tokens → integer word ids); then two passes over the documents in
blocks of CHUNK_DOCS: the document frequencies of words, bigrams and character n-grams
first, then the weighted, pruned rows, written into a `RowStore` that `transpose` turns
into the model's terms × offers matrix in place. The peak memory is then little more than
the fitted model's; the vectors are exactly those of a fit with scikit-learn's
CountVectorizer (tests/matching/test_refit_equivalence.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from matching.text_tokens import (
    WordTerms,
    char_expansion,
    char_product,
    doc_chunks,
    local_docs,
    tokenize_corpus,
    word_doc_counts,
)
from matching.text_vectors import RowStore, release_free_memory, unique

if TYPE_CHECKING:
    from matching.similarity import TextModel

# Documents per block of a fit: bounds the memory of the per-document steps.
CHUNK_DOCS = 1024


def fit_rows(model: TextModel, texts: Iterable[str]) -> RowStore:
    """The vectors of all texts (folded: `text_prepare.fitted_texts`, read once, one at a
    time), fitting the vocabularies and weights on the way: one pass over the documents
    for the frequencies (`fit_weights`), one for the vectors, a block of CHUNK_DOCS
    documents at a time. Every intermediate is freed on return."""
    p = model.params
    model._word_terms = WordTerms()
    words, tokens, ends = tokenize_corpus(texts, folded=True)
    if not words:
        raise ValueError("empty vocabulary: the texts hold no words")
    expand = None
    if p["word_weight"] < 1.0:
        model._char_vocab, expand = char_expansion(words, *p["char_ngrams"])
        expand = expand.T.tocsr()  # n-grams × words, for `char_product`
    kept = fit_weights(model, words, tokens, ends, expand)
    release_free_memory()
    number = np.full(len(words), -1, dtype=np.int64)  # word id → kept word's number
    number[kept] = np.arange(len(kept))
    del words, kept
    rows = RowStore(len(ends), max_per_row(model, expand is not None))
    for lo, hi, a, b in doc_chunks(ends, CHUNK_DOCS):
        chunk, in_doc = tokens[a:b], local_docs(ends, lo, hi, a)
        counts = model._word_terms.counts(number[chunk], in_doc, hi - lo)
        words_x = model._word_weights.apply(counts, copy=False)
        chars_x = None
        if expand is not None:
            per_word = word_doc_counts(in_doc, chunk, hi - lo, expand.shape[1])
            product = char_product(expand, per_word)
            chars_x = model._char_weights.apply(product, copy=False)
            del per_word, product
        rows.append(model._combine(words_x, chars_x))
        del counts, words_x, chars_x
    return rows


def fit_weights(
    model: TextModel, words: list[str], tokens: np.ndarray, ends: np.ndarray, expand: Any
) -> np.ndarray:
    """First pass over the documents: document frequencies of the words, the bigrams and
    the character n-grams; fits the word terms and both weightings. Returns the ids of
    the kept words."""
    n_docs, n_words = len(ends), len(words)
    min_df = min(model.params["min_df"], max(1, n_docs))
    word_df = np.zeros(n_words, dtype=np.int64)
    char_df = np.zeros(expand.shape[0] if expand is not None else 0, dtype=np.int64)
    firsts, seconds = [], []
    for lo, hi, a, b in doc_chunks(ends, CHUNK_DOCS):
        chunk, in_doc = tokens[a:b], local_docs(ends, lo, hi, a)
        per_word = word_doc_counts(in_doc, chunk, hi - lo, n_words)  # words × documents
        word_df += np.diff(per_word.indptr)
        if expand is not None:
            # n-grams × documents: its row lengths are document frequencies.
            char_df += np.diff((expand @ per_word).indptr)
        # Each document's distinct bigrams, as one integer per (document, bigram).
        pair = in_doc[:-1] == in_doc[1:]
        key = (in_doc[:-1][pair].astype(np.int64) * n_words + chunk[:-1][pair]) * n_words
        key = unique(key + chunk[1:][pair]) % (n_words * n_words)
        first, second = key // n_words, key % n_words
        firsts.append(first.astype(np.int32))
        seconds.append(second.astype(np.int32))
    first, second = np.concatenate(firsts), np.concatenate(seconds)
    del firsts, seconds
    often = (word_df[first] >= min_df) & (word_df[second] >= min_df)
    pairs = (first[often], second[often])
    del first, second, often
    kept, term_df = model._word_terms.fit(words, word_df, pairs, min_df)
    del pairs
    total = 0.0
    if model._word_weights.scheme == "bm25":  # BM25 needs the average length
        number = np.full(n_words, -1, dtype=np.int64)
        number[kept] = np.arange(len(kept))
        for lo, hi, a, b in doc_chunks(ends, CHUNK_DOCS):
            in_doc = local_docs(ends, lo, hi, a)
            total += float(model._word_terms.counts(number[tokens[a:b]], in_doc, hi - lo).sum())
    model._word_weights.fit_df(term_df, n_docs, total)
    if expand is not None:
        # Every n-gram of every token: the tokens' counts times each word's n-grams.
        per_token = np.bincount(tokens, minlength=n_words).astype(np.float64)
        total = float(np.asarray(expand.sum(axis=0)).ravel() @ per_token)
        model._char_weights.fit_df(char_df, n_docs, total)
    return kept


def max_per_row(model: TextModel, chars: bool) -> int | None:
    """The most entries a row can have after `_combine`'s pruning (None: no bound)."""
    p = model.params
    bounds = [p["word_max_terms"], p["char_max_terms"] if chars else 0]
    return None if None in bounds else sum(bounds)


def n_terms(model: TextModel) -> int:
    return model._word_terms.n_terms + len(model._char_vocab) * (model.params["word_weight"] < 1.0)
