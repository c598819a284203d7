"""The language an offer's description is written in (ISO 639-1, as the working languages
of `offers.languages`), and its default: the author's language, or the script of the text.

The matcher reads it to pick the subject glossary for the text (`matching.glossary`);
'' means not known, and the matcher then guesses from the text itself.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.text_language import detect_language
from offers.languages import LANGUAGE_NAMES, language_choices

UNKNOWN_LANGUAGE = _(
    "“%(code)s” is not a language code Tandem knows: give an ISO 639-1 code such as "
    "de, ja or zh, or leave it empty."
)


def validate_description_language(code: str) -> None:
    if code and code not in LANGUAGE_NAMES:
        raise ValidationError(UNKNOWN_LANGUAGE, code="unknown_language", params={"code": code})


def description_language_field() -> models.CharField:
    return models.CharField(
        _("language of the description"),
        max_length=8,
        blank=True,
        default="",
        validators=[validate_description_language],
        help_text=_("The language the title and description are written in."),
    )


def choices() -> list[tuple[str, str]]:
    """For a form's select: 'not given' first, then the languages by name."""
    return [("", str(_("Not given"))), *language_choices()]


def active_language() -> str:
    """The ISO 639-1 code of the active interface language ('' if Tandem has no such
    language code): zh-hans → zh, en-gb → en."""
    code = (translation.get_language() or "").replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGE_NAMES else ""


def default_for(text: str) -> str:
    """The language of `text` when its script or common words tell it, else the active
    language: what a new offer gets when its author leaves the language out."""
    detected = detect_language(text)
    return detected if detected in LANGUAGE_NAMES else active_language()
