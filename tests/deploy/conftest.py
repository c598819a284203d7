"""The deployment tests play the chat's personas (alice, jan and their proposal)."""

from tests.messaging.conftest import commit, jan, jan_offer, proposal, siti_offer  # noqa: F401
