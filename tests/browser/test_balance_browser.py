"""The secretariat opens the statistics in a browser: charts with their tables, a filter
applied from the keyboard, an export link (journey 4)."""

import re

import pytest
from playwright.sync_api import expect

from tests.balance.world import world  # noqa: F401
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("world")]


def test_secretariat_reads_the_balance_dashboard(asgi_server, page, secretariat):
    sign_in(page, asgi_server.url, secretariat.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Statistics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exchange balance")

    # Three charts, each an image with a name, each followed by its table, each in its
    # section's tab (tests/browser/test_statistics_browser.py).
    for tab, name in (
        ("Pipeline", "Pipeline from offers to completed exchanges"),
        ("Over time", "Balance index per term"),
        ("Countries and map", "Participants by direction per country"),
    ):
        page.get_by_role("tab", name=tab).click()
        expect(page.get_by_role("img", name=re.compile("^" + name))).to_be_visible()
    expect(page.locator("figure svg[role=img]")).to_have_count(3)
    countries = page.get_by_role("table", name="Flows per country", exact=True)
    expect(
        countries.get_by_role("row", name=re.compile(r"^Netherlands Europe 3 1 38 46"))
    ).to_be_visible()
    expect(page.locator("#chart-countries .bar-row")).to_have_count(4)
    page.get_by_role("tab", name="Over time").click()
    terms = page.get_by_role("table", name="Balance per term")
    expect(
        terms.get_by_role("row", name=re.compile(r"2027 July–December 1 0 10 0 \+1\.00"))
    ).to_be_visible()
    expect(page.locator("dd[data-key=index]")).to_have_text("+0.02")
    page.get_by_role("tab", name="CO₂ avoided").click()
    expect(page.get_by_text("How this is estimated")).to_be_visible()

    # A filter from the keyboard alone: the kind and the year, then Enter.
    page.get_by_label("Kind").focus()
    page.get_by_label("Kind").select_option("virtual_mobility")
    page.get_by_label("Year").select_option("2027")
    page.get_by_label("Terms starting from").press("Enter")
    expect(page).to_have_url(
        re.compile(r"year=2027.*kind=virtual_mobility|kind=virtual_mobility.*year=2027")
    )
    # E2 and E3: 0 + 10 Asia → Europe, 18 + 0 Europe → Asia.
    expect(page.locator("dd[data-key=exchanges]")).to_have_text("2")
    expect(page.locator("dd[data-key=a_to_e]")).to_have_text("10")
    expect(page.locator("dd[data-key=e_to_a]")).to_have_text("18")
    expect(page.get_by_text(re.compile("Filtered by: Year: 2027"))).to_be_visible()

    # The country table's export keeps the filters.
    page.get_by_role("tab", name="Countries and map").click()
    link = page.get_by_role("link", name="CSV — Flows per country", exact=True)
    expect(link).to_have_attribute(
        "href", re.compile(r"/statistics/export/countries\.csv\?.*year=2027")
    )
    with page.expect_download() as download:
        link.click()
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        lines = exported.read().splitlines()
    # Malaysia and the Netherlands both count E2 (18 participants): by name.
    assert lines[1].startswith("Malaysia,Asia,1,1,0,18")
