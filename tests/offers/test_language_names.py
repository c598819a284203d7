"""The lists of working languages (offer form, catalogue filter, suggestion filter) name
the languages in the reader's language and alphabet: built per form, not once at import."""

from __future__ import annotations

from django.utils import translation

from core.locale_names import sort_key
from matching.forms import SuggestionFilterForm
from offers.filters import OfferFilterForm
from offers.forms import LanguageForm


def names(form, field: str) -> list[str]:
    return [str(label) for value, label in form.fields[field].choices if value]


def test_working_languages_are_named_in_the_readers_language():
    with translation.override("de"):
        german = names(LanguageForm(), "language")
        assert "Englisch" in german and "English" not in german
        assert german == sorted(german, key=sort_key)  # Ä with A, as a German reads
        assert "Englisch" in names(SuggestionFilterForm(), "language")
        assert "Englisch" in names(OfferFilterForm(), "language")
    with translation.override("ja"):
        assert "English" not in names(LanguageForm(), "language")
    with translation.override("en"):
        assert "English" in names(LanguageForm(), "language")


def test_the_blank_choice_of_each_filter_says_any_language():
    with translation.override("de"):
        (blank, _label), *_ = SuggestionFilterForm().fields["language"].choices
        assert blank == ""
        assert str(OfferFilterForm().fields["language"].choices[0][1]) == translation.gettext(
            "All languages"
        )
