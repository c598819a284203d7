"""Reads of the chat: members, pages of history, the changes after a number, and the
unread counts of the dashboard and the inbox socket."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from messaging.models import ChatMessage, ConversationMember

# Pages of messages: the newest first page and each older one; a resume's changes.
HISTORY_PAGE = 50
RESUME_PAGE = 200


def active_members(conversation_id: int) -> list[ConversationMember]:
    return list(
        ConversationMember.objects.filter(conversation_id=conversation_id, left_at__isnull=True)
        .select_related("user")
        .order_by("role", "joined_at", "pk")
    )


def history(conversation_id: int, before=None, limit: int = HISTORY_PAGE) -> tuple[list, bool]:
    """The messages before seq `before` (the newest ones when None), oldest first, and
    whether older ones remain."""
    qs = ChatMessage.objects.filter(conversation_id=conversation_id).select_related("author")
    if before is not None:
        qs = qs.filter(seq__lt=before)
    rows = list(qs.order_by("-seq")[: limit + 1])
    more = len(rows) > limit
    return rows[:limit][::-1], more


def changes_after(conversation_id: int, after: int, limit: int = RESUME_PAGE) -> tuple[list, bool]:
    """Every message created, edited or deleted after change number `after`."""
    rows = list(
        ChatMessage.objects.filter(conversation_id=conversation_id, changed_seq__gt=after)
        .select_related("author")
        .order_by("changed_seq")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


def _unread_subquery(user_id):
    return Subquery(
        ChatMessage.objects.filter(
            conversation=OuterRef("conversation"),
            seq__gt=OuterRef("last_read_seq"),
            deleted_at=None,
        )
        .exclude(author_id=user_id)
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )


def memberships_with_unread(user):
    """The user's conversations, each with `unread`, newest activity first."""
    return (
        ConversationMember.objects.filter(user=user, left_at__isnull=True)
        .annotate(unread=Coalesce(_unread_subquery(user.pk), 0))
        .select_related(
            "conversation__proposal__asian_offer__institution",
            "conversation__proposal__european_offer__institution",
        )
        .order_by("-conversation__last_seq", "-pk")
    )


def unread_count(user_id: int, conversation_id: int) -> int:
    member = ConversationMember.objects.filter(
        user_id=user_id, conversation_id=conversation_id, left_at__isnull=True
    ).first()
    if member is None:
        return 0
    return (
        ChatMessage.objects.filter(
            conversation_id=conversation_id, seq__gt=member.last_read_seq, deleted_at=None
        )
        .exclude(author_id=user_id)
        .count()
    )
