# ruff: noqa: E501 — the msgids are Django's, byte for byte
"""Django's password rules (django.contrib.auth.password_validation), carried in Tandem's
catalogue because Django ships them untranslated in Thai (see __init__).

Never imported: makemessages reads these marks."""

from django.utils.translation import gettext_noop, ngettext_lazy

STRINGS = [
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "n",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
]
