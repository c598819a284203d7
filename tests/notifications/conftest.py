"""The notification tests play the pairing journeys of the chat tests (same personas)."""

from tests.messaging.conftest import (  # noqa: F401
    accepted,
    anna,
    commit,
    jan,
    jan_offer,
    outsiders,
    proposal,
    siti_offer,
)
