"""Fixtures for the offers API tests (the personas live in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def thai_institution(db):
    return factories.InstitutionFactory(
        name="Chulalongkorn University", country=factories.country("TH"), domains=["chula.ac.th"]
    )


@pytest.fixture
def erin(thai_institution):
    """A verified lecturer of a third institution: neither alice's partner nor her office."""
    return factories.lecturer(thai_institution, email="erin@chula.ac.th", full_name="Erin Suk")
