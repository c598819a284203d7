import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from exchanges.models import Proposal, ProposalState
from matching import engine
from tests import factories
from tests.browser import helpers

pytestmark = pytest.mark.browser


def sign_in(page, base, email):
    helpers.sign_in(page, base, email, clear=True)


def test_propose_accept_approve_and_the_exchange_appears(
    asgi_server, page, alice, bob, charlie, european_institution
):
    jan = factories.lecturer(
        european_institution, email="jan@wageningenuniversity.nl", full_name="Jan de Vries"
    )
    siti_offer = factories.make_offer(alice)
    factories.make_offer(
        jan,
        title="Marine Spatial Planning",
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
        isced=factories.isced("0522").pk,
    )
    # A fitted model, as a running Tandem has one (the page never fits it itself).
    engine.refit(force=True)
    base = asgi_server.url

    # Alice opens her offer, finds Jan's course among the suggestions and proposes.
    sign_in(page, base, alice.email)
    page.goto(base + siti_offer.get_absolute_url())
    card = page.locator(".suggestion", has_text="Marine Spatial Planning")
    expect(card).to_contain_text("same narrow field 052")
    card.get_by_role("link", name=re.compile("Propose a pairing with")).click()
    page.get_by_label("Message to the partner lecturer").fill("Our classes fit well!")
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_text("Your proposal is sent.")).to_be_visible()

    # Jan accepts.
    sign_in(page, base, jan.email)
    page.get_by_role("link", name="Proposals", exact=True).click()
    page.get_by_role("link", name="Marine Spatial Planning").click()
    expect(page.get_by_role("blockquote")).to_have_text("Our classes fit well!")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("You accepted the proposal.")).to_be_visible()

    # Both offices approve from their queues.
    for office in (charlie, bob):
        sign_in(page, base, office.email)
        page.get_by_role("link", name="Approvals").click()
        page.get_by_role("link", name=re.compile("Marine Spatial Planning")).click()
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_text("You approved the agreed terms")).to_be_visible()

    expect(page.get_by_text("Approved by both offices").first).to_be_visible()
    expect(page.get_by_role("link", name="Agreement data (JSON)")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the agreement (PDF)").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert Proposal.objects.get().state == ProposalState.APPROVED
