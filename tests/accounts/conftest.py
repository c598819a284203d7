"""Fixtures shared by the accounts tests (the personas live in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.accounts.helpers import pending_claim


@pytest.fixture
def dan(db):
    """A newcomer with a verified private address: no institution recognises it."""
    return factories.UserFactory(email="dan@gmail.com", full_name="Dan Ng")


@pytest.fixture
def dans_claim(dan, asian_institution):
    """Dan's lecturer claim at alice's institution, waiting for its office."""
    return pending_claim(dan, asian_institution)
