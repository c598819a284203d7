"""Tandem on a 360 × 740 phone: no main page is wider than the screen, for any role; the
menu folds behind a button (a plain list without JavaScript), tables become cards labelled
by their columns, and a multiple choice becomes a list of checkboxes with a filter box."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.balance.world import world  # noqa: F401  (a fixture)
from tests.browser.helpers import sign_in
from tests.browser.tour import tour, visit_all  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def too_wide(page) -> list[str]:
    """The page's width past the window, and the elements that stick out."""
    found = page.evaluate(
        """() => {
        const width = window.innerWidth;
        const scroll = document.documentElement.scrollWidth;
        if (scroll <= width) return null;
        const out = [];
        for (const el of document.querySelectorAll("body *")) {
          const box = el.getBoundingClientRect();
          if (box.width && box.right > width + 0.5 && out.length < 5) {
            out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
              (el.className && typeof el.className === "string" ? "." + el.className : "") +
              " to " + Math.ceil(box.right));
          }
        }
        return {scroll, width, out};
      }"""
    )
    if not found:
        return []
    return [f"{found['scroll']} px wide on a {found['width']} px screen: {found['out']}"]


def test_no_main_page_is_wider_than_a_phone(tour, asgi_server, page):  # noqa: F811
    page.set_viewport_size(PHONE)
    problems = visit_all(page, asgi_server.url, tour, too_wide)
    assert not problems, "\n".join(problems)


def test_the_menu_folds_behind_a_button_on_a_phone(tour, asgi_server, page):  # noqa: F811
    page.set_viewport_size(PHONE)
    office = next(v.who for v in tour if v.what == "office dashboard")
    sign_in(page, asgi_server.url, office)
    menu = page.get_by_role("button", name="Menu")
    approvals = page.get_by_role("link", name=re.compile(r"^Approvals 1 waiting"))
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(approvals).to_be_hidden()
    expect(menu).to_contain_text("new items inside")  # a count waits in the folded menu

    # With the keyboard: Enter opens it, the links follow in the Tab order, Escape closes.
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(approvals).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(approvals).to_be_hidden()
    approvals_box = page.get_by_role("region", name="Pairings waiting for your approval")
    expect(approvals_box).to_be_visible()  # the dashboard itself is not hidden

    # On a desktop the menu is a row of links; without JavaScript, a plain list anywhere.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(menu).to_be_hidden()
    expect(approvals).to_be_visible()


def test_without_javascript_the_menu_is_a_plain_list(tour, asgi_server, browser):  # noqa: F811
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        lecturer = next(v.who for v in tour if v.what == "lecturer dashboard")
        page.goto(asgi_server.url + "/accounts/login/")
        page.get_by_label("Email").fill(lecturer)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Sign In", exact=True).click()
        expect(page.get_by_role("button", name="Menu")).to_have_count(0)
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Proposals")).to_be_visible()
        assert not too_wide(page)
    finally:
        context.close()


def test_tables_become_cards_labelled_by_their_columns(tour, asgi_server, page):  # noqa: F811
    page.set_viewport_size(PHONE)
    office = next(v.who for v in tour if v.what == "approvals queue")
    sign_in(page, asgi_server.url, office)
    page.goto(asgi_server.url + "/office/approvals/")
    table = page.get_by_role("table")
    headers = table.get_by_role("columnheader")
    names = [name.strip() for name in headers.all_text_contents()]
    assert "Dates" in names
    head = table.locator("thead").bounding_box()  # read by screen readers, not shown
    assert head["width"] <= 1 and head["height"] <= 1
    cells = table.locator("tbody tr").first.get_by_role("cell")
    expect(cells).to_have_count(len(names))
    for cell, name in zip(cells.all(), names, strict=True):
        expect(cell).to_have_attribute("data-label", name)
    # A card: the cells stack, each as wide as the row, label beside the content.
    row = table.locator("tbody tr").first.bounding_box()
    dates = table.get_by_role("cell").filter(has_text="joint sessions").bounding_box()
    assert row["width"] <= PHONE["width"] and dates["width"] >= row["width"] - 4


def test_a_multiple_choice_is_a_filtered_checkbox_list(tour, asgi_server, page):  # noqa: F811
    for code in ("JP", "KR", "VN", "PH", "DE", "FR", "IT", "ES"):
        factories.country(code)  # 12 countries: a list long enough for a filter box
    page.set_viewport_size(PHONE)
    lecturer = next(v.who for v in tour if v.what == "the offer form")
    sign_in(page, asgi_server.url, lecturer)
    page.goto(asgi_server.url + "/offers/new/#step-partners")
    wishes = page.get_by_role("group", name="Preferred partner countries")
    expect(wishes).to_be_visible()
    expect(wishes).to_contain_text("None chosen.")
    wishes.get_by_label("Filter the choices").fill("neth")
    expect(wishes.get_by_role("checkbox")).to_have_count(1)  # the others are hidden
    expect(wishes.get_by_role("checkbox", include_hidden=True)).to_have_count(12)
    netherlands = wishes.get_by_role("checkbox", name="Netherlands")
    netherlands.focus()
    page.keyboard.press("Space")
    expect(netherlands).to_be_checked()
    wishes.get_by_label("Filter the choices").fill("")
    wishes.get_by_role("checkbox", name="Austria").check()
    expect(wishes).to_contain_text("Chosen: Austria, Netherlands")
    # The form posts the native list, which follows the boxes.
    chosen = page.locator("#id_preferred_countries option:checked").all_text_contents()
    assert [c.strip() for c in chosen] == ["Austria", "Netherlands"]
    assert not too_wide(page)
