"""The dashboard's figures for the world of conftest.py, every one computed by hand there
and here: what the secretariat reads on the page."""

from __future__ import annotations

import pytest

from tests.balance.helpers import body, page_summary, page_tables

pytestmark = pytest.mark.django_db

FLOW = ["Exchanges", "Completed", "Participants Asia → Europe", "Participants Europe → Asia"]


@pytest.fixture
def page(world, secretariat, client):
    client.force_login(secretariat)
    response = client.get("/statistics/")
    assert response.status_code == 200
    return response.content


def test_the_headline_figures(page):
    # Approved or later: E1–E4. A→E 30 + 0 + 10 + 8 = 48; E→A 20 + 18 + 0 + 8 = 46;
    # index (48 − 46) / 94 = 0.021. TVET/LLL: E3 of 4 = 25 %. Coverage: 8 of 11 offers
    # paired. Median of 2, 4, 10, 30 days = 7. CO2: 2 × 10,190 km × 18 × 0.15 kg = 55.0 t.
    assert page_summary(page) == {
        "exchanges": "4",
        "completed": "1",
        "a_to_e": "48",
        "e_to_a": "46",
        "index": "+0.02",
        "tvet_lll_share": "25.0 %",
        "coverage": "72.7 %",
        "median_days_to_approval": "7.0",
        "co2_tonnes": "55.0",
    }


def test_the_direction_rules_of_coil_and_virtual_mobility_differ(page):
    # E2: the Asian course hosts (virtual mobility): its 12 own students stay home, the 18
    # Europeans count Europe → Asia. Read as COIL it would have been 12 / 18.
    # E3: a COIL class of 15 into a European host of 10 seats: 10 Asia → Europe.
    # E4: two virtual-mobility courses host each other: 8 and min(12, 8) = 8.
    kinds = page_tables(page)["kinds"]
    assert kinds[0] == ["Asian course", "European course", *FLOW, "Balance index"]
    assert body(kinds) == [
        ["COIL", "COIL", "1", "0", "30", "20", "+0.20"],
        ["COIL", "Virtual mobility", "1", "0", "10", "0", "+1.00"],
        ["Virtual mobility", "COIL", "1", "1", "0", "18", "−1.00"],
        ["Virtual mobility", "Virtual mobility", "1", "0", "8", "8", "0.00"],
    ]


def test_flows_per_country_and_country_pair(page):
    tables = page_tables(page)
    # NL: E1, E2, E4 → 30 + 0 + 8 = 38 / 20 + 18 + 8 = 46; MY: E1, E2 → 30 / 38;
    # TH: E3, E4 → 18 / 8; AT: E3 → 10 / 0. Most participants first.
    assert body(tables["countries"]) == [
        ["Netherlands", "Europe", "3", "1", "38", "46", "−0.10"],
        ["Malaysia", "Asia", "2", "1", "30", "38", "−0.12"],
        ["Thailand", "Asia", "2", "0", "18", "8", "+0.38"],
        ["Austria", "Europe", "1", "0", "10", "0", "+1.00"],
    ]
    assert body(tables["pairs"]) == [
        ["Malaysia", "Netherlands", "2", "1", "30", "38", "−0.12"],
        ["Thailand", "Netherlands", "1", "0", "8", "8", "0.00"],
        ["Thailand", "Austria", "1", "0", "10", "0", "+1.00"],
    ]


def test_over_time_by_term_and_year(page):
    tables = page_tables(page)
    # The term is the half-year of the earlier course start: E1 (15 Feb) and E2 (15 Mar)
    # 2027 January–June, E3 (1 Sep) July–December, E4 (1 Feb 2028).
    assert body(tables["terms"]) == [
        ["2027 January–June", "2", "1", "30", "38", "−0.12"],
        ["2027 July–December", "1", "0", "10", "0", "+1.00"],
        ["2028 January–June", "1", "0", "8", "8", "0.00"],
    ]
    assert body(tables["years"]) == [
        ["2027", "3", "1", "40", "38", "+0.03"],
        ["2028", "1", "0", "8", "8", "0.00"],
    ]


def test_priorities_themes_and_levels_with_tvet_visible(page):
    tables = page_tables(page)
    # E3's courses name two priorities (lifelong learning, business): it counts under each.
    assert body(tables["priorities"]) == [
        ["Quality assurance and recognition", "1", "1", "0", "18", "−1.00"],
        ["Engaging business and industry", "1", "0", "10", "0", "+1.00"],
        ["Balanced mobility", "2", "0", "38", "28", "+0.15"],
        ["Lifelong learning including TVET", "1", "0", "10", "0", "+1.00"],
        ["No priority given", "0", "0", "0", "0", "—"],
    ]
    assert body(tables["themes"]) == [
        ["Digitalisation", "1", "1", "0", "18", "−1.00"],
        ["Sustainable development", "2", "0", "38", "28", "+0.15"],
        ["Neither theme", "1", "0", "10", "0", "+1.00"],
    ]
    assert body(tables["levels"]) == [
        ["EQF 4 — upper secondary / vocational", "0", "0", "0", "0", "—"],
        ["EQF 5 — short-cycle tertiary / TVET", "1", "0", "10", "0", "+1.00"],
        ["EQF 6 — bachelor", "2", "0", "38", "28", "+0.15"],
        ["EQF 7 — master", "1", "1", "0", "18", "−1.00"],
        ["EQF 8 — doctorate", "0", "0", "0", "0", "—"],
        ["Non-formal / lifelong learning", "1", "0", "10", "0", "+1.00"],
    ]
    assert b"TVET and lifelong learning: 1 exchange, 25.0 % of all." in page


