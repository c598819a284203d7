"""The catalogue's filters are defined once (offers.filters): the page and the API read
them with the same form, refuse the same values with the same words, and the API's
documentation of its query parameters comes from that form."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from offers import services, validation
from offers.filters import TERM_TO_BEFORE_FROM, OfferFilterForm
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("api:offer-list")
PAGE = reverse("offers:offer-list")

BAD_FILTERS = [
    {"region": "africa"},
    {"country": "Thailand"},
    {"country": "ZZ"},
    {"institution": "alice"},
    {"isced": "5"},
    {"isced": "abcd"},
    {"level": "9"},
    {"language": "xx"},
    {"kind": "exchange"},
    {"term_from": "soon"},
    {"term_from": "2027-05-01", "term_to": "2027-01-01"},
    {"sdg": "18"},
    {"priority": "speed"},
    {"status": "archived"},
    {"sort": "random"},
    {"q": "x" * 201},
]


def titles(response) -> list[str]:
    return sorted(o["title"] for o in response.json()["results"])


@pytest.fixture
def offers(alice, erin):
    return [
        factories.make_offer(alice, title="Coastal Ecosystems"),
        factories.make_offer(erin, title="Rice Farming and Water"),
    ]


@pytest.mark.parametrize("params", BAD_FILTERS, ids=lambda p: "-".join(p))
def test_the_page_and_the_api_refuse_a_bad_filter_with_the_same_message(client, api, alice, params):
    factories.sdg(13)
    client.force_login(alice)
    api.force_login(alice)

    response = api.get(LIST, params)
    page = client.get(PAGE, params)

    assert response.status_code == 400
    assert page.status_code == 200
    (name, messages), *others = response.json().items()
    assert others == []
    assert name == list(params)[-1]  # the bad one; term_to when the period is upside down
    assert messages
    for message in messages:
        assert escape(message) in page.content.decode()


@pytest.mark.parametrize(
    ("params", "named", "message"),
    [
        ({"isced": "05a1"}, "isced", validation.ISCED_FORMAT),
        ({"country": "zz"}, "country", services.UNKNOWN_COUNTRY % {"code": "zz"}),
        ({"term_from": "2027-05-01", "term_to": "2027-01-01"}, "term_to", TERM_TO_BEFORE_FROM),
    ],
)
def test_the_api_says_what_the_filter_definition_says(api, params, named, message):
    response = api.get(LIST, params)

    assert response.status_code == 400
    assert response.json() == {named: [str(message)]}


@pytest.mark.parametrize("client_name", ["page", "api"])
def test_page_and_api_read_a_country_code_in_either_case(client, api, alice, offers, client_name):
    if client_name == "api":
        assert titles(api.get(LIST, {"country": "th"})) == ["Rice Farming and Water"]
    else:
        client.force_login(alice)
        body = client.get(PAGE, {"country": "th"}).content.decode()
        assert "Rice Farming and Water" in body
        assert "Coastal Ecosystems" not in body


@pytest.mark.parametrize("no", ["false", "0", "no", "False"])
def test_mine_spelled_no_is_no_filter(api, erin, offers, no):
    api.force_login(erin)

    assert titles(api.get(LIST, {"mine": no})) == ["Coastal Ecosystems", "Rice Farming and Water"]
    assert titles(api.get(LIST, {"mine": "true"})) == ["Rice Farming and Water"]


@pytest.mark.both_backends
@pytest.mark.parametrize(
    "params",
    [{"country": "a\x00"}, {"sdg": "99999999999999999999"}, {"institution": "9" * 30}],
    ids=["nul-country", "huge-sdg", "huge-institution"],
)
def test_odd_values_are_refused_on_both_pages_and_api_not_crashing(client, api, alice, params):
    client.force_login(alice)

    assert client.get(PAGE, params).status_code == 200
    response = api.get(LIST, params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_the_api_documents_every_field_of_the_filter_form(api):
    schema = json.loads(
        api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
    )
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/offers/"]["get"]["parameters"]}
    form = OfferFilterForm()

    assert set(parameters) == set(form.fields) | {"page"}
    assert parameters["q"]["schema"] == {"type": "string", "maxLength": 200}
    assert parameters["isced"]["schema"] == {"type": "string", "pattern": r"^\d{2,4}$"}
    assert parameters["sdg"]["schema"] == {"type": "integer"}
    assert parameters["institution"]["schema"] == {"type": "integer"}
    assert parameters["country"]["schema"] == {"type": "string", "maxLength": 2}
    assert parameters["term_from"]["schema"] == {"type": "string", "format": "date"}
    assert parameters["mine"]["schema"] == {"type": "boolean", "default": False}
    for name in ("region", "level", "language", "kind", "priority", "status", "sort"):
        allowed = {str(value) for value, _label in form.fields[name].choices}
        assert set(parameters[name]["schema"]["enum"]) == allowed | {""}
    assert "`virtual_mobility`" in parameters["kind"]["description"]
