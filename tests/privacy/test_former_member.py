"""After a partner deletes their account, the chat's history and resume pages, over the
real WebSocket stack, name them "a former member" and keep their words."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from messaging import chat, sockets
from privacy import erasure
from tests.messaging.chat_helpers import joined, next_of, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.both_backends]


@pytest.fixture(autouse=True)
def _fresh_buckets():
    sockets._buckets.clear()
    yield
    sockets._buckets.clear()


def test_the_socket_history_shows_a_former_member(alice, jan, proposal):
    conversation = proposal.conversation.pk
    chat.post_message(user=jan, conversation_id=conversation, client_id="j1", text="See you")
    erasure.account_erase(user=jan)
    key = session_cookie(alice)

    async def scenario():
        socket, hello = await joined(conversation, key)
        await socket.send_json_to({"type": "history", "before": None})
        history = await next_of(socket, "history")
        await socket.send_json_to({"type": "resume", "after": 0})
        resumed = await next_of(socket, "resume")
        await socket.disconnect()
        return hello, history, resumed

    hello, history, resumed = async_to_sync(scenario)()

    for page in (history, resumed):
        assert [(m["author"]["name"], m["text"]) for m in page["messages"]] == [
            ("a former member", "See you")
        ]
    # He left the conversation: the members are Alice alone.
    assert [m["name"] for m in hello["members"]] == ["Alice Tan"]
