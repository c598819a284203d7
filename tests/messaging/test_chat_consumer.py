"""The chat protocol (docs/chat_protocol.md) and every refusal, through the whole ASGI
stack with Channels' communicator: the in-memory layer in embedded mode, Redis in CI."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import Client
from django.urls import reverse

from messaging import chat, sockets
from messaging import selectors as chat_selectors
from messaging.models import ChatMessage, ConversationMember
from tests import factories
from tests.messaging.chat_helpers import (
    closed_with,
    joined,
    next_of,
    open_socket,
    session_cookie,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.both_backends]


@pytest.fixture(autouse=True)
def _fresh_buckets():
    sockets._buckets.clear()
    yield
    sockets._buckets.clear()


@pytest.fixture
def conversation(proposal):
    return proposal.conversation


@pytest.fixture
def keys(alice, jan):
    return {"alice": session_cookie(alice), "jan": session_cookie(jan)}


def run(coroutine_function):
    return async_to_sync(coroutine_function)()


def test_opening_a_proposal_opens_its_conversation_with_both_lecturers(conversation, alice, jan):
    members = {m.user_id: m.role for m in conversation.members.all()}
    assert members == {alice.pk: "lecturer", jan.pk: "lecturer"}


def test_two_members_chat_and_the_text_arrives_exactly(conversation, keys, alice, jan):
    text = "Shall we meet Tuesday? <script>alert(1)</script> ស្វាគមន៍ 🌊"

    async def scenario():
        a, hello = await joined(conversation.pk, keys["alice"])
        assert hello["user"] == {"id": alice.pk, "name": str(alice)}
        j, _ = await joined(conversation.pk, keys["jan"])
        await a.send_json_to({"type": "send", "client_id": "c-1", "text": text})
        ack = await next_of(a, "ack")
        received = await next_of(j, "message")
        await a.disconnect()
        await j.disconnect()
        return ack, received

    ack, received = run(scenario)
    assert ack["client_id"] == "c-1" and ack["duplicate"] is False and ack["seq"] == 1
    assert received["id"] == ack["id"]
    assert received["text"] == text
    assert received["author"] == {"id": alice.pk, "name": str(alice)}
    stored = ChatMessage.objects.get(pk=ack["id"])
    assert (stored.text, stored.author_id, stored.conversation_id) == (
        text,
        alice.pk,
        conversation.pk,
    )


def test_a_resend_with_the_same_client_id_never_makes_a_second_message(conversation, keys):
    async def scenario():
        a, _ = await joined(conversation.pk, keys["alice"])
        j, _ = await joined(conversation.pk, keys["jan"])
        await a.send_json_to({"type": "send", "client_id": "same", "text": "once"})
        first = await next_of(a, "ack")
        await a.send_json_to({"type": "send", "client_id": "same", "text": "once"})
        second = await next_of(a, "ack")
        await a.send_json_to({"type": "send", "client_id": "other", "text": "twice?"})
        seen = [(await next_of(j, "message"))["text"], (await next_of(j, "message"))["text"]]
        await a.disconnect()
        await j.disconnect()
        return first, second, seen

    first, second, seen = run(scenario)
    assert second["id"] == first["id"] and second["duplicate"] is True
    # Jan heard "once" once: the next message he got is the following one.
    assert seen == ["once", "twice?"]
    assert ChatMessage.objects.filter(conversation=conversation).count() == 2


def test_author_and_conversation_come_from_the_server_not_the_frame(conversation, keys, alice, jan):
    other = factories.make_offer(jan, title="Another course")

    async def scenario():
        a, _ = await joined(conversation.pk, keys["alice"])
        await a.send_json_to(
            {
                "type": "send",
                "client_id": "spoof",
                "text": "hello",
                "author": jan.pk,
                "conversation": other.pk + 999,
            }
        )
        ack = await next_of(a, "ack")
        await a.disconnect()
        return ack

    ack = run(scenario)
    stored = ChatMessage.objects.get(pk=ack["id"])
    assert (stored.author_id, stored.conversation_id) == (alice.pk, conversation.pk)


def test_a_member_who_was_away_resumes_after_the_last_id_without_loss(conversation, keys, alice):
    async def scenario():
        j, _ = await joined(conversation.pk, keys["jan"])
        a, _ = await joined(conversation.pk, keys["alice"])
        await a.send_json_to({"type": "send", "client_id": "1", "text": "first"})
        await next_of(a, "ack")
        last_seen = (await next_of(j, "message"))["change"]
        await j.disconnect()  # the train enters the tunnel
        for n in (2, 3, 4):
            await a.send_json_to({"type": "send", "client_id": str(n), "text": f"message {n}"})
            await next_of(a, "ack")
        j, hello = await joined(conversation.pk, keys["jan"])
        await j.send_json_to({"type": "resume", "after": last_seen})
        page = await next_of(j, "resume")
        await a.disconnect()
        await j.disconnect()
        return hello, page

    hello, page = run(scenario)
    assert hello["last_seq"] == 4
    assert [m["text"] for m in page["messages"]] == ["message 2", "message 3", "message 4"]
    assert page["more"] is False and page["last_seq"] == 4


def test_resume_also_brings_edits_and_deletions_made_meanwhile(conversation, keys, alice):
    first, _ = chat.post_message(
        user=alice, conversation_id=conversation.pk, client_id="a", text="v1"
    )
    chat.post_message(user=alice, conversation_id=conversation.pk, client_id="b", text="keep")
    chat.edit_message(user=alice, conversation_id=conversation.pk, message_id=first.pk, text="v2")

    async def scenario():
        j, _ = await joined(conversation.pk, keys["jan"])
        await j.send_json_to({"type": "resume", "after": 2})
        page = await next_of(j, "resume")
        await j.disconnect()
        return page

    page = run(scenario)
    assert [(m["id"], m["text"], m["change"]) for m in page["messages"]] == [(first.pk, "v2", 3)]
    assert page["messages"][0]["edited_at"] is not None


def test_history_pages_back_fifty_at_a_time(conversation, alice):
    for n in range(120):
        chat.post_message(
            user=alice, conversation_id=conversation.pk, client_id=f"h{n}", text=f"m{n}"
        )
    key = session_cookie(alice)

    async def scenario():
        a, _ = await joined(conversation.pk, key)
        pages = []
        before = None
        while True:
            await a.send_json_to({"type": "history", "before": before})
            page = await next_of(a, "history")
            pages.append(page)
            if page["complete"]:
                break
            before = page["messages"][0]["seq"]
        await a.disconnect()
        return pages

    pages = run(scenario)
    assert [len(p["messages"]) for p in pages] == [50, 50, 20]
    texts = [m["text"] for p in reversed(pages) for m in p["messages"]]
    assert texts == [f"m{n}" for n in range(120)]


def test_read_receipts_reach_the_other_member_and_never_go_back(conversation, keys, alice, jan):
    chat.post_message(user=alice, conversation_id=conversation.pk, client_id="x", text="one")
    chat.post_message(user=alice, conversation_id=conversation.pk, client_id="y", text="two")

    async def scenario():
        a, _ = await joined(conversation.pk, keys["alice"])
        j, hello = await joined(conversation.pk, keys["jan"])
        await j.send_json_to({"type": "read", "seq": 2})
        receipt = await next_of(a, "read")
        await j.send_json_to({"type": "read", "seq": 1})
        backwards = await next_of(a, "read")
        await a.disconnect()
        await j.disconnect()
        return hello, receipt, backwards

    hello, receipt, backwards = run(scenario)
    assert hello["read_seq"] == 0
    assert receipt == {"type": "read", "user": jan.pk, "seq": 2}
    assert backwards["seq"] == 2
    assert ConversationMember.objects.get(conversation=conversation, user=jan).last_read_seq == 2
    assert chat_selectors.unread_count(jan.pk, conversation.pk) == 0
    assert chat_selectors.unread_count(alice.pk, conversation.pk) == 0


def test_typing_and_presence_reach_the_others(conversation, keys, alice, jan):
    async def scenario():
        a, _ = await joined(conversation.pk, keys["alice"])
        j, hello = await joined(conversation.pk, keys["jan"])
        online = await next_of(a, "presence")
        while online["user"] != jan.pk:  # her own arrival comes first
            online = await next_of(a, "presence")
        await j.send_json_to({"type": "typing"})
        typing = await next_of(a, "typing")
        await j.disconnect()
        offline = await next_of(a, "presence")
        await a.disconnect()
        return hello, online, typing, offline

    hello, online, typing, offline = run(scenario)
    assert set(hello["online"]) == {alice.pk, jan.pk}
    assert (online["user"], online["online"]) == (jan.pk, True)
    assert typing == {"type": "typing", "user": jan.pk, "name": str(jan)}
    assert (offline["user"], offline["online"]) == (jan.pk, False)


def test_authors_edit_and_delete_their_own_messages_only(conversation, keys, alice):
    async def scenario():
        a, _ = await joined(conversation.pk, keys["alice"])
        j, _ = await joined(conversation.pk, keys["jan"])
        await a.send_json_to({"type": "send", "client_id": "e", "text": "typo"})
        ack = await next_of(a, "ack")
        await j.send_json_to({"type": "edit", "id": ack["id"], "text": "hijacked"})
        refused = await next_of(j, "error")
        await j.send_json_to({"type": "delete", "id": ack["id"]})
        refused_delete = await next_of(j, "error")
        await a.send_json_to({"type": "edit", "id": ack["id"], "text": "fixed"})
        edited = await next_of(j, "message")
        while edited["change"] == 1:  # the original, if not read past yet
            edited = await next_of(j, "message")
        await a.send_json_to({"type": "delete", "id": ack["id"]})
        deleted = await next_of(j, "message")
        await a.disconnect()
        await j.disconnect()
        return refused, refused_delete, edited, deleted

    refused, refused_delete, edited, deleted = run(scenario)
    assert refused["code"] == refused_delete["code"] == "not_found"
    assert edited["text"] == "fixed" and edited["edited_at"] and edited["change"] == 2
    assert deleted["deleted"] is True and deleted["text"] == "" and deleted["change"] == 3
    stored = ChatMessage.objects.get()
    assert stored.deleted_at is not None and stored.text == ""


def test_anonymous_visitors_are_refused(conversation):
    async def scenario():
        s, accepted = await open_socket(f"/ws/conversations/{conversation.pk}/")
        error = await s.receive_json_from(timeout=10)
        return accepted, error, await closed_with(s)

    accepted, error, code = run(scenario)
    assert error["code"] == "unauthenticated"
    assert code == sockets.CLOSE_UNAUTHENTICATED


def test_an_outsider_gets_not_found_whether_or_not_the_chat_exists(conversation, outsiders):
    key = session_cookie(outsiders[0])
    office_key = session_cookie(outsiders[1])
    paolo_key = session_cookie(outsiders[2])

    async def attempt(path, key):
        s, _ = await open_socket(path, key)
        error = await s.receive_json_from(timeout=10)
        return error, await closed_with(s)

    async def scenario():
        return [
            await attempt(f"/ws/conversations/{conversation.pk}/", key),
            await attempt(f"/ws/conversations/{conversation.pk}/", office_key),
            await attempt(f"/ws/conversations/{conversation.pk}/", paolo_key),
            await attempt(f"/ws/conversations/{conversation.pk + 1000}/", key),
        ]

    for error, code in run(scenario):
        assert error["code"] == "not_found"
        assert error["message"] == str(chat.NOT_FOUND)
        assert code == sockets.CLOSE_NOT_FOUND


def test_a_foreign_origin_is_refused_at_the_handshake(conversation, keys):
    async def scenario():
        s, accepted = await open_socket(
            f"/ws/conversations/{conversation.pk}/", keys["alice"], origin=b"https://evil.example"
        )
        return accepted

    assert run(scenario) is False


def test_oversize_empty_and_nul_messages_are_refused_and_nothing_is_stored(conversation, keys):
    async def scenario():
        a, _ = await joined(conversation.pk, keys["alice"])
        errors = []
        for client_id, text in (("big", "x" * 4001), ("blank", "   "), ("nul", "a\x00b")):
            await a.send_json_to({"type": "send", "client_id": client_id, "text": text})
            errors.append(await next_of(a, "error"))
        await a.send_to(
            text_data=json.dumps({"type": "send", "client_id": "huge", "text": "y" * 70_000})
        )
        errors.append(await next_of(a, "error"))
        await a.send_to(text_data="not json")
        errors.append(await next_of(a, "error"))
        await a.send_json_to({"type": "send", "client_id": "ok", "text": "x" * 4000})
        ack = await next_of(a, "ack")
        await a.disconnect()
        return errors, ack

    errors, ack = run(scenario)
    assert [e["code"] for e in errors] == ["too_long", "empty", "invalid", "too_long", "invalid"]
    assert errors[0]["client_id"] == "big"
    assert "4000" in errors[0]["message"] and "4001" in errors[0]["message"]
    assert list(ChatMessage.objects.values_list("client_id", flat=True)) == ["ok"]


def test_a_flood_gets_a_burst_then_an_error_frame(conversation, keys, settings):
    settings.CHAT_RATE_BURST = 3
    settings.CHAT_RATE_PER_MINUTE = 1

    async def scenario():
        a, _ = await joined(conversation.pk, keys["alice"])
        frames = []
        for n in range(5):
            await a.send_json_to({"type": "send", "client_id": f"f{n}", "text": f"flood {n}"})
        while len(frames) < 5:
            frame = await a.receive_json_from(timeout=10)
            if frame["type"] in ("ack", "error"):
                frames.append(frame)
        await a.disconnect()
        return frames

    frames = run(scenario)
    assert [f["type"] for f in frames] == ["ack", "ack", "ack", "error", "error"]
    assert frames[3]["code"] == "rate_limited" and frames[3]["client_id"] == "f3"
    assert ChatMessage.objects.count() == 3


def test_connections_per_user_are_capped(conversation, keys, settings):
    settings.CHAT_MAX_CONNECTIONS_PER_USER = 2

    async def scenario():
        first, _ = await joined(conversation.pk, keys["alice"])
        second, _ = await joined(conversation.pk, keys["alice"])
        third, _ = await open_socket(f"/ws/conversations/{conversation.pk}/", keys["alice"])
        error = await third.receive_json_from(timeout=10)
        code = await closed_with(third)
        await first.disconnect()
        fourth, _ = await joined(conversation.pk, keys["alice"])  # room again
        await second.disconnect()
        await fourth.disconnect()
        return error, code

    error, code = run(scenario)
    assert error["code"] == "too_many_connections"
    assert code == sockets.CLOSE_TOO_MANY


def test_membership_is_checked_on_every_action(conversation, keys, jan):
    async def scenario():
        j, _ = await joined(conversation.pk, keys["jan"])
        # Removed behind the socket's back (no close event): the next action is refused.
        await sync_to_async(
            ConversationMember.objects.filter(conversation=conversation, user=jan).update
        )(left_at="2026-01-01T00:00:00Z")
        await j.send_json_to({"type": "send", "client_id": "late", "text": "still here?"})
        error = await next_of(j, "error")
        return error, await closed_with(j)

    error, code = run(scenario)
    assert error["code"] == "not_found"
    assert code == sockets.CLOSE_GONE
    assert not ChatMessage.objects.exists()


def test_leaving_the_conversation_closes_that_members_sockets(
    conversation, keys, jan, european_institution
):
    co_teacher = factories.lecturer(european_institution, email="co@wur.nl")
    chat.invite(conversation=conversation, by=jan, email="co@wur.nl")
    key = session_cookie(co_teacher)

    async def scenario():
        c, hello = await joined(conversation.pk, key)
        j, _ = await joined(conversation.pk, keys["jan"])
        await sync_to_async(chat.leave)(conversation=conversation, user=co_teacher)
        error = await next_of(c, "error")
        code = await closed_with(c)
        again, _ = await open_socket(f"/ws/conversations/{conversation.pk}/", key)
        refused = await again.receive_json_from(timeout=10)
        await j.disconnect()
        return hello, error, code, refused

    hello, error, code, refused = run(scenario)
    assert {m["id"]: m["role"] for m in hello["members"]}[co_teacher.pk] == "co_teacher"
    assert error["code"] == "left" and code == sockets.CLOSE_GONE
    assert refused["code"] == "not_found"


def test_logging_out_closes_the_users_sockets(conversation, alice):
    client = Client()
    client.force_login(alice)
    from django.conf import settings

    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    async def scenario():
        a, _ = await joined(conversation.pk, key)
        await sync_to_async(client.post)(reverse("account_logout"))
        error = await next_of(a, "error")
        return error, await closed_with(a)

    error, code = run(scenario)
    assert error["code"] == "session_ended" and code == sockets.CLOSE_GONE


def test_changing_the_password_closes_the_users_sockets(conversation, alice):
    client = Client()
    client.force_login(alice)
    from django.conf import settings

    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    async def scenario():
        a, _ = await joined(conversation.pk, key)
        response = await sync_to_async(client.post)(
            reverse("account_change_password"),
            {
                "oldpassword": factories.PASSWORD,
                "password1": "a-new-long-passphrase-2026",
                "password2": "a-new-long-passphrase-2026",
            },
        )
        error = await next_of(a, "error")
        return response.status_code, error, await closed_with(a)

    status, error, code = run(scenario)
    assert status == 302
    assert error["code"] == "session_ended" and code == sockets.CLOSE_GONE


def test_a_heartbeat_after_the_session_ended_closes_the_socket(conversation, alice):
    """Even when the close push was lost (say, Redis was down), the next heartbeat finds
    the session gone."""
    key = session_cookie(alice)

    async def scenario():
        a, _ = await joined(conversation.pk, key)
        await a.send_json_to({"type": "ping"})
        pong = await next_of(a, "pong")
        from django.contrib.sessions.models import Session

        await sync_to_async(Session.objects.filter(session_key=key).delete)()
        await a.send_json_to({"type": "ping"})
        error = await next_of(a, "error")
        return pong, error, await closed_with(a)

    pong, error, code = run(scenario)
    assert pong["last_seq"] == 0
    assert error["code"] == "session_ended" and code == sockets.CLOSE_GONE


def test_a_message_sent_from_the_page_without_javascript_reaches_live_members(
    conversation, keys, jan
):
    client = Client()
    client.force_login(jan)

    async def scenario():
        a, _ = await joined(conversation.pk, keys["alice"])
        await sync_to_async(client.post)(
            reverse("messaging:conversation-send", args=[conversation.pk]),
            {"client_id": "form-1", "text": "Sent from the form"},
        )
        frame = await next_of(a, "message")
        await a.disconnect()
        return frame

    frame = run(scenario)
    assert (frame["text"], frame["author"]["id"], frame["seq"]) == ("Sent from the form", jan.pk, 1)


def test_the_inbox_socket_counts_unread_messages_live(conversation, keys, alice, jan):
    chat.post_message(user=alice, conversation_id=conversation.pk, client_id="0", text="before")

    async def scenario():
        inbox, accepted = await open_socket("/ws/inbox/", keys["jan"])
        first = await inbox.receive_json_from(timeout=10)
        a, _ = await joined(conversation.pk, keys["alice"])
        await a.send_json_to({"type": "send", "client_id": "1", "text": "news"})
        after_message = await next_of(inbox, "unread")
        news = await next_of(a, "ack")
        await a.send_json_to({"type": "delete", "id": news["id"]})
        after_delete = await next_of(inbox, "unread")
        await a.send_json_to({"type": "send", "client_id": "2", "text": "more news"})
        again = await next_of(inbox, "unread")
        j, _ = await joined(conversation.pk, keys["jan"])
        await j.send_json_to({"type": "read", "seq": 4})  # the deletion took number 3
        after_read = await next_of(inbox, "unread")
        for socket in (inbox, a, j):
            await socket.disconnect()
        return first, after_message, after_delete, again, after_read

    first, after_message, after_delete, again, after_read = run(scenario)
    assert first == {"type": "unread", "counts": {str(conversation.pk): 1}}
    assert after_message == {"type": "unread", "conversation": conversation.pk, "count": 2}
    assert after_delete["count"] == 1  # a deleted message is no longer unread
    assert again["count"] == 2
    assert after_read == {"type": "unread", "conversation": conversation.pk, "count": 0}


def test_the_inbox_refuses_anonymous_visitors_and_follows_new_conversations(
    conversation, keys, jan, alice
):
    other_offer = factories.make_offer(alice, title="Urban Heat")

    async def scenario():
        anonymous, _ = await open_socket("/ws/inbox/")
        refused = await anonymous.receive_json_from(timeout=10)
        code = await closed_with(anonymous)
        inbox, _ = await open_socket("/ws/inbox/", keys["jan"])
        await inbox.receive_json_from(timeout=10)
        jan_offer = await sync_to_async(factories.make_offer)(jan, title="Green Cities")
        from exchanges import services

        proposal = await sync_to_async(services.proposal_create)(
            actor=jan, offer=jan_offer, partner=other_offer
        )
        # Opening it told Jan's dashboard (on commit: the services ran in autocommit).
        joined_frame = await next_of(inbox, "unread")
        await inbox.disconnect()
        return refused, code, joined_frame, proposal

    refused, code, joined_frame, proposal = run(scenario)
    assert refused["code"] == "unauthenticated" and code == sockets.CLOSE_UNAUTHENTICATED
    assert joined_frame == {"type": "unread", "conversation": proposal.conversation.pk, "count": 0}
