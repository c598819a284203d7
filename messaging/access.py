"""Who may do what in a conversation: one policy object, asked by the chat pages, the
proposal page and API (through core.panels) and the WebSocket consumers.

The rules:
- members read and write (every chat service checks membership itself: require_member);
  a member who left is no longer one;
- the lecturers of both offers (exchanges.access) may join, or come back, by themselves;
  everyone else needs a member's invitation;
- members invite co-teachers; lecturers remove anyone, a co-teacher only whom they
  invited; everyone may leave;
- international offices and the secretariat are not in chats."""

from __future__ import annotations

from django.utils.functional import cached_property

from exchanges.access import proposal_editor_ids
from messaging.models import Conversation, ConversationMember, MemberRole


def active_membership(user, conversation_id: int) -> ConversationMember | None:
    """The user's active membership, or None (not a member, left, or no such chat)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        ConversationMember.objects.filter(
            conversation_id=conversation_id, user=user, left_at__isnull=True
        )
        .select_related("conversation")
        .first()
    )


class ConversationAccess:
    """What `user` may do in `conversation`. Get it through `conversation_access`."""

    def __init__(self, user, conversation: Conversation) -> None:
        self.user, self.conversation = user, conversation

    @cached_property
    def member(self) -> ConversationMember | None:
        return active_membership(self.user, self.conversation.pk)

    @cached_property
    def is_lecturer(self) -> bool:
        """An editor of either offer of the proposal."""
        return getattr(self.user, "is_authenticated", False) and (
            self.user.pk in proposal_editor_ids(self.conversation.proposal)
        )

    @property
    def can_read(self) -> bool:
        return self.member is not None

    @property
    def can_join(self) -> bool:
        return self.is_lecturer

    @property
    def can_remove_anyone(self) -> bool:
        return self.member is not None and self.member.role == MemberRole.LECTURER

    def can_remove(self, target: ConversationMember) -> bool:
        """Lecturers remove anyone; a co-teacher only whom they invited."""
        if self.member is None:
            return False
        return self.can_remove_anyone or target.invited_by_id == self.user.pk


def conversation_access(user, conversation: Conversation) -> ConversationAccess:
    cache = conversation.__dict__.setdefault("_access", {})
    key = getattr(user, "pk", None)
    if key not in cache:
        cache[key] = ConversationAccess(user, conversation)
    return cache[key]
