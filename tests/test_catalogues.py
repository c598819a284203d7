"""The translation catalogues stay complete: every language Tandem offers has a catalogue
with every sentence of the code translated, none fuzzy, and the catalogue matches the code
(a sentence added or changed without its translations fails here, with its text)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import to_locale

from core.catalogues import compile_all, gaps
from tests.conftest import _missing

ROOT = Path(__file__).resolve().parent.parent
# What makemessages reads: the code, not the tests, benchmarks or installed packages.
IGNORED = [".venv", "staticfiles", "node_modules", "bench", "tests", "var", "*.pyc"]
SHIPPED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def po_path(code: str) -> Path:
    return ROOT / "locale" / to_locale(code) / "LC_MESSAGES" / "django.po"


def msgids(path: Path) -> set[str]:
    # A template's header leaves the plural forms to fill in, which Babel cannot read.
    text = path.read_text().replace("nplurals=INTEGER; plural=EXPRESSION;", "nplurals=1; plural=0;")
    catalogue = read_po(io.StringIO(text))
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue if m.id}


@pytest.mark.parametrize("code", SHIPPED)
def test_each_offered_language_is_translated_completely(code):
    found = gaps(po_path(code))
    assert not found.untranslated, f"{code}: untranslated: {found.untranslated[:10]}"
    assert not found.fuzzy, f"{code}: fuzzy: {found.fuzzy[:10]}"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """The sentences of the code, as makemessages extracts them now (GNU gettext), from a
    copy of the code: makemessages writes beside the `locale` folder it finds."""
    if not shutil.which("xgettext"):
        _missing("GNU gettext (xgettext) is needed to extract the sentences of the code")
    copy = tmp_path_factory.mktemp("code") / "tandem"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*IGNORED, "locale", ".git", "data"))
    (copy / "locale").mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(copy)
        mp.setattr(settings, "LOCALE_PATHS", [copy / "locale"])
        call_command(
            "makemessages", locale=["xx"], ignore_patterns=IGNORED, keep_pot=True,
            no_location=True, verbosity=0,
        )  # fmt: skip
    return msgids(copy / "locale" / "django.pot")


@pytest.mark.parametrize("code", SHIPPED)
def test_each_catalogue_matches_the_code(extracted, code):
    have = msgids(po_path(code))
    missing, stale = sorted(extracted - have), sorted(have - extracted)
    assert not missing, f"{code}: sentences of the code without a translation: {missing[:10]}"
    assert not stale, f"{code}: translations of sentences the code no longer has: {stale[:10]}"


def test_the_compiled_catalogues_translate_a_page_sentence(tmp_path):
    compile_all()
    with translation.override("de"):
        assert translation.gettext("Catalogue of open offers") != "Catalogue of open offers"
    with translation.override("th"):
        text = translation.gettext("Catalogue of open offers")
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in text), text
