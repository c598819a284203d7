"""“This lecturer usually answers within two days”: the median time from receiving a
proposal to accepting or declining it, shown on the lecturer's offers."""

import datetime as dt

import pytest
from django.utils import timezone

from exchanges import services
from exchanges.models import Proposal, ProposalEvent
from exchanges.selectors import typical_response_time
from tests import factories

pytestmark = pytest.mark.django_db


def received(alice, jan_offer, title: str, hours_ago: float) -> Proposal:
    """Alice proposes from a new offer of hers; Jan received it `hours_ago`."""
    mine = factories.make_offer(alice, title=title)
    proposal = services.proposal_create(actor=alice, offer=mine, partner=jan_offer)
    Proposal.objects.filter(pk=proposal.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=hours_ago)
    )
    return proposal


def test_the_typical_answer_time_is_the_median_over_answered_proposals(alice, jan, jan_offer):
    services.proposal_accept(proposal=received(alice, jan_offer, "A", 40), actor=jan)
    services.proposal_decline(proposal=received(alice, jan_offer, "B", 30), actor=jan)
    services.proposal_accept(proposal=received(alice, jan_offer, "C", 2), actor=jan)
    median = typical_response_time(jan)
    assert dt.timedelta(hours=29) < median < dt.timedelta(hours=31)


def test_the_offer_page_says_how_quickly_its_owner_answers(client, alice, jan, jan_offer):
    services.proposal_accept(proposal=received(alice, jan_offer, "A", 40), actor=jan)
    services.proposal_decline(proposal=received(alice, jan_offer, "B", 30), actor=jan)
    client.force_login(alice)
    body = client.get(jan_offer.get_absolute_url()).content.decode()
    assert "Jan de Vries usually answers proposals within 2 days." in body


def test_one_answer_is_too_little_to_tell(client, alice, jan, jan_offer):
    services.proposal_accept(proposal=received(alice, jan_offer, "A", 40), actor=jan)
    received(alice, jan_offer, "B", 90)  # not answered yet
    assert typical_response_time(jan) is None
    client.force_login(alice)
    page = client.get(jan_offer.get_absolute_url())
    assert page.status_code == 200
    assert "usually answers" not in page.content.decode()


def test_a_quick_answer_reads_as_within_a_day(client, alice, jan, jan_offer):
    for title in ("A", "B"):
        services.proposal_accept(proposal=received(alice, jan_offer, title, 3), actor=jan)
    client.force_login(alice)
    body = client.get(jan_offer.get_absolute_url()).content.decode()
    assert "Jan de Vries usually answers proposals within 1 day." in body


def test_withdrawals_expiries_and_ones_own_proposals_do_not_count(alice, jan, jan_offer):
    services.proposal_withdraw(proposal=received(alice, jan_offer, "A", 40), actor=jan)
    services.proposal_withdraw(proposal=received(alice, jan_offer, "B", 40), actor=alice)
    expiring = received(alice, jan_offer, "C", 400)
    services.proposals_expire(now=expiring.expires_at + dt.timedelta(minutes=1))
    # Jan's own proposal, withdrawn by himself, is not an answer either.
    other = factories.make_offer(alice, title="D")
    own = services.proposal_create(actor=jan, offer=jan_offer, partner=other)
    services.proposal_withdraw(proposal=own, actor=jan)
    assert typical_response_time(jan) is None
    assert not ProposalEvent.objects.filter(actor=jan, to_state="accepted").exists()


def test_visitors_do_not_see_the_owners_answer_time(client, alice, jan, jan_offer):
    services.proposal_accept(proposal=received(alice, jan_offer, "A", 40), actor=jan)
    services.proposal_decline(proposal=received(alice, jan_offer, "B", 30), actor=jan)
    page = client.get(jan_offer.get_absolute_url())
    assert page.status_code == 200
    assert "usually answers" not in page.content.decode()
