"""Fixtures for the offers API tests (the personas live in tests/conftest.py)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture
def api() -> APIClient:
    """A REST client that sends JSON, signed in by force_login or credentials()."""
    client = APIClient()
    client.default_format = "json"
    return client


@pytest.fixture
def thai_institution(db):
    return factories.InstitutionFactory(
        name="Chulalongkorn University", country=factories.country("TH"), domains=["chula.ac.th"]
    )


@pytest.fixture
def erin(thai_institution):
    """A verified lecturer of a third institution: neither alice's partner nor her office."""
    return factories.lecturer(thai_institution, email="erin@chula.ac.th", full_name="Erin Suk")


@pytest.fixture
def offer_json(db):
    """Builds a valid JSON body for POST /api/v1/offers/, changed by keyword arguments."""
    factories.isced("0521")
    factories.sdg(13)
    factories.sdg(14)

    def build(**overrides) -> dict:
        body = {
            "kind": "coil",
            "title": "Coastal Ecosystems and Climate Adaptation",
            "description": "How mangroves, reefs and estuaries respond to a changing climate.",
            "learning_outcomes": "Assess adaptation options for a coastal community.",
            "isced": "0521",
            "level": "6",
            "students": 35,
            "term_start": "2027-02-15",
            "term_end": "2027-06-11",
            "duration_weeks": 12,
            "time_zone": "Asia/Kuala_Lumpur",
            "sync_sessions": 6,
            "priority": "balanced_mobility",
            "theme_digitalisation": False,
            "theme_sustainability": True,
            "skills": ["intercultural", "teamwork"],
            "partners_sought": 1,
            "languages": [{"language": "en", "cefr": "B2"}],
            "windows": [
                {"weekday": 1, "start": "15:00", "end": "17:00"},
                {"weekday": 3, "start": "15:00", "end": "17:00"},
            ],
            "sdgs": [13, 14],
            "preferred_countries": [],
            "excluded_countries": [],
        }
        body.update(overrides)
        return body

    return build