def test_fields_and_sdgs_count_an_exchange_under_each_of_its_values(page):
    tables = page_tables(page)
    # E3 joins 0521 (05) and 0413 (04): it counts in both fields.
    assert body(tables["fields"]) == [
        ["04", "Business, administration and law", "1", "0", "10", "0", "+1.00"],
        ["05", "Natural sciences, mathematics and statistics", "3", "0", "48", "28", "+0.26"],
        ["06", "Information and Communication Technologies (ICTs)", "1", "1", "0", "18", "−1.00"],
    ]
    # SDGs of both courses, each once: E1 {13, 14}, E2 {4, 13}, E3 {8}, E4 {13, 14}.
    sdgs = {row[0]: row[1:] for row in body(tables["sdgs"])}
    assert sdgs["SDG 4: Quality education"] == ["1", "1", "0", "18", "−1.00"]
    assert sdgs["SDG 8: Decent work and economic growth"] == ["1", "0", "10", "0", "+1.00"]
    assert sdgs["SDG 13: Climate action"] == ["3", "1", "38", "46", "−0.10"]
    assert sdgs["SDG 14: Life below water"] == ["2", "0", "38", "28", "+0.15"]
    # A goal no course names is shown, with nobody moving.
    assert sdgs["SDG 1: No poverty"] == ["0", "0", "0", "0", "—"]
    assert len(sdgs) == 5  # the goals this database holds
    assert b"counts under every SDG" in page


def test_the_funnel(page):
    # Offers: 11 published. Asia → Europe: Asian COIL classes 30 + 15 + 35 + 20 and
    # European VM seats 10 + 12 = 122; Europe → Asia: Asian VM seats 25 + 8 and European
    # COIL classes 20 + 40 + 22 = 115. Proposals E1–E5: 83 / 68 (E5 proposes 35 / 22).
    assert body(page_tables(page)["funnel"]) == [
        ["Offers published", "11", "100.0 %", "122", "115", "+0.03"],
        ["Proposals", "5", "45.5 %", "83", "68", "+0.10"],
        ["Approved exchanges", "4", "36.4 %", "48", "46", "+0.02"],
        ["Completed exchanges", "1", "9.1 %", "0", "18", "−1.00"],
    ]


def test_coverage_per_region_and_country(page):
    tables = page_tables(page)
    assert body(tables["coverage_regions"]) == [
        ["Asia", "6", "4", "2", "66.7 %"],
        ["Europe", "5", "4", "1", "80.0 %"],
    ]
    # Lowest coverage first: Malaysia (O9, O11 unpaired) and Austria (O10).
    assert body(tables["coverage_countries"]) == [
        ["Malaysia", "Asia", "4", "2", "2", "50.0 %"],
        ["Austria", "Europe", "2", "1", "1", "50.0 %"],
        ["Netherlands", "Europe", "3", "3", "0", "100.0 %"],
        ["Thailand", "Asia", "2", "2", "0", "100.0 %"],
    ]


def test_co2_avoided_shows_its_method(page):
    # Kuala Lumpur (3.14 N, 101.69 E) – Amsterdam (52.37 N, 4.90 E): 10,190 km by the
    # haversine formula; 18 travelling participants of E2, a return flight each.
    assert body(page_tables(page)["co2"]) == [
        ["Malaysia", "Netherlands", "1", "18", "10,190", "55.0"],
    ]
    assert b"2 \xc3\x97 distance (km) \xc3\x97 participants \xc3\x97 0.15 kg CO" in page
    assert b"DESNZ" in page


def test_an_empty_database_shows_dashes_not_errors(db, secretariat, client):
    client.force_login(secretariat)
    response = client.get("/statistics/")
    assert response.status_code == 200
    summary = page_summary(response.content)
    assert summary["exchanges"] == "0"
    assert summary["index"] == "—"
    assert summary["median_days_to_approval"] == "—"
    assert b"No exchanges match these filters." in response.content


def test_new_figures_show_once_an_exchange_completes(
    world, secretariat, client, django_capture_on_commit_callbacks
):
    from exchanges import services

    client.force_login(secretariat)
    assert page_summary(client.get("/statistics/").content)["completed"] == "1"
    e3 = world.exchanges["E3"]
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_complete(
            proposal=e3,
            actor=world.vera,
            report={"participants_asia": 9, "participants_europe": 30, "sync_hours": 4},
        )
    summary = page_summary(client.get("/statistics/").content)
    # E3 now counts its report: min(9, 10 seats) = 9 Asia → Europe instead of 10.
    assert (summary["completed"], summary["a_to_e"], summary["e_to_a"]) == ("2", "47", "46")
