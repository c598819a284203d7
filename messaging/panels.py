"""What the chat adds to the proposal page and the proposal API (core.panels): the
conversation, for its members (and the lecturers who may join it)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from messaging import chat, presence, selectors
from messaging.access import conversation_access
from messaging.models import Conversation


class MessageForm(forms.Form):
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=chat.CLIENT_ID_MAX)
    text = forms.CharField(
        label=gettext_lazy("Message"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": chat.MAX_CHARS}),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Co-teacher's e-mail address"),
        help_text=gettext_lazy(
            "They need a Tandem account. They will see this conversation, not the proposal."
        ),
    )


def chat_strings() -> dict:
    """The client's sentences, translated here (the page embeds them as JSON)."""
    return {
        "connecting": _("Connecting…"),
        "connected": _("Connected: new messages appear as they arrive."),
        "reconnecting": _(
            "Connection lost. Reconnecting in %(s)s s… What you send meanwhile is kept "
            "and sent once the connection is back."
        ),
        "offline": _("Offline. What you send is kept and sent once you are back online."),
        "sending": _("Sending…"),
        "typing": _("%(name)s is typing…"),
        "online": _("Online now: %(names)s."),
        "nobody_online": _("Nobody else is online now."),
        "seen": _("Seen by %(names)s."),
        "edited": _("(edited)"),
        "deleted": _("Message deleted."),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "edit_label": _("Edit your message"),
        "confirm_delete": _("Delete this message for everyone?"),
        "new_message": _("New message from %(name)s: %(text)s"),
        "online_suffix": _("online"),
        "not_sent": _(
            "A message could not be sent after several tries; it is back in the box. "
            "Change it or send it again."
        ),
        "bad_character": _(
            "The message contains an invalid character (a broken emoji or symbol). "
            "Remove it and send again."
        ),
    }


def chat_context(user, conversation: Conversation) -> dict:
    """What the chat panel needs; marks everything shown as read."""
    access = conversation_access(user, conversation)
    member = access.member
    if member is None:
        return {
            "conversation": conversation,
            "member": None,
            "may_join": access.can_join,
        }
    rows, more = selectors.history(conversation.pk)
    if rows:
        chat.mark_read(user=user, conversation_id=conversation.pk, seq=rows[-1].seq)
    members = selectors.active_members(conversation.pk)
    return {
        "conversation": conversation,
        "member": member,
        "chat_messages": rows,
        "more_history": more,
        "members": members,
        "online": set(presence.online_user_ids(conversation.pk)),
        "message_form": MessageForm(initial={"client_id": uuid.uuid4().hex}),
        "invite_form": InviteForm(),
        "may_remove": access.can_remove_anyone,
        "chat_strings": chat_strings(),
    }


def _conversation(proposal):
    return getattr(proposal, "conversation", None)


def chat_panel(request, proposal, access) -> dict:
    conversation = _conversation(proposal)
    if conversation is None:
        return {}
    return chat_context(request.user, conversation)


def chat_api_field(request, proposal, access) -> dict:
    conversation = _conversation(proposal)
    if conversation is None or not conversation_access(request.user, conversation).can_read:
        return {"chat": None}
    return {
        "chat": {
            "conversation": conversation.pk,
            "websocket": f"/ws/conversations/{conversation.pk}/",
        }
    }
