"""The workflow's races on the real thing: PostgreSQL, one uvicorn with two worker
processes, signed-in users (session cookies) firing requests over HTTP at the same moment
(tests/concurrency.py runs the same scenarios in process, on threads).

Each test checks what must hold whoever wins: never over an offer's capacity, exactly one
winner where there can be only one, no open proposal left on a full offer, and no 5xx."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading

import pytest
import requests
from django.conf import settings
from django.urls import reverse

from exchanges import decisions, services
from exchanges.models import Proposal, ProposalState
from offers.models import Offer
from tests import factories
from tests.live import ServerProcess, shared_test_database_url
from tests.messaging.chat_helpers import session_cookie

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TIMEOUT = 30
OPEN = (ProposalState.PROPOSED, ProposalState.ACCEPTED)


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """One uvicorn with two worker processes on the test database, for the module."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL")  # the marker fails it first under CI=true
    env = {
        **os.environ,
        "DATABASE_URL": shared_test_database_url(),
        "DATABASE_POOL_SIZE": "4",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    process = ServerProcess(env, tmp_path_factory.mktemp("races") / "server.log", workers=2)
    try:
        process.wait_healthy()
        yield process
    finally:
        process.stop()


class Browser:
    """A signed-in user's cookies; each request gets a connection of its own."""

    def __init__(self, base: str, user) -> None:
        self.base = base
        token = secrets.token_hex(16)  # a CSRF secret of our own, as cookie and header
        self.cookies = {settings.SESSION_COOKIE_NAME: session_cookie(user), "csrftoken": token}
        self.headers = {"X-CSRFToken": token}

    def post(self, path: str, body: dict | None = None) -> int:
        response = requests.post(
            self.base + path,
            json=body or {},
            cookies=self.cookies,
            headers=self.headers,
            timeout=TIMEOUT,
        )
        return response.status_code


def fire(*calls) -> list[int]:
    """Run every call in its own thread, released together; their HTTP statuses."""
    barrier = threading.Barrier(len(calls))
    statuses: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            statuses[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test asserts on it
            statuses[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 2)
    assert all(isinstance(s, int) for s in statuses), statuses
    assert all(s < 500 for s in statuses), f"server errors: {statuses}"
    return statuses


def act(proposal, name: str) -> str:
    return reverse(f"api:proposal-{name}", args=[proposal.pk])


def european(jan, title: str, places: int = 1) -> Offer:
    return factories.make_offer(
        jan,
        title=title,
        partners_sought=places,
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )


def open_on(offer) -> int:
    return Proposal.objects.filter(state__in=OPEN).filter(european_offer=offer).count()


@pytest.fixture
def co_lecturer(asian_institution):
    return factories.lecturer(asian_institution, email="farah@um.edu.my", full_name="Farah Aziz")


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")


@pytest.fixture
def jan_colleague(european_institution):
    return factories.lecturer(european_institution, email="piet@wageningenuniversity.nl")


def test_two_co_owners_proposing_the_same_pair_at_once_make_one_proposal(
    server, alice, co_lecturer, jan
):
    path = reverse("api:proposal-list")
    for trial in range(3):
        mine = factories.make_offer(alice, title=f"Asian {trial}")
        mine.co_owners.add(co_lecturer)
        partner = european(jan, f"European {trial}")
        body = {"offer": mine.pk, "partner": partner.pk}
        statuses = fire(
            lambda b=body: Browser(server.base, alice).post(path, b),
            lambda b=body: Browser(server.base, co_lecturer).post(path, b),
        )
        assert sorted(statuses) == [201, 409]
        assert Proposal.objects.filter(asian_offer=mine, european_offer=partner).count() == 1


def test_two_lecturers_accepting_at_once_accept_once(server, alice, jan, jan_colleague):
    for trial in range(3):
        partner = european(jan, f"European {trial}")
        partner.co_owners.add(jan_colleague)
        p = services.proposal_create(
            actor=alice, offer=factories.make_offer(alice, title=f"A {trial}"), partner=partner
        )
        statuses = fire(
            lambda p=p: Browser(server.base, jan).post(act(p, "accept")),
            lambda p=p: Browser(server.base, jan_colleague).post(act(p, "accept")),
        )
        assert sorted(statuses) == [200, 409]
        p.refresh_from_db()
        assert p.state == ProposalState.ACCEPTED
        assert p.events.filter(from_state="proposed", to_state="accepted").count() == 1


def test_both_offices_approving_at_once_approve_once(server, alice, jan, bob, charlie):
    for trial in range(3):
        partner = european(jan, f"European {trial}")
        p = services.proposal_create(
            actor=alice, offer=factories.make_offer(alice, title=f"A {trial}"), partner=partner
        )
        p = services.proposal_accept(proposal=p, actor=jan)
        statuses = fire(
            lambda p=p: Browser(server.base, bob).post(act(p, "approve")),
            lambda p=p: Browser(server.base, charlie).post(act(p, "approve")),
        )
        assert statuses == [200, 200]
        p.refresh_from_db()
        assert p.state == ProposalState.APPROVED
        assert p.events.filter(to_state="approved").count() == 1
        assert Offer.objects.get(pk=partner.pk).approved_pairings == 1


def test_an_office_approving_while_a_lecturer_withdraws_ends_one_way(
    server, alice, jan, bob, charlie
):
    for trial in range(4):
        partner = european(jan, f"European {trial}")
        p = services.proposal_create(
            actor=alice, offer=factories.make_offer(alice, title=f"A {trial}"), partner=partner
        )
        p = services.proposal_accept(proposal=p, actor=jan)
        decisions.proposal_approve(proposal=p, actor=charlie)
        approve, withdraw = fire(
            lambda p=p: Browser(server.base, bob).post(act(p, "approve")),
            lambda p=p: Browser(server.base, alice).post(act(p, "withdraw")),
        )
        assert sorted([approve, withdraw]) == [200, 409]
        p.refresh_from_db()
        places = Offer.objects.get(pk=partner.pk).approved_pairings
        if approve == 200:
            assert (p.state, places) == (ProposalState.APPROVED, 1)
        else:
            assert (p.state, places) == (ProposalState.WITHDRAWN, 0)


def test_more_final_approvals_than_places_fill_the_offer_exactly(server, alice, jan, bob, charlie):
    """jan's offer seeks two partners; four pairings reach bob's approval at once."""
    partner = european(jan, "Two places", places=2)
    waiting = []
    for n in range(4):
        p = services.proposal_create(
            actor=alice, offer=factories.make_offer(alice, title=f"A {n}"), partner=partner
        )
        p = services.proposal_accept(proposal=p, actor=jan)
        decisions.proposal_approve(proposal=p, actor=charlie)
        waiting.append(p)
    statuses = fire(
        *[lambda p=p: Browser(server.base, bob).post(act(p, "approve")) for p in waiting]
    )
    assert sorted(statuses) == [200, 200, 409, 409]
    partner.refresh_from_db()
    assert partner.approved_pairings == 2
    states = sorted(Proposal.objects.filter(european_offer=partner).values_list("state", flat=True))
    assert states == ["approved", "approved", "withdrawn", "withdrawn"]


def test_accepts_and_proposals_racing_the_approval_that_takes_the_last_place(
    server, alice, jan, bob, charlie
):
    """Whoever wins, no proposal is left open on the full offer: an accept or a proposal
    that came first is closed by the approval, one that came after is refused."""
    for trial in range(3):
        partner = european(jan, f"Last place {trial}")
        first = services.proposal_create(
            actor=alice, offer=factories.make_offer(alice, title=f"First {trial}"), partner=partner
        )
        first = services.proposal_accept(proposal=first, actor=jan)
        decisions.proposal_approve(proposal=first, actor=charlie)
        others = [
            services.proposal_create(
                actor=alice,
                offer=factories.make_offer(alice, title=f"O{trial}-{n}"),
                partner=partner,
            )
            for n in range(2)
        ]
        late = factories.make_offer(alice, title=f"Late {trial}")
        body = {"offer": late.pk, "partner": partner.pk}
        statuses = fire(
            lambda p=first: Browser(server.base, bob).post(act(p, "approve")),
            *[lambda p=p: Browser(server.base, jan).post(act(p, "accept")) for p in others],
            lambda b=body: Browser(server.base, alice).post(reverse("api:proposal-list"), b),
        )
        assert statuses[0] == 200
        assert set(statuses[1:3]) <= {200, 409}
        assert statuses[3] in (201, 400)  # 400: the offer is paired by then
        partner.refresh_from_db()
        assert partner.approved_pairings == 1
        assert open_on(partner) == 0
