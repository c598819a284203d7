"""The unread-message digest: an e-mail to a member who is offline and has not read what
the others wrote, at most one per conversation per CHAT_DIGEST_INTERVAL_MINUTES.

Messages get CHAT_DIGEST_WAIT_MINUTES to be read live first. A digest covers the unread
messages up to the newest one it lists (`digest_through_seq`), so the next one only
tells what came after.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from accounts.emails import send_templated, site_url
from messaging.models import ChatConnection, ChatMessage, ConversationMember

SHOWN = 10  # messages quoted in one e-mail; the rest are counted


def _fresh_since(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.CHAT_PRESENCE_TIMEOUT_SECONDS)


def due(now: dt.datetime | None = None):
    """Members who should get a digest now."""
    now = now or timezone.now()
    ripe = now - dt.timedelta(minutes=settings.CHAT_DIGEST_WAIT_MINUTES)
    newest = Subquery(
        ChatMessage.objects.filter(
            conversation=OuterRef("conversation"),
            seq__gt=Greatest(OuterRef("last_read_seq"), OuterRef("digest_through_seq")),
            deleted_at=None,
            created_at__lte=ripe,
        )
        .exclude(author=OuterRef("user"))
        .order_by("-seq")
        .values("seq")[:1]
    )
    online = ChatConnection.objects.filter(
        user=OuterRef("user"),
        conversation=OuterRef("conversation"),
        seen_at__gte=_fresh_since(now),
    )
    interval = dt.timedelta(minutes=settings.CHAT_DIGEST_INTERVAL_MINUTES)
    return (
        ConversationMember.objects.filter(
            left_at__isnull=True, user__is_active=True, user__email_notifications=True
        )
        .filter(Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lte=now - interval))
        .annotate(newest_unread=newest)
        .filter(newest_unread__isnull=False)
        .exclude(Exists(online))
    )


def send_digest(member_id: int, now: dt.datetime | None = None) -> bool:
    """Send one member's digest if it is still due; True when an e-mail went out.

    The e-mail is sent inside the transaction that records it: if sending fails, nothing
    is recorded and the task retries; a second run finds it no longer due."""
    now = now or timezone.now()
    with transaction.atomic():
        member = (
            due(now)
            .select_for_update(of=("self",), skip_locked=True)
            .select_related("user", "conversation__proposal__asian_offer")
            .select_related("conversation__proposal__european_offer")
            .filter(pk=member_id)
            .first()
        )
        if member is None:
            return False
        ripe = now - dt.timedelta(minutes=settings.CHAT_DIGEST_WAIT_MINUTES)
        unread = (
            ChatMessage.objects.filter(
                conversation_id=member.conversation_id,
                seq__gt=max(member.last_read_seq, member.digest_through_seq),
                seq__lte=member.newest_unread,
                deleted_at=None,
                created_at__lte=ripe,
            )
            .exclude(author_id=member.user_id)
            .select_related("author")
            .order_by("seq")
        )
        total = unread.count()
        shown = list(unread.reverse()[:SHOWN])[::-1]
        proposal = member.conversation.proposal
        send_templated(
            to=member.user,
            template="chat_digest",
            context={
                "total": total,
                "chat_messages": shown,
                "more": total - len(shown),
                "asian": proposal.asian_offer.title,
                "european": proposal.european_offer.title,
                "url": site_url(reverse("messaging:conversation", args=[member.conversation_id]))
                + "#chat",
                "preferences_url": site_url(reverse("accounts:preferences")),
                "interval": settings.CHAT_DIGEST_INTERVAL_MINUTES,
            },
        )
        ConversationMember.objects.filter(pk=member.pk).update(
            digest_sent_at=now, digest_through_seq=member.newest_unread
        )
    return True


def send_due_digests(limit: int = 1000) -> int:
    now = timezone.now()
    # Sockets of a server process that died never said goodbye: forget them.
    ChatConnection.objects.filter(seen_at__lt=_fresh_since(now)).delete()
    ids = list(due(now).order_by("pk").values_list("pk", flat=True)[:limit])
    return sum(send_digest(pk, now) for pk in ids)
