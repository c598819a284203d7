"""A full offer takes no more partners (issue 17: a proposal on an offer that had just
filled up could still be accepted, then sat in the approval queue for ever, every
approval answering 409).

jan's offer seeks one partner. alice proposes two of her offers to it; the first pairing
is approved by both offices (bob for Universiti Malaya, charlie for Wageningen)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from exchanges import decisions, services, transitions
from exchanges.models import Proposal, ProposalState
from exchanges.selectors import approval_queue
from notifications.models import Notification
from offers import services as offer_services
from offers.models import Offer, OfferStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def rival(alice, jan_offer):
    """alice's second offer, proposed to jan's too."""
    offer = factories.make_offer(alice, title="Coastal Ecology")
    return services.proposal_create(actor=alice, offer=offer, partner=jan_offer)


@pytest.fixture
def fill(alice, jan, bob, charlie, siti_offer, jan_offer, commit):
    """Run alice's first pairing with jan's offer to approval: the offer is full."""

    def run() -> Proposal:
        with commit():
            p = services.proposal_create(actor=alice, offer=siti_offer, partner=jan_offer)
            p = services.proposal_accept(proposal=p, actor=jan)
            decisions.proposal_approve(proposal=p, actor=charlie)
            return decisions.proposal_approve(proposal=p, actor=bob)

    return run


def full_message(offer) -> str:
    return str(transitions.NO_CAPACITY % {"title": offer.title})


def test_accepting_a_proposal_on_an_offer_that_filled_up_is_a_409_that_says_why(
    api, rival, jan, jan_offer, fill
):
    fill()
    jan_offer.refresh_from_db()
    assert (jan_offer.approved_pairings, jan_offer.status) == (1, OfferStatus.PAIRED)
    api.force_login(jan)
    response = api.post(reverse("api:proposal-accept", args=[rival.pk]))
    assert response.status_code == 409
    assert response.json() == {"detail": full_message(jan_offer)}
    rival.refresh_from_db()
    assert rival.state == ProposalState.WITHDRAWN
    assert rival.european_accepted_at is None


def test_the_page_refuses_it_with_the_same_message(client, rival, jan, jan_offer, fill):
    fill()
    client.force_login(jan)
    url = reverse("exchanges:proposal-action", args=[rival.pk, "accept"])
    page = client.post(url, follow=True).content.decode()
    assert "has no partner place left: its approved pairings are full." in page
    assert "You accepted the proposal." not in page


def test_when_an_offer_fills_up_its_open_proposals_are_closed_with_the_reason(
    client, alice, jan, bob, charlie, jan_offer, rival, fill, commit
):
    # A third pairing waits in the offices' queue when the first one takes the place.
    third = factories.make_offer(alice, title="Tropical Fisheries")
    with commit():
        waiting = services.proposal_create(actor=alice, offer=third, partner=jan_offer)
        waiting = services.proposal_accept(proposal=waiting, actor=jan)
    assert waiting in approval_queue(bob)
    mail.outbox.clear()

    approved = fill()

    assert approved.state == ProposalState.APPROVED
    for p in (rival, waiting):
        p.refresh_from_db()
        assert p.state == ProposalState.WITHDRAWN
        event = p.events.last()
        assert (event.kind, event.actor, event.to_state) == ("offer_full", None, "withdrawn")
        assert jan_offer.title in event.note
    assert list(approval_queue(bob)) == [] and list(approval_queue(charlie)) == []
    # The timeline says why, and both lecturers are told.
    client.force_login(alice)
    page = client.get(reverse("exchanges:proposal-detail", args=[rival.pk])).content.decode()
    assert "has no partner place left" in page
    for user in (alice, jan):
        notice = Notification.objects.get(recipient=user, proposal=rival)
        assert notice.kind == "withdrawn"
        assert "was closed" in notice.text() and jan_offer.title in notice.text()
    subjects = [m.subject for m in mail.outbox if "Coastal Ecology" in m.subject]
    assert len(subjects) == 2 and all("no place left" in s for s in subjects)
    # Refused for good, with the reason, not a bare "withdrawn".
    with pytest.raises(ValidationError) as info:
        decisions.proposal_approve(proposal=waiting, actor=bob)
    assert info.value.messages == [full_message(jan_offer)]


def test_a_proposal_stuck_on_a_full_offer_leaves_the_queue_at_the_next_approval(
    api, alice, jan, bob, charlie, jan_offer
):
    """Data from before the fix: an accepted proposal on an offer already full."""
    offer = factories.make_offer(alice, title="Old pairing")
    stuck = services.proposal_create(actor=alice, offer=offer, partner=jan_offer)
    stuck = services.proposal_accept(proposal=stuck, actor=jan)
    Offer.objects.filter(pk=jan_offer.pk).update(approved_pairings=1, status=OfferStatus.PAIRED)
    decisions.proposal_approve(proposal=stuck, actor=bob)
    api.force_login(charlie)
    response = api.post(reverse("api:proposal-approve", args=[stuck.pk]))
    assert response.status_code == 409
    assert response.json() == {"detail": full_message(jan_offer)}
    stuck.refresh_from_db()
    assert stuck.state == ProposalState.WITHDRAWN
    assert list(approval_queue(charlie)) == []
    assert Offer.objects.get(pk=jan_offer.pk).approved_pairings == 1


def test_seeking_fewer_partners_than_approved_closes_the_open_proposals(
    alice, jan, bob, charlie, siti_offer, jan_offer, rival
):
    data = offer_services.offer_data(jan_offer)
    data.fields["partners_sought"] = 2
    offer_services.offer_update(offer=jan_offer, data=data)
    p = services.proposal_create(actor=alice, offer=siti_offer, partner=jan_offer)
    p = services.proposal_accept(proposal=p, actor=jan)
    decisions.proposal_approve(proposal=p, actor=charlie)
    decisions.proposal_approve(proposal=p, actor=bob)
    rival.refresh_from_db()
    assert rival.state == ProposalState.PROPOSED  # one place is left

    jan_offer.refresh_from_db()
    data = offer_services.offer_data(jan_offer)
    data.fields["partners_sought"] = 1
    offer_services.offer_update(offer=jan_offer, data=data)
    rival.refresh_from_db()
    assert rival.state == ProposalState.WITHDRAWN
    assert rival.events.last().kind == "offer_full"
