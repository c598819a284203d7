"""Unread messages reach an offline member as one e-mail digest per conversation and
interval, run by the Celery task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from messaging import chat
from messaging.models import ChatConnection, ChatMessage, ConversationMember
from messaging.tasks import send_unread_digests
from tests.notifications.helpers import mailed_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(proposal):
    mail.outbox.clear()  # the proposal's own notification e-mails
    return proposal.conversation


def say(user, conversation, text, minutes_ago=30):
    message, _ = chat.post_message(
        user=user, conversation_id=conversation.pk, client_id=f"{text}-{minutes_ago}", text=text
    )
    ChatMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return message


def test_an_offline_member_gets_one_digest_of_what_they_missed(conversation, alice, jan):
    say(alice, conversation, "Tuesdays <b>work</b> for us.", 40)
    say(alice, conversation, "And 30 students per side?", 35)

    assert send_unread_digests.delay().get() == 1
    [digest] = mailed_to(jan)
    assert "2 unread messages" in digest.subject and "Marine Spatial Planning" in digest.subject
    assert "Tuesdays <b>work</b> for us." in digest.body  # plain text: as written
    assert "And 30 students per side?" in digest.body
    assert f"/conversations/{conversation.pk}/#chat" in digest.body
    html = digest.alternatives[0][0]
    assert "Tuesdays &lt;b&gt;work&lt;/b&gt; for us." in html
    assert mailed_to(alice) == []  # her own messages are not news to her

    # Run again: nothing new to tell.
    assert send_unread_digests.delay().get() == 0
    assert len(mail.outbox) == 1


def test_at_most_one_digest_per_interval_and_then_only_what_is_new(
    conversation, alice, jan, settings
):
    settings.CHAT_DIGEST_INTERVAL_MINUTES = 60
    say(alice, conversation, "first", 40)
    send_unread_digests.delay()
    say(alice, conversation, "second", 20)
    assert send_unread_digests.delay().get() == 0  # within the hour

    member = ConversationMember.objects.get(conversation=conversation, user=jan)
    member.digest_sent_at = timezone.now() - dt.timedelta(minutes=61)
    member.save()
    assert send_unread_digests.delay().get() == 1
    second = mailed_to(jan)[-1]
    assert "1 unread message about" in second.subject
    assert "second" in second.body and "first" not in second.body


def test_no_digest_for_online_members_read_messages_fresh_ones_or_when_switched_off(
    conversation, alice, jan, settings
):
    settings.CHAT_DIGEST_WAIT_MINUTES = 10
    say(alice, conversation, "just now", 2)
    assert send_unread_digests.delay().get() == 0  # left to be read live first

    say(alice, conversation, "older", 30)
    ChatConnection.objects.create(channel_name="x", user=jan, conversation=conversation)
    assert send_unread_digests.delay().get() == 0  # he is in the chat right now

    ChatConnection.objects.all().update(seen_at=timezone.now() - dt.timedelta(minutes=10))
    jan.email_notifications = False
    jan.save()
    assert send_unread_digests.delay().get() == 0

    jan.email_notifications = True
    jan.save()
    chat.mark_read(user=jan, conversation_id=conversation.pk, seq=conversation.last_seq + 10)
    assert send_unread_digests.delay().get() == 0

    assert mail.outbox == []


def test_members_who_left_get_no_digest(conversation, alice, jan):
    say(alice, conversation, "anyone?", 30)
    chat.leave(conversation=conversation, user=jan)
    assert send_unread_digests.delay().get() == 0
    assert mailed_to(jan) == []


def test_the_beat_runs_the_digest_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["chat-unread-digest"]
    assert entry["task"] == "messaging.tasks.send_unread_digests"
    assert entry["schedule"].minute == set(range(0, 60, 5))
