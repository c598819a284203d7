"""Each role's dashboard shows its pending work first, says what to do when there is none,
and shows nothing of other institutions; the navigation counts the approvals waiting."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AffiliationRole
from balance import cache as balance_cache
from dashboard.sections import balance as glance_cache
from exchanges import decisions, services
from exchanges.models import Proposal
from matching import engine, outcomes
from rounds.models import PairingRound, RoundStatus
from tests import factories

DASHBOARD = reverse("dashboard:dashboard")
NOT_LINKED = "You are not linked to an institution yet"
CLAIM = reverse("accounts:institution-claim")
CLAIM_BUTTON = f'<a class="button" href="{CLAIM}">'


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, name: str) -> str:
    """The HTML of one dashboard section (data-dashboard="name")."""
    match = re.search(rf'<section[^>]*data-dashboard="{name}"[^>]*>(.*?)</section>', html, re.S)
    assert match, f"no section {name}"
    return match.group(1)


def approvals_link(html: str) -> str:
    start = html.index(reverse("exchanges:approval-queue"))
    return html[start : html.index("</a>", start)]


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(
        european_institution, email="jan@wageningenuniversity.nl", full_name="Jan de Vries"
    )


@pytest.fixture
def dara(db):
    """The international office of a third institution: an outsider to everything here."""
    third = factories.InstitutionFactory(name="Chulalongkorn", country=factories.country("TH"))
    return factories.office(third, email="dara@chula.ac.th", full_name="Dara Suk")


@pytest.fixture
def proposal(alice, jan):
    """Alice proposes her course to Jan's: Jan has to answer."""
    mine = factories.make_offer(alice)
    his = factories.make_offer(jan, title="Marine Spatial Planning")
    return services.proposal_create(actor=alice, offer=mine, partner=his)


@pytest.fixture
def accepted(proposal, jan):
    """Jan accepted: both offices have a pairing waiting for their approval."""
    return services.proposal_accept(proposal=proposal, actor=jan)


def plan(proposal: Proposal, starts: list[dt.datetime], minutes: int = 90) -> None:
    """Sessions in the agreed terms (the terms' own flow is tested in tests/exchanges)."""
    terms = dict(proposal.terms or {})
    terms["agreed"] = {
        **terms.get("agreed", {}),
        "sessions": [{"start": s.isoformat(), "minutes": minutes} for s in starts],
    }
    Proposal.objects.filter(pk=proposal.pk).update(terms=terms)


# --- the lecturer ----------------------------------------------------------------------------


def test_the_lecturer_finds_the_proposal_waiting_for_their_answer_first(client, proposal, jan):
    other = factories.make_offer(jan, title="Forest Governance")
    partner = factories.make_offer(
        factories.lecturer(proposal.asian_offer.institution, email="wei@um.edu.my"),
        title="Urban Heat Islands",
    )
    # Jan's own proposal, newer, only waits for its partner.
    services.proposal_create(actor=jan, offer=other, partner=partner)
    html = section(page(client, jan), "proposals")
    assert "1 proposal needs your action." in html
    assert "Your answer is needed: accept or decline." in html
    assert "Waiting for the partner lecturer." in html
    assert html.index("Coastal Ecosystems") < html.index("Urban Heat Islands")
    assert reverse("exchanges:proposal-detail", args=[proposal.pk]) in html


def test_the_proposer_is_told_whom_they_wait_for(client, accepted, alice):
    html = section(page(client, alice), "proposals")
    assert "needs your action" not in html
    assert "Waiting for the international offices." in html


def test_an_approved_pairing_asks_its_lecturers_to_start_it(client, accepted, bob, charlie, jan):
    for office in (bob, charlie):
        decisions.proposal_approve(proposal=accepted, actor=office)
    html = section(page(client, jan), "proposals")
    assert "Both offices approved: start the exchange." in html


def test_upcoming_sessions_show_in_the_viewers_time_zone(client, accepted, jan):
    jan.time_zone = "Europe/Amsterdam"
    jan.save(update_fields=["time_zone"])
    soon = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    start = soon.replace(hour=7, minute=0, second=0)  # 07:00 UTC
    past = start - dt.timedelta(days=10)
    plan(accepted, [past, start], minutes=120)
    html = section(page(client, jan), "sessions")
    local = start.astimezone(dt.timezone(dt.timedelta(hours=1)))  # CET in winter
    assert f'datetime="{local.isoformat()}"' in html
    assert "120 minutes" in html
    assert html.count("<time") == 1  # the past session is gone
    assert reverse("planning:planner", args=[accepted.pk]) in html


def test_new_suggestions_until_the_lecturer_has_seen_them(client, alice, jan):
    mine = factories.make_offer(alice)
    factories.make_offer(jan, title="Marine Spatial Planning")
    engine.refit()
    html = section(page(client, alice), "suggestions")
    assert "Marine Spatial Planning" in html
    assert "Wageningen University" in html
    # Seen on the offer's own page: no longer new.
    matches = engine.suggestions(mine, k=10)
    outcomes.record_shown(mine.pk, matches)
    html = section(page(client, alice), "suggestions")
    assert "Marine Spatial Planning" not in html
    assert "No new partner suggestions" in html


