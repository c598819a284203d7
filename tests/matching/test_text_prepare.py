"""The fit's fast roads give the very results of the plain ones they replaced (issue #12
part 6): the batch language detection, the folded preparation of the texts, the tokenisers
by translation and split, and the row normalisation without scikit-learn."""

from __future__ import annotations

import csv
import random
import re
from array import array
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from core.text_language import COMMON_WORDS, LANGUAGES_OF, detect_language
from matching import glossary
from matching.text_prepare import detect_languages, fitted_text, fitted_texts
from matching.text_tokens import TOKEN, preprocess, tokenize, tokenize_corpus, words_of
from matching.text_vectors import normalize_rows

DATA = Path(__file__).resolve().parents[2] / "data"
PIECES = [
    *LANGUAGES_OF,
    "Rechnungswesen",
    "Buchführung",
    "comptabilité",
    "informatica",
    "progettazione",
    "Università",
    "İstanbul",
    "ΣΟΦΙΑ",
    "Straße",
    "ﬁnance",
    "x²",
    "state-of-the-art",
    "l'économie",
    "'quoted'",
    "--",
    "-a-",
    "a_b",
    "2024",
    "会計学",
    "簿記の基礎",
    "회계학의",
    "การบัญชี",
    "kế toán",
    "và",
    "của",
    "e\u0301te\u0301",
    "co\u0308operation",
    "\u2019",
    "\u2013",
    "\x1c",
    "\xa0",
]


def random_texts(n: int, seed: int = 7) -> list[str]:
    """Texts made of common words of every language, subject terms, scripts, accents,
    odd characters and separators, some longer than the detection's sample."""
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        words = [rng.choice(PIECES) for _ in range(rng.choice([3, 20, 80, 400]))]
        if rng.random() < 0.5:  # one language's words, often enough to tell it
            own = rng.choice(list(COMMON_WORDS.values())).split()
            words += [rng.choice(own) for _ in range(rng.randint(1, 12))]
            rng.shuffle(words)
        seps = [" ", " ", " ", ", ", ". ", "\n", "-", "'", "/", ""]
        text = "".join(w + rng.choice(seps) for w in words)
        texts.append(text.upper() if rng.random() < 0.1 else text)
    return texts


def data_texts() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("*.csv")):
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                texts.extend(v for v in row.values() if isinstance(v, str) and len(v) > 20)
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return data_texts() + random_texts(3000)


def test_the_batch_detection_tells_every_text_as_detect_language(texts):
    assert detect_languages(texts) == [detect_language(text) for text in texts]
    assert detect_languages([]) == []


def test_a_fitted_text_is_the_folded_prepared_text(texts):
    """`fitted_text` is told the language (detected when not declared; '' if none)."""
    for language in ("", "en", "it", "de", "fr", "es", "id", "vi", "ja", "ko", "th", "pt"):
        for text in texts[::7]:
            told = language or detect_language(text)
            assert fitted_text(text, told) == preprocess(glossary.prepare(text, language))


def test_fitted_texts_detect_the_languages_not_given(texts):
    sample = texts[::5]
    languages = [["", "it", "", "de", "ja"][i % 5] for i in range(len(sample))]
    expected = [
        preprocess(glossary.prepare(t, lang)) for t, lang in zip(sample, languages, strict=True)
    ]
    assert list(fitted_texts(sample, languages, True)) == expected
    detected = [preprocess(glossary.prepare(t)) for t in sample]
    assert list(fitted_texts(sample, None, True)) == detected
    assert list(fitted_texts(sample, None, False)) == [preprocess(t) for t in sample]


def test_the_tokenisers_find_the_tokens_of_their_regular_expressions(texts):
    for text in texts:
        folded = preprocess(text)
        assert glossary.tokens_of(folded) == glossary.TOKEN.findall(folded)
        assert [w for w in words_of(folded) if len(w) > 1] == TOKEN.findall(folded)
        assert tokenize(text) == TOKEN.findall(folded)


def test_every_character_is_a_word_character_exactly_as_for_the_regular_expression():
    word = re.compile(r"\w")
    for code in list(range(0x3000)) + list(range(0xAC00, 0xAD00)) + [0x10400, 0x1D7CE]:
        char = chr(code)
        assert (words_of(f"a{char}b") == [f"a{char}b"]) == bool(word.match(char)), hex(code)


def test_the_corpus_is_tokenised_as_before(texts):
    """Against the tokenisation it replaced: TOKEN over each text, ids alphabetical."""
    ids: defaultdict[str, int] = defaultdict()
    ids.default_factory = ids.__len__
    tokens, ends = array("i"), []
    for text in texts:
        tokens.extend(map(ids.__getitem__, TOKEN.findall(preprocess(text))))
        ends.append(len(tokens))
    words = sorted(ids)
    rank = {word: i for i, word in enumerate(words)}
    by_id = list(ids)
    expected = [rank[by_id[t]] for t in tokens]
    got_words, got_tokens, got_ends = tokenize_corpus(iter(texts))
    assert got_words == words
    assert got_tokens.tolist() == expected and got_tokens.dtype == np.int32
    assert got_ends.tolist() == ends and got_ends.dtype == np.int64
    folded = tokenize_corpus([preprocess(t) for t in texts], folded=True)
    assert folded[0] == words and folded[1].tolist() == expected


def test_rows_are_normalised_bit_for_bit_as_scikit_learn_does():
    rng = np.random.default_rng(0)
    for trial in range(40):
        shape = (int(rng.integers(1, 1500)), int(rng.integers(1, 1500)))
        x = sp.random(
            *shape,
            density=float(rng.choice([0.001, 0.02, 0.2])),
            format="csr",
            dtype=np.float32,
            random_state=trial,
        )
        x.data *= np.float32(rng.choice([1e-3, 1.0, 1e3, 1e-25]))
        if trial % 3 == 0:
            x = x.astype(np.float64)
        mine = x.copy()
        normalize_rows(mine)
        theirs = normalize(x.copy(), copy=False)
        assert mine.dtype == theirs.dtype
        assert mine.data.tobytes() == theirs.data.tobytes()
    long_rows = sp.random(30, 5000, density=0.3, format="csr", dtype=np.float32, random_state=1)
    mine = long_rows.copy()
    normalize_rows(mine)  # long rows
    assert mine.data.tobytes() == normalize(long_rows, copy=True).data.tobytes()
