"""Who sees which figures: the secretariat all, an office its own institution, a lecturer
and a visitor none."""

from __future__ import annotations

import re

import pytest

from tests.balance.helpers import body, page_summary, page_tables

pytestmark = pytest.mark.django_db


def test_an_office_sees_only_its_institutions_exchanges(world, client):
    client.force_login(world.bob)  # Universiti Malaya: E1 and E2
    response = client.get("/statistics/")
    assert response.status_code == 200
    assert b"Exchanges and offers of Universiti Malaya" in response.content
    summary = page_summary(response.content)
    assert (summary["exchanges"], summary["a_to_e"], summary["e_to_a"]) == ("2", "30", "38")
    tables = page_tables(response.content)
    # Both count E1 and E2 (68 participants): by name.
    assert [row[0] for row in body(tables["countries"])] == ["Malaysia", "Netherlands"]
    # Its own four offers: O1 and O3 paired, O9 and O11 not.
    assert body(tables["coverage_countries"]) == [["Malaysia", "Asia", "4", "2", "2", "50.0 %"]]
    page = response.content.decode()
    # The map names every ASEM country; Thailand's exchanges (Chulalongkorn's) are not
    # the office's, so there it has none, and nowhere else is it named.
    assert "<title>Thailand: no exchanges</title>" in page
    page = re.sub(r'<div class="map-block".*?<!-- end of the map -->', "", page, flags=re.S)
    assert "Thailand" not in page.split('id="filters-title"')[1].split("<footer")[0]


def test_the_european_office_sees_its_three_exchanges(world, client):
    client.force_login(world.charlie)  # Wageningen: E1, E2, E4
    summary = page_summary(client.get("/statistics/").content)
    assert (summary["exchanges"], summary["a_to_e"], summary["e_to_a"]) == ("3", "38", "46")


@pytest.mark.parametrize(
    "params",
    [
        {"institution": "any"},
        {"scope": "all"},
        {"institutions": "1,2,3,4,5"},
    ],
)
def test_an_office_cannot_widen_its_view_by_the_url(world, client, params):
    params = {k: (str(world.chula.pk) if v == "any" else v) for k, v in params.items()}
    client.force_login(world.bob)
    for url in ("/statistics/", "/api/v1/stats/"):
        response = client.get(url, params)
        assert response.status_code == 200
    summary = page_summary(client.get("/statistics/", params).content)
    assert summary["exchanges"] == "2"
    data = client.get("/api/v1/stats/", params).json()
    assert data["summary"]["exchanges"] == 2
    assert data["scope"] == {
        "all": False,
        "institutions": [{"id": world.um.pk, "name": "Universiti Malaya"}],
    }
    csv = client.get("/statistics/export/countries.csv", params).content.decode("utf-8-sig")
    assert "Thailand" not in csv and "Malaysia" in csv


def test_a_lecturer_is_refused_everywhere(world, client):
    client.force_login(world.alice)
    assert client.get("/statistics/").status_code == 403
    assert client.get("/statistics/export/countries.csv").status_code == 403
    assert client.get("/statistics/export/all.xlsx").status_code == 403
    assert client.get("/api/v1/stats/").status_code == 403


def test_a_visitor_is_sent_to_sign_in(world, client):
    response = client.get("/statistics/?year=2027")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/statistics/export/countries.csv").status_code == 302
    assert client.get("/api/v1/stats/").status_code == 401


def test_an_unverified_office_claim_sees_nothing(world, client):
    from tests import factories

    pending = factories.UserFactory(email="pending@um.edu.my")
    factories.affiliate(pending, world.um, "office", verified=False)
    client.force_login(pending)
    assert client.get("/statistics/").status_code == 403


def test_the_navigation_links_the_statistics_for_offices_and_secretariat_only(
    world, secretariat, client
):
    for user, shown in ((secretariat, True), (world.bob, True), (world.alice, False)):
        client.force_login(user)
        page = client.get("/offers/").content
        assert (b'href="/statistics/"' in page) is shown
