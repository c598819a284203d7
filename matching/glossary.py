"""Texts in any language for the text model: a subject glossary and word segmentation.

Before a text is vectorised (`similarity.TextModel`), `prepare` adds the English concept
words of the subject terms it contains — a German "Rechnungswesen", a Japanese "会計" or
a Thai "การบัญชี" also say "accounting" — and cuts the runs of scripts written without
spaces (Chinese, Japanese, Thai; Korean too, whose words carry their particles) into
overlapping character bigrams, so they share terms with texts on the same subject.

The glossary is data: data/glossary/subjects.json (its note says how it was made). The
language of a text picks the glossary: the offer's description language when the caller
knows it, else `detect_language` — the script, then common words of Latin-script
languages. Chinese and Japanese share one glossary, as do Indonesian and Malay.

English texts, and texts in a language without a glossary, come back unchanged: they cost
one script test and a count of common words. No Django, no dependency.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from itertools import compress
from pathlib import Path

from core.text_language import SHARED, detect_language
from matching.text_tokens import preprocess, translate

GLOSSARY_FILE = Path(__file__).resolve().parent.parent / "data" / "glossary" / "subjects.json"
MAX_PER_CONCEPT = 3  # a concept named ten times weighs as if named three times

# Scripts written without spaces between words (Korean: words with attached particles).
UNSPACED = re.compile(
    r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    r"\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\u0e00-\u0e7f]{2,}"
)
TOKEN = re.compile(r"(?u)\b\w[\w'-]*\w\b|\b\w\b")
# A character of those scripts: a quick test before UNSPACED's (~3× faster).
UNSPACED_CHAR = re.compile(UNSPACED.pattern[: UNSPACED.pattern.rindex("]") + 1])


class _TermChars(dict):
    """A `str.translate` table: word characters, apostrophes and hyphens stay (TOKEN's
    characters), any other becomes a space; filled in as characters are met."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        value = code if char.isalnum() or char in "_'-" else 0x20
        self[code] = value
        return value


TERM_CHARS = _TermChars()


def tokens_of(folded: str) -> list[str]:
    """TOKEN.findall(folded), several times as fast: TOKEN's tokens are the runs of its
    characters stripped of their leading and trailing apostrophes and hyphens (a run of
    those alone is none). The stripping is a few replacements of the whole text."""
    runs = translate(folded, TERM_CHARS)
    if "'" in runs or "-" in runs:
        runs = f" {runs} "
        while True:  # each round takes one character off each end of a run
            shorter = runs.replace(" '", " ").replace("' ", " ").replace(" -", " ")
            shorter = shorter.replace("- ", " ")
            if len(shorter) == len(runs):
                break
            runs = shorter
    return runs.split()


def fold(text: str) -> str:
    """Lower-cased, accents stripped (as the text model's tokens): Latin-script matching."""
    return preprocess(text)


