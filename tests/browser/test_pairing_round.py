import re

import pytest
from playwright.sync_api import expect

from exchanges.models import Proposal, ProposalOrigin
from matching import engine
from rounds.models import PairingRound, RoundStatus
from tests.browser.helpers import sign_in
from tests.rounds.test_rounds import build_world

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _isolated_matching(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MATCHING_AUTO_REFIT = False
    engine.reset()
    yield
    engine.reset()


def test_secretariat_runs_a_pairing_round_and_publishes_it(asgi_server, page, secretariat):
    build_world()
    sign_in(page, asgi_server.url, secretariat.email)

    page.goto(asgi_server.url + "/secretariat/rounds/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pairing rounds")
    page.get_by_role("link", name="Start a pairing round").click()
    expect(page.get_by_text("Right now 5 open offers in Asia and 5 in Europe")).to_be_visible()
    page.get_by_label("Name of the round").fill("Spring 2027")
    expect(page.get_by_label("Proposals per institution")).to_have_value("3")
    expect(page.get_by_label("Country fairness slack")).to_have_value("0.2")
    page.get_by_role("button", name="Start the round").click()

    # Celery runs eagerly here: the round is computed before the page comes back; with a
    # worker the page would follow its progress bar until it reloads itself when done.
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring 2027")
    expect(page.locator("#round-status")).to_have_text("Ready to publish")
    expect(page.locator("#figure-pairs")).to_have_text("5")
    pairs = page.get_by_role("table", name=re.compile(r"^5 pairs, best first"))
    expect(pairs.get_by_role("row")).to_have_count(6)  # a header and five pairs
    expect(pairs.get_by_text("same detailed field 0521")).to_be_visible()
    comparison = page.get_by_role("table", name=re.compile("against the greedy baseline"))
    expect(comparison.get_by_role("row", name=re.compile(r"^Pairs 5 4 \+25\.0 %"))).to_be_visible()

    # Publishing asks first, with what it will send; then nobody is told during the
    # grace period, and the round can be undone.
    page.get_by_role("link", name="Publish the round…").click()
    page.get_by_role("button", name="Publish 5 proposals").click()
    expect(page.get_by_text("Published: 5 proposals were created.")).to_be_visible()
    expect(page.locator("#round-status")).to_have_text("Published")
    expect(page.get_by_role("link", name="Publish the round…")).to_have_count(0)
    expect(page.get_by_role("button", name="Undo the publication")).to_be_visible()

    published = PairingRound.objects.get()
    assert published.status == RoundStatus.PUBLISHED
    assert (
        Proposal.objects.filter(pairing_round=published, origin=ProposalOrigin.ROUND).count() == 5
    )

    # The list shows it too.
    page.get_by_role("link", name="All pairing rounds").click()
    expect(page.get_by_role("row", name=re.compile("Spring 2027 Published"))).to_be_visible()
