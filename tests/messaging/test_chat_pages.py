"""The chat on the pages: who sees it, the forms that work without JavaScript, members."""

from __future__ import annotations

import statistics
import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from messaging import chat
from messaging.access import active_membership
from messaging.models import ChatMessage, ConversationMember
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(proposal):
    return proposal.conversation


def page_url(conversation):
    return reverse("messaging:conversation", args=[conversation.pk])


def url(name, conversation, *args):
    return reverse(f"messaging:conversation-{name}", args=[conversation.pk, *args])


def test_members_read_the_chat_on_the_proposal_page_with_text_escaped(
    client, conversation, alice, jan
):
    chat.post_message(
        user=alice, conversation_id=conversation.pk, client_id="a", text="<b>Tuesday</b> & 🌊"
    )
    client.force_login(jan)
    response = client.get(reverse("exchanges:proposal-detail", args=[conversation.proposal_id]))
    body = response.content.decode()
    assert f'data-ws-path="/ws/conversations/{conversation.pk}/"' in body
    assert "&lt;b&gt;Tuesday&lt;/b&gt; &amp; 🌊" in body
    assert "<b>Tuesday</b>" not in body
    assert "js/chat.js" in body


def test_offices_see_the_proposal_but_not_the_chat(client, conversation, alice, bob):
    chat.post_message(user=alice, conversation_id=conversation.pk, client_id="a", text="private")
    client.force_login(bob)
    response = client.get(reverse("exchanges:proposal-detail", args=[conversation.proposal_id]))
    assert response.status_code == 200
    assert "private" not in response.content.decode()
    assert "data-chat" not in response.content.decode()
    assert client.get(page_url(conversation)).status_code == 404


@pytest.mark.parametrize("who", [0, 1, 2])
def test_outsiders_get_not_found_for_the_conversation_and_its_forms(
    client, conversation, outsiders, who
):
    client.force_login(outsiders[who])
    assert client.get(page_url(conversation)).status_code == 404
    response = client.post(url("send", conversation), {"client_id": "x", "text": "hi"})
    assert response.status_code == 404
    assert client.post(url("invite", conversation), {"email": "x@y.org"}).status_code == 404
    assert client.post(url("join", conversation)).status_code == 404
    assert not ChatMessage.objects.exists()


def test_a_missing_conversation_and_anonymous_visitors(client, conversation):
    response = client.get(page_url(conversation))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(factories.UserFactory())
    assert (
        client.get(reverse("messaging:conversation", args=[conversation.pk + 99])).status_code
        == 404
    )


def test_sending_without_javascript_stores_once_per_form(client, conversation, alice):
    client.force_login(alice)
    form = {"client_id": "form-1", "text": "Hello Jan,\nsix sessions?", "next": "/x"}
    first = client.post(url("send", conversation), form)
    again = client.post(url("send", conversation), form)  # a double click
    assert first.status_code == again.status_code == 302
    message = ChatMessage.objects.get()
    assert message.text == "Hello Jan,\nsix sessions?" and message.author == alice
    page = client.get(page_url(conversation)).content.decode()
    assert "Hello Jan,\nsix sessions?" in page


@pytest.mark.parametrize(
    ("text", "expected"),
    [("   ", "Write a message"), ("x" * 4001, "at most 4000 characters"), ("a\x00b", "NUL")],
)
def test_bad_messages_are_refused_with_a_clear_message(client, conversation, alice, text, expected):
    client.force_login(alice)
    response = client.post(url("send", conversation), {"client_id": "c", "text": text}, follow=True)
    assert expected in response.content.decode()
    assert not ChatMessage.objects.exists()


def test_a_lecturer_invites_a_co_teacher_who_sees_the_chat_but_not_the_proposal(
    client, conversation, jan, european_institution
):
    co = factories.lecturer(european_institution, email="mila@wur.nl", full_name="Mila Jansen")
    client.force_login(jan)
    response = client.post(url("invite", conversation), {"email": "MILA@wur.nl"}, follow=True)
    assert (
        "If MILA@wur.nl belongs to a Tandem account, its owner is now in this conversation"
        in response.content.decode()
    )
    member = ConversationMember.objects.get(conversation=conversation, user=co)
    assert (member.role, member.invited_by) == ("co_teacher", jan)

    client.force_login(co)
    assert client.get(page_url(conversation)).status_code == 200
    proposal_page = reverse("exchanges:proposal-detail", args=[conversation.proposal_id])
    assert client.get(proposal_page).status_code == 404


