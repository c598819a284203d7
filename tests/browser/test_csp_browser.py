"""Every main page carries the Content-Security-Policy, the browser refuses nothing on
it, and the pages' scripts still work (the chat connects, the form's filter filters,
Swagger UI draws the API)."""

from __future__ import annotations

import logging
import re

import pytest
from playwright.sync_api import expect

from exchanges import services
from matching import engine
from tests import factories
from tests.browser.helpers import sign_in
from tests.live import wait_until

pytestmark = pytest.mark.browser

# Collects what the browser refused, from before any script of the page runs.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber].join(" "));
});
"""


class Visitor:
    def __init__(self, page, base):
        self.page, self.base = page, base
        self.console: list[str] = []
        page.add_init_script(WATCH)
        page.on(
            "console",
            lambda m: self.console.append(m.text) if "Content Security Policy" in m.text else None,
        )

    def open(self, path: str, *, status: int = 200) -> None:
        response = self.page.goto(self.base + path)
        assert response.status == status, (path, response.status)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy, path
        assert "unsafe-inline" not in policy, path
        self.page.wait_for_load_state("load")
        self.check(path)

    def check(self, path: str) -> None:
        refused = self.page.evaluate("window.__csp")
        assert refused == [], (path, refused)
        assert self.console == [], (path, self.console)


@pytest.fixture
def world(alice, bob, european_institution):
    jan = factories.lecturer(
        european_institution, email="jan@wageningenuniversity.nl", full_name="Jan de Vries"
    )
    factories.isced("0111")
    siti_offer = factories.make_offer(alice)
    jan_offer = factories.make_offer(jan, title="Marine Spatial Planning")
    engine.refit(force=True)
    proposal = services.proposal_create(actor=alice, offer=siti_offer, partner=jan_offer)
    return siti_offer, proposal


def test_no_page_breaks_the_policy_and_scripts_still_work(
    asgi_server, page, world, alice, bob, secretariat, caplog
):
    siti_offer, proposal = world
    visitor = Visitor(page, asgi_server.url)
    caplog.set_level(logging.WARNING, logger="tandem.csp")

    for path in ("/", "/catalogue/", "/accounts/login/", "/accounts/signup/", "/api/docs/"):
        visitor.open(path)
    # Swagger UI's own scripts draw the API from the schema.
    page.goto(asgi_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tandem API")
    visitor.check("/api/docs/ drawn")
    # The API page has a way back to Tandem.
    page.get_by_role("link", name="Back to Tandem").click()
    expect(page).to_have_url(asgi_server.url + "/")
    page.goto(asgi_server.url + "/accounts/signup/")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Kuala_Lumpur")

    sign_in(page, asgi_server.url, alice.email, clear=True)
    for path in (
        "/dashboard/",
        "/offers/",
        siti_offer.get_absolute_url(),
        "/proposals/",
        "/notifications/",
        "/preferences/",
        "/security/",
        "/accounts/2fa/totp/activate/",
        "/accounts/sessions/",
    ):
        visitor.open(path)
    # The offer form's filter box narrows the list of fields as one types.
    visitor.open("/offers/new/")
    page.locator("#isced-filter").fill("environment")
    expect(page.locator("#id_isced option", has_text="0111")).to_be_hidden()
    expect(page.locator("#id_isced option", has_text="0521")).to_be_attached()
    # The chat connects over its socket.
    visitor.open(f"/proposals/{proposal.pk}/")
    expect(page.locator("[data-chat-status]")).to_contain_text("Connected")
    visitor.open(f"/conversations/{proposal.conversation.pk}/")
    expect(page.locator("[data-chat-status]")).to_contain_text("Connected")

    sign_in(page, asgi_server.url, bob.email, clear=True)
    for path in (
        "/dashboard/",
        "/office/approvals/",
        "/office/verifications/",
        "/statistics/",
        "/office/import/",
    ):
        visitor.open(path)

    sign_in(page, asgi_server.url, secretariat.email, clear=True)
    for path in ("/dashboard/", "/secretariat/rounds/", "/secretariat/rounds/new/", "/statistics/"):
        visitor.open(path)

    visitor.check("the end")
    assert not [r for r in caplog.records if r.name == "tandem.csp"]


def test_a_page_with_an_inline_script_is_refused_and_reported(asgi_server, page, caplog):
    """The watch works: an inline script injected into a page is refused, and the
    browser's report reaches the log."""
    caplog.set_level(logging.WARNING, logger="tandem.csp")
    visitor = Visitor(page, asgi_server.url)
    visitor.open("/")
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__ran = true"; document.body.appendChild(s); }"""
    )
    assert page.evaluate("window.__ran") is None
    expect(page.locator("body")).to_be_visible()
    refused = page.evaluate("window.__csp")
    assert refused and re.match(r"script-src", refused[0])
    wait_until(
        lambda: any(r.name == "tandem.csp" for r in caplog.records),
        timeout=10,
        what="the violation report",
    )
