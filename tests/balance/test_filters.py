"""The filters: period, kind, priority, level and region, on the page."""

from __future__ import annotations

import pytest

from tests.balance.helpers import body, page_summary, page_tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def get(world, secretariat, client):
    client.force_login(secretariat)

    def fetch(**params):
        response = client.get("/statistics/", params)
        assert response.status_code == 200, response.content.decode()[:500]
        return response.content

    return fetch


def flows(page) -> tuple[str, str, str]:
    s = page_summary(page)
    return s["exchanges"], s["a_to_e"], s["e_to_a"]


def test_a_year_keeps_the_exchanges_whose_term_starts_in_it(get):
    # 2027: E1, E2, E3 → 30 + 0 + 10 = 40 / 20 + 18 + 0 = 38.
    page = get(year=2027)
    assert flows(page) == ("3", "40", "38")
    assert [row[0] for row in body(page_tables(page)["terms"])] == [
        "2027 January–June",
        "2027 July–December",
    ]
    assert b"Filtered by:" in page


def test_a_period_from_a_day(get):
    # Terms starting from 1 July 2027: E3 and E4.
    assert flows(get(date_from="2027-07-01")) == ("2", "18", "8")
    assert flows(get(date_from="2027-03-01", date_to="2027-09-30")) == ("2", "10", "18")


def test_kind_matches_either_course_or_the_chosen_regions(get):
    # Virtual mobility on either side: E2, E3, E4.
    assert flows(get(kind="virtual_mobility")) == ("3", "18", "26")
    # Only where the Asian course is the virtual mobility: E2, E4.
    assert flows(get(kind="virtual_mobility", region="asia")) == ("2", "8", "26")
    # Only where the European one is: E3, E4.
    assert flows(get(kind="virtual_mobility", region="europe")) == ("2", "18", "8")


def test_priority_and_level(get):
    assert flows(get(priority="quality_recognition")) == ("1", "0", "18")
    # Lifelong learning: E3 only, and the summary says TVET is all of it.
    page = get(level="nonformal")
    assert flows(page) == ("1", "10", "0")
    assert page_summary(page)["tvet_lll_share"] == "100.0 %"


def test_region_narrows_the_country_and_coverage_tables(get):
    page = get(region="europe")
    tables = page_tables(page)
    assert [row[0] for row in body(tables["countries"])] == ["Netherlands", "Austria"]
    assert body(tables["coverage_regions"]) == [["Europe", "5", "4", "1", "80.0 %"]]


def test_the_funnel_follows_the_filters(get):
    # Asian offers only: 6 offers; their seats/classes: COIL 30 + 15 + 35 + 20 = 100
    # Asia → Europe, VM 25 + 8 = 33 Europe → Asia.
    funnel = body(page_tables(get(region="asia"))["funnel"])
    assert funnel[0] == ["Offers published", "6", "100.0 %", "100", "33", "+0.50"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "teleportation"}, "Select a valid choice"),
        ({"year": "last"}, "There are no figures for the year “last”"),
        ({"date_from": "2027-13-45"}, "Enter a valid date"),
        ({"date_from": "2027-09-01", "date_to": "2027-01-01"}, "The period must end on or after"),
        ({"year": "2027", "date_from": "2027-01-01"}, "Choose either a year or a period"),
    ],
)
def test_a_filter_that_cannot_be_used_says_why(world, secretariat, client, params, message):
    client.force_login(secretariat)
    response = client.get("/statistics/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert b"These filters cannot be used" in response.content
    assert b'data-table="countries"' not in response.content
