"""Chat pages: the conversation page (also embedded in the proposal page), and the forms
that work without JavaScript — send, join, invite, leave, remove.

Anyone who is not a member gets 404, the same as for a conversation that does not exist.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from core.http import redirect_back as _back
from exchanges import selectors as proposal_selectors
from messaging import chat
from messaging.chat import ChatError
from messaging.models import Conversation, MemberRole


class MessageForm(forms.Form):
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=chat.CLIENT_ID_MAX)
    text = forms.CharField(
        label=_("Message"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": chat.MAX_CHARS}),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Co-teacher's e-mail address"),
        help_text=_(
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
    }


def chat_context(user, conversation: Conversation) -> dict:
    """What the chat panel needs; marks everything shown as read."""
    member = chat.membership(user, conversation.pk)
    if member is None:
        return {
            "conversation": conversation,
            "member": None,
            "may_join": chat.may_join(user, conversation),
        }
    rows, more = chat.history(conversation.pk)
    if rows:
        chat.mark_read(user=user, conversation_id=conversation.pk, seq=rows[-1].seq)
    members = chat.active_members(conversation.pk)
    return {
        "conversation": conversation,
        "member": member,
        "chat_messages": rows,
        "more_history": more,
        "members": members,
        "online": set(chat.online_user_ids(conversation.pk)),
        "message_form": MessageForm(initial={"client_id": uuid.uuid4().hex}),
        "invite_form": InviteForm(),
        "may_remove": member.role == MemberRole.LECTURER,
        "chat_strings": chat_strings(),
    }


def _member_or_404(
    request: HttpRequest, pk: int, *, may_join: bool = False
) -> tuple[Conversation, object]:
    conversation = get_object_or_404(
        Conversation.objects.select_related(
            "proposal__asian_offer__institution", "proposal__european_offer__institution"
        ),
        pk=pk,
    )
    member = chat.membership(request.user, pk)
    if member is None and not (may_join and chat.may_join(request.user, conversation)):
        raise Http404
    return conversation, member


@login_required
@require_GET
def conversation_page(request: HttpRequest, pk: int) -> HttpResponse:
    conversation, _member = _member_or_404(request, pk, may_join=True)
    proposal_visible = (
        proposal_selectors.proposals_visible_to(request.user)
        .filter(pk=conversation.proposal_id)
        .exists()
    )
    return render(
        request,
        "messaging/conversation.html",
        {
            **chat_context(request.user, conversation),
            "proposal": conversation.proposal,
            "proposal_visible": proposal_visible,
        },
    )


def _chat_url(conversation: Conversation) -> str:
    return reverse("messaging:conversation", args=[conversation.pk]) + "#chat"


@login_required
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send without JavaScript. The form's client id makes a double submit harmless."""
    conversation, member = _member_or_404(request, pk)
    # The chat's own checks (empty, too long, NUL, client id) give the messages.
    try:
        chat.send_message(
            user=request.user,
            conversation_id=conversation.pk,
            client_id=request.POST.get("client_id"),
            text=request.POST.get("text"),
        )
    except ChatError as exc:
        messages.error(request, exc.message)
    return _back(request, _chat_url(conversation))


@login_required
@require_POST
def join(request: HttpRequest, pk: int) -> HttpResponse:
    conversation, _member = _member_or_404(request, pk, may_join=True)
    chat.join(request.user, conversation)
    messages.success(request, _("You joined the conversation."))
    return _back(request, _chat_url(conversation))


@login_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    conversation, member = _member_or_404(request, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the e-mail address of the co-teacher to invite."))
        return _back(request, _chat_url(conversation))
    try:
        added = chat.invite(
            conversation=conversation, by=request.user, email=form.cleaned_data["email"]
        )
    except ChatError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(name)s is now in the conversation.") % {"name": str(added.user)}
        )
    return _back(request, _chat_url(conversation))


@login_required
@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    conversation, member = _member_or_404(request, pk)
    chat.leave(conversation=conversation, user=request.user)
    messages.success(request, _("You left the conversation."))
    return redirect("dashboard:dashboard")


@login_required
@require_POST
def remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    conversation, member = _member_or_404(request, pk)
    target = get_object_or_404(User, pk=user_id)
    try:
        chat.leave(conversation=conversation, user=target, by=request.user)
    except ChatError as exc:
        if exc.code == "not_found":
            raise Http404 from None
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(name)s is no longer in the conversation.") % {"name": str(target)}
        )
    return _back(request, _chat_url(conversation))
