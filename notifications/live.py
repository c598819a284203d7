"""Live notifications: the badge and the notifications page follow new and read
notifications over the inbox socket (messaging.consumers.InboxConsumer, opened with
`?follow=notifications` by static/js/tandem.js).

Messaging and notifications are independent apps (docs/architecture.md), so the socket
knows nothing of notifications: `inbox_feed` is registered on the core.panels slot
INBOX_FEEDS and gives the socket the group to join and the first frame to send.

Each push goes to the recipient's own group, after commit, and carries the unread count
read from the database then; a new notification also carries its line, rendered in the
recipient's language and time zone. A push is best effort: what it says is in the
database already, and the page gets the count again when its socket reconnects.

Frames (JSON):
    {"type": "notification", "unread": 3, "label": "3"}                      a count changed
    {"type": "notification", "unread": 3, "label": "3", "id": 7, "line": "…",
     "url": "/proposals/4/", "action": "Open the proposal", "at": "…", "when": "…"}
"""

from __future__ import annotations

import json
import logging
import zoneinfo
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from notifications.context_processors import BADGE_CAP, badge_label
from notifications.models import Notification, NotificationKind

log = logging.getLogger(__name__)

# The core.panels slot of what upper apps add to the inbox socket (read by messaging).
INBOX_FEEDS = "inbox-feeds"
FEED = "notifications"  # the feed's name: the page asks for it with ?follow=notifications

# Kinds whose link leads to suggestions rather than to a proposal.
TO_SUGGESTIONS = (NotificationKind.EXPIRED, NotificationKind.PARTNER_FOUND)


def group(user_id: int) -> str:
    """The socket group of one user's notifications: only that user's sockets join it."""
    return f"notify.user.{user_id}"


def action_label(kind: str) -> str:
    if kind in TO_SUGGESTIONS:
        return str(_("See suggestions"))
    return str(_("Open the proposal"))


def unread_count(user_id: int) -> int:
    """As the badge counts: up to BADGE_CAP, so it stays one cheap query."""
    return Notification.objects.filter(recipient_id=user_id).unread()[:BADGE_CAP].count()


def count_frame(user_id: int) -> dict:
    unread = unread_count(user_id)
    return {"type": "notification", "unread": unread, "label": badge_label(unread)}


def new_frame(notification: Notification) -> dict:
    """The frame of a new notification, in its recipient's language and time zone."""
    user = notification.recipient
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(zone):
        local = timezone.localtime(notification.created_at)
        return {
            **count_frame(user.pk),
            "id": notification.pk,
            "line": notification.text(),
            "url": notification.url,
            "action": action_label(notification.kind),
            "at": local.isoformat(),
            "when": formats.date_format(local, "DATETIME_FORMAT"),
        }


def inbox_feed(scope, user, follow) -> dict:
    """The INBOX_FEEDS provider, for a signed-in user's socket that follows this feed:
    their own group (never anyone else's), and what to send once it has joined it (the
    count then, so a notification created while the page loaded is counted too)."""
    if FEED not in follow or not getattr(user, "is_authenticated", False):
        return {}
    return {FEED: {"group": group(user.pk), "hello": lambda: count_frame(user.pk)}}


def _send(user_id: int, frame: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # Encoded here, once: the socket forwards the text as it is.
    event = {"type": "inbox.frame", "frame": json.dumps(frame)}
    try:
        async_to_sync(layer.group_send)(group(user_id), event)
    except Exception:  # best effort: the database is the record
        log.warning("could not push a notification frame to %s", user_id, exc_info=True)


def push_new(notification_ids: Iterable[int]) -> None:
    """Tell each recipient about their new notifications (call after commit)."""
    rows = (
        Notification.objects.filter(pk__in=list(notification_ids))
        .select_related("recipient")
        .order_by("created_at", "pk")
    )
    for notification in rows:
        if notification.read_at is None:
            _send(notification.recipient_id, new_frame(notification))
        else:  # created read (or read since): only the count may have changed
            _send(notification.recipient_id, count_frame(notification.recipient_id))


def push_count(user_id: int) -> None:
    """Tell the user's pages their unread count (call after commit)."""
    _send(user_id, count_frame(user_id))


def announce(notifications: Iterable[Notification | int]) -> None:
    """Push these new notifications once the transaction commits.

    For creators that bypass post_save (bulk_create): pass the rows, or, when
    bulk_create(ignore_conflicts=True) left them without primary keys, a queryset that
    finds them. A notification pushed twice (a task run twice) shows once: the page
    skips an id it already has."""
    if hasattr(notifications, "values_list"):
        ids = list(notifications.values_list("pk", flat=True))
    else:
        ids = [n if isinstance(n, int) else n.pk for n in notifications]
    ids = [pk for pk in ids if pk is not None]
    if ids:
        transaction.on_commit(lambda: push_new(ids), robust=True)


def announce_count(user_id: int) -> None:
    """The user's unread count changed (read here, or elsewhere): push it after commit."""
    transaction.on_commit(lambda: push_count(user_id), robust=True)
