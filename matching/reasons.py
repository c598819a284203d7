"""What a scored pair says about itself — reasons, failures and matches as plain data, no
Django.

Each reason is an English sentence plus the template and values it was made of: the web
layer (matching.templatetags.matching_text) translates the template and fills the values
in again, so this module never imports a translation machinery.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "cs": "Czech", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian",
    "fi": "Finnish", "fil": "Filipino", "fr": "French", "ga": "Irish", "hi": "Hindi",
    "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "kk": "Kazakh", "km": "Khmer", "ko": "Korean", "lo": "Lao", "lt": "Lithuanian",
    "lv": "Latvian", "mn": "Mongolian", "ms": "Malay", "mt": "Maltese", "my": "Burmese",
    "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sv": "Swedish", "th": "Thai",
    "tl": "Tagalog", "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip

PRIORITY_NAMES = {
    "quality_recognition": "quality assurance and recognition",
    "business_industry": "business and industry",
    "balanced_mobility": "balanced mobility",
    "lifelong_learning": "lifelong learning incl. TVET",
}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def priority_name(code: str) -> str:
    return PRIORITY_NAMES.get(code, code.replace("_", " "))


def hours_text(h: float) -> str:
    """Hours without trailing zeros: 2 → "2", 1.5 → "1.5", 0.25 → "0.25"."""
    return f"{h:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Reason:
    """One line of an explanation.

    For a soft component `value` is its score in [0, 1] and `weight` its weight in this
    pair's score (0 when the component does not apply); for a fact behind a hard
    constraint (codes ``language``, ``term``) `weight` is 0 and `value` the figure itself
    (CEFR rank of the working level, shared weeks).
    """

    code: str
    value: float
    weight: float
    text: str
    # The English sentence before its values were put in, and those values: the web layer
    # translates `template` and fills in `params` again (see `_` below).
    template: str = ""
    params: tuple[tuple[str, object], ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "value": self.value,
            "weight": self.weight,
            "text": self.text,
            "template": self.template or self.text,
            "params": dict(self.params),
        }


def _(message: str) -> str:
    """Marks a sentence for translation (gettext extracts `_()` calls) without importing
    Django: the sentence stays English here, and the web layer translates it."""
    return message


def reason(code: str, value: float, weight: float, template: str, **params) -> Reason:
    """A `Reason` whose text is `template` filled with `params`."""
    return Reason(code, value, weight, template % params, template, tuple(params.items()))


@dataclass(frozen=True, slots=True)
class Failure:
    """A hard constraint a pair fails: `code` is one of `constraints`' codes."""

    code: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True, slots=True)
class Match:
    """A scored pair seen from `offer_id`; `reasons` explain `score` component by component."""

    offer_id: int
    partner_id: int
    score: float
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "offer_id": self.offer_id,
            "partner_id": self.partner_id,
            "score": round(self.score, 4),
            "reasons": [r.as_dict() for r in self.reasons],
        }
