import re

import pytest
from playwright.sync_api import expect

from accounts.demo import load_demo_accounts
from tests import factories

pytestmark = pytest.mark.browser


def test_demo_lecturer_signs_in_and_sees_dashboard(asgi_server, page, settings):
    factories.InstitutionFactory(
        name="Universiti Malaya", country=factories.country("MY"), domains=["um.edu.my"]
    )
    factories.InstitutionFactory(
        name="Wageningen University",
        country=factories.country("NL"),
        domains=["wageningenuniversity.nl"],
    )
    load_demo_accounts()

    page.goto(asgi_server.url + "/")
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email").fill("siti@um.edu.my")
    page.get_by_label("Password").fill(settings.TANDEM_DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Dr. Siti Rahman")
    row = page.get_by_role("row", name=re.compile("Universiti Malaya"))
    expect(row).to_contain_text("Lecturer or trainer")
    expect(row).to_contain_text("Verified")
    # The stylesheet is served by the app itself.
    css = page.request.get(asgi_server.url + "/static/css/tandem.css")
    assert css.ok


def test_keyboard_user_reaches_main_content_first(asgi_server, page):
    page.goto(asgi_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
