"""What the offer services tell the apps above them (matching refits its model, the
workflow re-freezes the terms of accepted proposals).

Sent inside the transaction that changed the offer, so a receiver's writes commit or roll
back with it; receivers queue outside work with transaction.on_commit."""

from django.dispatch import Signal

# An offer's content changed (offer_update); kwargs: offer.
offer_updated = Signal()
# An offer's status changed (published, closed); kwargs: offer.
offer_status_changed = Signal()
