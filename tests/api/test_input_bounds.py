"""Malformed and out-of-range input to the API is a 400 (or a 404 for an id in the path)
that says what to fix, never a 500: the probe's cases and their neighbours."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.api import (
    LARGEST_NUMBER,
    MAX_JSON_DEPTH,
    NESTED_TOO_DEEP,
    NO_SUCH_ENDPOINT,
    NUMBER_TOO_LARGE,
)
from offers.services import UNKNOWN_SDG
from tests import factories

pytestmark = pytest.mark.django_db

HUGE_TEXT = "99999999999999999999999"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def signed_in_alice(api, alice):
    api.force_login(alice)
    return api


@pytest.mark.parametrize(
    "url",
    [reverse("api:offer-list"), reverse("api:proposal-list"), reverse("api:auth-token")],
)
def test_json_nested_5000_levels_is_a_400_naming_the_depth(signed_in_alice, url):
    response = signed_in_alice.post(url, nested(5000), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == NESTED_TOO_DEEP % {"limit": MAX_JSON_DEPTH}


def test_json_nested_a_little_is_read_as_usual(signed_in_alice):
    # Depth 3 (object, list, object) is what a real offer body has.
    response = signed_in_alice.post(
        reverse("api:proposal-list"), {"offer": [{"x": 1}]}, format="json"
    )
    assert response.status_code == 400
    assert "offer" in response.json()


@pytest.mark.parametrize("number", ["1e400", "-1e400"])
def test_a_number_beyond_any_float_in_a_body_is_a_400(signed_in_alice, number):
    body = '{"offer": 1, "partner": ' + number + "}"
    response = signed_in_alice.post(
        reverse("api:proposal-list"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == NUMBER_TOO_LARGE


@pytest.mark.parametrize("number", [2**63, 10**30])
@pytest.mark.parametrize("field", ["offer", "partner"])
def test_an_id_beyond_64_bits_in_a_proposal_is_a_400_on_its_field(signed_in_alice, field, number):
    body = {"offer": 1, "partner": 2, field: number}
    response = signed_in_alice.post(reverse("api:proposal-list"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("sdg", [18, 0, 2**40, 10**20])
def test_an_sdg_out_of_1_to_17_is_a_400_on_the_sdgs_field(signed_in_alice, offer_json, sdg):
    response = signed_in_alice.post(
        reverse("api:offer-list"), offer_json(sdgs=[sdg]), format="json"
    )
    assert response.status_code == 400
    assert response.json()["sdgs"] == [str(UNKNOWN_SDG % {"number": sdg})]


def test_a_huge_sdg_number_in_a_patch_is_a_400(signed_in_alice, alice):
    offer = factories.make_offer(alice, publish=False)
    response = signed_in_alice.patch(
        reverse("api:offer-detail", args=[offer.pk]), {"sdgs": [2**40]}, format="json"
    )
    assert response.status_code == 400
    assert "sdgs" in response.json()


@pytest.mark.parametrize("field", ["offer", "partner"])
def test_the_largest_offer_id_in_a_proposal_is_a_404(signed_in_alice, field):
    body = {"offer": 1, "partner": 2, field: LARGEST_NUMBER}
    response = signed_in_alice.post(reverse("api:proposal-list"), body, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("institution", [LARGEST_NUMBER, 10**30])
def test_a_huge_institution_on_create_is_a_400(signed_in_alice, offer_json, institution):
    response = signed_in_alice.post(
        reverse("api:offer-list"), offer_json(institution=institution), format="json"
    )
    assert response.status_code == 400
    assert "institution" in response.json()


@pytest.mark.parametrize(
    "count", ["participants_asia", "participants_europe", "fewer_opportunities"]
)
def test_a_huge_count_in_a_report_is_a_400(signed_in_alice, count):
    body = {"participants_asia": 1, "participants_europe": 1, "sync_hours": "1.0", count: 2**62}
    response = signed_in_alice.post(reverse("api:proposal-complete", args=[1]), body, format="json")
    # No proposal 1 exists: the access check answers first, and never a 500.
    assert response.status_code == 404


@pytest.mark.parametrize("param", ["institution", "sdg", "page"])
def test_a_huge_filter_on_the_offer_list_is_a_400_or_an_empty_page(api, param):
    response = api.get(reverse("api:offer-list"), {param: HUGE_TEXT})
    assert response.status_code in (400, 404)
    if param != "page":
        assert param in response.json()


def test_a_huge_institution_filter_on_the_catalogue_page_is_not_a_500(client):
    response = client.get(reverse("offers:catalogue"), {"institution": HUGE_TEXT})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url_name", ["api:offer-detail", "api:proposal-detail", "api:offer-suggestions"]
)
def test_a_huge_id_in_the_path_is_a_404(signed_in_alice, url_name):
    response = signed_in_alice.get(reverse(url_name, args=[2**63]))
    assert response.status_code == 404


@pytest.mark.parametrize("url_name", ["api:offer-detail", "api:proposal-detail"])
def test_the_largest_id_in_the_path_is_a_404(signed_in_alice, url_name):
    response = signed_in_alice.get(reverse(url_name, args=[LARGEST_NUMBER]))
    assert response.status_code == 404


def test_a_huge_k_for_suggestions_is_a_400(signed_in_alice, alice):
    offer = factories.make_offer(alice)
    response = signed_in_alice.get(
        reverse("api:offer-suggestions", args=[offer.pk]), {"k": HUGE_TEXT}
    )
    assert response.status_code == 400
    assert "k" in response.json()


@pytest.mark.parametrize("value", [HUGE_TEXT, "-5", "x"])
def test_a_huge_year_in_the_statistics_is_a_400(api, secretariat, value):
    api.force_login(secretariat)
    response = api.get(reverse("api:stats"), {"year": value})
    assert response.status_code == 400
    assert "year" in response.json()


@pytest.mark.parametrize("path", ["/api/v1/offers/-1/", "/api/v1/offers/x/close/", "/api/v1/nope/"])
def test_a_path_no_endpoint_takes_is_a_json_404(signed_in_alice, path):
    response = signed_in_alice.post(path, {}, format="json")
    assert response.status_code == 404
    assert response.json()["detail"] == NO_SUCH_ENDPOINT