def test_a_new_lecturer_is_told_what_to_do_next(client, asian_institution):
    newcomer = factories.lecturer(asian_institution, email="new@um.edu.my")
    html = page(client, newcomer)
    assert "You have no offers yet. Register the course" in html
    assert "No proposals yet. Open one of your offers" in html
    assert "No joint sessions planned." in html
    assert "Publish an offer to get partner suggestions" in html
    assert "No conversations yet." in html
    assert reverse("offers:offer-create") in html
    # An institution already: claiming one is no longer the main button.
    assert NOT_LINKED not in html
    assert CLAIM_BUTTON not in html
    assert "International office" not in html and 'data-dashboard="balance"' not in html


# --- the international office ----------------------------------------------------------------


def test_both_offices_find_the_pairing_waiting_and_the_count_in_the_menu(
    client, accepted, bob, charlie
):
    for office in (bob, charlie):
        html = page(client, office)
        assert '<span class="badge">1<span class="visually-hidden"> waiting for your approval' in (
            approvals_link(html)
        )
        waiting = section(html, "approvals")
        assert "1 pairing waits for your decision" in waiting
        assert "Coastal Ecosystems and Climate Adaptation ↔ Marine Spatial Planning" in waiting
        assert reverse("exchanges:proposal-detail", args=[accepted.pk]) in waiting
    # Bob decides: his count goes, Charlie's stays.
    decisions.proposal_approve(proposal=accepted, actor=bob)
    html = page(client, bob)
    assert 'class="badge"' not in approvals_link(html)
    assert "Nothing is waiting for your approval." in section(html, "approvals")
    assert "1 pairing waits" in section(page(client, charlie), "approvals")


def test_an_office_sees_nothing_of_other_institutions(client, accepted, dara):
    factories.affiliate(
        factories.UserFactory(email="dan@gmail.com", full_name="Dan Ng"),
        accepted.asian_offer.institution,
        AffiliationRole.LECTURER,
        verified=False,
    )
    html = page(client, dara)
    assert 'class="badge"' not in approvals_link(html)
    assert "Nothing is waiting for your approval." in section(html, "approvals")
    assert "A pairing comes here once both lecturers have accepted its terms." in html
    assert "Nobody is waiting. Well done." in section(html, "claims")
    for foreign in ("Coastal Ecosystems", "Marine Spatial Planning", "Dan Ng", "Universiti Malaya"):
        assert foreign not in html
    exchanges = section(html, "exchanges")
    assert "No approved or running exchanges yet." in exchanges


def test_an_office_sees_its_claims_exchanges_balance_and_offers(client, accepted, bob, charlie):
    factories.affiliate(
        factories.UserFactory(email="dan@gmail.com", full_name="Dan Ng"),
        accepted.asian_offer.institution,
        AffiliationRole.LECTURER,
        verified=False,
    )
    for office in (bob, charlie):
        decisions.proposal_approve(proposal=accepted, actor=office)
    factories.make_offer(accepted.asian_offer.owner, title="Draft course", publish=False)
    html = page(client, bob)
    claims = section(html, "claims")
    assert "1 claim waits for your decision." in claims and "Dan Ng" in claims
    exchanges = section(html, "exchanges")
    assert "Marine Spatial Planning" in exchanges and "Approved by both offices" in exchanges
    figures = re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", exchanges)
    assert ("Exchanges", "1") in figures
    offers = section(html, "institution-offers")
    assert "All offers of Universiti Malaya" in offers
    assert "0 open, 1 paired, 1 drafts" in offers
    assert "Wageningen" not in offers


def test_the_balance_at_a_glance_is_fresh_after_a_change(client, accepted, bob, charlie):
    assert glance_cache.VERSION_KEY == balance_cache.VERSION_KEY
    figures = re.findall(
        r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", section(page(client, bob), "exchanges")
    )
    assert ("Exchanges", "0") in figures
    for office in (bob, charlie):
        decisions.proposal_approve(proposal=accepted, actor=office)
    figures = re.findall(
        r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", section(page(client, bob), "exchanges")
    )
    assert ("Exchanges", "1") in figures


def test_the_approvals_count_costs_one_query_and_only_for_offices(
    client, accepted, alice, bob, django_assert_num_queries
):
    from django.test import RequestFactory

    from dashboard.context_processors import approvals

    request = RequestFactory().get("/")
    request.user = bob
    badge = approvals(request)["approvals_badge"]
    bob._tandem_office_ids = frozenset({accepted.asian_offer.institution_id})
    with django_assert_num_queries(1):
        assert badge.count == 1
        assert badge.count == 1
    assert "approval-queue" not in page(client, alice)
    assert reverse("exchanges:approval-queue") not in page(client, alice)


