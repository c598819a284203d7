"""The building blocks of the text model's vectors (see `similarity`) — no Django.

The term weighting; the per-row pruning of the lightest entries; the rows of a fit stored
block by block and transposed in place (`RowStore`, `transpose`); the data hash that makes
a refit of unchanged texts a no-op; the top-k selection. Texts to counts are in
`text_tokens`. scikit-learn is imported inside the functions that need it, so importing
this module stays cheap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import numpy as np
import scipy.sparse as sp


def data_hash(docs: Iterable[tuple[int, str]], params: dict[str, Any] | None = None) -> str:
    """A stable hash of the training data and parameters; equal hash → refit is a no-op."""
    h = hashlib.sha256(repr(sorted((params or {}).items())).encode())
    for doc_id, text in sorted(docs):
        h.update(f"{doc_id}\x1f{text}\x1e".encode())
    return h.hexdigest()[:16]


def keep_top(x: sp.csr_matrix, max_terms: int | None) -> sp.csr_matrix:
    """Keep the `max_terms` largest entries of each row, then L2-normalise rows."""
    x = x.tocsr()
    # Canonical order first, so that fit and transform prune ties identically.
    x.sum_duplicates()
    x.sort_indices()
    if max_terms is not None:
        keep = _top_entries(x, max_terms)
        if keep is not None:
            x.data[~keep] = 0
            x.eliminate_zeros()
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    normalize_rows(x)
    return x.astype(np.float32, copy=False)


def normalize_rows(x: sp.csr_matrix) -> None:
    """Divide each row of x (CSR, float32 or float64) by its L2 norm, in place, bit for bit
    as scikit-learn's ``normalize`` (its ``inplace_csr_row_normalize_l2``) — without
    importing scikit-learn (~1.5 s and ~75 MB), which a fit no longer needs.

    As there: each square in x's precision, summed in float64 in the row's order (the
    product of the squares with a vector of ones: scipy's matvec adds each row's terms in
    order, and times 1.0 is exact), the root, then each value divided in float64 and
    rounded to x's precision; a row summing to 0 stays as it is.
    """
    if not x.nnz:
        return
    squares = (x.data * x.data).astype(np.float64)
    sums = sp.csr_matrix((squares, x.indices, x.indptr), shape=x.shape) @ np.ones(x.shape[1])
    norms = np.repeat(np.sqrt(sums), np.diff(x.indptr))
    scaled = norms != 0.0
    if scaled.all():
        x.data = (x.data / norms).astype(x.dtype)
    else:
        x.data[scaled] = (x.data[scaled] / norms[scaled]).astype(x.dtype)


def _top_entries(x: sp.csr_matrix, max_terms: int) -> np.ndarray | None:
    """Which entries of x (canonical) keep_top keeps; None: all of them.

    Each row keeps the entries above its max_terms-th largest value v, and as many equal
    to v as fit. Only when more entries equal v than fit does the choice depend on the
    order (argpartition's); those rows alone run argpartition one by one, as before.
    """
    lengths = np.diff(x.indptr)
    if lengths.max(initial=0) <= max_terms:
        return None
    # The max_terms-th largest value of each row, through a dense block padded with 0
    # (all weights are positive; a row of at most max_terms gets 0 and keeps all). Rare,
    # very long rows go alone.
    width = min(int(lengths.max()), max(4 * max_terms, 4096))
    fits = lengths <= width
    place = np.arange(x.nnz, dtype=np.int32)
    place -= np.repeat(x.indptr[:-1].astype(np.int32), lengths)  # place in its row
    data = x.data
    if not fits.all():
        np.minimum(place, width - 1, out=place)
        data = np.where(np.repeat(fits, lengths), data, 0)
    dense = sp.csr_matrix((data, place, x.indptr), shape=(len(lengths), width)).toarray()
    del place
    np.negative(dense, out=dense)  # the largest first
    dense.partition(max_terms - 1, axis=1)  # in place: each row keeps its values
    threshold = -dense[:, max_terms - 1]
    # Rows where more entries equal the threshold than fit: argpartition decides.
    ties = (dense <= -threshold[:, None]).sum(axis=1) > max_terms
    del dense
    threshold[~fits] = np.inf  # decided below
    keep = x.data >= threshold.repeat(lengths)
    for r in np.flatnonzero(((lengths > max_terms) & ties) | ~fits):
        a, b = x.indptr[r], x.indptr[r + 1]
        drop = np.argpartition(x.data[a:b], b - a - max_terms)[: b - a - max_terms]
        keep[a:b] = True
        keep[a + drop] = False
    return keep


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
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        return self.fit_df(df, counts.shape[0], float(counts.sum(dtype=np.float64)))

    def fit_df(self, df: np.ndarray, n: int, total: float) -> TermWeights:
        """Fit from each term's document frequency, the number of documents and the sum
        of all counts (for BM25's average length)."""
        if self.scheme == "bm25":
            idf = np.log1p((n - df + 0.5) / (df + 0.5))
        else:
            idf = np.log((1 + n) / (1 + df)) + 1
        self.idf = idf.astype(np.float32)
        self.avg_len = total / max(n, 1) or 1.0
        return self

    def apply(self, counts: sp.csr_matrix, copy: bool = True) -> sp.csr_matrix:
        """Weighted copy of `counts` (documents × the fitted terms); with copy=False the
        result may share counts' index arrays."""
        x = sp.csr_matrix(counts, dtype=np.float32, copy=copy)
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


class RowStore:
    """Rows of a matrix (documents × terms, canonical) appended block by block into two
    arrays sized for the most entries the rows can hold: pages never written cost no
    memory, and the arrays are one allocation each, which `transpose` can free at once.
    """

    def __init__(self, n_docs: int, max_per_row: int | None) -> None:
        self.blocks: list[sp.csr_matrix] | None = None
        if max_per_row is None:  # no bound: keep the blocks, join them at the end
            self.blocks, max_per_row = [], 0
        cap = n_docs * max_per_row
        index = np.int32 if cap < np.iinfo(np.int32).max else np.int64
        self.indices = np.empty(cap, dtype=index)
        self.data = np.empty(cap, dtype=np.float32)
        self.indptr = np.zeros(n_docs + 1, dtype=np.int64)
        self.n_docs = 0
        self.per_term = np.zeros(0, dtype=np.int64)  # entries of each term (column)

    def append(self, block: sp.csr_matrix) -> None:
        start, end = self.indptr[self.n_docs], self.indptr[self.n_docs] + block.nnz
        self.indptr[self.n_docs + 1 : self.n_docs + 1 + block.shape[0]] = start + block.indptr[1:]
        self.n_docs += block.shape[0]
        # Counted block by block: a bincount of all the terms at once would copy them to int64.
        per_term = np.bincount(block.indices, minlength=block.shape[1])
        if not len(self.per_term):
            self.per_term = np.zeros(len(per_term), dtype=np.int64)
        self.per_term += per_term
        if self.blocks is not None:
            self.blocks.append(block)
        else:
            self.indices[start:end] = block.indices
            self.data[start:end] = block.data

    def finish(self) -> None:
        """Join kept blocks (unbounded rows), or trim the arrays to the entries written."""
        nnz = int(self.indptr[-1])
        if self.blocks is not None:
            index = np.int32 if nnz < np.iinfo(np.int32).max else np.int64
            self.indices = np.concatenate([b.indices for b in self.blocks]).astype(index)
            self.data = np.concatenate([b.data for b in self.blocks])
            self.blocks = None
        else:  # a smaller realloc of one allocation: no copy
            self.indices.resize(nnz, refcheck=False)
            self.data.resize(nnz, refcheck=False)


def transpose(rows: RowStore, n_terms: int, block_docs: int = 1024) -> tuple[Any, Any, Any]:
    """The rows' matrix transposed (terms × documents, CSR) and, for each document, where
    its entries sit in that matrix's data (positions, offsets: see
    `TextModel._locate`) — built in place, a block of documents at a time, so the peak
    memory is the result's plus little: the positions overwrite the rows' term numbers,
    and the rows' values are freed before the documents' numbers are written.
    """
    rows.finish()
    release_free_memory()
    terms, values, row_ptr = rows.indices, rows.data, rows.indptr
    nnz, n_docs = len(terms), rows.n_docs
    index = np.int32 if max(nnz, n_docs) < np.iinfo(np.int32).max else np.int64
    indptr = np.zeros(n_terms + 1, dtype=index)
    np.cumsum(rows.per_term, out=indptr[1:])
    free = indptr[:-1].astype(np.int64)  # next free slot of each term's posting list
    data = np.empty(nnz, dtype=np.float32)
    for lo in range(0, n_docs, block_docs):
        hi = min(n_docs, lo + block_docs)
        a, b = row_ptr[lo], row_ptr[hi]
        # A counting sort by term of the block's entry numbers: `order` lists them term
        # by term, documents ascending within each term.
        by_term = sp.csr_matrix(
            (np.arange(b - a, dtype=index), terms[a:b], row_ptr[lo : hi + 1] - a),
            shape=(hi - lo, n_terms),
        ).tocsc()
        order, per_term = by_term.data, np.diff(by_term.indptr)
        # The k-th entry in that order goes to free[term] + (k − its term's first k).
        slots = np.arange(b - a, dtype=np.int64) + np.repeat(free - by_term.indptr[:-1], per_term)
        data[slots] = values[a:b][order]
        terms[a + order] = slots  # from here on: positions
        free += per_term
        del by_term, order, slots
    rows.data = values = None  # the last reference: freed now
    release_free_memory()
    docs = np.empty(nnz, dtype=index)
    for lo in range(0, n_docs, block_docs):
        hi = min(n_docs, lo + block_docs)
        a, b = row_ptr[lo], row_ptr[hi]
        docs[terms[a:b]] = np.repeat(np.arange(lo, hi, dtype=index), np.diff(row_ptr[lo : hi + 1]))
    xt = sp.csr_matrix((data, docs, indptr), shape=(n_terms, n_docs), copy=False)
    xt.has_sorted_indices = True
    return xt, terms.astype(index, copy=False), row_ptr


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's malloc_trim), so that the
    fit's big arrays reuse memory its freed intermediates held, rather than adding to it.

    Blocks of a few MB are served from the heap once glibc has raised its mmap threshold,
    and a hole in the heap stays resident after free — ~100 MB after a fit of 100,000
    offers without this. A no-op where the C library is not glibc.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def unique(values: np.ndarray) -> np.ndarray:
    """np.unique of integers by a sort: numpy 2's hash-based unique is ~30× slower here."""
    values = np.sort(values)
    first = np.ones(len(values), dtype=bool)
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]
