"""Finds English on a page shown in another language, where the reader meets it.

tests/test_pages_in_every_language.py looks for sentences of four words or more in the
HTML the server sends. This looks in the browser, after the scripts ran, at what a person
sees or hears: every text node (also of hidden tabs, closed <details> and <template>s,
which a click shows), the <title>, aria-labels, titles, placeholders, alt texts, button
values, and the data-* attributes and JSON blocks the scripts take their words from.
A piece of text counts as English when it

- is exactly one of the English msgids below (a label like "Approve", a heading),
- is such a msgid with its placeholders filled in ("Propose a pairing with “…”"),
- contains such a msgid of four words or more, or
- names a time zone by its IANA id ("Europe/Amsterdam") instead of its name.

The msgids: Tandem's that the language's catalogue (locale/<lang>/LC_MESSAGES/django.po)
translates to something else; Tandem's marked in the code but not yet in the catalogue;
Django's and allauth's that their catalogue leaves in English and Tandem does not carry;
and the ASEM countries' English names where CLDR has a name in the language. Each finding
names its source when it is not Tandem's catalogue. Never counted: msgids translated
identically, any text that is itself a translation in the language (German "Name",
"Partner"), msgids of proper names, acronyms and numbers only ("Tandem", "COIL", "SDG
%(n)s"), text inside an element whose lang attribute names another language (the language
menu's "English"), and what people typed or reference data holds (`allow`)."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import allauth
import django
from babel import Locale
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils.translation import (
    gettext,
    ngettext,
    npgettext,
    override,
    pgettext,
    to_locale,
    trans_real,
)

from tests.test_catalogues import IGNORED, ROOT

TANDEM = "Tandem"
NOT_CARRIED = "marked in the code, missing from the catalogue"
# The other catalogues whose words reach Tandem's pages: form errors and dates, password
# rules, "2 hours ago", allauth's sign-in, sign-up, e-mail and two-factor pages.
_DJANGO = Path(django.__file__).parent
THIRD_PARTY = {
    "Django": _DJANGO / "conf" / "locale",
    "django.contrib.auth": _DJANGO / "contrib" / "auth" / "locale",
    "django.contrib.humanize": _DJANGO / "contrib" / "humanize" / "locale",
    "allauth": Path(allauth.__file__).parent / "locale",
}

# Names and codes that stay as they are in every language.
PROPER_NAMES = frozenset(
    ["Tandem", "ASEM", "ASEAN", "EU", "COIL", "ISCED", "ISCED-F", "SDG", "SDGs", "EQF"]
    + ["CEFR", "TVET", "CSV", "PDF", "JSON", "API", "OpenAPI", "UTC", "iCalendar", "ics"]
    + ["Zoom", "TOTP"]
)
# Python and Django placeholders, and what Django templates turn {{ x }} into.
PLACEHOLDER = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdfr]|%[sdfr]|\{[\w.]*\}")
TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"[^\W\d_]{2,}")
SENTENCE_WORDS = 4
ZONE_ID = re.compile(
    r"\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Z]\w+"
)
ZONE_LABEL = "IANA time-zone id"
# Short pieces are compared whole; separators inside one line split it into pieces too.
SEPARATORS = re.compile(r"\s+[·|—]\s+|\n")

COLLECT = """
() => {
  const base = (v) => (v || "").toLowerCase().split("-")[0];
  const pageLang = base(document.documentElement.getAttribute("lang"));
  const foreign = (el) => {
    const holder = el.closest("[lang]");
    return holder !== null && base(holder.getAttribute("lang")) !== pageLang;
  };
  const ATTRS = ["aria-label", "title", "placeholder", "alt", "aria-description",
                 "aria-roledescription", "aria-valuetext"];
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT"]);
  // data-* attributes a script shows later (data-label, data-unread-text, data-announce);
  // the others hold keys and addresses.
  const WORDS_FOR_LATER = /^data-(.*-)?(text|label|announce|message|title|template)$/;
  const texts = [document.title];
  const visit = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (SKIP.has(el.tagName) || el.closest("script,style,noscript") || foreign(el)) continue;
      for (const name of ATTRS) { const v = el.getAttribute(name); if (v) texts.push(v); }
      for (const name of el.getAttributeNames()) {
        if (WORDS_FOR_LATER.test(name)) texts.push(el.getAttribute(name));
      }
      if (el.tagName === "INPUT" && ["submit", "button", "reset"].includes(el.type)) {
        texts.push(el.value);
      }
      for (const node of el.childNodes) {
        if (node.nodeType === Node.TEXT_NODE && node.data.trim()) texts.push(node.data);
      }
      const mixed = [...el.querySelectorAll("[lang]")].some((x) => base(x.lang) !== pageLang);
      if (!mixed && !el.querySelector("script,style")) {
        const whole = el.textContent;
        if (whole.length < 300) texts.push(whole);
      }
      if (el.tagName === "TEMPLATE") visit(el.content);
    }
  };
  visit(document.body);
  // The words the page's scripts show later (the chat's strings).
  const walk = (v) => {
    if (typeof v === "string") texts.push(v);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  for (const s of document.querySelectorAll('script[type="application/json"]')) {
    try { walk(JSON.parse(s.textContent)); } catch (e) { /* not ours */ }
  }
  return texts;
}
"""


def t(code: str, msgid: str, **values) -> str:
    """What a page shows for msgid to a reader of `code`."""
    with override(code):
        text = gettext(msgid)
    return text % values if values else text


def normal(text: str) -> str:
    """One line, single spaces, without the label's colon or the required field's star."""
    return " ".join(text.split()).rstrip(" :*：")


def _eligible_words(msgid: str) -> list[str]:
    """The words of a msgid that must be translated: not placeholders, proper names or
    acronyms."""
    words = WORD.findall(PLACEHOLDER.sub(" ", TAG.sub(" ", msgid)))
    return [w for w in words if w not in PROPER_NAMES and not w.isupper()]


def _pattern(msgid: str) -> re.Pattern:
    """The msgid as a regular expression: placeholders match any text, tags none."""
    parts = PLACEHOLDER.split(normal(TAG.sub("", msgid)))
    literal = [r"\s+".join(re.escape(w) for w in part.split(" ")) for part in parts]
    return re.compile(".+?".join(literal))


@dataclass(frozen=True)
class English:
    """What counts as English for one language; `source` names where each msgid comes from
    (Tandem's catalogue, or Django's or allauth's when Tandem does not carry it)."""

    code: str
    exact: frozenset[str] = frozenset()
    sentences: frozenset[str] = frozenset()
    patterns: tuple[tuple[str, re.Pattern], ...] = ()
    source: Mapping[str, str] = field(default_factory=dict)

    def find(self, texts: Iterable[str], allow: Iterable[str] = ()) -> list[str]:
        """The msgids found in the texts, and the shortest texts naming a time zone by its
        IANA id, sorted; `allow` (what people typed, names, reference data) is cut out of
        each text first."""
        cut = sorted({normal(a) for a in allow if normal(a)}, key=len, reverse=True)
        pieces: set[str] = set()
        for text in texts:
            if not text:
                continue
            for part in [text, *SEPARATORS.split(text)]:
                line = normal(part)
                for a in cut:
                    line = line.replace(a, "\x00")
                if line.strip("\x00 "):
                    pieces.add(line)
        found = {p for p in pieces if p in self.exact}
        whole = "\n".join(pieces)
        found.update(s for s in self.sentences if s in whole)
        for msgid, pattern in self.patterns:
            if any(pattern.fullmatch(p) for p in pieces):
                found.add(msgid)
        return sorted(found | _zone_ids(pieces))

    def label(self, msgid: str) -> str:
        """The msgid as a report shows it: with its source when it is not Tandem's."""
        where = self.source.get(msgid, TANDEM)
        return msgid if where == TANDEM else f"{msgid} [{where}]"


def _zone_ids(pieces: set[str]) -> set[str]:
    """The shortest pieces that show an IANA id ("Europe/Amsterdam") where a reader
    expects the zone's name in their language."""
    named = {p for p in pieces if ZONE_ID.search(p)}
    shortest = {p for p in named if not any(q != p and q in p for q in named)}
    return {f"{p.replace(chr(0), '…')[:160]} [{ZONE_LABEL}]" for p in shortest}


def _read_po(path: Path):
    # A template's header leaves the plural forms to fill in, which Babel cannot read.
    header = "nplurals=INTEGER; plural=EXPRESSION;"
    text = path.read_text().replace(header, "nplurals=2; plural=(n != 1);")
    return read_po(io.StringIO(text))


@cache
def code_msgids() -> frozenset[str]:
    """The sentences marked in the code now, as makemessages extracts them (GNU gettext),
    from a copy of the code (tests/test_catalogues.py does the same): a sentence marked
    but not yet in a catalogue shows in English and is in no .po to compare with."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "tandem"
        skip = shutil.ignore_patterns(*IGNORED, "locale", ".git", "data")
        shutil.copytree(ROOT, copy, ignore=skip)
        (copy / "locale").mkdir()
        with contextlib.chdir(copy), override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command(
                "makemessages", locale=["xx"], ignore_patterns=IGNORED, keep_pot=True,
                no_location=True, verbosity=0,
            )  # fmt: skip
        found = set()
        for m in _read_po(copy / "locale" / "django.pot"):
            found.update(m.id if isinstance(m.id, tuple) else (m.id,))
    return frozenset(found - {""})


def _tandem(code: str) -> tuple[dict[str, bool], set[str]]:
    """Tandem's msgids (each: translated differently in every context?) and its
    translations."""
    translated: dict[str, bool] = {}
    native: set[str] = set()
    for m in _read_po(ROOT / "locale" / to_locale(code) / "LC_MESSAGES" / "django.po"):
        if not m.id or m.fuzzy:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        strings = [s for s in strings if s]
        native.update(normal(s) for s in strings)
        for msgid in ids:
            differs = bool(strings) and all(normal(s) != normal(msgid) for s in strings)
            translated[msgid] = translated.get(msgid, True) and differs
    return translated, native


def _as_shown(m) -> dict[str, str]:
    """Each English text of a catalogue entry, and what gettext gives for it now."""
    ctx = m.context
    if isinstance(m.id, tuple):
        one, many = m.id
        if ctx:
            return {one: npgettext(ctx, one, many, 1), many: npgettext(ctx, one, many, 5)}
        return {one: ngettext(one, many, 1), many: ngettext(one, many, 5)}
    return {m.id: pgettext(ctx, m.id) if ctx else gettext(m.id)}


def _left_in_english(code: str, tandem: Mapping[str, bool]) -> dict[str, str]:
    """Msgids that Tandem's catalogue does not carry and that a reader of `code` gets in
    English, with their source: Tandem's own marked since the catalogue was made, and
    Django's and allauth's that their catalogue does not translate."""
    marked = code_msgids() - tandem.keys()  # before override: makemessages resets it
    with override(code):
        left = {m: NOT_CARRIED for m in marked if gettext(m) == m}
        for where, folder in THIRD_PARTY.items():
            for m in _read_po(folder / "en" / "LC_MESSAGES" / "django.po"):
                if not m.id:
                    continue
                for msgid, text in _as_shown(m).items():
                    if text == msgid and msgid not in tandem:
                        left.setdefault(msgid, where)
    return left


def _country_names(code: str) -> dict[str, str]:
    """The ASEM countries' English names that CLDR names otherwise in `code`."""
    data = json.loads((settings.TANDEM_DATA_DIR / "asem_partners.json").read_text())
    territories = Locale.parse(to_locale(code)).territories
    return {
        p["name"]: "country name, CLDR"
        for p in data["partners"]
        if p["kind"] == "country" and territories.get(p["iso_alpha2"], p["name"]) != p["name"]
    }


@cache
def english_of(code: str) -> English:
    """Tandem's msgids that the catalogue of `code` translates, Django's and allauth's
    that stay English, and the countries' English names, minus every text that is a
    translation in that language (Tandem's, Django's and allauth's catalogues)."""
    tandem, native = _tandem(code)
    native.update(normal(v) for _k, v in trans_real.translation(code)._catalog.items())
    source = {msgid: TANDEM for msgid, differs in tandem.items() if differs}
    source |= {m: w for m, w in _left_in_english(code, tandem).items() if m not in source}
    source |= {m: w for m, w in _country_names(code).items() if m not in source}
    exact, sentences, patterns = set(), set(), []
    for msgid in source:
        text = normal(msgid)
        if text in native or not _eligible_words(msgid):
            continue
        if PLACEHOLDER.search(msgid) or TAG.search(msgid):
            # "%(a)s and %(b)s" would match any English line: a pattern needs a real word.
            if any(len(w) >= 4 for w in _eligible_words(msgid)):
                patterns.append((msgid, _pattern(msgid)))
        elif len(text.split()) >= SENTENCE_WORDS:
            sentences.add(text)
        else:
            exact.add(text)
    source = {normal(m): w for m, w in source.items()} | source
    return English(code, frozenset(exact), frozenset(sentences), tuple(patterns), source)


def english_on_page(page, code: str, allow: Iterable[str] = ()) -> list[str]:
    """The English msgids the page (a Playwright page) shows a reader of `code`, each with
    its source when it is not Tandem's catalogue."""
    english = english_of(code)
    return [english.label(m) for m in english.find(page.evaluate(COLLECT), allow)]


@dataclass
class Watch:
    """Looks at each page a journey passes and keeps what it found, per page, so one run
    reports every English text left rather than the first. Every page the browser loaded
    must have been looked at (`unseen`), so a step cannot slip past the check."""

    code: str
    allow: set[str] = field(default_factory=set)
    found: dict[str, list[str]] = field(default_factory=dict)
    looked: set[str] = field(default_factory=set)
    loaded: set[str] = field(default_factory=set)

    def follow(self, page) -> None:
        page.on("load", lambda p: self.loaded.add(urlsplit(p.url).path))

    def look(self, page, what: str = "") -> None:
        path = urlsplit(page.url).path
        page.wait_for_load_state("load")
        lang = page.evaluate("document.documentElement.lang")
        assert lang.split("-")[0] == self.code.split("-")[0], f"{path} is in {lang}"
        self.looked.add(path)
        self._keep(f"{path} {what}".strip(), english_on_page(page, self.code, self.allow))

    def read(self, texts: Iterable[str], what: str) -> None:
        """Looks at text that is not a page (an e-mail's subject and body)."""
        english = english_of(self.code)
        self._keep(what, [english.label(m) for m in english.find(texts, self.allow)])

    def _keep(self, where: str, english: list[str]) -> None:
        if english:
            self.found[where] = sorted(set(self.found.get(where, [])) | set(english))

    @property
    def unseen(self) -> set[str]:
        return self.loaded - self.looked

    def assert_clean(self) -> None:
        assert not self.unseen, f"pages loaded but not checked: {sorted(self.unseen)}"
        report = "\n".join(f"  {where}: {texts}" for where, texts in sorted(self.found.items()))
        assert not self.found, f"{self.code}: English text of Tandem left on:\n{report}"
