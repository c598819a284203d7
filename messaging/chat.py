"""The chat's rules, shared by the WebSocket consumer, the pages and the digest.

Everything here is synchronous ORM code; the consumer calls it through
`database_sync_to_async`. Author and conversation always come from the caller's
authenticated side, never from what a client sent.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from exchanges.access import proposal_editor_ids
from messaging import events
from messaging.access import ConversationAccess, active_membership
from messaging.models import (
    ChatMessage,
    Conversation,
    ConversationMember,
    MemberRole,
)

MAX_CHARS = 4000
CLIENT_ID_MAX = 64

EMPTY = _("Write a message before sending it.")
TOO_LONG = _("A message holds at most %(max)d characters; this one has %(length)d.")
NUL = _("The message contains a NUL character, which cannot be stored. Remove it and send again.")
BAD_CHARACTER = _(
    "The frame contains an invalid character (a lone UTF-16 surrogate), which cannot be "
    "stored. Remove it and send again."
)
BAD_CLIENT_ID = _("Each message needs a client id of 1 to 64 characters.")
NOT_FOUND = _("This conversation does not exist or you are not one of its members.")
MESSAGE_NOT_FOUND = _("That message does not exist, or it is not yours to change.")
INVITED = _(
    "If %(email)s belongs to a Tandem account, its owner is now in this conversation and "
    "finds it on their dashboard."
)
ALREADY_MEMBER = _("%(name)s is already in this conversation.")
CANNOT_REMOVE = _(
    "Only the lecturers of the exchange, or whoever invited them, may remove a member."
)
TOO_MANY_CONNECTIONS = _("You have %(max)d chat windows open already. Close one and try again.")


class ChatError(Exception):
    """A refusal the user should read: `code` for programs, `message` for people."""

    def __init__(self, code: str, message) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = str(message)


# --- membership -----------------------------------------------------------------------------


def open_conversation(proposal) -> Conversation:
    """The proposal's conversation, with the editors of both offers in it. Idempotent."""
    conversation, created = Conversation.objects.get_or_create(
        proposal=proposal, defaults={"created_at": proposal.created_at}
    )
    if created:
        users = sorted(proposal_editor_ids(proposal))
        ConversationMember.objects.bulk_create(
            [
                ConversationMember(
                    conversation=conversation,
                    user_id=user_id,
                    role=MemberRole.LECTURER,
                    joined_at=proposal.created_at,
                )
                for user_id in users
            ]
        )
        events.on_commit_joined(users, conversation.pk)
    return conversation


def require_member(user, conversation_id: int) -> ConversationMember:
    member = active_membership(user, conversation_id)
    if member is None:
        raise ChatError("not_found", NOT_FOUND)
    return member


def join(user, conversation: Conversation) -> ConversationMember:
    if not ConversationAccess(user, conversation).can_join:
        raise ChatError("not_found", NOT_FOUND)
    member, created = ConversationMember.objects.get_or_create(
        conversation=conversation, user=user, defaults={"role": MemberRole.LECTURER}
    )
    if not created and member.left_at is not None:
        member.left_at = None
        member.joined_at = timezone.now()
        member.save(update_fields=["left_at", "joined_at"])
    return member


@transaction.atomic
def invite(*, conversation: Conversation, by: User, email: str) -> ConversationMember | None:
    """A member brings a co-teacher in by their e-mail address. An address without an
    active account is no error (None): the answer must not tell who has an account."""
    require_member(by, conversation.pk)
    email = (email or "").strip()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return None
    member = (
        ConversationMember.objects.select_for_update()
        .filter(conversation=conversation, user=user)
        .first()
    )
    if member is not None and member.left_at is None:
        raise ChatError("already_member", ALREADY_MEMBER % {"name": str(user)})
    if member is None:
        member = ConversationMember.objects.create(
            conversation=conversation, user=user, role=MemberRole.CO_TEACHER, invited_by=by
        )
    else:
        member.left_at = None
        member.invited_by = by
        member.joined_at = timezone.now()
        member.save(update_fields=["left_at", "invited_by", "joined_at"])
    events.on_commit_joined([user.pk], conversation.pk)
    return member


