"""Chat pages: the conversation page (also embedded in the proposal page), and the forms
that work without JavaScript — send, join, invite, leave, remove.

Anyone who is not a member gets 404, the same as for a conversation that does not exist.
"""

from __future__ import annotations

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
from messaging.access import conversation_access
from messaging.chat import ChatError
from messaging.models import Conversation
from messaging.panels import InviteForm, chat_context


def _member_or_404(
    request: HttpRequest, pk: int, *, may_join: bool = False
) -> tuple[Conversation, object]:
    conversation = get_object_or_404(
        Conversation.objects.select_related(
            "proposal__asian_offer__institution", "proposal__european_offer__institution"
        ),
        pk=pk,
    )
    access = conversation_access(request.user, conversation)
    member = access.member
    if member is None and not (may_join and access.can_join):
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
    email = form.cleaned_data["email"]
    try:
        chat.invite(conversation=conversation, by=request.user, email=email)
    except ChatError as exc:
        messages.error(request, exc.message)
    else:
        # The same words whether or not the address has an account.
        messages.success(request, str(chat.INVITED % {"email": email}))
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
