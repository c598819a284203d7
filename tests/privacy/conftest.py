"""The world of hand-computed exchanges (tests/balance/world.py) and a small pair of
lecturers with one proposal and its conversation."""

from __future__ import annotations

import datetime as dt

import pytest

from exchanges import services
from tests import factories
from tests.balance.world import world  # noqa: F401


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(
        european_institution,
        email="jan@wageningenuniversity.nl",
        full_name="Jan de Vries",
        time_zone="Europe/Amsterdam",
    )


@pytest.fixture
def proposal(alice, jan):
    """Alice proposes her course to Jan's: the conversation opens with it."""
    mine = factories.make_offer(alice)
    theirs = factories.make_offer(
        jan,
        title="Marine Spatial Planning",
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )
    return services.proposal_create(actor=alice, offer=mine, partner=theirs, message="Shall we?")
