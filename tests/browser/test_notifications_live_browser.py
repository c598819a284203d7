"""The notification badge and list follow new notifications without a reload, and
reading one in another tab lowers the count everywhere; the news is read out politely,
and the focus stays where the user left it."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import expect

from notifications.models import Notification, NotificationKind
from tests import factories
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


def notify(user, title: str) -> Notification:
    """Created server-side, in a thread of its own as a worker or a request would: this
    thread runs Playwright's event loop, where the push could not reach the layer."""

    def create():
        try:
            return Notification.objects.create(
                recipient=user,
                kind=NotificationKind.PARTNER_FOUND,
                params={"own": title, "partner": "Marine Spatial Planning", "institution": "WUR"},
                url="/offers/",
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(create).result()


def live(page):
    """Wait until the page's socket listens (its first frame has come)."""
    expect(page.locator("[data-notifications-live]")).to_have_attribute("data-live", "connected")


def test_the_badge_and_the_list_update_live(asgi_server, page, alice):
    base = asgi_server.url
    sign_in(page, base, alice.email)
    live(page)
    badge = page.locator("[data-notification-badge] .badge")
    expect(badge).to_have_count(0)
    page.get_by_role("link", name="Offers", exact=True).focus()

    notify(alice, "Coastal Ecology")
    expect(badge).to_have_text("1 unread")
    announce = page.locator("[data-notification-announce]")
    expect(announce).to_have_text(re.compile(r"^New notification: A new partner course for "))
    expect(announce).to_have_attribute("aria-live", "polite")
    # Nothing stole the focus.
    assert page.evaluate("document.activeElement.textContent") == "Offers"

    # The notifications page, in another tab: the newest goes on top, as it comes.
    listing = page.context.new_page()
    listing.goto(base + "/notifications/")
    live(listing)
    notify(alice, "Urban Heat")
    items = listing.locator("[data-notification-list] > li")
    expect(items).to_have_count(2)
    newest = items.first
    expect(newest).to_contain_text("A new partner course for “Urban Heat”")
    expect(newest.get_by_role("button", name="See suggestions")).to_be_visible()
    for tab in (page, listing):
        expect(tab.locator("[data-notification-badge] .badge")).to_have_text("2 unread")

    # Marked read there (the form the page built): the first tab counts one less.
    newest.get_by_role("button", name="Mark as read").click()
    expect(listing).to_have_url(re.compile(r"/notifications/$"))
    expect(badge).to_have_text("1 unread")
    latest = Notification.objects.filter(recipient=alice).latest("pk")
    assert latest.params["own"] == "Urban Heat" and latest.read_at is not None


def test_a_first_notification_replaces_the_empty_list(asgi_server, page, european_institution):
    jan = factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")
    sign_in(page, asgi_server.url, jan.email)
    page.goto(asgi_server.url + "/notifications/")
    live(page)
    expect(page.get_by_text("No notifications yet.")).to_be_visible()
    notify(jan, "Stadtökologie <b>bold</b>")
    expect(page.get_by_text("No notifications yet.")).to_be_hidden()
    first = page.locator("[data-notification-list] > li").first
    # Text stays text.
    expect(first).to_contain_text("“Stadtökologie <b>bold</b>”")
    expect(first.locator("b")).to_have_count(0)
