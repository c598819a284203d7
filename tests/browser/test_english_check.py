"""The English check (tests/browser/english_check.py) finds what it must: a deliberately
English page in a Thai reader's browser is caught in every place a reader meets words,
while the same page in Thai, names, codes and what people typed pass."""

from __future__ import annotations

import pytest
from babel import Locale

from tests.browser.english_check import (
    COLLECT,
    PROPER_NAMES,
    Watch,
    _tandem,
    english_of,
    english_on_page,
    t,
)

# Tandem's own words, each translated into Thai by the catalogue.
WORDS = [
    "Approve",
    "Dashboard",
    "Tandem home",
    "Send the proposal",
    "Decline this proposal",
    "unread",
    "Skip to main content",
    "Filter the fields",
]
SENTENCE = "Connected: new messages appear as they arrive."
PATTERN = "Propose a pairing with “%(title)s”"


def test_a_short_label_a_sentence_and_a_filled_in_sentence_are_english():
    english = english_of("th")
    for word in WORDS:
        assert word in english.exact | english.sentences, word
    found = english.find(
        [
            "Approve",  # a whole label
            "Filter the fields:",  # a label with Django's colon
            f"Chat · {SENTENCE} · 3 members",  # a sentence inside a longer line
            PATTERN.replace("%(title)s", "Marine Spatial Planning"),
        ]
    )
    # "3 members" is Tandem's "%(n)s members" too.
    assert found == sorted(["Approve", "Filter the fields", SENTENCE, PATTERN, "%(n)s members"])


def test_the_same_words_in_thai_pass():
    texts = [t("th", w) for w in [*WORDS, SENTENCE]]
    texts.append(t("th", PATTERN, title="Marine Spatial Planning"))
    assert english_of("th").find(texts) == []


def test_names_codes_numbers_and_what_people_typed_pass():
    english = english_of("th")
    assert english.find(["Tandem", "COIL", "ASEM", "SDG 14", "EQF 6", "0521", "35", "B2"]) == []
    # Someone typed a word that happens to be one of Tandem's: it is theirs.
    assert english.find(["Approve", "Dashboard"], allow=["Approve", "Dashboard"]) == []
    assert english.find(["Approve"], allow=["Dashboard"]) == ["Approve"]
    assert {"Tandem", "COIL"} <= PROPER_NAMES


def test_a_word_that_is_itself_a_translation_passes():
    """German keeps many English words ("Status", "Partner"): a msgid the catalogue
    translates identically, or any text that is a German translation, is not English."""
    translated, native = _tandem("de")
    same = [m for m, differs in translated.items() if not differs and " " not in m][:5]
    assert same, "the German catalogue keeps some words as they are"
    assert english_of("de").find(same) == []
    assert english_of("de").find(sorted(native)[:200]) == []


def test_country_names_and_time_zone_ids_left_in_english_are_found():
    english = english_of("th")
    assert english.find(["Germany"]) == ["Germany"]
    assert english.label("Germany") == "Germany [country name, CLDR]"
    assert english.find([Locale("th").territories["DE"]]) == []
    (found,) = english.find(["(your time: Europe/Amsterdam)"])
    assert "Europe/Amsterdam" in found and found.endswith("[IANA time-zone id]")


def sample_page(say) -> str:
    """A page of Tandem's words in every place a reader meets them; say(msgid) gives the
    words the page shows."""
    return f"""<!doctype html><html lang="th"><head><title>{say("Dashboard")} · Tandem</title>
<body>
  <a href="/" aria-label="{say("Tandem home")}">Tandem</a>
  <main>
    <form><button type="button">{say("Approve")}</button>
      <input type="submit" value="{say("Send the proposal")}">
      <input type="search" placeholder="{say("Filter the fields")}"></form>
    <details><summary>…</summary><p>{say("Decline this proposal")}</p></details>
    <span data-unread-text="{say("unread")}" data-key="unread"></span>
    <template><p>{say("Skip to main content")}</p></template>
    <script type="application/json">{{"connected": "{say(SENTENCE)}"}}</script>
    <select><option lang="en">English</option></select>
    <p>Yes!</p>
  </main>
</body></html>"""


@pytest.mark.browser
def test_a_deliberately_english_page_is_caught_in_every_place(page):
    page.set_content(sample_page(lambda msgid: msgid))
    found = set(english_on_page(page, "th", allow=["Yes!"]))
    # The <title>, an aria-label, a button, a button's value, a placeholder, a closed
    # <details>, a data attribute a script shows later, a <template>, a JSON block.
    expected = {*WORDS, SENTENCE}
    assert found == expected, (expected - found, found - expected)
    # Not "English", in the language menu's own language, nor "Yes!", which was typed;
    # nor data-key="unread", a key and no words.


@pytest.mark.browser
def test_the_same_page_in_thai_passes(page):
    page.set_content(sample_page(lambda msgid: t("th", msgid)))
    assert english_on_page(page, "th", allow=["Yes!"]) == []
    assert len(page.evaluate(COLLECT)) > 10  # it did read the page


@pytest.mark.browser
def test_a_real_thai_page_with_one_english_button_fails_the_watch(asgi_server, browser):
    context = browser.new_context(locale="th-TH")
    page = context.new_page()
    watch = Watch("th")
    watch.follow(page)
    page.goto(asgi_server.url + "/")
    watch.look(page)
    assert watch.found == {}
    watch.assert_clean()

    page.evaluate(
        """() => { const b = document.createElement("button");
                   b.textContent = "Approve"; document.querySelector("main").append(b); }"""
    )
    watch.look(page, "with an English button")
    assert watch.found == {"/ with an English button": ["Approve"]}
    with pytest.raises(AssertionError, match="Approve"):
        watch.assert_clean()

    # A page the browser loaded but nobody looked at fails the watch as well.
    page.goto(asgi_server.url + "/catalogue/")
    assert watch.unseen == {"/catalogue/"}
    context.close()
