"""Two partners chat live, each in their own browser, and the dashboard counts unread
messages as they arrive."""

import re

import pytest
from playwright.sync_api import expect

from exchanges import services
from tests import factories
from tests.browser.test_pairing_path import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def pair(alice, european_institution):
    jan = factories.lecturer(
        european_institution, email="jan@wageningenuniversity.nl", full_name="Jan de Vries"
    )
    siti_offer = factories.make_offer(alice)
    jan_offer = factories.make_offer(jan, title="Marine Spatial Planning")
    proposal = services.proposal_create(actor=alice, offer=siti_offer, partner=jan_offer)
    return alice, jan, proposal


def new_page(browser, zone):
    context = browser.new_context(locale="en-GB", timezone_id=zone)
    context.set_default_timeout(15_000)
    return context.new_page()


def test_two_partners_chat_live_in_two_browsers(asgi_server, browser, pair):
    alice, jan, proposal = pair
    base = asgi_server.url
    siti = new_page(browser, "Asia/Kuala_Lumpur")
    jans = new_page(browser, "Europe/Amsterdam")
    jans_dashboard = new_page(browser, "Europe/Amsterdam")
    sign_in(siti, base, alice.email)
    sign_in(jans, base, jan.email)
    sign_in(jans_dashboard, base, jan.email)

    siti.goto(base + f"/proposals/{proposal.pk}/")
    jans.goto(base + f"/conversations/{proposal.conversation.pk}/")
    for page in (siti, jans):
        expect(page.locator("[data-chat-status]")).to_contain_text("Connected")
    expect(siti.locator("[data-chat-online]")).to_contain_text("Jan de Vries")

    # Siti writes; Jan sees the text exactly as typed (markup stays text), once.
    box = siti.get_by_label("Message", exact=True)
    box.fill("Six sessions, <b>Tuesdays</b>? 🌊")
    box.press("Enter")
    jan_log = jans.locator("[data-chat-log] li")
    expect(jan_log).to_have_count(1)
    expect(jan_log.first.locator(".chat-text")).to_have_text("Six sessions, <b>Tuesdays</b>? 🌊")
    expect(jan_log.first.locator("b")).to_have_count(0)
    expect(jan_log.first.locator(".chat-author")).to_have_text(alice.full_name)

    # Jan starts typing: Siti sees it; he answers with the keyboard only.
    jans.get_by_label("Message", exact=True).focus()
    jans.keyboard.type("Yes, and 30 students per side.")
    expect(siti.locator("[data-chat-typing]")).to_have_text("Jan de Vries is typing…")
    jans.keyboard.press("Enter")
    siti_log = siti.locator("[data-chat-log] li")
    expect(siti_log).to_have_count(2)
    expect(siti_log.nth(1)).to_contain_text("Yes, and 30 students per side.")

    # Jan has read Siti's message: she is told.
    expect(siti.locator("[data-chat-receipt]")).to_have_text("Seen by Jan de Vries.")

    # His dashboard counts what he has not read, live.
    jans.close()
    jans_dashboard.goto(base + "/dashboard/")
    badge = jans_dashboard.locator(f'[data-unread-for="{proposal.conversation.pk}"]')
    expect(badge).to_be_hidden()
    expect(jans_dashboard.locator("[data-inbox]")).to_have_attribute("data-state", "connected")
    box.fill("One more thing.")
    box.press("Enter")
    expect(badge).to_be_visible()
    expect(badge.locator("[data-unread-number]")).to_have_text("1")

    # Siti edits her first message; a reload shows the edited text, with the marker.
    first = siti_log.first
    first.get_by_role("button", name="Edit").click()
    editor = first.get_by_label("Edit your message")
    editor.fill("Six sessions on Tuesdays?")
    editor.press("Tab")
    siti.keyboard.press("Enter")  # the Save button has the focus
    expect(first.locator(".chat-text")).to_have_text("Six sessions on Tuesdays?")
    expect(first.locator(".chat-edited")).to_have_text("(edited)")
    siti.reload()
    expect(siti.locator("[data-chat-log] li").first).to_contain_text("Six sessions on Tuesdays?")
    expect(siti.locator("[data-chat-status]")).to_contain_text(re.compile("Connected"))


def test_through_a_tunnel_nothing_is_lost_or_doubled(asgi_server, browser, pair):
    """Siti's connection drops mid-chat and stays down for a while; Jan writes three
    messages meanwhile and Siti one. Back online, each side has every message, once."""
    alice, jan, proposal = pair
    base = asgi_server.url
    siti = new_page(browser, "Asia/Kuala_Lumpur")
    jans = new_page(browser, "Europe/Amsterdam")
    sign_in(siti, base, alice.email)
    sign_in(jans, base, jan.email)

    # Siti's network: a pass-through we can cut, like a train entering a tunnel.
    tunnel = {"closed": False, "live": []}

    def network(route):
        if tunnel["closed"]:
            route.close(code=4000, reason="tunnel")
            return
        server = route.connect_to_server()
        tunnel["live"].append((route, server))

    siti.route_web_socket(re.compile(r"/ws/conversations/"), network)
    chat_page = f"/conversations/{proposal.conversation.pk}/"
    siti.goto(base + chat_page)
    jans.goto(base + chat_page)
    status = siti.locator("[data-chat-status]")
    expect(status).to_contain_text("Connected")
    expect(jans.locator("[data-chat-status]")).to_contain_text("Connected")

    tunnel["closed"] = True
    for route, server in tunnel["live"]:
        route.close(code=4000, reason="tunnel")
        server.close()
    expect(status).to_contain_text("Reconnecting")

    jan_box = jans.get_by_label("Message", exact=True)
    for n in (1, 2, 3):
        jan_box.fill(f"While you were away {n}")
        jan_box.press("Enter")
    expect(jans.locator("[data-chat-log] li:not(.pending)")).to_have_count(3)
    siti_box = siti.get_by_label("Message", exact=True)
    siti_box.fill("Written in the tunnel")
    siti_box.press("Enter")
    expect(siti.locator("[data-chat-log] li.pending")).to_have_count(1)

    tunnel["closed"] = False
    expect(status).to_contain_text("Connected", timeout=30_000)
    siti_log = siti.locator("[data-chat-log] li")
    expect(siti_log).to_have_count(4)
    expect(siti.locator("[data-chat-log] li.pending")).to_have_count(0)
    texts = siti_log.locator(".chat-text").all_inner_texts()
    assert sorted(texts) == sorted(
        [f"While you were away {n}" for n in (1, 2, 3)] + ["Written in the tunnel"]
    )
    jan_log = jans.locator("[data-chat-log] li")
    expect(jan_log).to_have_count(4)
    expect(jan_log.last).to_contain_text("Written in the tunnel")
    assert proposal.conversation.messages.count() == 4
