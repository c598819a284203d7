"""Every main page in every offered language shows none of Tandem's own English sentences.

The catalogue test proves each sentence has a translation; this one proves the pages use
it: a sentence translated once at import time (gettext instead of gettext_lazy), or
rendered outside the reader's language, shows here in English. Pages: dashboard, offers,
an offer, a proposal, the approvals queue, statistics, the chat and sign-in."""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.translation import to_locale

from tests.exchanges.conftest import jan, jan_offer, make_proposal, siti_offer  # noqa: F401, F811
from tests.test_catalogues import ROOT, SHIPPED

pytestmark = pytest.mark.django_db

TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)


@cache
def english_sentences(code: str) -> frozenset[str]:
    """Tandem's sentences of four words or more, without placeholders, that the
    language's catalogue translates differently."""
    path = Path(ROOT) / "locale" / to_locale(code) / "LC_MESSAGES" / "django.po"
    with path.open("rb") as source:
        catalogue = read_po(source)
    found = set()
    for m in catalogue:
        if not m.id or isinstance(m.id, tuple) or not isinstance(m.string, str):
            continue
        if len(m.id.split()) >= 4 and not re.search(r"[%{<]", m.id) and m.string != m.id:
            found.add(m.id)
    return frozenset(found)


def visible_text(response) -> str:
    text = TAGS.sub(" ", response.content.decode())
    return " ".join(html.unescape(text).split())


@pytest.fixture
def pages(make_proposal, alice, bob, secretariat, siti_offer):  # noqa: F811
    proposal = make_proposal("accepted")
    return [
        (alice, reverse("dashboard:dashboard")),
        (alice, reverse("offers:offer-list")),
        (alice, siti_offer.get_absolute_url()),
        (alice, reverse("exchanges:proposal-detail", args=[proposal.pk])),
        (alice, reverse("messaging:conversation", args=[proposal.conversation.pk])),
        (bob, reverse("exchanges:approval-queue")),
        (secretariat, reverse("balance:dashboard")),
        (None, reverse("account_login")),
    ]


@pytest.mark.parametrize("code", SHIPPED)
def test_no_english_sentence_of_tandem_on_the_main_pages(pages, code):
    english = english_sentences(code)
    left = {}
    for user, url in pages:
        client = Client()
        if user is None:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        else:
            user.preferred_language = code
            user.save(update_fields=["preferred_language"])
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        text = visible_text(response)
        found = sorted(s for s in english if s in text)
        if found:
            left[url] = found
    assert not left, f"{code}: English sentences left: {left}"
