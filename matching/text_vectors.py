"""The building blocks of the text model's vectors (see `similarity`) — no Django.

Character n-grams like scikit-learn's ``char_wb`` (3–5-grams inside word boundaries),
computed once per distinct word and summed per document; the per-row pruning of the
lightest entries; the data hash that makes a refit of unchanged texts a no-op; the top-k
selection. scikit-learn is imported inside the functions that need it, so importing this
module stays cheap.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

# One token = two or more word characters, as scikit-learn's default token_pattern.
TOKEN = re.compile(r"(?u)\b\w\w+\b")


def data_hash(docs: Iterable[tuple[int, str]], params: dict[str, Any] | None = None) -> str:
    """A stable hash of the training data and parameters; equal hash → refit is a no-op."""
    h = hashlib.sha256(repr(sorted((params or {}).items())).encode())
    for doc_id, text in sorted(docs):
        h.update(f"{doc_id}\x1f{text}\x1e".encode())
    return h.hexdigest()[:16]


@lru_cache(maxsize=200_000)
def word_ngrams(word: str, lo: int, hi: int) -> tuple[tuple[str, int], ...]:
    """char_wb n-grams of one word with their counts (word padded with one space each side)."""
    padded = f" {word} "
    counts: Counter[str] = Counter()
    for n in range(lo, hi + 1):
        if len(padded) < n:
            counts[padded] += 1  # as char_wb: a short word is one n-gram of itself
            continue
        for i in range(len(padded) - n + 1):
            counts[padded[i : i + n]] += 1
    return tuple(counts.items())


def char_expansion(words: Sequence[str], lo: int, hi: int) -> tuple[dict[str, int], sp.csr_matrix]:
    """The n-gram vocabulary of these words and the words × n-grams count matrix: word
    counts @ this matrix = n-gram counts per document."""
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for w_index, word in enumerate(words):
        for gram, count in word_ngrams(word, lo, hi):
            col = vocab.setdefault(gram, len(vocab))
            rows.append(w_index)
            cols.append(col)
            vals.append(count)
    expand = sp.csr_matrix(
        (np.asarray(vals, np.float32), (rows, cols)), shape=(len(words), len(vocab))
    )
    return vocab, expand


def char_counts(
    texts: Sequence[str],
    preprocess: Callable[[str], str],
    vocab: dict[str, int],
    lo: int,
    hi: int,
) -> sp.csr_matrix:
    """Counts of the known n-grams (`vocab`) in new texts, one row per text."""
    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        grams: Counter[int] = Counter()
        for word in TOKEN.findall(preprocess(text)):
            for gram, count in word_ngrams(word, lo, hi):
                col = vocab.get(gram)
                if col is not None:
                    grams[col] += count
        rows.extend([r] * len(grams))
        cols.extend(grams.keys())
        vals.extend(grams.values())
    return sp.csr_matrix(
        (np.asarray(vals, np.float32), (rows, cols)), shape=(len(texts), len(vocab))
    )


def keep_top(x: sp.csr_matrix, max_terms: int | None) -> sp.csr_matrix:
    """Keep the `max_terms` largest entries of each row, then L2-normalise rows."""
    from sklearn.preprocessing import normalize

    x = x.tocsr()
    # Canonical order first, so that fit and transform prune ties identically.
    x.sum_duplicates()
    x.sort_indices()
    if max_terms is not None:
        lengths = np.diff(x.indptr)
        if lengths.max(initial=0) > max_terms:
            keep = np.ones(x.nnz, dtype=bool)
            for row in np.flatnonzero(lengths > max_terms):
                a, b = x.indptr[row], x.indptr[row + 1]
                drop = np.argpartition(x.data[a:b], b - a - max_terms)[: b - a - max_terms]
                keep[a + drop] = False
            x.data[~keep] = 0
            x.eliminate_zeros()
    return normalize(x, copy=False).astype(np.float32)


def top_indices(s: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest values of s, largest first, ties by index."""
    k = min(k, len(s))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-s, k - 1)[:k]
    return part[np.lexsort((part, -s[part]))]


class TermWeights:
    """Term weighting fitted on the training counts, applied to any counts (fit or query).

    - "tfidf": (1 + log tf) · smoothed idf, as scikit-learn's sublinear TfidfTransformer;
    - "bm25": BM25's saturated tf, tf·(k1 + 1) / (tf + k1·(1 − b + b·len/avglen)), times
      BM25's idf: long, wordy descriptions no longer outweigh short, precise ones.
    Rows are L2-normalised later (`keep_top`), so the score stays a cosine.
    """

    def __init__(self, scheme: str = "tfidf", k1: float = 1.2, b: float = 0.75) -> None:
        if scheme not in ("tfidf", "bm25"):
            raise ValueError(f"unknown weighting {scheme!r}: use 'tfidf' or 'bm25'")
        self.scheme, self.k1, self.b = scheme, k1, b
        self.idf = np.zeros(0, dtype=np.float32)
        self.avg_len = 1.0

    def fit(self, counts: sp.csr_matrix) -> TermWeights:
        n = counts.shape[0]
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        if self.scheme == "bm25":
            idf = np.log1p((n - df + 0.5) / (df + 0.5))
        else:
            idf = np.log((1 + n) / (1 + df)) + 1
        self.idf = idf.astype(np.float32)
        self.avg_len = float(counts.sum() / max(n, 1)) or 1.0
        return self

    def apply(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Weighted copy of `counts` (documents × the fitted terms)."""
        x = sp.csr_matrix(counts, dtype=np.float32, copy=True)
        idf = self.idf[x.indices]
        if self.scheme == "bm25":
            lengths = np.asarray(x.sum(axis=1), dtype=np.float32).ravel()
            norm = self.k1 * (1 - self.b + self.b * lengths / self.avg_len)
            norm_per_entry = np.repeat(norm, np.diff(x.indptr))
            x.data = x.data * (self.k1 + 1) / (x.data + norm_per_entry) * idf
        else:
            x.data = (1 + np.log(x.data)) * idf
        return x


def field_affinity(field: str, fields: np.ndarray) -> np.ndarray:
    """Closeness of one ISCED-F code to each of `fields` (4-character codes, '' when
    unknown): same detailed field 1, same narrow 2/3, same broad 1/3, else 0."""
    out = np.zeros(len(fields), dtype=np.float32)
    if not field:
        return out
    for digits, value in ((2, 1 / 3), (3, 2 / 3), (4, 1.0)):
        if len(field) >= digits:
            same = np.char.startswith(fields.astype(str), field[:digits])
            out[same] = value
    return out
