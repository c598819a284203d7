"""Writes of the exchanges app: offers (offers.py) and the pairing workflow (proposals.py)."""

from exchanges.services.offers import *  # noqa: F403
from exchanges.services.proposals import *  # noqa: F403, E402
