"""The pairing workflow's services: every transition, every refusal, the invariants."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from exchanges import decisions, services
from exchanges import services as wf
from exchanges.models import Proposal, ProposalState
from offers import services as offer_services
from offers.models import Offer, OfferStatus
from tests import factories
from tests.concurrency import race

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")


@pytest.fixture
def anna(european_institution):
    return factories.office(european_institution, email="anna@wageningenuniversity.nl")


@pytest.fixture
def siti_offer(alice):
    return factories.make_offer(alice)


@pytest.fixture
def jan_offer(jan):
    return factories.make_offer(
        jan,
        title="Marine Spatial Planning",
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )


@pytest.fixture
def proposal(alice, siti_offer, jan_offer):
    return services.proposal_create(
        actor=alice, offer=siti_offer, partner=jan_offer, message="Shall we?"
    )


@pytest.fixture
def accepted(proposal, jan):
    return services.proposal_accept(proposal=proposal, actor=jan)


def states(proposal):
    return list(proposal.events.values_list("from_state", "to_state"))


def test_alice_proposes_jan_accepts_both_offices_approve(accepted, bob, anna, jan_offer):
    assert accepted.state == ProposalState.ACCEPTED
    assert accepted.terms["european_offer"]["title"] == "Marine Spatial Planning"
    assert len(accepted.terms_hash) == 64
    p = decisions.proposal_approve(proposal=accepted, actor=anna, comment="Fine with us")
    assert p.state == ProposalState.ACCEPTED  # one office is not enough
    p = decisions.proposal_approve(proposal=p, actor=bob)
    assert p.state == ProposalState.APPROVED
    assert p.approved_at is not None
    jan_offer.refresh_from_db()
    assert jan_offer.approved_pairings == 1
    assert jan_offer.status == OfferStatus.PAIRED  # its one partner place is taken
    assert states(p)[0] == ("", "proposed")
    assert ("proposed", "accepted") in states(p)
    assert states(p)[-1] == ("accepted", "approved")


def test_the_proposer_cannot_accept_for_the_partner(proposal, alice):
    with pytest.raises(ValidationError) as info:
        services.proposal_accept(proposal=proposal, actor=alice)
    assert info.value.messages == [str(wf.ALREADY_ACCEPTED)]


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_offices_and_outsiders_cannot_accept(proposal, request, who):
    with pytest.raises(PermissionDenied):
        services.proposal_accept(proposal=proposal, actor=request.getfixturevalue(who))


def test_lecturers_and_third_offices_cannot_approve(accepted, alice, jan, charlie):
    third = factories.office(factories.InstitutionFactory(country=factories.country("FR")))
    for actor in (alice, jan, third):
        with pytest.raises(PermissionDenied):
            decisions.proposal_approve(proposal=accepted, actor=actor)


def test_an_office_decides_once_per_terms(accepted, anna, european_institution):
    other_officer = factories.office(european_institution, email="piet@wageningenuniversity.nl")
    decisions.proposal_approve(proposal=accepted, actor=anna)
    with pytest.raises(ValidationError) as info:
        decisions.proposal_approve(proposal=accepted, actor=other_officer)
    assert info.value.messages == [str(decisions.ALREADY_DECIDED)]


def test_rejection_needs_a_reason_and_ends_the_proposal(accepted, bob):
    with pytest.raises(ValidationError):
        decisions.proposal_reject(proposal=accepted, actor=bob, reason="  ")
    p = decisions.proposal_reject(proposal=accepted, actor=bob, reason="Exam dates clash")
    assert p.state == ProposalState.REJECTED
    assert p.decisions.get().comment == "Exam dates clash"
    assert p.events.last().note == "Exam dates clash"


def test_changed_terms_void_earlier_approvals(accepted, anna, bob, alice, siti_offer):
    decisions.proposal_approve(proposal=accepted, actor=anna)
    old_hash = accepted.terms_hash
    data = offer_services.offer_data(siti_offer)
    data.fields["term_end"] = dt.date(2027, 6, 20)
    offer_services.offer_update(offer=siti_offer, data=data)
    accepted.refresh_from_db()
    assert accepted.terms_hash != old_hash
    assert not accepted.decisions.filter(void=False).exists()
    # Anna's earlier approval no longer counts: both are asked again.
    p = decisions.proposal_approve(proposal=accepted, actor=bob)
    assert p.state == ProposalState.ACCEPTED
    p = decisions.proposal_approve(proposal=p, actor=anna)
    assert p.state == ProposalState.APPROVED


def test_transitions_only_along_the_arrows(proposal, alice, jan, bob):
    with pytest.raises(ValidationError) as info:
        decisions.proposal_approve(proposal=proposal, actor=bob)  # not accepted yet
    assert info.value.code == "invalid_transition"
    services.proposal_decline(proposal=proposal, actor=jan, note="Not this term")
    for action in (services.proposal_accept, services.proposal_withdraw):
        with pytest.raises(ValidationError):
            action(proposal=proposal, actor=alice)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DECLINED


def test_one_live_proposal_per_pair(proposal, jan, siti_offer, jan_offer):
    with pytest.raises(ValidationError) as info:
        services.proposal_create(actor=jan, offer=jan_offer, partner=siti_offer)
    assert info.value.messages == [str(wf.ALREADY_LIVE)]
    services.proposal_withdraw(proposal=proposal, actor=jan)
    again = services.proposal_create(actor=jan, offer=jan_offer, partner=siti_offer)
    assert again.state == ProposalState.PROPOSED


def test_never_two_offers_of_one_region(alice, siti_offer):
    other = factories.make_offer(alice, title="Another Asian course")
    with pytest.raises(ValidationError) as info:
        services.proposal_create(actor=alice, offer=siti_offer, partner=other)
    assert info.value.messages == [str(wf.SAME_REGION)]


def test_only_from_ones_own_offer(jan, siti_offer, alice):
    outsider_offer = factories.make_offer(jan, title="Jan's")
    with pytest.raises(PermissionDenied):
        services.proposal_create(actor=alice, offer=outsider_offer, partner=siti_offer)


def test_unanswered_proposals_expire(proposal):
    later = proposal.expires_at + dt.timedelta(minutes=1)
    assert services.proposals_expire(now=later) == 1
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.EXPIRED
    assert services.proposals_expire(now=later) == 0


def test_capacity_is_kept_by_the_database(jan_offer):
    from django.db import IntegrityError, transaction
    from django.db.models import F

    Offer.objects.filter(pk=jan_offer.pk).update(approved_pairings=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.filter(pk=jan_offer.pk).update(approved_pairings=F("approved_pairings") + 1)
    jan_offer.refresh_from_db()
    assert jan_offer.approved_pairings == 1


# --- concurrency (real threads, on PostgreSQL and SQLite) ----------------------------


@pytest.mark.both_backends
@pytest.mark.django_db(transaction=True)
def test_both_offices_clicking_at_once_approve_exactly_once(alice, jan, bob, anna):
    for trial in range(8):
        a = factories.make_offer(alice, title=f"Asian {trial}")
        e = factories.make_offer(
            jan,
            title=f"European {trial}",
            time_zone="Europe/Amsterdam",
            windows=[(1, dt.time(8), dt.time(11))],
        )
        p = services.proposal_create(actor=alice, offer=a, partner=e)
        p = services.proposal_accept(proposal=p, actor=jan)
        race(
            lambda p=p: decisions.proposal_approve(proposal=p, actor=bob),
            lambda p=p: decisions.proposal_approve(proposal=p, actor=anna),
        )
        p.refresh_from_db()
        assert p.state == ProposalState.APPROVED
        assert p.events.filter(to_state="approved", from_state="accepted").count() == 1
        a.refresh_from_db()
        assert a.approved_pairings == 1


@pytest.mark.both_backends
@pytest.mark.django_db(transaction=True)
def test_capacity_holds_when_two_pairings_of_one_offer_are_approved_at_once(
    alice, jan, bob, anna, european_institution
):
    """Jan's offer seeks one partner; two Asian proposals reach approval at the same time."""
    e = factories.make_offer(
        jan, title="One place", time_zone="Europe/Amsterdam", windows=[(1, dt.time(8), dt.time(11))]
    )
    pending = []
    for n in range(2):
        a = factories.make_offer(alice, title=f"Asian {n}")
        p = services.proposal_create(actor=alice, offer=a, partner=e)
        p = services.proposal_accept(proposal=p, actor=jan)
        decisions.proposal_approve(proposal=p, actor=anna)
        pending.append(p)
    outcomes = race(
        *[lambda p=p: decisions.proposal_approve(proposal=p, actor=bob) for p in pending]
    )
    approved = Proposal.objects.filter(state=ProposalState.APPROVED).count()
    assert approved == 1
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    e.refresh_from_db()
    assert e.approved_pairings == 1


def test_a_rejection_over_dates_goes_back_to_the_offices_when_the_dates_change(
    accepted, anna, bob, siti_offer
):
    """Journey 3: Mei Ling rejects because of exam dates; Siti moves them; both offices
    are asked again and approve."""
    decisions.proposal_approve(proposal=accepted, actor=anna)
    decisions.proposal_reject(proposal=accepted, actor=bob, reason="Dates clash with exams")
    data = offer_services.offer_data(siti_offer)
    data.fields["term_start"] = dt.date(2027, 2, 22)
    offer_services.offer_update(offer=siti_offer, data=data)
    accepted.refresh_from_db()
    assert accepted.state == ProposalState.ACCEPTED
    assert accepted.events.last().kind == "terms_changed"
    assert not accepted.decisions.filter(void=False).exists()
    decisions.proposal_approve(proposal=accepted, actor=anna)
    p = decisions.proposal_approve(proposal=accepted, actor=bob)
    assert p.state == ProposalState.APPROVED
