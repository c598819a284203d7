"""What the pairing workflow tells the apps above it (the chat opens a conversation,
notifications reach the people involved, the statistics follow).

Sent by exchanges.services inside the transaction that made the change, so a receiver's
own writes commit or roll back with it; receivers queue outside work (tasks, e-mail,
WebSocket pushes) with transaction.on_commit."""

from django.dispatch import Signal

# A proposal row was created; kwargs: proposal.
proposal_created = Signal()
# A ProposalEvent was recorded (creation included); kwargs: event_id.
proposal_event_recorded = Signal()
