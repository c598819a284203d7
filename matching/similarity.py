"""Text similarity between offers: TF-IDF on words and character n-grams, cosine top-k.

Vectors in, scores out — no Django. `TextModel` is fitted on (id, text) pairs, persisted to
a file path and loaded lazily by each process; scikit-learn is imported inside methods so
importing this module stays cheap.

The vector of a text is the concatenation of two L2-normalised TF-IDF parts, scaled so the
whole has unit length: cosine = word_weight·cos(words) + (1 − word_weight)·cos(chars).

- words: unigrams and bigrams (sublinear tf, accents stripped, lower-cased);
- characters: 3–5-grams inside word boundaries, like scikit-learn's ``char_wb``, computed
  once per distinct word and summed per document — the same counts, an order of magnitude
  faster to fit than running ``char_wb`` over every document.

Each part keeps only its `max_terms` heaviest entries per document (then re-normalised):
character n-grams would otherwise put ~1,000 non-zeros in every row, which costs memory
and makes the inverted-index product touch most of the matrix.

Only the transposed matrix (terms × offers, CSR) is kept: scoring one query reads just the
posting lists of the query's terms, ~10× faster than a row-major product at 100k rows.

Fitting (`text_fit`) reads each text once and makes two passes over the documents in
blocks; its peak memory is little more than the fitted model's (at 100,000 offers ~360 MB,
of which ~320 MB is the model: `bench/refit_memory.py`).

The building blocks are in `text_tokens` (texts to counts) and `text_vectors` (weights,
pruning, the data hash, top-k).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from matching import text_fit
from matching.glossary import prepare as prepare_text
from matching.text_prepare import fitted_texts
from matching.text_tokens import WordTerms, char_counts
from matching.text_vectors import (
    TermWeights,
    data_hash,
    field_affinity,
    keep_top,
    top_indices,
    transpose,
    unique,
)

__all__ = ["FORMAT_VERSION", "ModelFormatError", "TextModel", "data_hash"]

# 2: own term weighting (TermWeights) and the field codes in the stored state.
# 3: own word vocabulary (WordTerms) instead of a fitted scikit-learn CountVectorizer.
# 4: texts prepared by `glossary` (subject glossary, bigrams for unspaced scripts).
FORMAT_VERSION = 4


class ModelFormatError(Exception):
    """The file holds a model of another FORMAT_VERSION (or no model): refit."""


class TextModel:
    """Fitted text vectors for a set of offers, with fast cosine top-k.

    Scores are cosines in [0, 1] (all weights are non-negative). Ids are plain ints; row
    order follows the order given to `fit`.
    """

    FORMAT_VERSION = FORMAT_VERSION

    def __init__(
        self,
        *,
        word_weight: float = 0.5,
        word_max_terms: int | None = 160,
        char_max_terms: int | None = 128,
        char_ngrams: tuple[int, int] = (3, 5),
        min_df: int = 2,
        svd_components: int | None = None,
        svd_weight: float = 0.5,
        weighting: str = "tfidf",
        field_weight: float = 0.0,
        glossary: bool = True,
    ) -> None:
        """`word_weight` 1.0: words only (no character part). `svd_components` adds an LSA
        part (TruncatedSVD of the combined vectors): the score becomes
        (1 − svd_weight)·sparse cosine + svd_weight·LSA cosine. `weighting`: "tfidf" or
        "bm25" (see `TermWeights`). `field_weight` blends in the ISCED-F affinity of the
        two offers when `fit` was given their field codes:
        (1 − field_weight)·text + field_weight·affinity. `glossary`: texts go through
        `glossary.prepare` first (other languages' subject terms also say the English
        concept; unspaced scripts cut into bigrams)."""
        weights = (word_weight, svd_weight, field_weight)
        if not all(0.0 <= w <= 1.0 for w in weights):
            raise ValueError("word_weight, svd_weight and field_weight must lie in [0, 1]")
        TermWeights(weighting)  # refuses an unknown scheme now, not at fit time
        self.params: dict[str, Any] = {
            "word_weight": word_weight,
            "word_max_terms": word_max_terms,
            "char_max_terms": char_max_terms,
            "char_ngrams": tuple(char_ngrams),
            "min_df": min_df,
            "svd_components": svd_components,
            "svd_weight": svd_weight,
            "weighting": weighting,
            "field_weight": field_weight,
            "glossary": glossary,
        }
        self.data_hash = ""
        self.ids = np.zeros(0, dtype=np.int64)
        self._word_terms: WordTerms | None = None  # word 1–2-grams, set by `fit`
        self._word_weights = TermWeights(weighting)
        self._char_vocab: dict[str, int] = {}
        self._char_weights = TermWeights(weighting)
        self._fields = np.zeros(0, dtype="<U4")  # ISCED-F code per row, '' if unknown
        self._xt = sp.csr_matrix((0, 0), dtype=np.float32)  # terms × offers
        # Where each offer's entries sit in _xt.data, grouped by offer (see `_locate`).
        self._row_ptr = np.zeros(1, dtype=np.int64)
        self._row_pos = np.zeros(0, dtype=np.int32)
        self._svd: Any = None
        self._lsa = np.zeros((0, 0), dtype=np.float32)  # offers × components, unit rows
        self._sorted_ids = np.zeros(0, dtype=np.int64)
        self._sorted_rows = np.zeros(0, dtype=np.int64)

    # ----------------------------------------------------------------- fitting

    def fit(
        self,
        docs: Sequence[tuple[int, str]],
        fields: Sequence[str] | None = None,
        languages: Sequence[str] | None = None,
    ) -> TextModel:
        """Fit on all offers' (id, text); ids must be unique. `fields`: each offer's ISCED-F
        code, in the same order (only read when field_weight > 0); `languages`: each
        text's ISO 639-1 code ('' or None: detected from the text). Returns self."""
        ids = np.fromiter((doc_id for doc_id, _ in docs), dtype=np.int64, count=len(docs))
        if len(unique(ids)) != len(ids):
            raise ValueError("ids must be unique")
        if fields is not None and len(fields) != len(docs):
            raise ValueError("fields must hold one code per document")
        p = self.params
        texts = fitted_texts([text for _, text in docs], languages, bool(p.get("glossary")))
        rows = text_fit.fit_rows(self, texts)
        xt, self._row_pos, self._row_ptr = transpose(rows, text_fit.n_terms(self))
        del rows
        self.ids = ids
        self._fields = np.asarray(fields if fields is not None else [""] * len(ids), "<U4")
        self._xt = xt
        self._index_ids()
        if p["svd_components"]:
            self._fit_svd(xt.T.tocsr())
        self.data_hash = data_hash(docs, p)
        return self

    def _prepared(self, texts: Sequence[str], languages: Sequence[str] | None) -> list[str]:
        if not self.params.get("glossary"):
            return list(texts)
        langs = languages if languages is not None else [""] * len(texts)
        return [prepare_text(text, lang or "") for text, lang in zip(texts, langs, strict=True)]

    def _fit_svd(self, x: sp.csr_matrix) -> None:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.preprocessing import normalize

        n = min(self.params["svd_components"], x.shape[0] - 1, x.shape[1] - 1)
        self._svd = TruncatedSVD(n_components=max(1, n), random_state=0)
        self._lsa = normalize(self._svd.fit_transform(x)).astype(np.float32)
        self._svd.components_ = self._svd.components_.astype(np.float32)

    def _combine(self, words: sp.spmatrix, chars: sp.spmatrix | None) -> sp.csr_matrix:
        p = self.params
        words = keep_top(words, p["word_max_terms"])
        if chars is None:  # words only
            return words
        a = math.sqrt(p["word_weight"])
        b = math.sqrt(1.0 - p["word_weight"])
        chars = keep_top(chars, p["char_max_terms"])
        return sp.hstack([words * a, chars * b], format="csr", dtype=np.float32)

    def _set_matrix(self, xt: sp.csr_matrix) -> None:
        self._xt = xt
        self._locate()
        self._index_ids()

    def _locate(self) -> None:
        """Index the entries of each offer (column) of _xt, so a stored vector is read in
        O(its length) instead of a scan of the whole matrix — 4 bytes per entry instead of
        a second, row-major copy of the matrix (8)."""
        xt = self._xt
        xt.sort_indices()
        self._row_pos = np.argsort(xt.indices, kind="stable").astype(np.int32)
        counts = np.bincount(xt.indices, minlength=xt.shape[1])
        self._row_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def _index_ids(self) -> None:
        self._sorted_rows = np.argsort(self.ids, kind="stable")
        self._sorted_ids = self.ids[self._sorted_rows]

    # ------------------------------------------------------------ vectors

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_features(self) -> int:
        return self._xt.shape[0]

    def rows_of(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Row index of each id in the model, −1 where the id is unknown."""
        ids = np.asarray(ids, dtype=np.int64)
        pos = np.searchsorted(self._sorted_ids, ids)
        pos = np.minimum(pos, max(len(self._sorted_ids) - 1, 0))
        found = (len(self._sorted_ids) > 0) & (self._sorted_ids[pos] == ids)
        return np.where(found, self._sorted_rows[pos], -1)

    def transform(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> sp.csr_matrix:
        """Vectors (rows, unit length or empty) for new texts with the fitted vocabulary;
        `languages` as for `fit`."""
        if self._word_terms is None:
            raise RuntimeError("model is not fitted")
        texts = self._prepared(texts, languages)
        words = self._word_weights.apply(self._word_terms.transform(list(texts)))
        chars = None
        if self.params["word_weight"] < 1.0:
            counts = char_counts(texts, self._char_vocab, *self.params["char_ngrams"])
            chars = self._char_weights.apply(counts)
        return self._combine(words, chars)

    def rows(self, ids: Sequence[int] | np.ndarray) -> sp.csr_matrix:
        """Stored vectors of known ids (KeyError for an unknown id)."""
        index = self.rows_of(ids)
        if (index < 0).any():
            raise KeyError(f"unknown ids: {np.asarray(ids)[index < 0][:5].tolist()}")
        starts, ends = self._row_ptr[index], self._row_ptr[index + 1]
        lengths = ends - starts
        # Positions of every requested entry, row after row, without a Python loop.
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        pos = self._row_pos[np.arange(lengths.sum()) + offsets]
        terms = np.searchsorted(self._xt.indptr, pos, side="right") - 1
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        out = sp.csr_matrix(
            (self._xt.data[pos], terms, indptr), shape=(len(index), self.n_features)
        )
        out.sort_indices()
        return out

    def vector(self, doc_id: int) -> sp.csr_matrix:
        """The stored vector of one id, as a 1-row matrix."""
        return self.rows([doc_id])

    # ------------------------------------------------------------ scoring

    def _lsa_of(self, queries: sp.csr_matrix) -> np.ndarray:
        from sklearn.preprocessing import normalize

        return normalize(self._svd.transform(queries)).astype(np.float32)

    def scores(self, query: sp.spmatrix, field: str = "") -> np.ndarray:
        """Cosine of one query vector (1 row) against every row: float32, length len(self);
        blended with the field affinity to `field` (the query's ISCED-F code) when the
        model has a field_weight.

        Reads only the posting lists of the query's terms (the transposed layout).
        """
        q = sp.csr_matrix(query, dtype=np.float32)
        if q.shape != (1, self.n_features):
            raise ValueError(f"query must be 1 × {self.n_features}")
        q.sum_duplicates()
        if q.nnz:
            out = np.asarray(self._xt[q.indices].T @ q.data, dtype=np.float32).ravel()
        else:
            out = np.zeros(len(self), dtype=np.float32)
        if self._svd is not None:
            w = self.params["svd_weight"]
            out = (1 - w) * out + w * np.maximum(self._lsa @ self._lsa_of(q)[0], 0)
        return self._with_fields(out[None, :], [field])[0]

    def _with_fields(self, out: np.ndarray, fields: Sequence[str] | None) -> np.ndarray:
        w = self.params.get("field_weight", 0.0)
        if not w or fields is None or not self._fields.any():
            return out
        for i, field in enumerate(fields):
            out[i] = (1 - w) * out[i] + w * field_affinity(field, self._fields)
        return out

    def topk(
        self,
        query: sp.spmatrix,
        k: int = 10,
        *,
        candidates: np.ndarray | Sequence[int] | None = None,
        exclude: Iterable[int] = (),
    ) -> list[tuple[int, float]]:
        """The k best (id, score), best first, ties by row order.

        `candidates` restricts the search: a boolean mask over rows (length len(self)) or
        a sequence of ids. Ids in `exclude` are never returned (e.g. the query itself).
        Rows with score 0 are still returned when fewer than k score above 0.
        """
        s = self.scores(query)
        allowed = self._allowed(candidates)
        if allowed is not None:
            s = np.where(allowed, s, -np.inf)
        excluded = self.rows_of(list(exclude))
        s[excluded[excluded >= 0]] = -np.inf
        top = top_indices(s, k)
        return [(int(self.ids[i]), float(s[i])) for i in top if np.isfinite(s[i])]

    def _allowed(self, candidates: np.ndarray | Sequence[int] | None) -> np.ndarray | None:
        if candidates is None:
            return None
        arr = np.asarray(candidates)
        if arr.dtype == bool:
            if arr.shape != (len(self),):
                raise ValueError("a candidate mask must have one entry per row")
            return arr
        mask = np.zeros(len(self), dtype=bool)
        rows = self.rows_of(arr)
        mask[rows[rows >= 0]] = True
        return mask

    def subset(self, rows: np.ndarray | Sequence[int]) -> TextModel:
        """A view restricted to these row indices (shares the vocabulary; not for `save`)."""
        rows = np.asarray(rows, dtype=np.int64)
        view = TextModel.__new__(TextModel)
        view.__dict__.update(self.__dict__)
        view.ids = self.ids[rows]
        view._fields = self._fields[rows]
        if self._svd is not None:
            view._lsa = self._lsa[rows]
        view._set_matrix(self._xt[:, rows].tocsr())
        return view

    def score_block(self, queries: sp.spmatrix, fields: Sequence[str] | None = None) -> np.ndarray:
        """Dense cosines, shape (n_queries, len(self)), for a modest batch of query rows;
        `fields` (one ISCED-F code per query) as in `scores`."""
        q = sp.csr_matrix(queries, dtype=np.float32)
        out = (q @ self._xt).toarray()
        if self._svd is not None:
            w = self.params["svd_weight"]
            out = (1 - w) * out + w * np.maximum(self._lsa_of(q) @ self._lsa.T, 0)
        return self._with_fields(out.astype(np.float32, copy=False), fields)

    def topk_batch(
        self,
        queries: sp.spmatrix,
        k: int = 10,
        *,
        candidates: np.ndarray | Sequence[int] | None = None,
        exclude_ids: np.ndarray | Sequence[int] | None = None,
        batch_size: int = 256,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k for many query rows at once, for candidate generation.

        Returns (ids, scores), both shape (n_queries, k), best first; where fewer than k
        candidates exist the tail holds id −1 and score −inf. `candidates` (mask or ids)
        restricts the columns once for all queries; `exclude_ids[i]` (optional, one id per
        query) is never returned for query i. Memory is O(batch_size × n_candidates); the
        cost is one sparse product per batch, never a dense all-pairs matrix.
        """
        allowed = self._allowed(candidates)
        target = self.subset(np.flatnonzero(allowed)) if allowed is not None else self
        q = sp.csr_matrix(queries, dtype=np.float32)
        n = q.shape[0]
        kk = min(k, len(target))
        out_ids = np.full((n, k), -1, dtype=np.int64)
        out_scores = np.full((n, k), -np.inf, dtype=np.float32)
        if kk == 0:
            return out_ids, out_scores
        for lo in range(0, n, batch_size):
            hi = min(n, lo + batch_size)
            s = target.score_block(q[lo:hi])
            if exclude_ids is not None:
                hit = target.ids[None, :] == np.asarray(exclude_ids[lo:hi])[:, None]
                s[hit] = -np.inf
            part = np.argpartition(-s, kk - 1, axis=1)[:, :kk]
            part_scores = np.take_along_axis(s, part, axis=1)
            order = np.lexsort((part, -part_scores), axis=1)
            best = np.take_along_axis(part, order, axis=1)
            best_scores = np.take_along_axis(part_scores, order, axis=1)
            out_scores[lo:hi, :kk] = best_scores
            out_ids[lo:hi, :kk] = np.where(np.isfinite(best_scores), target.ids[best], -1)
        return out_ids, out_scores

    # ------------------------------------------------------------ persistence

    def save(self, path: str | Path) -> None:
        """Write the fitted model to `path` (joblib), atomically (write, then rename)."""
        import joblib

        path = Path(path)
        tmp = path.with_suffix(path.suffix + ".tmp")
        state = {k: v for k, v in self.__dict__.items() if not k.startswith("_sorted")}
        joblib.dump({"format_version": FORMAT_VERSION, "state": state}, tmp)
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> TextModel:
        """Read a model written by `save`; ModelFormatError when it is of another version.

        Only load files this application wrote: joblib files are pickles.
        """
        import joblib

        payload = joblib.load(Path(path))
        if not isinstance(payload, dict) or payload.get("format_version") != FORMAT_VERSION:
            raise ModelFormatError(f"{path} is not a version-{FORMAT_VERSION} text model")
        model = cls.__new__(cls)
        model.__dict__.update(payload["state"])
        model._index_ids()
        return model
