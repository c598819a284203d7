"""Texts to counts for the text model (see `similarity`) — no Django, no scikit-learn.

Tokens as scikit-learn's CountVectorizer with ``strip_accents="unicode"`` (the same
lower-casing, accent stripping and token pattern), but each document is tokenised once and
its words mapped to integer ids once; word bigrams are pairs of ids, never strings
(`WordTerms`). Character n-grams like scikit-learn's ``char_wb`` (3–5-grams inside word
boundaries) are computed once per distinct word and summed per document with a sparse
product (`char_expansion`, `char_product`).
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

# One token = two or more word characters, as scikit-learn's default token_pattern.
TOKEN = re.compile(r"(?u)\b\w\w+\b")
# The characters beyond ASCII, found by one scan in C (a set of a whole text is slow).
NON_ASCII = re.compile(r"[^\x00-\x7f]")


def preprocess(text: str) -> str:
    """Lower-cased, accents stripped: scikit-learn's ``strip_accents_unicode`` of
    ``text.lower()``, removing each distinct combining mark at once instead of testing
    every character in Python (~10× faster on accented texts)."""
    text = text.lower()
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    for char in set(NON_ASCII.findall(text)):
        if unicodedata.combining(char):
            text = text.replace(char, "")
    return text


class _WordChars(dict):
    """A `str.translate` table: a word character (the regex ``\\w``: alphanumeric or "_")
    stays, any other becomes a space; filled in as characters are met."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        value = code if char.isalnum() or char == "_" else 0x20
        self[code] = value
        return value


WORD_CHARS = _WordChars()


def words_of(folded: str) -> list[str]:
    """Every maximal run of word characters of a folded text, one-character runs too:
    TOKEN's tokens are those of two or more characters. A translation and a split run in
    C, about three times as fast as the regular expression."""
    return translate(folded, WORD_CHARS).split()


def translate(text: str, table: dict[int, int]) -> str:
    """text.translate(table) for a table that maps characters to themselves or to a
    space. Characters beyond ASCII make translate (and split) slow on the whole text;
    the few distinct ones that become spaces (’ • “ ” – …) are replaced first, each at
    once, so that most texts are ASCII by then."""
    if not text.isascii():
        for char in set(NON_ASCII.findall(text)):
            if table[ord(char)] == 0x20:
                text = text.replace(char, " ")
    return text.translate(table)


def tokenize(text: str) -> list[str]:
    return [word for word in words_of(preprocess(text)) if len(word) > 1]


