"""The agreed terms name each side's credit system in the reader's language ("local
credits"), never by its stored code ("LOCAL")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def credits_line(html: str) -> str:
    match = re.search(r"<dd>([^<]*(?:ECTS|credit|Leistungspunkte)[^<]*)</dd>", html)
    assert match, "the terms show the credits"
    return " ".join(match.group(1).split())


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "— local credits / — ECTS"), ("de", None)]
)
def test_the_terms_name_the_credit_systems(client, make_proposal, alice, language, expected):
    proposal = make_proposal("proposed")
    alice.preferred_language = language
    alice.save(update_fields=["preferred_language"])
    client.force_login(alice)
    html = client.get(reverse("exchanges:proposal-detail", args=[proposal.pk])).content.decode()
    with translation.override(language):
        local, ects = translation.gettext("local credits"), translation.gettext("ECTS")
    line = credits_line(html)
    assert line == (expected or f"— {local} / — {ects}")
    assert "LOCAL" not in line