@transaction.atomic
def leave(*, conversation: Conversation, user: User, by: User | None = None) -> None:
    """`user` leaves (or `by` removes them); their open chat windows close."""
    by = by or user
    member = require_member(user, conversation.pk)
    if by.pk != user.pk:
        remover = ConversationAccess(by, conversation)
        if remover.member is None:
            raise ChatError("not_found", NOT_FOUND)
        if not remover.can_remove(member):
            raise ChatError("forbidden", CANNOT_REMOVE)
    member.left_at = timezone.now()
    member.save(update_fields=["left_at"])
    events.on_commit_close(user.pk, conversation.pk)


# --- messages -------------------------------------------------------------------------------


def has_lone_surrogate(text: str) -> bool:
    """Half of a UTF-16 pair (JSON's "\\ud800"): no UTF-8 form, so no database takes it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def clean_text(text) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ChatError("empty", EMPTY)
    if "\x00" in text:
        raise ChatError("invalid", NUL)
    if has_lone_surrogate(text):
        raise ChatError("invalid", BAD_CHARACTER)
    if len(text) > MAX_CHARS:
        raise ChatError("too_long", TOO_LONG % {"max": MAX_CHARS, "length": len(text)})
    return text


def clean_client_id(client_id) -> str:
    if (
        not isinstance(client_id, str)
        or not 1 <= len(client_id) <= CLIENT_ID_MAX
        or not client_id.isprintable()
    ):
        raise ChatError("invalid", BAD_CLIENT_ID)
    return client_id


def _next_seq(conversation_id: int) -> int:
    """Take the conversation's next change number. The row stays locked until commit,
    so numbers are gap-free and in commit order within a conversation."""
    Conversation.objects.filter(pk=conversation_id).update(last_seq=F("last_seq") + 1)
    return Conversation.objects.values_list("last_seq", flat=True).get(pk=conversation_id)


def post_message(*, user, conversation_id: int, client_id, text) -> tuple[ChatMessage, bool]:
    """Persist a message. Returns (message, created); a resend with the same client id
    returns the first one and creates nothing."""
    client_id = clean_client_id(client_id)
    text = clean_text(text)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _post_in_one_statement(user, conversation_id, client_id, text)
    return _post(user, conversation_id, client_id, text)


def send_message(*, user, conversation_id: int, client_id, text) -> ChatMessage:
    """post_message for callers outside a socket (the no-JavaScript form): a new message
    is also broadcast to the conversation once committed."""
    message, created = post_message(
        user=user, conversation_id=conversation_id, client_id=client_id, text=text
    )
    if created:
        event = events.message_event(conversation_id, message_payload(message))
        group = events.conversation_group(conversation_id)
        transaction.on_commit(lambda: events.push(group, event))
    return message


@transaction.atomic
def _post(user, conversation_id: int, client_id: str, text: str) -> tuple[ChatMessage, bool]:
    require_member(user, conversation_id)
    seq = _next_seq(conversation_id)  # also serialises senders of this conversation
    existing = (
        ChatMessage.objects.filter(
            conversation_id=conversation_id, author=user, client_id=client_id
        )
        .select_related("author")
        .first()
    )
    if existing is not None:
        transaction.set_rollback(True)  # give the number back: nothing changed
        return existing, False
    message = ChatMessage.objects.create(
        conversation_id=conversation_id,
        author=user,
        client_id=client_id,
        text=text,
        seq=seq,
        changed_seq=seq,
    )
    message.author = user
    return message, True


# The same as _post in one statement, hence one round trip and one implicit transaction:
# on a busy server the chat's write path is the database, and round trips dominate it.
# The number is taken only for a member and only when the client id is new; if a resend
# races its own first copy past that check, the unique constraint fails the whole
# statement, number included, and the first copy is returned.
POST_SQL = """
WITH member AS (
    SELECT 1 FROM messaging_conversationmember
    WHERE conversation_id = %(c)s AND user_id = %(u)s AND left_at IS NULL
), dup AS (
    SELECT id, seq, changed_seq, created_at, edited_at, deleted_at, text
    FROM messaging_chatmessage
    WHERE conversation_id = %(c)s AND author_id = %(u)s AND client_id = %(cid)s
), bump AS (
    UPDATE messaging_conversation SET last_seq = last_seq + 1
    WHERE id = %(c)s AND EXISTS (SELECT 1 FROM member) AND NOT EXISTS (SELECT 1 FROM dup)
    RETURNING last_seq
), ins AS (
    INSERT INTO messaging_chatmessage
        (conversation_id, author_id, client_id, seq, changed_seq, text, created_at)
    SELECT %(c)s, %(u)s, %(cid)s, last_seq, last_seq, %(text)s, %(now)s FROM bump
    RETURNING id, seq, changed_seq, created_at
)
SELECT TRUE, id, seq, changed_seq, created_at, NULL::timestamptz, NULL::timestamptz, NULL
FROM ins
UNION ALL
SELECT FALSE, id, seq, changed_seq, created_at, edited_at, deleted_at, text
FROM dup WHERE EXISTS (SELECT 1 FROM member)
"""


def _post_in_one_statement(user, conversation_id: int, client_id: str, text: str):
    params = {
        "c": conversation_id,
        "u": user.pk,
        "cid": client_id,
        "text": text,
        "now": timezone.now(),
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute(POST_SQL, params)
            row = cursor.fetchone()
    except IntegrityError:
        return _post(user, conversation_id, client_id, text)
    if row is None:
        raise ChatError("not_found", NOT_FOUND)
    created, pk, seq, changed_seq, created_at, edited_at, deleted_at, old_text = row
    message = ChatMessage(
        pk=pk,
        conversation_id=conversation_id,
        author=user,
        client_id=client_id,
        seq=seq,
        changed_seq=changed_seq,
        text=text if created else old_text,
        created_at=created_at,
        edited_at=edited_at,
        deleted_at=deleted_at,
    )
    return message, created


def _own_message(user, conversation_id: int, message_id) -> ChatMessage:
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise ChatError("invalid", MESSAGE_NOT_FOUND)
    message = (
        ChatMessage.objects.select_for_update()
        .filter(pk=message_id, conversation_id=conversation_id, author=user, deleted_at=None)
        .first()
    )
    if message is None:
        raise ChatError("not_found", MESSAGE_NOT_FOUND)
    return message


@transaction.atomic
def edit_message(*, user, conversation_id: int, message_id, text) -> ChatMessage:
    text = clean_text(text)
    require_member(user, conversation_id)
    message = _own_message(user, conversation_id, message_id)
    message.changed_seq = _next_seq(conversation_id)
    message.text = text
    message.edited_at = timezone.now()
    message.save(update_fields=["text", "edited_at", "changed_seq"])
    message.author = user
    return message


@transaction.atomic
def delete_message(*, user, conversation_id: int, message_id) -> ChatMessage:
    require_member(user, conversation_id)
    message = _own_message(user, conversation_id, message_id)
    message.changed_seq = _next_seq(conversation_id)
    message.text = ""
    message.deleted_at = timezone.now()
    message.save(update_fields=["text", "deleted_at", "changed_seq"])
    message.author = user
    return message


def mark_read(*, user, conversation_id: int, seq) -> int:
    """Move the member's read mark forward (never back, never past the last message)."""
    member = require_member(user, conversation_id)
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ChatError("invalid", _("“read” needs the seq of the newest message read."))
    seq = min(seq, member.conversation.last_seq)
    ConversationMember.objects.filter(pk=member.pk).update(
        last_read_seq=Greatest("last_read_seq", seq)
    )
    return max(member.last_read_seq, seq)


def message_payload(message: ChatMessage) -> dict:
    deleted = message.deleted_at is not None
    return {
        "id": message.pk,
        "seq": message.seq,
        "change": message.changed_seq,
        "client_id": message.client_id,
        "author": {"id": message.author_id, "name": str(message.author)},
        "text": "" if deleted else message.text,
        "sent_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": deleted,
    }
