"""Country names in the reader's language (CLDR through Babel) and lists in the reader's
alphabetical order."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from core.locale_names import country_name, sort_key
from tests import factories


@pytest.mark.parametrize(
    ("language", "code", "name"),
    [
        ("en", "VN", "Vietnam"),
        ("ja", "VN", "ベトナム"),
        ("de", "DE", "Deutschland"),
        ("th", "TH", "ไทย"),
        ("zh-hans", "KR", "韩国"),
        ("fr", "DE", "Allemagne"),
    ],
)
def test_country_names_come_from_cldr_in_the_readers_language(language, code, name):
    with translation.override(language):
        assert country_name(code, "English fallback") == name


def test_an_unknown_code_keeps_the_stored_english_name():
    with translation.override("de"):
        assert country_name("XK", "Kosovo") in {"Kosovo"}
        assert country_name("ZZZ", "Nowhere") == "Nowhere"


def test_accents_and_case_do_not_break_alphabetical_order():
    names = ["Österreich", "Niederlande", "ägypten", "Zypern", "Belgien"]
    assert sorted(names, key=sort_key) == [
        "ägypten",
        "Belgien",
        "Niederlande",
        "Österreich",
        "Zypern",
    ]


@pytest.mark.django_db
def test_the_offer_form_lists_countries_by_their_german_names(client):
    for code in ("FR", "DE", "EE", "AT", "NL"):
        factories.country(code)
    institution = factories.InstitutionFactory(country=factories.country("DE"))
    user = factories.lecturer(institution, preferred_language="de")
    client.force_login(user)
    html = client.get(reverse("offers:offer-create")).content.decode()
    select = html[html.index('name="preferred_countries"') :]
    select = select[: select.index("</select>")]
    names = re.findall(r">([^<]+)</option>", select)
    # German order: Deutschland, Estland, Frankreich, Niederlande, Österreich (English
    # would put Austria first and Germany after France).
    assert names == ["Deutschland", "Estland", "Frankreich", "Niederlande", "Österreich"]


@pytest.mark.django_db
def test_an_offer_page_names_the_country_in_japanese(client):
    offer = factories.make_offer(
        factories.lecturer(factories.InstitutionFactory(country=factories.country("VN")))
    )
    reader = factories.lecturer(
        factories.InstitutionFactory(country=factories.country("DE")), preferred_language="ja"
    )
    client.force_login(reader)
    html = client.get(offer.get_absolute_url()).content.decode()
    assert "ベトナム" in html


def test_thai_names_sort_by_their_first_consonant_not_a_leading_vowel():
    from core.locale_names import sorted_by_name

    # เยอรมนี (Germany) files under ย, after ญี่ปุ่น (Japan, ญ) and before ลาว (Laos, ล).
    names = ["ลาว", "เยอรมนี", "ญี่ปุ่น"]
    assert sorted_by_name(names, name=str) == ["ญี่ปุ่น", "เยอรมนี", "ลาว"]