# --- the secretariat -------------------------------------------------------------------------


def test_the_secretariat_sees_balance_rounds_and_office_claims(
    client, secretariat, accepted, european_institution
):
    factories.make_offer(
        factories.lecturer(
            factories.InstitutionFactory(
                name="Lao National University", country=factories.country("LA")
            ),
            email="khamla@nuol.edu.la",
        ),
        title="Mekong Fisheries",
    )
    PairingRound.objects.create(name="Spring round", status=RoundStatus.RUNNING, progress=40)
    PairingRound.objects.create(name="Autumn round", status=RoundStatus.PUBLISHED)
    factories.affiliate(
        factories.UserFactory(email="olga@wur.nl", full_name="Olga Berg"),
        european_institution,
        AffiliationRole.OFFICE,
        verified=False,
    )
    html = page(client, secretariat)
    assert NOT_LINKED not in html
    assert CLAIM_BUTTON not in html
    balance = section(html, "balance")
    assert "Countries with open offers and no partner yet" in balance
    assert "Lao" in balance and "Malaysia" in balance
    rounds = section(html, "rounds")
    assert rounds.index("Spring round") < rounds.index("Autumn round")
    assert "Running" in rounds and "40 %" in rounds
    claims = section(html, "office-claims")
    assert "1 office claim waits for your decision." in claims
    assert "Olga Berg" in claims and "Wageningen University" in claims


def test_the_secretariat_with_nothing_yet_is_told_what_to_do(client, secretariat):
    html = page(client, secretariat)
    assert NOT_LINKED not in html
    assert "No round has been run yet." in section(html, "rounds")
    assert reverse("rounds:round-create") in section(html, "rounds")
    assert "No international office is waiting for verification." in html
    assert "Every country with open offers has at least one approved pairing." in html


# --- everyone else, and several roles ------------------------------------------------------


def test_someone_without_an_institution_is_asked_to_claim_one(client, db):
    newcomer = factories.UserFactory(email="new@gmail.com")
    html = page(client, newcomer)
    assert NOT_LINKED in html
    assert CLAIM_BUTTON in html
    assert "dashboard-role" not in html


def test_a_pending_claim_says_whom_it_waits_for(client, asian_institution):
    dan = factories.UserFactory(email="dan@gmail.com")
    factories.affiliate(dan, asian_institution, AffiliationRole.LECTURER, verified=False)
    html = page(client, dan)
    assert NOT_LINKED not in html and CLAIM_BUTTON not in html
    assert "Your claim waits for verification" in html
    assert 'class="status status-pending"' in html


def test_a_lecturer_who_is_also_an_office_sees_both_roles(client, accepted, alice):
    factories.affiliate(alice, accepted.asian_offer.institution, AffiliationRole.OFFICE)
    factories.with_totp(alice)  # an office signs in with a second factor
    html = page(client, alice)
    assert 'id="lecturer-title"' in html and 'id="office-title"' in html
    assert "Waiting for the international offices." in section(html, "proposals")
    assert "1 pairing waits for your decision" in section(html, "approvals")


# --- a fixed number of queries ------------------------------------------------------------


def busy_world(alice, jan, european_institution, n: int) -> None:
    """n more proposals between Alice and Jan, every other one accepted and waiting for the
    offices, a claim at each institution and a pairing round for each."""
    for i in range(n):
        a = factories.make_offer(alice, title=f"Asian course {i}")
        e = factories.make_offer(jan, title=f"European course {i}")
        p = services.proposal_create(actor=alice, offer=a, partner=e)
        if i % 2:
            services.proposal_accept(proposal=p, actor=jan)
        for institution in (a.institution, european_institution):
            factories.affiliate(
                factories.UserFactory(), institution, AffiliationRole.OFFICE, verified=False
            )
        PairingRound.objects.create(name=f"Round {i}", status=RoundStatus.DONE)


def dashboard_queries(client) -> int:
    """The queries of the dashboard once the text model is loaded and the statistics are
    cached (the first request of a process after a change does both)."""
    engine.refit()
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["alice", "jan", "bob", "secretariat"])
def test_each_dashboard_reads_a_fixed_number_of_queries(
    client,
    request,
    role,
    alice,
    jan,
    bob,
    european_institution,
    secretariat,
    django_assert_max_num_queries,
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    busy_world(alice, jan, european_institution, 3)
    few = dashboard_queries(client)
    busy_world(alice, jan, european_institution, 9)
    assert dashboard_queries(client) == few  # no query per offer, proposal, claim or round
    # A lecturer's: 17 (4 of them read the ids of their own offers, which makes the
    # proposals' queries fast), and 10 for the suggestions of each of their two newest
    # open offers (matching.engine: the offer table's changes, the offer's features,
    # hidden partners, weights); an office's 20; the secretariat's 14.
    with django_assert_max_num_queries(39):
        client.get(DASHBOARD)
