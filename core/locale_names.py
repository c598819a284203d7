"""Reference names in the reader's language, from CLDR through Babel, and an ordering
that follows the reader's alphabet rather than English.

Country names: CLDR's territory names for the active Django language, falling back to
the English name we store. Sorting: a key that ignores case and accents (é with e, Å
with A), so lists read in alphabetical order in every Latin-script language; other
scripts sort by their Unicode order, which follows the alphabet for Thai consonants,
Hangul and kana."""

from __future__ import annotations

import functools
import re
import unicodedata

from babel import Locale, UnknownLocaleError
from django.forms.models import ModelChoiceField, ModelChoiceIterator, ModelMultipleChoiceField
from django.utils import translation


@functools.lru_cache(maxsize=32)
def _locale(language: str) -> Locale | None:
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        return None


def current_locale() -> Locale | None:
    return _locale(translation.get_language() or "en")


def country_name(code: str, english: str = "") -> str:
    """The country's name in the active language (CLDR), else `english`, else the code."""
    locale = current_locale()
    name = locale.territories.get(code.upper()) if locale is not None else None
    return name or english or code


# Thai and Lao write some vowels before the consonant they follow in speech; dictionaries
# (and CLDR's collation) order by the consonant first, so "เยอรมนี" files under ย.
_PREVOWEL = re.compile("([\u0e40-\u0e44\u0ec0-\u0ec4])([\u0e01-\u0e2e\u0e81-\u0eae])")


def sort_key(text: str) -> str:
    """Case- and accent-insensitive key, ties broken by the exact text."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    key = "".join(c for c in folded if not unicodedata.combining(c))
    return _PREVOWEL.sub(r"\2\1", key) + "\0" + text


def sorted_by_name(items, name=lambda item: item[1]) -> list:
    return sorted(items, key=lambda item: sort_key(str(name(item))))


class ByNameIterator(ModelChoiceIterator):
    """Choices of a model field in the reader's alphabetical order of their labels (each
    object's str(), e.g. a country's name in the reader's language)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        objects = sorted(
            self.queryset, key=lambda obj: sort_key(self.field.label_from_instance(obj))
        )
        for obj in objects:
            yield self.choice(obj)


class NamedChoiceField(ModelChoiceField):
    """A model choice in the reader's alphabetical order."""

    iterator = ByNameIterator


class NamedMultipleChoiceField(ModelMultipleChoiceField):
    """Several model choices in the reader's alphabetical order."""

    iterator = ByNameIterator
