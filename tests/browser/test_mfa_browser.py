"""An international office must set up an authenticator app before approving; from
then on, signing in asks for its code."""

import re

import pytest
from playwright.sync_api import expect

from exchanges import services
from exchanges.models import Proposal, ProposalState
from tests import factories
from tests.browser.helpers import enter_code, sign_in

pytestmark = pytest.mark.browser


def test_office_sets_up_totp_before_approving_and_then_signs_in_with_it(
    asgi_server, page, alice, charlie, european_institution, asian_institution
):
    nadia = factories.office(
        asian_institution, email="nadia@um.edu.my", full_name="Nadia Aziz", mfa=False
    )
    jan = factories.lecturer(
        european_institution, email="jan@wageningenuniversity.nl", full_name="Jan de Vries"
    )
    siti_offer = factories.make_offer(alice)
    jan_offer = factories.make_offer(jan, title="Marine Spatial Planning")
    proposal = services.proposal_create(actor=alice, offer=siti_offer, partner=jan_offer)
    services.proposal_accept(proposal=proposal, actor=jan)
    base = asgi_server.url

    # Nadia signs in with her password only, and may not open the approvals yet.
    sign_in(page, base, nadia.email)
    page.goto(base + "/office/approvals/")
    expect(page).to_have_url(re.compile(r"/security/\?next=/office/approvals/$"))
    expect(page.get_by_role("alert")).to_contain_text("Set up two-factor authentication")
    page.goto(base + f"/proposals/{proposal.pk}/")
    expect(page).to_have_url(re.compile(r"/security/"))

    # She scans the code (here: reads the secret) and types what her app shows.
    page.get_by_role("link", name="Set up an authenticator app").click()
    # allauth asks for the password again before a second factor changes.
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("img", name=re.compile(r"^[A-Z2-7]{32}$"))).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(factories.code_for_secret(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Recovery Codes").first).to_be_visible()

    # Now she approves.
    page.goto(base + "/office/approvals/")
    page.get_by_role("link", name=re.compile("Marine Spatial Planning")).click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("You approved the agreed terms")).to_be_visible()
    assert Proposal.objects.get().state == ProposalState.ACCEPTED  # charlie has not, yet

    # Signing in again asks for the code; a wrong one is refused.
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(nadia.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.locator("input[name=code]").fill("000000")
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_text("Incorrect code")).to_be_visible()
    enter_code(page, nadia)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.goto(base + "/office/approvals/")
    expect(page).to_have_url(re.compile(r"/office/approvals/$"))
