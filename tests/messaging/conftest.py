"""Personas of the pairing journeys (alice plays Siti at Universiti Malaya; jan at
Wageningen; bob and anna their international offices), their offers and proposals."""

from __future__ import annotations

import datetime as dt

import pytest

from exchanges import services
from tests import factories


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(
        european_institution,
        email="jan@wageningenuniversity.nl",
        full_name="Jan de Vries",
        time_zone="Europe/Amsterdam",
    )


@pytest.fixture
def anna(european_institution):
    return factories.office(
        european_institution, email="anna@wageningenuniversity.nl", full_name="Anna Bakker"
    )


@pytest.fixture
def outsiders(db):
    """A lecturer and an office of a third university, and the secretariat: never told."""
    third = factories.InstitutionFactory(
        name="Chulalongkorn University", country=factories.country("TH")
    )
    return [
        factories.lecturer(third, email="erin@chula.ac.th"),
        factories.office(third, email="office@chula.ac.th"),
        factories.UserFactory(email="paolo@secretariat.example", is_secretariat=True),
    ]


@pytest.fixture
def siti_offer(alice):
    return factories.make_offer(alice)


@pytest.fixture
def jan_offer(jan):
    return factories.make_offer(
        jan,
        title="Marine Spatial Planning",
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs the on-commit callbacks (the queued tasks) at the end."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def proposal(alice, siti_offer, jan_offer, commit):
    with commit():
        return services.proposal_create(
            actor=alice, offer=siti_offer, partner=jan_offer, message="Shall we?"
        )


@pytest.fixture
def accepted(proposal, jan, bob, anna, commit):
    """Jan accepted, with both offices there to be asked."""
    with commit():
        return services.proposal_accept(proposal=proposal, actor=jan)
