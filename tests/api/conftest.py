"""A small world for the API's property-based tests: two lecturers with open offers and a
draft, both institutions' international offices, proposals in a few states, and a token for
each person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from rest_framework.authtoken.models import Token

from exchanges import services
from tests import factories


@dataclass
class ApiWorld:
    tokens: dict[str, str]
    offer_ids: list[int] = field(default_factory=list)
    proposal_ids: list[int] = field(default_factory=list)

    def ids(self) -> list[int]:
        return sorted({*self.offer_ids, *self.proposal_ids})


@pytest.fixture
def api_world(alice, bob, charlie, european_institution) -> ApiWorld:
    jan = factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")
    mine = factories.make_offer(alice)
    draft = factories.make_offer(alice, publish=False, title="A draft")
    partner = factories.make_offer(
        jan,
        title="Marine Spatial Planning",
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )
    other = factories.make_offer(jan, title="Blue Economy", partners_sought=2)
    proposed = services.proposal_create(actor=alice, offer=mine, partner=partner)
    accepted = services.proposal_create(actor=jan, offer=other, partner=mine)
    services.proposal_accept(proposal=accepted, actor=alice)
    people = {"lecturer": alice, "partner": jan, "office": bob, "other_office": charlie}
    return ApiWorld(
        tokens={name: Token.objects.create(user=user).key for name, user in people.items()},
        offer_ids=[mine.pk, draft.pk, partner.pk, other.pk],
        proposal_ids=[proposed.pk, accepted.pk],
    )
