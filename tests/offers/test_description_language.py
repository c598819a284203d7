"""The language of an offer's description (issue 14 part 4): the form, the API and the
import carry it; an unknown code is refused with a message that says what to give."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from offers.description_language import UNKNOWN_LANGUAGE
from offers.forms import OfferForm
from offers.importing import COLUMNS, offers_import
from offers.models import Offer
from tests import factories
from tests.offers.test_import import csv_file, good_row
from tests.offers.test_import import reference as reference  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

LIST = reverse("api:offer-list")
GERMAN = "Grundlagen der Buchführung und der Bilanzierung für kleine und mittlere Unternehmen."


def detail(offer) -> str:
    return reverse("api:offer-detail", args=[offer.pk])


# --- the form -------------------------------------------------------------------------------


def test_a_new_offer_form_starts_in_the_authors_language():
    with translation.override("de"):
        assert OfferForm().initial["description_language"] == "de"
    with translation.override("zh-hans"):
        assert OfferForm().initial["description_language"] == "zh"


def test_an_existing_offer_keeps_the_language_it_has(alice):
    offer = factories.make_offer(alice, description_language="ja")
    with translation.override("de"):
        assert OfferForm(instance=offer).initial["description_language"] == "ja"


def test_the_form_refuses_a_language_it_does_not_offer():
    form = OfferForm(data={"description_language": "xx"})
    assert not form.is_valid()
    assert "description_language" in form.errors


# --- the API --------------------------------------------------------------------------------


def test_the_api_stores_the_language_given_and_shows_it(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(description_language="ja"), format="json")
    assert response.status_code == 201
    assert response.json()["description_language"] == "ja"
    assert Offer.objects.get(pk=response.json()["id"]).description_language == "ja"


def test_the_api_tells_a_left_out_language_from_the_text(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(description=GERMAN, title="Rechnungswesen"))
    assert response.status_code == 201
    assert response.json()["description_language"] == "de"


def test_the_api_refuses_an_unknown_code_with_a_clear_message(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(description_language="xx"), format="json")
    assert response.status_code == 400
    assert response.json()["description_language"] == [str(UNKNOWN_LANGUAGE % {"code": "xx"})]
    offer = factories.make_offer(alice)
    response = api.patch(detail(offer), {"description_language": "klingon"}, format="json")
    assert response.status_code == 400
    assert "ISO 639-1" in response.json()["description_language"][0]


def test_the_api_may_clear_the_language(api, alice):
    offer = factories.make_offer(alice, description_language="fr")
    api.force_login(alice)
    response = api.patch(detail(offer), {"description_language": ""}, format="json")
    assert response.status_code == 200
    offer.refresh_from_db()
    assert offer.description_language == ""


# --- the import -----------------------------------------------------------------------------


def test_the_import_reads_the_language_column_and_tells_an_empty_one(alice, asian_institution):
    assert "description_language" in COLUMNS
    rows = [
        good_row(title="Given", description_language="ms"),
        good_row(title="Told", description=GERMAN, description_language=""),
    ]
    report = offers_import(institution=asian_institution, content=csv_file(rows), format="csv")
    assert not report.rejected
    languages = dict(Offer.objects.values_list("title", "description_language"))
    assert languages == {"Given": "ms", "Told": "de"}


def test_the_import_refuses_an_unknown_code(alice, asian_institution):
    content = csv_file([good_row(description_language="xx")])
    report = offers_import(institution=asian_institution, content=content, format="csv")
    assert [r.errors for r in report.rejected] == [
        {"description_language": [str(UNKNOWN_LANGUAGE % {"code": "xx"})]}
    ]


def test_a_file_without_the_column_still_imports(alice, asian_institution):
    columns = [c for c in COLUMNS if c != "description_language"]
    content = csv_file([good_row()], columns=columns)
    report = offers_import(institution=asian_institution, content=content, format="csv")
    assert not report.rejected
    assert Offer.objects.get().description_language == "en"
