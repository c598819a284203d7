"""Proposal pages across the personas: alice proposes, jan is her partner, bob is alice's
office, charlie is jan's office (Wageningen), erin is a lecturer elsewhere."""

import datetime as dt

import pytest
from django.urls import reverse

from exchanges import decisions, services
from exchanges.models import Proposal, ProposalState
from matching import engine
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(
        european_institution, email="jan@wageningenuniversity.nl", full_name="Jan de Vries"
    )


@pytest.fixture
def erin(db):
    inst = factories.InstitutionFactory(name="Université de Lyon", country=factories.country("FR"))
    return factories.lecturer(inst, email="erin@univ-lyon.fr")


@pytest.fixture
def offers(alice, jan):
    a = factories.make_offer(alice)
    e = factories.make_offer(
        jan,
        title="Marine Spatial Planning",
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )
    # A fitted model, as a running Tandem has one (pages never fit it themselves).
    engine.refit(force=True)
    return a, e


@pytest.fixture
def proposal(alice, offers):
    return services.proposal_create(
        actor=alice, offer=offers[0], partner=offers[1], message="Shall we pair our classes?"
    )


def detail(proposal):
    return reverse("exchanges:proposal-detail", args=[proposal.pk])


def act(proposal, action):
    return reverse("exchanges:proposal-action", args=[proposal.pk, action])


def test_alice_proposes_from_a_suggestion_and_is_told_what_happens_next(client, alice, offers):
    a, e = offers
    client.force_login(alice)
    url = reverse("exchanges:proposal-new", args=[a.pk]) + f"?partner={e.pk}&origin=suggestion"
    page = client.get(url).content.decode()
    assert "What happens next" in page
    assert "Marine Spatial Planning" in page
    response = client.post(
        url, {"partner": e.pk, "origin": "suggestion", "message": "Hello"}, follow=True
    )
    proposal = Proposal.objects.get()
    assert proposal.origin == "suggestion"
    assert proposal.explanation  # the match explanation is kept with the proposal
    assert "then the international offices of both institutions approve it" in (
        response.content.decode()
    )


def test_whole_path_through_the_pages(client, proposal, jan, bob, charlie, offers):
    client.force_login(jan)
    assert "Accept" in client.get(detail(proposal)).content.decode()
    client.post(act(proposal, "accept"))
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ACCEPTED

    for office in (charlie, bob):
        client.force_login(office)
        queue = client.get(reverse("exchanges:approval-queue")).content.decode()
        assert "Marine Spatial Planning" in queue
        client.post(act(proposal, "approve"))
        assert (
            "Marine Spatial Planning"
            not in client.get(reverse("exchanges:approval-queue")).content.decode()
        )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.APPROVED
    page = client.get(detail(proposal)).content.decode()
    assert "Download the agreement" in page
    assert "Approved by both offices" in page


def test_rejection_without_a_reason_is_refused_with_a_message(client, proposal, jan, bob):
    services.proposal_accept(proposal=proposal, actor=jan)
    client.force_login(bob)
    response = client.post(act(proposal, "reject"), {"reason": ""}, follow=True)
    assert str(decisions.REASON_NEEDED) in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ACCEPTED


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("jan", 200), ("bob", 200), ("charlie", 200), ("erin", 404)],
)
def test_only_the_people_involved_see_a_proposal(client, request, proposal, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(detail(proposal)).status_code == status


def test_a_third_institutions_office_sees_not_found(client, proposal):
    third = factories.office(factories.InstitutionFactory(country=factories.country("JP")))
    client.force_login(third)
    assert client.get(detail(proposal)).status_code == 404
    assert client.post(act(proposal, "approve")).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, proposal):
    response = client.get(detail(proposal))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_wrong_person_or_state_changes_nothing(client, proposal, alice, bob):
    client.force_login(bob)  # an office cannot accept for a lecturer
    assert client.post(act(proposal, "accept")).status_code == 403
    client.force_login(alice)  # the proposer cannot approve
    response = client.post(act(proposal, "approve"))
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED
    assert client.get(act(proposal, "accept")).status_code == 405


def test_refused_transition_shows_a_message(client, proposal, jan):
    client.force_login(jan)
    client.post(act(proposal, "decline"))
    response = client.post(act(proposal, "accept"), follow=True)
    assert "This proposal is declined: it cannot be accepted now." in response.content.decode()


def test_lecturer_lists_incoming_and_outgoing(client, proposal, alice, jan, erin):
    client.force_login(alice)
    assert "outgoing" in client.get(reverse("exchanges:proposal-list")).content.decode()
    client.force_login(jan)
    assert "incoming" in client.get(reverse("exchanges:proposal-list")).content.decode()
    client.force_login(erin)
    assert (
        "Marine Spatial Planning"
        not in client.get(reverse("exchanges:proposal-list")).content.decode()
    )


def test_lecturers_get_403_on_the_approval_queue(client, alice):
    client.force_login(alice)
    assert client.get(reverse("exchanges:approval-queue")).status_code == 403


def test_the_timeline_shows_every_transition(client, proposal, jan, alice):
    services.proposal_accept(proposal=proposal, actor=jan)
    client.force_login(alice)
    page = client.get(detail(proposal)).content.decode()
    assert "Shall we pair our classes?" in page
    assert "Accepted by the partner" in page
    assert "Jan de Vries" in page


def test_an_active_exchange_is_completed_with_its_report(
    client, proposal, jan, bob, charlie, alice
):
    services.proposal_accept(proposal=proposal, actor=jan)
    decisions.proposal_approve(proposal=proposal, actor=bob)
    decisions.proposal_approve(proposal=proposal, actor=charlie)
    services.proposal_start(proposal=proposal, actor=alice)
    client.force_login(jan)
    url = reverse("exchanges:proposal-complete", args=[proposal.pk])
    bad = client.post(
        url,
        {
            "participants_asia": "30",
            "participants_europe": "25",
            "sync_hours": "12",
            "fewer_opportunities": "80",
        },
    )
    assert "cannot exceed the participants of both sides (55)" in bad.content.decode()
    client.post(
        url,
        {
            "participants_asia": "30",
            "participants_europe": "25",
            "sync_hours": "12.5",
            "first_international": "20",
            "outcomes": "Joint adaptation plans for two coasts.",
        },
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.COMPLETED
    page = client.get(detail(proposal)).content.decode()
    assert "Joint adaptation plans for two coasts." in page


def test_only_the_lecturers_file_the_report(client, proposal, bob):
    client.force_login(bob)
    assert client.get(reverse("exchanges:proposal-complete", args=[proposal.pk])).status_code == 403


def test_a_lecturer_picks_which_own_course_to_pair_from_a_partner_page(client, jan, offers):
    a, e = offers
    second = factories.make_offer(
        jan,
        title="Ocean Governance",
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )
    client.force_login(jan)
    page = client.get(a.get_absolute_url()).content.decode()
    assert "Ocean Governance" in page and "Marine Spatial Planning" in page
    response = client.get(
        reverse("exchanges:proposal-choose"), {"offer": second.pk, "partner": a.pk}
    )
    assert response["Location"] == (
        reverse("exchanges:proposal-new", args=[second.pk]) + f"?partner={a.pk}"
    )


def test_choosing_someone_elses_offer_is_refused(client, erin, offers):
    a, e = offers
    client.force_login(erin)
    response = client.get(reverse("exchanges:proposal-choose"), {"offer": e.pk, "partner": a.pk})
    assert response.status_code == 403
