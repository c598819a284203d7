"""Each role signs in through the real pages and finds its pending work on the dashboard:
the lecturer the proposal to answer, the international office the pairing to approve
(counted beside "Approvals", and counted again without a reload when another one reaches
approval), the secretariat the balance and the office claim to verify."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import expect

from accounts.models import AffiliationRole
from exchanges import services
from tests import factories
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(
        european_institution, email="jan@wageningenuniversity.nl", full_name="Jan de Vries"
    )


@pytest.fixture
def proposal(alice, jan):
    mine = factories.make_offer(alice)
    his = factories.make_offer(jan, title="Marine Spatial Planning")
    return services.proposal_create(actor=alice, offer=mine, partner=his)


def in_a_thread(work):
    """Server-side work in a thread of its own, as a request would run it: this thread runs
    Playwright's event loop, from where the notification push could not reach the layer."""

    def run():
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def approvals_badge(page):
    return page.get_by_role("navigation", name="Main").locator("[data-approvals-badge] .badge")


def test_the_lecturer_finds_the_proposal_to_answer(asgi_server, page, proposal, jan):
    sign_in(page, asgi_server.url, jan.email)
    proposals = page.get_by_role("region", name="Your proposals")
    expect(proposals).to_contain_text("1 proposal needs your action.")
    expect(proposals).to_contain_text("Your answer is needed: accept or decline.")
    # With the keyboard: the link of the pairing opens the proposal.
    link = proposals.get_by_role("link", name=re.compile("Marine Spatial Planning ↔"))
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/proposals/{proposal.pk}/$"))


def test_the_office_finds_the_approval_and_the_count_follows_live(
    asgi_server, page, proposal, alice, jan, bob
):
    services.proposal_accept(proposal=proposal, actor=jan)
    sign_in(page, asgi_server.url, bob.email)
    badge = approvals_badge(page)
    expect(badge).to_have_text("1 waiting for your approval")
    approvals = page.get_by_role("region", name="Pairings waiting for your approval")
    expect(approvals).to_contain_text("1 pairing waits for your decision")
    expect(
        approvals.get_by_role("link", name=re.compile("Coastal Ecosystems .* Marine Spatial"))
    ).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Approvals 1 waiting"))).to_be_visible()

    # Another pairing reaches approval while the page is open: the count follows.
    expect(page.locator("[data-notifications-live]")).to_have_attribute("data-live", "connected")

    def second_pairing():
        mine = factories.make_offer(alice, title="Urban Heat Islands")
        his = factories.make_offer(jan, title="Climate-Proof Cities")
        second = services.proposal_create(actor=alice, offer=mine, partner=his)
        services.proposal_accept(proposal=second, actor=jan)

    in_a_thread(second_pairing)
    expect(badge).to_have_text("2 waiting for your approval")
    page.get_by_role("link", name=re.compile(r"^Approvals 2 waiting")).click()
    expect(page).to_have_url(re.compile(r"/office/approvals/$"))
    expect(page.get_by_role("link", name=re.compile("Urban Heat Islands"))).to_be_visible()


def test_the_secretariat_finds_the_balance_and_the_office_claim(
    asgi_server, page, secretariat, proposal, european_institution
):
    factories.affiliate(
        factories.UserFactory(email="olga@wur.nl", full_name="Olga Berg"),
        european_institution,
        AffiliationRole.OFFICE,
        verified=False,
    )
    sign_in(page, asgi_server.url, secretariat.email)
    expect(page.get_by_text("You are not linked to an institution yet")).to_have_count(0)
    expect(page.get_by_role("link", name="Claim an institution")).to_have_count(0)
    balance = page.get_by_role("region", name="Exchange balance")
    expect(balance.get_by_text("Balance index")).to_be_visible()
    expect(
        balance.get_by_role("list", name="Countries with open offers and no partner yet")
    ).to_contain_text("Malaysia")
    claims = page.get_by_role("region", name="International offices waiting for verification")
    expect(claims).to_contain_text("1 office claim waits for your decision.")
    expect(claims).to_contain_text("Olga Berg")
    claims.get_by_role("link", name="Open the verification queue").click()
    expect(page).to_have_url(re.compile(r"/office/verifications/$"))
    expect(page.get_by_text("Olga Berg")).to_be_visible()
