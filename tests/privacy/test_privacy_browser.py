"""In chromium, by keyboard: from any page's footer to the privacy page, the download of
one's data, then the deletion of the account; the browser refuses nothing on the way
(Content-Security-Policy)."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests import factories
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def refused(page) -> list:
    return page.evaluate("window.__csp")


def test_a_lecturer_downloads_her_data_then_deletes_her_account(asgi_server, page, alice):
    base = asgi_server.url
    page.add_init_script(WATCH)
    sign_in(page, base, alice.email)

    page.get_by_role("link", name="Privacy: what we keep and your rights").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/privacy/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("what Tandem keeps about you")
    assert refused(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    archive = json.loads(open(download.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert archive["profile"]["email"] == "alice@um.edu.my"
    assert download.value.suggested_filename.startswith("tandem-my-data-")

    page.get_by_role("link", name="Delete my account").click()
    expect(page).to_have_url(re.compile(r"/privacy/delete-account/$"))
    page.get_by_label("Your password").fill(factories.PASSWORD)
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    page.get_by_label("Type DELETE to confirm").press("Enter")

    expect(page).to_have_url(base + "/")
    expect(page.get_by_role("status")).to_contain_text("Your account is deleted.")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()
    assert refused(page) == []
    assert not User.objects.filter(email="alice@um.edu.my").exists()
