"""The offer form's helps in a real browser: the weekly windows shown live in the partner
region's zones (with Europe's change to summer time), the zone and field search boxes,
sections one at a time, and the error summary's links."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def form_page(asgi_server, page, alice):
    for code in ("0521", "0532", "0913", "0111"):
        factories.isced(code)
    sign_in(page, asgi_server.url, alice.email)
    page.get_by_role("link", name="Register an offer").click()
    return page


def test_windows_show_live_in_european_zones_before_and_after_the_change(form_page):
    page = form_page
    # Alice teaches at Universiti Malaya: the form starts in Malaysia's zone.
    expect(page.get_by_label("Your time zone")).to_have_value("Asia/Kuala_Lumpur")
    page.get_by_label("Term starts").fill("2027-02-15")
    page.get_by_label("Term ends").fill("2027-06-11")
    page.locator("#id_windows-0-weekday").select_option("1")
    page.locator("#id_windows-0-start").fill("15:00")
    page.locator("#id_windows-0-end").fill("17:00")

    panel = page.get_by_role("region", name="Your windows in your partners’ time zones")
    tables = panel.get_by_role("table")
    expect(tables).to_have_count(2)  # before and after Europe's change on 28 March
    expect(tables.nth(0).get_by_role("columnheader")).to_have_text(
        [
            "Malaysia (Kuala Lumpur) Time",
            "Portugal (Lisbon) Time",
            "Germany (Berlin) Time",
            "Finland Time",
        ]
    )
    expect(tables.nth(0).locator("caption")).to_have_text("From Feb 15, 2027 to Mar 27, 2027")
    expect(tables.nth(0).get_by_role("cell")).to_have_text(
        ["Tue 07:00–09:00", "Tue 08:00–10:00", "Tue 09:00–11:00"]
    )
    expect(tables.nth(1).get_by_role("cell")).to_have_text(
        ["Tue 08:00–10:00", "Tue 09:00–11:00", "Tue 10:00–12:00"]
    )

    # It follows the typing: a longer window, then a term inside summer time only.
    page.locator("#id_windows-0-end").fill("18:00")
    expect(tables.nth(1).get_by_role("cell").nth(1)).to_have_text("Tue 09:00–12:00")
    page.get_by_label("Term starts").fill("2027-04-05")
    expect(tables).to_have_count(1)
    expect(tables.nth(0).locator("caption")).to_have_text("For the whole term")


def test_zone_found_by_city_and_field_by_word_or_code(form_page):
    page = form_page
    zone = page.get_by_label("Your time zone")
    search = page.get_by_label("Search the zones by country or city")
    search.fill("berlin")
    expect(page.locator("#id_time_zone option:not([hidden])")).to_have_text(
        ["Germany (Berlin) Time"]
    )
    search.press("Enter")  # takes the match, without submitting the form
    expect(zone).to_have_value("Europe/Berlin")
    search.fill("kuala")
    search.press("ArrowDown")
    expect(zone).to_be_focused()
    expect(zone).to_have_value("Asia/Kuala_Lumpur")

    fields = page.locator("#id_isced option:not([hidden])")
    box = page.get_by_label("Filter the fields")
    box.fill("climate")  # no field is named so; the subject words find two
    expect(fields).to_have_text(["---------", "0521 Environmental sciences", "0532 Earth sciences"])
    expect(page.get_by_text("Matches: 2")).to_be_visible()
    box.fill("0913")
    expect(fields).to_have_text(["---------", "0913 Nursing and midwifery"])
    box.press("Enter")
    expect(page.get_by_label("Field of education (ISCED-F)")).to_have_value("0913")
    box.fill("astrology")
    expect(page.get_by_text("No field matches.")).to_be_visible()


def test_sections_one_at_a_time_and_summary_links_reach_the_fields(form_page):
    page = form_page
    page.get_by_label("Course title").fill("Coastal Ecosystems")
    page.get_by_role("button", name="Save draft and preview").click()

    summary = page.get_by_role("alert").filter(has_text="Please fix the problems")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Description: This field is required.").click()
    expect(page.get_by_role("textbox", name="Description:", exact=True)).to_be_focused()

    steps = page.get_by_role("navigation", name="Sections")
    steps.get_by_role("button", name="Show one section at a time").click()
    course = page.get_by_role("group", name="The course")
    term = page.get_by_role("group", name="Students and term")
    expect(course).to_be_visible()
    expect(term).to_be_hidden()
    expect(steps.get_by_role("link", name="The course")).to_have_attribute("aria-current", "step")

    # A link to a field in a closed section opens it and puts the focus there.
    summary.get_by_role("link", name="Students or seats: This field is required.").click()
    expect(page.get_by_label("Students or seats")).to_be_focused()
    expect(course).to_be_hidden()
    expect(steps.get_by_role("link", name="Students and term")).to_have_attribute(
        "aria-current", "step"
    )

    term.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Live sessions")).to_be_focused()
    expect(term).to_be_hidden()
    page.get_by_role("group", name="Live sessions").get_by_role("button", name="Back").click()
    expect(term).to_be_visible()
    steps.get_by_role("button", name="Show all sections").click()
    expect(course).to_be_visible()
