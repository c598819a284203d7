"""Live notifications over the inbox socket, end to end: Tandem under uvicorn, real
WebSocket clients (the `websockets` package), the Redis channel layer.

Nothing sleeps: clients wait for frames with timeouts. "Nobody else hears it" is shown
by order: a socket's next frame after someone else's notification is its own."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from websockets.asyncio.client import connect

from messaging.sockets import CLOSE_GONE, CLOSE_UNAUTHENTICATED
from notifications import live
from notifications.models import Notification, NotificationKind
from tests import factories
from tests.messaging.chat_helpers import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]

PATH = "/ws/inbox/?follow=notifications"
TIMEOUT = 10.0


class Inbox:
    """One page's notification socket, as static/js/tandem.js opens it."""

    def __init__(self, base: str, cookie: str | None) -> None:
        self.base, self.cookie = base, cookie

    async def __aenter__(self) -> Inbox:
        headers = {}
        if self.cookie:
            headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={self.cookie}"
        self.ws = await connect(
            self.base.replace("http://", "ws://") + PATH,
            origin=self.base,
            additional_headers=headers,
            open_timeout=TIMEOUT,
            ping_interval=None,
        )
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def frame(self) -> dict:
        return json.loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT))

    async def closed_with(self) -> int:
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), TIMEOUT)
        except Exception:  # noqa: BLE001 - the close code below says how it ended
            return self.ws.close_code


def notify(user, title: str, **fields) -> Notification:
    return Notification.objects.create(
        recipient=user,
        kind=NotificationKind.PARTNER_FOUND,
        params={"own": title, "partner": "Marine Spatial Planning", "institution": "WUR"},
        url="/offers/1/#suggestions",
        **fields,
    )


@pytest.fixture
def people(asian_institution, european_institution):
    siti = factories.lecturer(
        asian_institution,
        email="siti@um.edu.my",
        full_name="Siti Rahman",
        time_zone="Asia/Kuala_Lumpur",
    )
    jan = factories.lecturer(
        european_institution,
        email="jan@wageningenuniversity.nl",
        full_name="Jan de Vries",
        time_zone="Europe/Amsterdam",
        preferred_language="de",
    )
    return siti, jan


def test_a_new_notification_reaches_its_recipient_only_once_committed(asgi_server, people):
    siti, jan = people
    create = sync_to_async(notify)
    cookies = session_cookie(siti), session_cookie(jan)

    def rolled_back():
        with transaction.atomic():
            notify(siti, "Never happened")
            transaction.set_rollback(True)

    async def scenario():
        async with (
            Inbox(asgi_server.url, cookies[0]) as s,
            Inbox(asgi_server.url, cookies[1]) as j,
        ):
            hello_s, hello_j = await s.frame(), await j.frame()
            await sync_to_async(rolled_back)()  # pushes nothing: Siti's next is the kept one
            for_siti = await create(siti, "Coastal Ecology")
            pushed = await s.frame()
            for_jan = await create(jan, "Stadtökologie")
            # Jan's next frame is his own: Siti's never came to him.
            jans = await j.frame()
            return hello_s, hello_j, for_siti, pushed, for_jan, jans

    hello_s, hello_j, for_siti, pushed, for_jan, jans = async_to_sync(scenario)()
    assert hello_s == hello_j == {"type": "notification", "unread": 0, "label": "0"}
    assert pushed["type"] == "notification" and pushed["unread"] == 1
    assert pushed["id"] == for_siti.pk
    assert pushed["line"].startswith("A new partner course for “Coastal Ecology”")
    assert pushed["url"] == "/offers/1/#suggestions"
    assert pushed["action"] == "See suggestions"
    assert jans["id"] == for_jan.pk and jans["unread"] == 1
    assert "Coastal Ecology" not in json.dumps(jans)
    # Each in their own language and time zone: Jan reads German dates, Amsterdam time.
    assert pushed["at"].endswith("+08:00")
    assert jans["at"].endswith(("+01:00", "+02:00"))
    month = for_jan.created_at.month
    german = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August"]
    german += ["September", "Oktober", "November", "Dezember"]
    assert german[month - 1] in jans["when"]


def test_reading_in_another_tab_updates_the_count(asgi_server, people):
    siti, _ = people
    first = notify(siti, "One")
    notify(siti, "Two")
    cookie = session_cookie(siti)
    other_tab = Client()
    other_tab.cookies[settings.SESSION_COOKIE_NAME] = cookie

    async def scenario():
        async with Inbox(asgi_server.url, cookie) as s:
            hello = await s.frame()
            await sync_to_async(other_tab.post)(
                reverse("notifications:notification-read", args=[first.pk])
            )
            one_read = await s.frame()
            await sync_to_async(other_tab.post)(reverse("notifications:notifications-read-all"))
            all_read = await s.frame()
            return hello, one_read, all_read

    hello, one_read, all_read = async_to_sync(scenario)()
    assert hello["unread"] == 2
    assert one_read == {"type": "notification", "unread": 1, "label": "1"}
    assert all_read == {"type": "notification", "unread": 0, "label": "0"}


def test_bulk_created_notifications_are_announced_once_each(asgi_server, people):
    """What a creator that bypasses post_save does (bulk_create, ignore_conflicts)."""
    siti, jan = people

    def bulk():
        rows = [
            Notification(
                recipient=user,
                kind=NotificationKind.APPROVED,
                params={"own": f"Course {user.pk}", "partner": "Partner"},
                url="/proposals/1/",
            )
            for user in (siti, jan)
        ]
        with transaction.atomic():
            Notification.objects.bulk_create(rows, ignore_conflicts=True)
            live.announce(Notification.objects.filter(kind=NotificationKind.APPROVED))

    cookies = session_cookie(siti), session_cookie(jan)

    async def scenario():
        async with (
            Inbox(asgi_server.url, cookies[0]) as s,
            Inbox(asgi_server.url, cookies[1]) as j,
        ):
            await s.frame(), await j.frame()
            await sync_to_async(bulk)()
            return await s.frame(), await j.frame()

    for_siti, for_jan = async_to_sync(scenario)()
    # Each line in its recipient's language: Jan reads German.
    approved = "Both international offices approved pairing “Course {}”"
    assert for_siti["line"].startswith(approved.format(siti.pk))
    genehmigt = "Beide International Offices haben die Partnerschaft von „Course {}“"
    assert for_jan["line"].startswith(genehmigt.format(jan.pk))


def test_visitors_are_refused_and_signing_out_ends_the_socket(asgi_server, people):
    siti, _ = people
    browser = Client()
    browser.force_login(siti)
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value

    async def scenario():
        async with Inbox(asgi_server.url, None) as anonymous:
            refused = await anonymous.frame()
            refused_code = await anonymous.closed_with()
        async with Inbox(asgi_server.url, cookie) as s:
            await s.frame()
            await sync_to_async(browser.post)(reverse("account_logout"))
            gone = await s.closed_with()
        return refused, refused_code, gone

    refused, refused_code, gone = async_to_sync(scenario)()
    assert refused["code"] == "unauthenticated" and refused_code == CLOSE_UNAUTHENTICATED
    assert gone == CLOSE_GONE
