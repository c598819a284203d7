"""The chat: one conversation per proposal, its members, messages and live connections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    """The partners' chat about one proposal, opened with it."""

    proposal = models.OneToOneField(
        "exchanges.Proposal", on_delete=models.CASCADE, related_name="conversation"
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    # Every change (a message, an edit, a deletion) takes the next number, under the row
    # lock: a client that sees a number skip knows it missed something and asks again.
    last_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return f"conversation {self.pk} (proposal {self.proposal_id})"


class MemberRole(models.TextChoices):
    LECTURER = "lecturer", _("lecturer")
    CO_TEACHER = "co_teacher", _("co-teacher")


class ConversationMember(models.Model):
    """Who is in a conversation, and how far they have read.

    A member who leaves keeps the row (`left_at`): their messages still name them."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    # The seq of the newest message this member has read; only ever grows.
    last_read_seq = models.BigIntegerField(default=0)
    # The unread-message digest: when the last one went out, and up to which message.
    digest_sent_at = models.DateTimeField(null=True, blank=True)
    digest_through_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("conversation member")
        verbose_name_plural = _("conversation members")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="member_once"),
        ]
        indexes = [models.Index(fields=["user", "conversation"], name="member_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"

    @property
    def active(self) -> bool:
        return self.left_at is None


class ChatMessage(models.Model):
    """One text message. Its client id makes a resend land on the same row."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    client_id = models.CharField(max_length=64)
    # `seq` places the message in the conversation; `changed_seq` is the number of its
    # latest change (= seq until it is edited or deleted). Resuming reads changed_seq.
    seq = models.BigIntegerField()
    changed_seq = models.BigIntegerField()
    text = models.TextField(_("text"), max_length=4000, blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "conversation", "client_id"], name="chat_message_client_once"
            ),
            # Also the index of history and unread counts.
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_message_seq_once"),
        ]
        indexes = [
            models.Index(fields=["conversation", "changed_seq"], name="chat_message_changed_idx")
        ]

    def __str__(self) -> str:
        return f"message {self.pk} in {self.conversation_id}"


class ChatConnection(models.Model):
    """One open WebSocket, wherever it is served: presence and the per-user connection
    cap read these rows, so they hold across server processes. A row whose process died
    goes stale (no heartbeat) and stops counting."""

    channel_name = models.CharField(max_length=200, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    connected_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "seen_at"], name="chat_conn_user_idx")]

    def __str__(self) -> str:
        return self.channel_name