def _invite(client, conversation, email: str) -> tuple[int, str, str, float]:
    started = time.perf_counter()
    response = client.post(url("invite", conversation), {"email": email})
    took = time.perf_counter() - started
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    return response.status_code, response["Location"], shown[-1], took


def test_an_invite_answers_the_same_whether_or_not_the_address_has_an_account(
    client, conversation, jan, european_institution
):
    """Issue 17: the invite form must not tell a member who has a Tandem account."""
    client.force_login(jan)
    known, unknown = [], []
    for n in range(5):
        user = factories.lecturer(european_institution, email=f"co{n}@wur.nl")
        known.append(_invite(client, conversation, user.email))
        unknown.append(_invite(client, conversation, f"nobody{n}@wur.nl"))
    for (k_status, k_to, k_text, _t), (u_status, u_to, u_text, _u), n in zip(
        known, unknown, range(5), strict=True
    ):
        assert k_status == u_status == 302
        assert k_to == u_to
        assert k_text.replace(f"co{n}@", "X@") == u_text.replace(f"nobody{n}@", "X@")
        assert "If " in k_text and "belongs to a Tandem account" in k_text
    assert "Nobody" not in " ".join(t for _s, _l, t, _d in unknown)
    # The same order of magnitude of time, so timing does not tell either.
    k_time = statistics.median(t for *_x, t in known)
    u_time = statistics.median(t for *_x, t in unknown)
    assert k_time < 10 * u_time and u_time < 10 * k_time, (k_time, u_time)
    assert conversation.members.filter(left_at=None).count() == 2 + 5


def test_inviting_someone_already_in_says_so(client, conversation, jan, alice):
    # The members are listed on the page already: this tells nothing new.
    client.force_login(jan)
    response = client.post(url("invite", conversation), {"email": alice.email}, follow=True)
    assert "is already in this conversation" in response.content.decode()
    assert conversation.members.count() == 2


def test_co_teachers_leave_and_lecturers_remove_them(
    client, conversation, jan, alice, european_institution
):
    co = factories.lecturer(european_institution, email="mila@wur.nl")
    chat.invite(conversation=conversation, by=jan, email=co.email)
    client.force_login(co)
    response = client.post(url("remove", conversation, alice.pk), follow=True)
    assert "Only the lecturers of the exchange" in response.content.decode()
    assert active_membership(alice, conversation.pk) is not None

    client.force_login(alice)
    client.post(url("remove", conversation, co.pk))
    assert active_membership(co, conversation.pk) is None
    client.force_login(co)
    assert client.get(page_url(conversation)).status_code == 404

    chat.invite(conversation=conversation, by=jan, email=co.email)
    client.post(url("leave", conversation))
    assert active_membership(co, conversation.pk) is None


def test_a_co_owner_of_an_offer_may_join_the_conversation(
    client, conversation, jan, european_institution
):
    co_owner = factories.lecturer(european_institution, email="piet@wur.nl")
    conversation.proposal.european_offer.co_owners.add(co_owner)
    client.force_login(co_owner)
    page = client.get(page_url(conversation)).content.decode()
    assert "Join the conversation" in page
    # Until joined, a co-owner may not write.
    assert (
        client.post(url("send", conversation), {"client_id": "x", "text": "hi"}).status_code == 404
    )
    client.post(url("join", conversation))
    assert active_membership(co_owner, conversation.pk).role == "lecturer"


def test_the_dashboard_lists_conversations_with_unread_counts(client, conversation, alice, jan):
    for n in range(2):
        chat.post_message(user=alice, conversation_id=conversation.pk, client_id=str(n), text="hi")
    client.force_login(jan)
    dashboard = reverse("dashboard:dashboard")
    body = client.get(dashboard).content.decode()
    assert f'data-unread-for="{conversation.pk}"' in body
    assert "<span data-unread-number>2</span>" in body
    client.get(page_url(conversation))  # reading them
    body = client.get(dashboard).content.decode()
    assert "<span data-unread-number>0</span>" in body
    # Alice's own messages never count as unread for her.
    client.force_login(alice)
    assert "<span data-unread-number>0</span>" in client.get(dashboard).content.decode()