def tokenize_corpus(
    texts: Iterable[str], folded: bool = False
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """All texts as word ids: (the distinct words, sorted; every token's word id, document
    after document, int32; where each document's tokens end, int64). `folded`: the texts
    are already `preprocess`ed. `texts` may be an iterator: each is read once."""
    ids: defaultdict[str, int] = defaultdict()
    ids.default_factory = ids.__len__  # a new word gets the next id
    tokens = array("i")
    ends = array("q")
    for text in texts:
        tokens.extend(map(ids.__getitem__, words_of(text if folded else preprocess(text))))
        ends.append(len(tokens))
    # Ids in alphabetical order, as scikit-learn numbers its features; words of one
    # character are no tokens (they were counted only to be dropped here, in bulk).
    words = list(ids)  # in order of their ids
    order = sorted((i for i, word in enumerate(words) if len(word) > 1), key=words.__getitem__)
    rank = np.full(len(words), -1, dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    del ids
    out = rank[np.frombuffer(tokens, dtype=np.int32)] if len(tokens) else np.zeros(0, np.int32)
    del tokens
    kept = out >= 0
    out = out[kept]
    # Each document's end among the kept tokens.
    before = np.concatenate([[0], np.cumsum(kept, dtype=np.int64)])
    doc_ends = before[np.frombuffer(ends, dtype=np.int64)] if len(ends) else np.zeros(0, np.int64)
    return [words[i] for i in order], out, doc_ends


def doc_chunks(ends: np.ndarray, size: int) -> Iterator[tuple[int, int, int, int]]:
    """(first doc, end doc, first token, end token) of consecutive blocks of `size` docs."""
    for lo in range(0, len(ends), size):
        hi = min(len(ends), lo + size)
        yield lo, hi, int(ends[lo - 1]) if lo else 0, int(ends[hi - 1])


def local_docs(ends: np.ndarray, lo: int, hi: int, first: int) -> np.ndarray:
    """The document (0 … hi − lo − 1) of each token of documents lo … hi − 1."""
    lengths = np.diff(ends[lo:hi], prepend=first)
    return np.repeat(np.arange(hi - lo, dtype=np.int32), lengths)


def count_matrix(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """Counts of (row, col) pairs as a canonical float32 CSR matrix (sorted, no duplicates).
    Within each column the rows must come in ascending order (as tokens do): then two
    counting sorts do it, with no sort of each row."""
    m = sp.csc_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=shape)
    m.sum_duplicates()  # rows already sorted in each column: a linear pass
    return m.tocsr()


def word_doc_counts(
    docs: np.ndarray, words: np.ndarray, n_docs: int, n_words: int
) -> sp.csr_matrix:
    """Counts of the (document, word) of each token as a words × documents canonical
    float32 CSR matrix: `count_matrix(docs, words, …)` transposed, as built — what
    `char_product` and the document frequencies read, with no conversion."""
    ones = np.ones(len(docs), dtype=np.float32)
    m = sp.csc_matrix((ones, (docs, words)), shape=(n_docs, n_words))
    m.sum_duplicates()
    return m.T


class WordTerms:
    """The word unigrams and bigrams kept by min_df, numbered alphabetically by their text
    as scikit-learn's CountVectorizer(ngram_range=(1, 2)) does ("a" < "a b" < "ab").

    Words are the kept unigrams (both words of a kept bigram are kept unigrams, as each
    occurs at least as often); a bigram is the key first·len(words) + second.
    """

    def __init__(self) -> None:
        self.index: dict[str, int] = {}  # kept word → its number among the kept words
        self.unigram_cols = np.zeros(0, dtype=np.int32)  # kept word → column
        self.bigram_keys = np.zeros(0, dtype=np.int64)  # sorted
        self.bigram_cols = np.zeros(0, dtype=np.int32)
        self.n_terms = 0

    def fit(
        self,
        words: list[str],
        word_df: np.ndarray,
        pairs: tuple[np.ndarray, np.ndarray],
        min_df: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Keep the terms in at least min_df documents. `words`: all distinct words, sorted;
        `word_df`: each one's document frequency; `pairs`: (first, second) word of each
        distinct (document, bigram). Returns (the kept words' ids among `words`, each
        column's document frequency)."""
        n_words = len(words)
        first, second = pairs
        bigrams = sp.csr_matrix(
            (np.ones(len(first), dtype=np.int32), (first, second)), shape=(n_words, n_words)
        )
        bigrams.sum_duplicates()  # data: document frequencies; indices sorted in each row
        keep_bigram = bigrams.data >= min_df
        bi_first = np.repeat(np.arange(n_words, dtype=np.int64), np.diff(bigrams.indptr))
        bi_first, bi_second = bi_first[keep_bigram], bigrams.indices[keep_bigram]
        bi_df = bigrams.data[keep_bigram]
        del bigrams, keep_bigram
        kept = np.flatnonzero(word_df >= min_df)
        if not len(kept):
            raise ValueError("After pruning, no terms remain. Try a lower min_df.")
        number = np.full(n_words, -1, dtype=np.int64)
        number[kept] = np.arange(len(kept))
        # Columns: each kept word, then its bigrams (already in order of their second word).
        per_word = np.bincount(number[bi_first], minlength=len(kept))
        starts = np.concatenate([[0], np.cumsum(per_word + 1)[:-1]])
        self.unigram_cols = starts.astype(np.int32)
        rank_in_word = np.arange(len(bi_first)) - np.repeat(
            np.concatenate([[0], np.cumsum(per_word)[:-1]]), per_word
        )
        self.bigram_cols = (starts[number[bi_first]] + 1 + rank_in_word).astype(np.int32)
        self.bigram_keys = number[bi_first] * len(kept) + number[bi_second]
        self.index = {words[i]: j for j, i in enumerate(kept.tolist())}
        self.n_terms = int(len(kept) + len(bi_first))
        df = np.zeros(self.n_terms, dtype=np.int64)
        df[self.unigram_cols] = word_df[kept]
        df[self.bigram_cols] = bi_df
        return kept, df

    def counts(self, numbers: np.ndarray, docs: np.ndarray, n_docs: int) -> sp.csr_matrix:
        """Term counts, documents × columns, of tokens given as kept-word numbers (−1 for
        any other word) with their document (ascending)."""
        known = numbers >= 0
        rows = [docs[known]]
        cols = [self.unigram_cols[numbers[known]]]
        pair = known[:-1] & known[1:] & (docs[:-1] == docs[1:])
        if pair.any() and len(self.bigram_keys):
            keys = numbers[:-1][pair] * len(self.index) + numbers[1:][pair]
            # Searching in ascending order is faster: each search starts where the last ended.
            order = np.argsort(keys)
            pos = np.empty(len(keys), dtype=np.int64)
            pos[order] = np.searchsorted(self.bigram_keys, keys[order])
            pos = np.minimum(pos, len(self.bigram_keys) - 1)
            hit = self.bigram_keys[pos] == keys
            rows.append(docs[:-1][pair][hit])
            cols.append(self.bigram_cols[pos[hit]])
        return count_matrix(np.concatenate(rows), np.concatenate(cols), (n_docs, self.n_terms))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Term counts of new texts (unknown terms are left out)."""
        numbers, docs = [], []
        for i, text in enumerate(texts):
            found = [self.index.get(word, -1) for word in tokenize(text)]
            numbers.append(np.asarray(found, dtype=np.int64))
            docs.append(np.full(len(found), i, dtype=np.int32))
        if not texts:
            return sp.csr_matrix((0, self.n_terms), dtype=np.float32)
        return self.counts(np.concatenate(numbers), np.concatenate(docs), len(texts))


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
    rows, cols, vals = array("i"), array("i"), array("f")
    for w_index, word in enumerate(words):
        grams = word_ngrams(word, lo, hi)
        rows.extend([w_index] * len(grams))
        for gram, count in grams:
            cols.append(vocab.setdefault(gram, len(vocab)))
            vals.append(count)
    expand = sp.csr_matrix(
        (np.frombuffer(vals, np.float32), (np.frombuffer(rows, np.int32), cols)),
        shape=(len(words), len(vocab)),
    )
    return vocab, expand


def char_counts(
    texts: Sequence[str],
    vocab: dict[str, int],
    lo: int,
    hi: int,
) -> sp.csr_matrix:
    """Counts of the known n-grams (`vocab`) in new texts, one row per text."""
    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        grams: Counter[int] = Counter()
        for word in tokenize(text):
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


def char_product(expand_t: sp.csr_matrix, word_docs: sp.csr_matrix) -> sp.csr_matrix:
    """n-gram counts per document (documents × n-grams, canonical) from word counts
    (words × documents: `word_doc_counts`) and `char_expansion`'s matrix transposed
    (n-grams × words).

    Computed transposed: the product's accumulator then spans a block's documents, not all
    n-grams, and turning it back into rows is a counting sort that leaves each row's
    indices sorted — twice as fast as the plain product and a sort of every row.
    """
    return (expand_t @ word_docs).T.tocsr()
