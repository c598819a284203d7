"""A tour of Tandem's main pages, as each role sees them, over the small world of exchanges
of tests/balance/world.py with a little more in it: a pairing waiting for the offices'
approval, claims waiting for verification, a chat message and a pairing round.

Used by the phone-layout and accessibility tests, which visit the same pages."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import AffiliationRole
from exchanges import services
from messaging import chat
from rounds.models import PairingRound, RoundStatus
from tests import factories
from tests.balance.world import world  # noqa: F401  (a fixture the tour builds on)
from tests.browser.helpers import sign_in


@dataclass(frozen=True)
class Visit:
    who: str  # the email of the person signed in; "" for a visitor
    what: str  # a name for the page in a failure's message
    path: str


def _anonymous() -> list[Visit]:
    return [
        Visit("", "landing", "/"),
        Visit("", "catalogue", "/catalogue/"),
        Visit("", "sign-in", "/accounts/login/"),
        Visit("", "sign-up", "/accounts/signup/"),
    ]


def _lecturer(w, proposal, offer) -> list[Visit]:
    who = w.alice.email
    return [
        Visit(who, "lecturer dashboard", "/dashboard/"),
        Visit(who, "offers list", "/offers/"),
        Visit(who, "an offer", f"/offers/{offer.pk}/"),
        Visit(who, "the offer form", "/offers/new/"),
        Visit(who, "the offer form's partner wishes", "/offers/new/#step-partners"),
        Visit(who, "proposals list", "/proposals/"),
        Visit(who, "a proposal", f"/proposals/{proposal.pk}/"),
        Visit(who, "a conversation", f"/conversations/{proposal.conversation.pk}/"),
        Visit(who, "notifications", "/notifications/"),
        Visit(who, "preferences", "/preferences/"),
    ]


def _office(w) -> list[Visit]:
    who = w.bob.email
    return [
        Visit(who, "office dashboard", "/dashboard/"),
        Visit(who, "approvals queue", "/office/approvals/"),
        Visit(who, "verification queue (office)", "/office/verifications/"),
        Visit(who, "statistics (office)", "/statistics/"),
        Visit(who, "notifications (office)", "/notifications/"),
    ]


def _secretariat(secretariat, pairing_round) -> list[Visit]:
    who = secretariat.email
    return [
        Visit(who, "secretariat dashboard", "/dashboard/"),
        Visit(who, "verification queue (secretariat)", "/office/verifications/"),
        Visit(who, "statistics", "/statistics/"),
        Visit(who, "rounds", "/secretariat/rounds/"),
        Visit(who, "a round", f"/secretariat/rounds/{pairing_round.pk}/"),
        Visit(who, "the round form", "/secretariat/rounds/new/"),
        Visit(who, "preferences (secretariat)", "/preferences/"),
    ]


@pytest.fixture
def tour(world, secretariat) -> list[Visit]:  # noqa: F811  (the fixture imported above)
    """The pages, grouped by who is signed in (visitors first)."""
    w = world
    proposal = w.exchanges["E5"]  # alice's proposal to vera: vera accepts it
    services.proposal_accept(proposal=proposal, actor=w.vera)
    chat.send_message(
        user=w.alice,
        conversation_id=proposal.conversation.pk,
        client_id="tour-1",
        text="Shall we meet on Tuesdays at 15:00 Kuala Lumpur time?",
    )
    lecturer = factories.UserFactory(email="nur@um.edu.my", full_name="Nur Aisyah")
    factories.affiliate(lecturer, w.um, AffiliationRole.LECTURER, verified=False)
    officer = factories.UserFactory(email="olga@wur.example", full_name="Olga Berg")
    factories.affiliate(officer, w.wur, AffiliationRole.OFFICE, verified=False)
    pairing_round = PairingRound.objects.create(
        name="Spring 2027",
        created_by=secretariat,
        status=RoundStatus.FAILED,
        error="The worker stopped.",
    )
    return [
        *_anonymous(),
        *_lecturer(w, proposal, proposal.asian_offer),
        *_office(w),
        *_secretariat(secretariat, pairing_round),
    ]


def visit_all(page, base: str, visits: list[Visit], check) -> list[str]:
    """Signs in as each person in turn, opens each page and collects what `check(page)`
    finds wrong there (a list of lines), prefixed with the page's name."""
    problems: list[str] = []
    signed_in = None
    for visit in visits:
        if visit.who != signed_in:
            page.context.clear_cookies()
            if visit.who:
                sign_in(page, base, visit.who)
            signed_in = visit.who
        if "#" in visit.path:
            page.goto("about:blank")  # a new load, not a jump within the page before
        response = page.goto(base + visit.path)
        assert response is not None and response.ok, f"{visit.what}: {visit.path} answered"
        problems += [f"{visit.what} ({visit.path}): {line}" for line in check(page)]
    return problems
