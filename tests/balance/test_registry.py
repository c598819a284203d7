"""One registry of tables (balance.tables): the page, the exports and the API list its
tables in its order, and each table folds the rows read once per dashboard."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from balance import queries, stats, tables
from balance.folds import Folds
from tests.balance.helpers import csv_rows, page_summary, page_tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(world, secretariat, client):
    client.force_login(secretariat)
    return client


def test_the_page_the_exports_and_the_api_list_the_registrys_tables_in_its_order(signed_in):
    slugs = tables.slugs()
    assert slugs[0] == "summary" and len(set(slugs)) == len(slugs) == 15
    assert list(stats.compute(stats.Filters()).tables) == slugs

    # The page: the summary's figures first, then every other table, in order.
    page = signed_in.get("/statistics/").content
    assert list(page_summary(page)) == [key for key, _label, _kind in tables.SUMMARY_FIGURES]
    assert list(page_tables(page)) == slugs[1:]

    # The exports: a CSV per table, with the registry's columns; a sheet each in order.
    for spec in tables.REGISTRY:
        response = signed_in.get(f"/statistics/export/{spec.slug}.csv")
        assert response.status_code == 200, spec.slug
        assert csv_rows(response.content)[0] == [str(c.label) for c in spec.columns]
    book = load_workbook(io.BytesIO(signed_in.get("/statistics/export/all.xlsx").content))
    assert book.sheetnames == ["About", *slugs]

    # The API: the same tables under the same slugs, in the same order.
    data = signed_in.get("/api/v1/stats/").json()
    assert list(data["tables"]) == slugs
    assert [data["tables"][s]["title"] for s in slugs] == [
        str(spec.title) for spec in tables.REGISTRY
    ]


def test_the_tables_fold_the_fetched_rows_without_a_query(world, django_assert_num_queries):
    fetched = queries.fetch(stats.Filters())
    with django_assert_num_queries(0):
        folds = Folds(fetched)
        built = tables.build_all(folds)
        assert folds.summary["exchanges"] == 4
        assert folds.country_chart() and folds.index_chart() and folds.funnel_chart()
    assert list(built) == tables.slugs()


def test_a_slug_is_registered_once():
    with pytest.raises(ValueError, match="funnel"):
        tables.table("funnel", "Again", [])(lambda folds: [])
    assert tables.slugs().count("funnel") == 1