class Glossary:
    """The terms of one language (or of a shared group) and their concepts."""

    def __init__(self, entries: list[tuple[str, str]], latin: bool) -> None:
        self.latin = latin
        self.words: dict[tuple[str, ...], str] = {}  # Latin: term's words → concept
        self.heads: dict[str, str] = {}  # Latin: one-word terms of ≥ 5 letters
        self.strings: dict[str, str] = {}  # other scripts: the term as written
        self.starts: set[str] = set()  # Latin: first words of terms of several words
        self.marks: dict[str, tuple[str | None, bool] | None] = {}  # Latin: see `_mark`
        self.longest = 1
        for term, concept in entries:
            if latin:
                words = tuple(TOKEN.findall(fold(term)))
                if words:
                    self.words.setdefault(words, concept)
                    self.longest = max(self.longest, len(words))
                    if len(words) > 1:
                        self.starts.add(words[0])
                    if len(words) == 1 and len(words[0]) >= 5:
                        self.heads.setdefault(words[0], concept)
            else:
                self.strings.setdefault(term, concept)
                self.longest = max(self.longest, len(term))

    def concepts(self, text: str) -> list[str]:
        """The concept of every term found in the text, in order of appearance."""
        return self.concepts_of_folded(fold(text)) if self.latin else self._unspaced(text)

    def concepts_of_folded(self, folded: str) -> list[str]:
        """`concepts` of a Latin-script text already folded (`fold`)."""
        tokens = tokens_of(folded)
        marks = self.marks
        new = set(tokens).difference(marks)
        if new:
            if len(marks) + len(new) > 200_000:
                marks.clear()
                new = set(tokens)
            for token in new:
                marks[token] = self._mark(token)
        flags = list(map(marks.__getitem__, tokens))
        found = []
        after = 0  # the first token not yet read by a term of several words
        # Only the tokens that are, or start, a term (C-level filter): a few per text.
        for i in compress(range(len(tokens)), flags):
            if i < after:
                continue
            concept, starts = flags[i]
            if starts:  # a term of several words may start here
                for n in range(min(self.longest, len(tokens) - i), 1, -1):
                    term = self.words.get(tuple(tokens[i : i + n]))
                    if term:
                        found.append(term)
                        after = i + n
                        break
                if after > i:
                    continue
            if concept:
                found.append(concept)
        return found

    def _mark(self, token: str) -> tuple[str | None, bool] | None:
        """What a word is to this glossary: (its concept, whether a term of several words
        starts with it), or None when neither — looked up once per word, as the same
        words come back in text after text."""
        concept = self.words.get((token,)) or self._inflected(token)
        starts = token in self.starts
        return (concept, starts) if concept or starts else None

    def _inflected(self, token: str) -> str | None:
        """A one-word term inside a longer word: an ending (chimiques → chimique), the
        head or the first part of a compound (Finanzbuchhaltung, Physikalische)."""
        if len(token) < 6:
            return None
        for cut in (1, 2, 3):
            if concept := self.heads.get(token[:-cut]):
                return concept
        if len(token) < 9:
            return None
        for start in range(2, len(token) - 4):  # the head of a compound
            if concept := self.heads.get(token[start:]):
                return concept
        for end in range(5, min(len(token) - 2, 12)):  # the first part
            if concept := self.heads.get(token[:end]):
                return concept
        return None

    def _unspaced(self, text: str) -> list[str]:
        found = []
        lowered = text.lower()
        for run in UNSPACED.findall(lowered):
            i = 0
            while i < len(run):
                for n in range(min(self.longest, len(run) - i), 1, -1):
                    concept = self.strings.get(run[i : i + n])
                    if concept:
                        found.append(concept)
                        i += n - 1
                        break
                i += 1
        return found


@cache
def glossaries() -> dict[str, Glossary]:
    """Each language's glossary (Chinese and Japanese share one, Indonesian and Malay),
    read once per process."""
    data = json.loads(GLOSSARY_FILE.read_text(encoding="utf-8"))
    entries: dict[str, list[tuple[str, str]]] = {}
    for concept, by_language in data["concepts"].items():
        for lang, terms in by_language.items():
            group = SHARED.get(lang, lang)
            entries.setdefault(group, []).extend((term, concept) for term in terms)
    return {
        group: Glossary(terms, latin=group not in ("cjk", "ko", "th"))
        for group, terms in entries.items()
    }


def segment(text: str) -> str:
    """Runs of unspaced scripts cut into overlapping character bigrams, space-separated:
    "会計学" → "会計 計学". Other text is unchanged."""
    return UNSPACED.sub(lambda m: " " + _bigrams(m.group()) + " ", text)


def _bigrams(run: str) -> str:
    return " ".join(run[i : i + 2] for i in range(len(run) - 1))


def concept_words(text: str, language: str = "") -> list[str]:
    """The English concept words the glossary of the text's language finds in it."""
    lang = language or detect_language(text)
    glossary = glossaries().get(SHARED.get(lang, lang))
    if glossary is None:
        return []
    counts: Counter[str] = Counter()
    words = []
    for concept in glossary.concepts(text):
        counts[concept] += 1
        if counts[concept] <= MAX_PER_CONCEPT:
            words.append(concept)
    return words


def prepare(text: str, language: str = "") -> str:
    """The text as the text model reads it: unspaced scripts segmented, and the English
    concept words of its subject terms added on a last line (no marker word: one shared
    by every non-English text would make them all a little alike). An English text, or
    one in a language without a glossary, comes back unchanged."""
    lang = language or detect_language(text)
    if lang in ("", "en") and text.isascii():
        return text
    words = concept_words(text, lang)
    if UNSPACED.search(text):
        text = segment(text)
    if not words:
        return text
    return f"{text}\n{' '.join(words)}"
