"""One statistics row that cannot be read (a fact written past the rules, straight into the
database) is left out and logged; every other figure, the page, the exports and the API
stay as they were for everybody."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from balance.models import ProposalFact
from tests.balance.helpers import body, csv_rows, page_summary, page_tables

pytestmark = pytest.mark.django_db

HEADLINE = {
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


@pytest.fixture
def broken(world, secretariat, client):
    """E4 (TH virtual mobility ↔ NL virtual mobility) with a kind code no choice has."""
    client.force_login(secretariat)
    before = page_tables(client.get("/statistics/").content)["kinds"]
    ProposalFact.objects.filter(proposal=world.exchanges["E4"]).update(asian_kind=99)
    cache.clear()  # the update bypasses the signals that refresh the cached figures
    return client, before


def test_the_page_leaves_out_the_unreadable_row_and_keeps_every_other_figure(broken, caplog):
    client, before = broken
    with caplog.at_level(logging.WARNING, logger="balance.queries"):
        response = client.get("/statistics/")
    assert response.status_code == 200
    assert page_summary(response.content) == HEADLINE  # the totals do not group by kind
    kinds = body(page_tables(response.content)["kinds"])
    assert ["Virtual mobility", "Virtual mobility", "1", "0", "8", "8", "0.00"] in body(before)
    assert kinds == [row for row in body(before) if row[:2] != ["Virtual mobility"] * 2]
    assert any("left out" in r.getMessage() for r in caplog.records)


def test_the_exports_and_the_api_answer_too(broken):
    client, _before = broken
    exported = client.get("/statistics/export/kinds.csv")
    assert exported.status_code == 200
    rows = csv_rows(exported.content)[1:]
    assert [row[:2] for row in rows] == [
        ["COIL", "COIL"],  # E1
        ["COIL", "Virtual mobility"],  # E3
        ["Virtual mobility", "COIL"],  # E2; E4 is the one left out
    ]
    book = client.get("/statistics/export/all.xlsx")
    assert book.status_code == 200
    assert "kinds" in load_workbook(io.BytesIO(book.content), read_only=True).sheetnames
    api = client.get("/api/v1/stats/")
    assert api.status_code == 200
    assert api.json()["summary"]["exchanges"] == 4
