"""Working languages an offer can list: the official and teaching languages of the ASEM
partner countries, by ISO 639-1 code."""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from core.locale_names import sorted_by_name

LANGUAGE_NAMES = {
    "en": _("English"),
    "bg": _("Bulgarian"),
    "bn": _("Bengali"),
    "cs": _("Czech"),
    "da": _("Danish"),
    "de": _("German"),
    "el": _("Greek"),
    "es": _("Spanish"),
    "et": _("Estonian"),
    "fi": _("Finnish"),
    "fil": _("Filipino"),
    "fr": _("French"),
    "ga": _("Irish"),
    "hi": _("Hindi"),
    "hr": _("Croatian"),
    "hu": _("Hungarian"),
    "id": _("Indonesian"),
    "it": _("Italian"),
    "ja": _("Japanese"),
    "kk": _("Kazakh"),
    "km": _("Khmer"),
    "ko": _("Korean"),
    "lo": _("Lao"),
    "lt": _("Lithuanian"),
    "lv": _("Latvian"),
    "mn": _("Mongolian"),
    "ms": _("Malay"),
    "mt": _("Maltese"),
    "my": _("Burmese"),
    "nb": _("Norwegian"),
    "nl": _("Dutch"),
    "pl": _("Polish"),
    "pt": _("Portuguese"),
    "ro": _("Romanian"),
    "ru": _("Russian"),
    "sk": _("Slovak"),
    "sl": _("Slovenian"),
    "sv": _("Swedish"),
    "th": _("Thai"),
    "ur": _("Urdu"),
    "vi": _("Vietnamese"),
    "zh": _("Chinese"),
}


def language_choices() -> list[tuple[str, str]]:
    """The languages by name, in the reader's language and alphabet. A form field takes
    them through a callable (`with_blank`), called per form: a list built when the module
    is imported keeps the English names."""
    return sorted_by_name((code, str(name)) for code, name in LANGUAGE_NAMES.items())


def with_blank(label) -> Callable[[], list[tuple[str, str]]]:
    """Choices for a field: `label` first (no language), then the languages."""
    return lambda: [("", label), *language_choices()]
