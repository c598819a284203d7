"""Journeys 2 and 3 with the agreed terms, in the browser: Jan and Siti draft the terms in
two versions and both accept; the Asian office requests changes; Siti revises the session
dates; Jan accepts; both offices approve."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from exchanges import services
from exchanges.models import Proposal
from tests import factories
from tests.browser import helpers

pytestmark = pytest.mark.browser


def open_proposal(page, base, email, proposal):
    helpers.sign_in(page, base, email, clear=True)
    page.goto(f"{base}/proposals/{proposal.pk}/")


def test_terms_drafted_accepted_sent_back_revised_and_approved(
    asgi_server, page, alice, bob, charlie, european_institution
):
    jan = factories.lecturer(
        european_institution, email="jan@wageningenuniversity.nl", full_name="Jan de Vries"
    )
    siti_offer = factories.make_offer(alice)
    jan_offer = factories.make_offer(
        jan,
        title="Marine Spatial Planning",
        students=30,
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )
    proposal = services.proposal_create(actor=alice, offer=siti_offer, partner=jan_offer)
    base = asgi_server.url

    # Jan records what they agreed in the chat: 30 students each way, two dates so far.
    open_proposal(page, base, jan.email, proposal)
    expect(page.locator(".situation")).to_have_text(
        "Alice Tan proposes pairing your course with theirs."
    )
    page.locator("summary", has_text="Change the terms").click()
    page.get_by_label("Students Asia → Europe").fill("30")
    page.get_by_label("Session dates").fill("2027-03-02 07:00 120\n2027-03-09 07:00 120")
    page.get_by_role("button", name="Save and accept").click()
    expect(page.get_by_text("You saved and accepted version 2 of the terms.")).to_be_visible()

    # Siti adds the platform, saves and accepts version 3; Jan accepts it.
    open_proposal(page, base, alice.email, proposal)
    expect(page.locator(".situation")).to_have_text("Jan de Vries accepted version 2 of the terms.")
    page.locator("summary", has_text="Change the terms").click()
    page.get_by_label("Meeting platform").fill("Zoom room 4")
    page.get_by_role("button", name="Save and accept").click()
    expect(page.locator(".situation")).to_contain_text("You accepted version 3 of the terms")
    open_proposal(page, base, jan.email, proposal)
    page.get_by_role("button", name="Accept version 3 of the terms").click()
    expect(page.locator(".situation")).to_have_text("Both sides accepted version 3 of the terms.")

    # Mei Ling's office (bob) asks for changes from its queue: exams clash.
    helpers.sign_in(page, base, bob.email, clear=True)
    page.get_by_role("link", name="Approvals").click()
    expect(page.locator("td.students")).to_have_text("Asia → Europe 30 · Europe → Asia 30")
    page.locator("summary", has_text="Request changes").click()
    page.get_by_label("What should change, or your question").fill(
        "The 9 March session clashes with our mid-term exams."
    )
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("You asked for changes")).to_be_visible()

    # Siti reads it in the thread and moves the date; Jan accepts the revision.
    open_proposal(page, base, alice.email, proposal)
    expect(page.locator("#thread")).to_contain_text("clashes with our mid-term exams")
    page.locator("summary", has_text="Change the terms").click()
    page.get_by_label("Session dates").fill("2027-03-02 07:00 120\n2027-03-16 07:00 120")
    page.get_by_role("button", name="Save and accept").click()
    open_proposal(page, base, jan.email, proposal)
    expect(page.locator(".situation")).to_have_text("Alice Tan accepted version 4 of the terms.")
    page.get_by_role("button", name="Accept version 4 of the terms").click()

    # Both offices approve.
    for office in (charlie, bob):
        helpers.sign_in(page, base, office.email, clear=True)
        page.get_by_role("link", name="Approvals").click()
        page.get_by_role("button", name=re.compile("^Approve")).click()
        expect(page.get_by_text("You approved the agreed terms")).to_be_visible()
    expect(page.locator(".situation")).to_have_text("Approved by both offices")
    p = Proposal.objects.get(pk=proposal.pk)
    assert p.state == "approved"
    assert p.terms["version"] == 4
    assert [s["start"] for s in p.terms["agreed"]["sessions"]] == [
        "2027-03-02T07:00:00+00:00",
        "2027-03-16T07:00:00+00:00",
    ]
