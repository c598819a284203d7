"""Tandem's translation catalogues (locale/<language>/LC_MESSAGES/*.po): compiled to the
.mo files Django reads with Babel, in pure Python, so a fresh machine needs no GNU
gettext; and checked, for the tests and CI, for entries left untranslated or fuzzy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings


def catalogue_paths() -> list[Path]:
    return sorted(
        path for folder in settings.LOCALE_PATHS for path in Path(folder).glob("*/LC_MESSAGES/*.po")
    )


def compile_all(*, force: bool = False) -> list[Path]:
    """Write each .mo older than its .po; the paths written."""
    written = []
    for po in catalogue_paths():
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as target:
            write_mo(target, catalogue, use_fuzzy=False)
        tmp.replace(mo)  # a running server never reads half a file
        written.append(mo)
    return written


@dataclass
class Gaps:
    path: Path
    untranslated: list[str]
    fuzzy: list[str]


def gaps(po: Path) -> Gaps:
    """The entries of a catalogue without a translation, and those marked fuzzy."""
    with po.open("rb") as source:
        catalogue = read_po(source)
    untranslated, fuzzy = [], []
    for message in catalogue:
        if not message.id:
            continue  # the header
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(key)
        if message.fuzzy:
            fuzzy.append(key)
    return Gaps(po, untranslated, fuzzy)
