"""Who hears about a proposal's transitions, in the app and by e-mail (being built).

`proposal_event_recorded` is called inside the transaction of every recorded event; it
must only queue work with transaction.on_commit, never send anything itself."""

from __future__ import annotations


def proposal_event_recorded(event_id: int) -> None:
    """Queue the notifications of one ProposalEvent (see exchanges.services.proposals)."""
