"""The exports carry the page's figures: every table as CSV and XLSX, all in one workbook,
the same filters; and the JSON of the API."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from balance.tables import slugs
from tests.balance.helpers import as_number, csv_rows, norm_rows, page_summary, page_tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(world, secretariat, client):
    client.force_login(secretariat)
    return client


def _page_as_exported(table: list[list[str]]) -> list[list]:
    return [table[0], *norm_rows(table[1:])]


def _xlsx_rows(content: bytes, sheet: str) -> list[list[str]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))[1:]  # below the title
    return [["" if v is None else str(v) for v in row] for row in rows]


@pytest.mark.parametrize("params", [{}, {"year": "2027", "kind": "virtual_mobility"}])
def test_every_csv_equals_its_table_on_the_page(signed_in, params):
    page = signed_in.get("/statistics/", params).content
    tables = page_tables(page)
    for slug in slugs():
        if slug == "summary":
            continue
        response = signed_in.get(f"/statistics/export/{slug}.csv", params)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert f"tandem-balance-{slug.replace('_', '-')}-" in response["Content-Disposition"]
        exported = csv_rows(response.content)
        exported = [exported[0], *norm_rows(exported[1:])]
        shown = _page_as_exported(tables[slug])
        if len(shown) == 2 and "No figures" in str(shown[1][0]):
            shown = shown[:1]
        assert exported == shown, slug


def test_the_summary_csv_equals_the_figures_on_the_page(signed_in):
    shown = page_summary(signed_in.get("/statistics/").content)
    exported = csv_rows(signed_in.get("/statistics/export/summary.csv").content)
    assert exported[0] == ["Figure", "Value"]
    values = [row[1] for row in exported[1:]]
    assert values == [as_number(v) for v in shown.values()]
    assert exported[1] == ["Approved exchanges", "4"]
    assert exported[5] == ["Balance index", "0.02"]


def test_the_workbook_holds_every_table_with_the_pages_numbers(signed_in):
    tables = page_tables(signed_in.get("/statistics/").content)
    response = signed_in.get("/statistics/export/all.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["About", *slugs()]
    sheet = _xlsx_rows(response.content, "countries")
    assert [sheet[0], *norm_rows(sheet[1:])] == _page_as_exported(tables["countries"])
    kinds = _xlsx_rows(response.content, "kinds")
    assert norm_rows(kinds[3:4]) == [["Virtual mobility", "COIL", 1, 1, 0, 18, -1]]
    about = [[c for c in row if c is not None] for row in book["About"].iter_rows(values_only=True)]
    assert ["Scope", "All ASEM partners"] in about


def test_one_table_as_xlsx(signed_in):
    response = signed_in.get("/statistics/export/levels.xlsx", {"region": "asia"})
    assert response.status_code == 200
    rows = _xlsx_rows(response.content, "levels")
    assert rows[0][0] == "Level"
    # Asian courses only: E1 EQF 6 and E4 EQF 6 → 38 / 28.
    assert rows[3][:5] == ["EQF 6 — bachelor", "2", "0", "38", "28"]
    about = load_workbook(io.BytesIO(response.content))["About"]
    assert ["Region", "Asia"] in [[c.value for c in row][:2] for row in about.iter_rows()]


def test_export_refuses_bad_filters_and_unknown_tables(signed_in):
    response = signed_in.get("/statistics/export/countries.csv", {"level": "12"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert signed_in.get("/statistics/export/nothing.csv").status_code == 404
    assert signed_in.get("/statistics/export/all.csv").status_code == 404
    assert signed_in.get("/statistics/export/countries.pdf").status_code == 404


def test_the_api_gives_the_same_figures_as_the_page(signed_in):
    params = {"year": "2027"}
    tables = page_tables(signed_in.get("/statistics/", params).content)
    data = signed_in.get("/api/v1/stats/", params).json()
    assert data["filters"]["date_from"] == "2027-01-01"
    assert data["filters"]["date_to"] == "2027-12-31"
    assert data["scope"]["all"] is True
    assert data["summary"]["exchanges"] == 3
    assert data["summary"]["a_to_e"] == 40 and data["summary"]["e_to_a"] == 38
    assert data["summary"]["index"] == 0.03
    assert data["co2_method"]["kg_co2e_per_passenger_km"] == 0.15
    for slug in slugs():
        if slug == "summary":
            continue
        table = data["tables"][slug]
        shown = _page_as_exported(tables[slug])
        assert [c["label"] for c in table["columns"]] == shown[0]
        rows = norm_rows([[row[c["key"]] for c in table["columns"]] for row in table["rows"]])
        if len(shown) == 2 and "No figures" in str(shown[1][0]):
            shown = shown[:1]
        assert rows == shown[1:], slug


def test_the_api_refuses_bad_filters_by_name(signed_in):
    response = signed_in.get(
        "/api/v1/stats/", {"kind": "x", "year": "2027", "date_to": "2027-01-01"}
    )
    assert response.status_code == 400
    body = response.json()
    assert "kind" in body
    assert body["non_field_errors"] == ["Choose either a year or a period (from, to), not both."]


def test_the_api_is_in_the_schema(signed_in):
    schema = signed_in.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/stats/" in schema
    assert "Exchange balance statistics" in schema
