"""The steps every workflow service takes: lock the proposal, move its state, record the
event (which tells the apps above, exchanges.signals)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from exchanges import signals
from exchanges.errors import ProposalError
from exchanges.models import Proposal, ProposalEvent

WRONG_STATE = _("This proposal is %(state)s: it cannot be %(action)s now.")


def locked(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update()
        .select_related("asian_offer__institution", "european_offer__institution")
        .get(pk=proposal.pk)
    )


def record_event(
    proposal: Proposal, actor: User | None, old: str, new: str, note: str = "", kind: str = ""
) -> None:
    event = ProposalEvent.objects.create(
        proposal=proposal, actor=actor, from_state=old, to_state=new, note=note[:2000], kind=kind
    )
    signals.proposal_event_recorded.send(sender=Proposal, event_id=event.pk)


def move(proposal: Proposal, new: str, actor: User | None, note: str = "") -> None:
    old = proposal.state
    proposal.state = new
    proposal.updated_at = timezone.now()
    proposal.save()
    record_event(proposal, actor, old, new, note)


def refuse_state(proposal: Proposal, action: str) -> ValidationError:
    return ValidationError(
        WRONG_STATE % {"state": proposal.get_state_display().lower(), "action": action},
        code=ProposalError.INVALID_TRANSITION,
    )
