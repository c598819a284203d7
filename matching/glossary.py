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
from pathlib import Path

from core.text_language import SHARED, detect_language
from matching.text_tokens import preprocess

GLOSSARY_FILE = Path(__file__).resolve().parent.parent / "data" / "glossary" / "subjects.json"
MAX_PER_CONCEPT = 3  # a concept named ten times weighs as if named three times

# Scripts written without spaces between words (Korean: words with attached particles).
UNSPACED = re.compile(
    r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    r"\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\u0e00-\u0e7f]{2,}"
)
TOKEN = re.compile(r"(?u)\b\w[\w'-]*\w\b|\b\w\b")


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
        self.seen: dict[str, str | None] = {}  # Latin: each word's concept, once looked up
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
        return self._latin(text) if self.latin else self._unspaced(text)

    def _latin(self, text: str) -> list[str]:
        tokens = TOKEN.findall(fold(text))
        found = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token in self.starts:  # a term of several words may start here
                for n in range(min(self.longest, len(tokens) - i), 1, -1):
                    concept = self.words.get(tuple(tokens[i : i + n]))
                    if concept:
                        found.append(concept)
                        i += n
                        break
                else:
                    n = 0
                if n:
                    continue
            concept = self._word(token)
            if concept:
                found.append(concept)
            i += 1
        return found

    def _word(self, token: str) -> str | None:
        """The concept of one word, itself a term or an inflected one; remembered, as the
        same words come back in text after text."""
        try:
            return self.seen[token]
        except KeyError:
            pass
        if len(self.seen) > 200_000:
            self.seen.clear()
        concept = self.words.get((token,)) or self._inflected(token)
        self.seen[token] = concept
        return concept

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
