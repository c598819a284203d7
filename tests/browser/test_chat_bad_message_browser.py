"""The chat page with a message the server cannot store (issue 17: a lone surrogate killed
the socket, and the page resent the queued message after every reconnect, killing it
again). Now the server refuses it with an error frame, and the page gives the text back
instead of resending it."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from exchanges import services
from messaging.models import ChatConnection, ChatMessage
from tests import factories
from tests.live import wait_until
from tests.messaging.chat_helpers import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def proposal(alice, european_institution):
    jan = factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")
    jan_offer = factories.make_offer(jan, title="Marine Spatial Planning")
    return services.proposal_create(
        actor=alice, offer=factories.make_offer(alice), partner=jan_offer
    )


def open_chat(page, base: str, user, proposal) -> None:
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(user), "url": base}]
    )
    page.goto(f"{base}/proposals/{proposal.pk}/")
    expect(page.locator("[data-chat-status]")).to_contain_text("Connected")


def pending(page, proposal) -> dict:
    key = f"tandem-chat-pending-{proposal.conversation.pk}"
    return page.evaluate(f"JSON.parse(sessionStorage.getItem('{key}') || '{{}}')")


def test_a_queued_message_the_server_refuses_is_given_back_not_resent(
    asgi_server, page, alice, proposal
):
    base = asgi_server.url
    open_chat(page, base, alice, proposal)
    # What a page left unsent holds a lone surrogate (JSON.stringify writes "\ud800").
    key = f"tandem-chat-pending-{proposal.conversation.pk}"
    page.evaluate(f"sessionStorage.setItem('{key}', JSON.stringify({{'c-bad': 'bad \\ud800'}}))")
    page.reload()

    error = page.locator("[data-chat-error]")
    expect(error).to_contain_text("invalid character")
    expect(page.locator("[data-chat-status]")).to_contain_text("Connected")
    assert pending(page, proposal) == {}
    assert page.locator("[data-chat-form] textarea").input_value().startswith("bad ")

    # Coming back (a new connection) sends nothing again; the socket stays up.
    page.reload()
    expect(page.locator("[data-chat-status]")).to_contain_text("Connected")
    expect(page.locator("[data-chat-error]")).to_be_hidden()
    assert pending(page, proposal) == {}
    assert not ChatMessage.objects.exists()
    page.close()
    wait_until(
        lambda: not ChatConnection.objects.filter(user=alice).exists(), 10, "no presence row"
    )


def test_typing_a_broken_character_is_refused_on_the_page(asgi_server, page, alice, proposal):
    base = asgi_server.url
    open_chat(page, base, alice, proposal)
    page.evaluate("document.querySelector('[data-chat-form] textarea').value = 'oops \\ud83c'")
    page.locator("[data-chat-form] textarea").press("Enter")
    expect(page.locator("[data-chat-error]")).to_contain_text("invalid character")
    assert pending(page, proposal) == {}
    page.locator("[data-chat-form] textarea").fill("Six sessions on Tuesdays?")
    page.locator("[data-chat-form] textarea").press("Enter")
    wait_until(lambda: ChatMessage.objects.count() == 1, 10, "the good message is stored")
    assert ChatMessage.objects.get().text == "Six sessions on Tuesdays?"
