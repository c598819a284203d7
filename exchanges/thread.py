"""The proposal's thread with the offices: its two lecturers and the international offices
of its two institutions ask and answer questions here, apart from the partners' chat. The
offices' decision comments are posted in it too (exchanges.decisions). Nobody else reads
or posts: they get 404, as for a proposal they are not part of."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from exchanges import transitions
from exchanges.access import ProposalAccess
from exchanges.models import Proposal, ProposalComment

MAX_BODY = 2000
EMPTY = _("Write your comment first.")
TOO_LONG = _("At most %(n)s characters.")
NO_NUL = _("Remove the NUL character: it cannot be stored.")


def thread_or_404(user: User, proposal: Proposal) -> ProposalAccess:
    access = ProposalAccess(user, proposal)
    if not access.in_thread:
        raise Http404
    return access


def comments(proposal: Proposal):
    return proposal.comments.select_related("author").order_by("created_at", "pk")


@transaction.atomic
def comment_post(*, proposal: Proposal, actor: User, body: str) -> ProposalComment:
    """Post in the thread; the others in it are told (notifications.planning)."""
    proposal = transitions.locked(proposal)
    thread_or_404(actor, proposal)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [EMPTY]})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": [TOO_LONG % {"n": MAX_BODY}]})
    if "\x00" in body:
        raise ValidationError({"body": [NO_NUL]})
    comment = ProposalComment.objects.create(
        proposal=proposal, author=actor, body=body, created_at=timezone.now()
    )
    # An event without a move, for the notifications; the timeline leaves it out.
    transitions.record_event(proposal, actor, proposal.state, proposal.state, kind="commented")
    return comment
