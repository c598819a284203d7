"""The statistics page in a browser: sections as tabs from the keyboard, the map with a
name per country and its colour switch, the year list changing the figures, nothing
wider than a 360 px phone, and the printed page as a report (tests/balance/world.py)."""

import re

import pytest
from playwright.sync_api import expect

from tests.balance.world import world  # noqa: F401
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("world")]

SECTIONS = [
    "Overview",
    "Pipeline",
    "Countries and map",
    "Over time",
    "COIL and virtual mobility",
    "Thematic priorities",
    "Levels and fields",
    "SDGs",
    "Coverage",
    "CO₂ avoided",
]


def overflow(page) -> int:
    """How many pixels the statistics page's content (the <main> element) sticks out of
    the window; what scrolls inside its own box (a wide table's wrapper) does not count.
    (The site's header and footer are base.html's, checked by their own tests.)"""
    return page.evaluate(
        """() => {
        const width = document.documentElement.clientWidth;
        let worst = 0;
        for (const el of document.querySelectorAll("main *")) {
          const box = el.getBoundingClientRect();
          if (!box.width) continue;
          let clipped = false;
          for (let up = el.parentElement; up && up.tagName !== "MAIN"; up = up.parentElement) {
            if (getComputedStyle(up).overflowX !== "visible") { clipped = true; break; }
          }
          if (!clipped) worst = Math.max(worst, box.right - width);
        }
        return Math.ceil(worst);
      }"""
    )


def test_tabs_by_keyboard_map_and_year(asgi_server, page, secretariat):
    sign_in(page, asgi_server.url, secretariat.email)
    page.goto(asgi_server.url + "/statistics/")
    tabs = page.get_by_role("tablist", name="Sections of the statistics").get_by_role("tab")
    expect(tabs).to_have_text(SECTIONS)
    overview = page.get_by_role("tab", name="Overview")
    expect(overview).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Overview")).to_be_visible()
    expect(page.get_by_role("heading", name="Pipeline")).to_be_hidden()

    # Arrow keys move between the tabs and show their section; the hash follows.
    overview.focus()
    page.keyboard.press("ArrowRight")
    pipeline = page.get_by_role("tab", name="Pipeline")
    expect(pipeline).to_be_focused()
    expect(pipeline).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("heading", name="Pipeline", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Overview")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/statistics/#pipeline$"))
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="CO₂ avoided")).to_be_focused()
    expect(page.get_by_text("How this is estimated")).to_be_visible()
    page.keyboard.press("ArrowRight")  # round to the first
    expect(overview).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("tab", name="CO₂ avoided")).to_have_attribute("aria-selected", "true")
    # Only the selected tab is in the Tab order.
    expect(page.locator("[role=tab][tabindex='0']")).to_have_count(1)

    # A link to a section (or a reload) opens its tab.
    page.goto(asgi_server.url + "/statistics/#countries")
    expect(page.get_by_role("tab", name="Countries and map")).to_have_attribute(
        "aria-selected", "true"
    )

    # The map: every ASEM country named; the figures of the one under the pointer.
    countries = page.locator("svg.asem-map g.country")
    expect(countries).to_have_count(51)
    expect(page.locator("svg.asem-map g.country > title")).to_have_count(51)
    page.locator("svg.asem-map g[data-code=AT]").hover()
    expect(page.locator("[data-map-readout]")).to_have_text(
        re.compile(r"^Austria: 1 exchange; 10 participants Asia → Europe, 0 Europe → Asia")
    )
    page.locator("svg.asem-map g[data-code=TH]").focus()
    expect(page.locator("[data-map-readout]")).to_have_text(re.compile(r"^Thailand: 2 exchanges"))
    # Coloured by balance, then by participants: the legend and the colours follow.
    netherlands = page.locator("svg.asem-map g[data-code=NL] path")
    by_balance = netherlands.evaluate("p => getComputedStyle(p).fill")
    expect(page.get_by_text("+0.5 to +1: far towards Europe")).to_be_visible()
    page.get_by_label("participants (both directions)").check()
    expect(page.get_by_text("+0.5 to +1: far towards Europe")).to_be_hidden()
    expect(page.get_by_text("Participants, both directions")).to_be_visible()
    assert netherlands.evaluate("p => getComputedStyle(p).fill") != by_balance
    expect(
        page.get_by_role("table", name="The map's figures per country").get_by_role(
            "row", name=re.compile(r"^Malaysia 2 68 −0\.12 \(leans towards Asia\)$")
        )
    ).to_be_visible()

    # The year list: 2028 alone (E4), compared with 2027.
    year = page.get_by_label("Year")
    expect(year.locator("option")).to_have_text(["All years", "2028", "2027"])
    expect(page.locator("dd[data-key=exchanges]")).to_have_count(1)
    year.select_option("2028")
    page.get_by_role("button", name="Show figures").click()
    expect(page).to_have_url(re.compile(r"year=2028"))
    expect(page.locator("dd[data-key=exchanges]")).to_have_text("1")
    expect(page.locator("dd[data-key=a_to_e]")).to_have_text("8")
    expect(page.locator("[data-reading=index]")).to_have_text("balanced")
    comparison = page.get_by_role("table", name="Compared with 2027")
    expect(
        comparison.get_by_role("row", name=re.compile(r"^Approved exchanges 1 3 .*down 2 from 3"))
    ).to_be_visible()


def test_a_phone_sees_no_sideways_scrolling_and_a_print_is_a_report(asgi_server, page, secretariat):
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, asgi_server.url, secretariat.email)
    page.goto(asgi_server.url + "/statistics/?year=2027")
    expect(page.get_by_role("tab", name="Overview")).to_be_visible()
    for name in SECTIONS:
        page.get_by_role("tab", name=name).click()
        expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")
        assert overflow(page) <= 0, name
    # Without the script the sections follow each other: still no sideways scrolling.
    page.route("**/js/balance.js", lambda route: route.abort())
    page.reload()
    expect(page.get_by_role("heading", name="CO₂ avoided")).to_be_visible()
    expect(page.get_by_role("tab")).to_have_count(0)
    assert overflow(page) <= 0
    page.unroute("**/js/balance.js")

    # Printed: no menu or filters, every section, the address and date in a footer.
    page.set_viewport_size({"width": 900, "height": 1200})
    page.goto(asgi_server.url + "/statistics/?year=2027")
    expect(page.get_by_role("tab", name="Overview")).to_have_attribute("aria-selected", "true")
    page.emulate_media(media="print")
    expect(page.locator(".stats-filters")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("tablist")).to_be_hidden()
    for section in ("Pipeline", "Countries and map", "Balance over time", "CO₂ avoided"):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    expect(page.locator("svg.asem-map")).to_be_visible()
    expect(page.locator(".print-footer")).to_contain_text("/statistics/?year=2027")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
