"""The texts of a fit as the text model reads them, fast — no Django.

`fitted_texts` gives, for every text, exactly `preprocess(glossary.prepare(text, language))`
(lower-cased, accents stripped, the glossary's concept words added), the form the fit
tokenises; one text at a time, so a fit of 100,000 offers never holds them all. It is the
same result by a shorter road:

- the text is folded once: the glossary reads the folded text, and the concept words are
  appended to it (folding a text and its added line apart equals folding them together);
- the language, when the caller does not give it, comes from `detect_language`: the
  result of `core.text_language.detect_language`, found with C-level string operations
  (bytes.translate, split, set intersection) instead of a Python test of every word —
  about five times faster (tests/matching/test_text_prepare.py compares them);
- texts with a script written without spaces (rare) take `glossary.prepare` itself.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence

import numpy as np

from core.text_language import (
    COMMON_WORDS,
    HAN,
    HANGUL,
    KANA,
    LANGUAGES_OF,
    SAMPLE,
    SHARED,
    THAI,
    VIETNAMESE,
)
from matching.glossary import MAX_PER_CONCEPT, UNSPACED, UNSPACED_CHAR, glossaries, prepare
from matching.text_tokens import preprocess

# detect_language's words are runs of [a-zà-ÿ] (LATIN_WORD), all Latin-1 letters: as bytes,
# every other byte becomes a space, and a character beyond Latin-1 (encoded as "?") too.
_LETTERS = bytes(b if 0x61 <= b <= 0x7A or b >= 0xE0 else 0x20 for b in range(256))
# Each such letter as a 6-bit code (1 … 58): a run of up to 10 letters is one exact uint64.
_CODE = np.zeros(256, dtype=np.uint16)
_CODE[[b for b in range(256) if _LETTERS[b] != 0x20]] = np.arange(1, 59)
# The common words such a run can be (a word with another letter never is one).
_WORDS = [w for w in LANGUAGES_OF if all("a" <= c <= "z" or "\xe0" <= c <= "\xff" for c in w)]
_LONGEST = max(map(len, _WORDS))
assert _LONGEST <= 10, "a common word of more than 10 letters: widen the keys"
# The languages, in COMMON_WORDS' order (a word's languages are counted in that order).
_LANGS = [lang for lang in COMMON_WORDS if any(lang in LANGUAGES_OF[w] for w in _WORDS)]
_GROUPS = [SHARED.get(lang, lang) for lang in _LANGS]
_GROUP = np.array([_GROUPS.index(group) for group in _GROUPS])  # languages sharing a glossary
DETECT_BLOCK = 4096  # texts whose languages are told at once
_SCRIPTS = ((KANA, "ja"), (HANGUL, "ko"), (THAI, "th"), (HAN, "zh"))
assert all(p.pattern.startswith("[") and p.pattern.endswith("]") for p, _ in _SCRIPTS)
_ANY_SCRIPT = re.compile("[" + "".join(p.pattern[1:-1] for p, _ in _SCRIPTS) + "]")


def _key(letters: bytes) -> int:
    return sum(int(_CODE[b]) << (6 * j) for j, b in enumerate(letters))


_KEYS = np.array([_key(w.encode("latin-1")) for w in _WORDS], dtype=np.uint64)
_BY_KEY = np.argsort(_KEYS)
_SORTED_KEYS = _KEYS[_BY_KEY]
# A quick first sieve of the runs: the common words' lengths and first two letters.
_LENGTH_OK = np.zeros(_LONGEST + 2, dtype=bool)
_LENGTH_OK[[len(w) for w in _WORDS]] = True
_PREFIX_OK = np.zeros(64**3, dtype=bool)
_PREFIX_OK[[_key(w.encode("latin-1")[:3]) for w in _WORDS]] = True
_PREFIX_MASK = np.array([0, 0o77, 0o7777, 0o777777], dtype=np.uint32)  # the first 1, 2, 3 letters
# Which languages each common word counts for (words × languages).
_MEMBER = np.array([[lang in LANGUAGES_OF[w] for lang in _LANGS] for w in _WORDS], dtype=np.int64)


def detect_languages(texts: Sequence[str]) -> list[str]:
    """`core.text_language.detect_language` of each text: the same rules, its common
    words counted for all texts at once with numpy (the runs of letters of all samples as
    one byte string, each run of up to 10 letters as one integer) instead of a Python
    test of every word; the scripts as there, text by text, only where a text is not
    ASCII."""
    samples = [text[:SAMPLE] for text in texts]
    lowered = [sample.lower() for sample in samples]
    out = _by_words("\n".join(lowered), list(map(len, lowered)))
    for i, sample in enumerate(samples):
        if not sample.isascii():
            out[i] = _by_script(sample, lowered[i]) or out[i]
    return out


def _by_script(sample: str, lowered: str) -> str:
    if _ANY_SCRIPT.search(sample):
        for pattern, code in _SCRIPTS:
            if len(pattern.findall(sample)) >= 5:
                return code
    if len(VIETNAMESE.findall(lowered)) >= 5:
        return "vi"
    return ""


def _by_words(joined: str, lengths: list[int]) -> list[str]:
    """detect_language's verdict from the common words of each lower-cased sample, the
    samples joined by line breaks (`lengths`: each one's length)."""
    if not lengths:
        return []
    # A space first and last: every run of letters then starts and ends inside the blob.
    text = f" {joined}" + " " * (_LONGEST + 1)
    blob = np.frombuffer(text.encode("latin-1", "replace").translate(_LETTERS), np.uint8)
    letter = blob != 0x20
    edges = np.flatnonzero(letter[1:] != letter[:-1]) + 1  # run starts and ends, alternately
    starts, size = edges[0::2], edges[1::2] - edges[0::2]
    # Runs of a common word's length, starting with a common word's first three letters.
    maybe = _LENGTH_OK[np.minimum(size, _LONGEST + 1)]
    starts, size = starts[maybe], size[maybe]
    prefix = (_CODE[blob[starts]] | _CODE[blob[starts + 1]] << 6).astype(np.uint32)
    prefix |= _CODE[blob[starts + 2]].astype(np.uint32) << 12
    prefix &= _PREFIX_MASK[np.minimum(size, 3)]  # a run of one letter: "y", a space, then?
    maybe = _PREFIX_OK[prefix]
    starts, size = starts[maybe], size[maybe]
    keys = _CODE[blob[starts]].astype(np.uint64)
    for j in range(1, _LONGEST):
        keys |= _CODE[blob[starts + j]].astype(np.uint64) << np.uint64(6 * j)
    keys &= (np.uint64(1) << (np.uint64(6) * size.astype(np.uint64))) - np.uint64(1)
    pos = np.minimum(np.searchsorted(_SORTED_KEYS, keys), len(_KEYS) - 1)
    hit = _SORTED_KEYS[pos] == keys
    word, where = _BY_KEY[pos[hit]], starts[hit]
    # Where each sample starts in the blob (after the first space and the samples before),
    # and so how many of the words found (in order) each holds.
    text_starts = np.cumsum([1] + [n + 1 for n in lengths])
    per_text = np.diff(np.searchsorted(where, text_starts))
    owner = np.repeat(np.arange(len(lengths)), per_text)
    return _verdicts(len(lengths), owner, word, where)


def _verdicts(n: int, text: np.ndarray, word: np.ndarray, where: np.ndarray) -> list[str]:
    """From every common word found (its text, word and place, in order): each text's
    language as detect_language tells it — languages ranked by count, ties by first
    occurrence (a Counter's order), then the margin over another group's best."""
    per_word = np.zeros((n, len(_WORDS)), dtype=np.int64)
    np.add.at(per_word, (text, word), 1)
    counts = per_word @ _MEMBER  # texts × languages
    first_word = np.full((n, len(_WORDS)), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_word, (text, word), where)
    first = np.stack(
        [first_word[:, _MEMBER[:, lang] > 0].min(axis=1) for lang in range(len(_LANGS))], axis=1
    )
    # Count first, then the earliest first occurrence, then the languages' order.
    first = np.where(counts > 0, first, 0)
    rank = (counts << 40) - first * len(_LANGS) - np.arange(len(_LANGS))
    rank[counts == 0] = -1
    best = rank.argmax(axis=1)
    top = counts[np.arange(n), best]
    other = np.where(_GROUP[None, :] != _GROUP[best][:, None], counts, 0).max(axis=1)
    out = []
    for b, c, o in zip(best.tolist(), top.tolist(), other.tolist(), strict=True):
        out.append("" if c < 3 or c < 1.2 * o else _LANGS[b])
    return out


def fitted_text(text: str, language: str) -> str:
    """`preprocess(glossary.prepare(text, language))`; `language` '' when not told."""
    if not text.isascii() and UNSPACED_CHAR.search(text) and UNSPACED.search(text):
        return preprocess(prepare(text, language))
    folded = preprocess(text)
    glossary = glossaries().get(SHARED.get(language, language))
    if glossary is None:
        return folded
    counts: Counter[str] = Counter()
    words = []
    for concept in glossary.concepts_of_folded(folded):
        counts[concept] += 1
        if counts[concept] <= MAX_PER_CONCEPT:
            words.append(concept)
    if not words:
        return folded
    return f"{folded}\n{preprocess(' '.join(words))}"


def fitted_texts(
    texts: Sequence[str], languages: Sequence[str] | None, glossary: bool
) -> Iterator[str]:
    """Each text as the fit tokenises it (see the module docstring), one at a time;
    `languages`: each text's ISO 639-1 code ('' or None: detected); `glossary` False:
    folded only."""
    if not glossary:
        yield from map(preprocess, texts)
        return
    if languages is not None and len(languages) != len(texts):
        raise ValueError("languages must hold one code per text")
    for lo in range(0, len(texts), DETECT_BLOCK):
        block = texts[lo : lo + DETECT_BLOCK]
        langs = (
            [""] * len(block)
            if languages is None
            else [x or "" for x in languages[lo : lo + DETECT_BLOCK]]
        )
        unknown = [i for i, lang in enumerate(langs) if not lang]
        for i, lang in zip(unknown, detect_languages([block[i] for i in unknown]), strict=True):
            langs[i] = lang
        for text, lang in zip(block, langs, strict=True):
            yield fitted_text(text, lang)
