"""Request changes (issue 13, part 2): an office asks with a comment, the lecturers revise,
both sides accept again and both offices are asked again; one thread per proposal for the
lecturers and both offices; every step tells the right people once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from exchanges import decisions, drafting, services, thread
from exchanges.models import OfficeDecision, Proposal, ProposalComment
from notifications.models import Notification
from tests import factories
from tests.notifications.helpers import heard, kinds


@pytest.fixture
def anna(european_institution):
    return factories.office(
        european_institution, email="anna@wageningenuniversity.nl", full_name="Anna Bakker"
    )


@pytest.fixture
def outsiders(db):
    """A lecturer and an office of a third university, and the secretariat."""
    third = factories.InstitutionFactory(name="Chulalongkorn", country=factories.country("TH"))
    return [
        factories.lecturer(third, email="erin@chula.ac.th"),
        factories.office(third, email="office@chula.ac.th"),
        factories.UserFactory(email="paolo@secretariat.example", is_secretariat=True),
    ]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs the on-commit callbacks (the queued tasks) at the end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


EXAM_CLASH = "The session dates clash with our mid-term exams (10–14 March)."


@pytest.fixture
def accepted(make_proposal, commit):
    with commit():
        return make_proposal("accepted")


def fresh(p):
    return Proposal.objects.get(pk=p.pk)


def test_an_office_requests_changes_and_everyone_else_is_told_once(
    accepted, alice, jan, bob, anna, charlie, commit
):
    mail.outbox.clear()
    before = {u.pk: len(heard(u)) for u in (alice, jan, bob, anna, charlie)}
    with commit():
        decisions.proposal_request_changes(proposal=accepted, actor=bob, comment=EXAM_CLASH)
    p = fresh(accepted)
    assert p.state == "changes"
    assert p.get_state_display() == "Changes requested by an office"
    (decision,) = OfficeDecision.objects.filter(proposal=p, void=False)
    assert decision.decision == "changes"
    # The comment is in the thread, marked as the office's decision.
    (comment,) = ProposalComment.objects.filter(proposal=p)
    assert (comment.author, comment.body, comment.decision) == (bob, EXAM_CLASH, "changes")
    # Both lecturers and the other office (Wageningen's two officers), once each.
    for user in (alice, jan, anna, charlie):
        new = heard(user)[before[user.pk] :]
        assert [n.kind for n in new] == ["changes"], user
        assert EXAM_CLASH in new[0].text()
        assert new[0].url.endswith("#thread")
    assert len(heard(bob)) == before[bob.pk]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (alice, jan, anna, charlie)
    )


def test_a_comment_is_required_and_only_the_involved_offices_ask(accepted, alice, bob, outsiders):
    with pytest.raises(ValidationError) as info:
        decisions.proposal_request_changes(proposal=accepted, actor=bob, comment="  ")
    assert "comment" in info.value.message_dict
    for user in (alice, *outsiders):
        with pytest.raises(PermissionDenied):
            decisions.proposal_request_changes(proposal=accepted, actor=user, comment="Why?")
    assert fresh(accepted).state == "accepted"


def test_changes_only_from_accepted(make_proposal, bob):
    p = make_proposal("proposed")
    with pytest.raises(ValidationError) as info:
        decisions.proposal_request_changes(proposal=p, actor=bob, comment="Which dates?")
    assert info.value.code == "invalid_transition"


def test_journey_3_request_revise_accept_and_both_offices_approve(
    accepted, alice, jan, bob, charlie, commit
):
    with commit():
        decisions.proposal_approve(proposal=accepted, actor=charlie)
        decisions.proposal_request_changes(proposal=accepted, actor=bob, comment=EXAM_CLASH)
    sessions = [
        {"start": "2027-03-02T07:00:00+00:00", "minutes": 120},
        {"start": "2027-03-17T07:00:00+00:00", "minutes": 120},
    ]
    with commit():
        drafting.draft_save(
            proposal=accepted, actor=alice, changes={"sessions": sessions}, accept=True
        )
    p = fresh(accepted)
    assert p.state == "proposed"
    # Charlie's approval was of other terms: void.
    assert not OfficeDecision.objects.filter(proposal=p, void=False).exists()
    (revised,) = heard(jan, "terms_drafted")
    assert revised.params["again"] is True
    assert "revised the terms" in revised.text()
    assert heard(alice, "terms_drafted") == []
    assert heard(bob, "terms_drafted") == [] and heard(charlie, "terms_drafted") == []
    asked_before = len(heard(bob, "approval_needed"))
    with commit():
        services.proposal_accept(proposal=p, actor=jan, version=2)
    p = fresh(p)
    assert p.state == "accepted"
    again = heard(bob, "approval_needed")
    assert len(again) == asked_before + 1 and again[-1].params.get("again") is True
    assert heard(charlie, "approval_needed")[-1].params.get("again") is True
    decisions.proposal_approve(proposal=p, actor=bob)
    assert decisions.proposal_approve(proposal=p, actor=charlie).state == "approved"


def test_one_thread_for_the_lecturers_and_both_offices_and_nobody_else(
    accepted, alice, jan, bob, anna, charlie, outsiders, commit
):
    mail.outbox.clear()
    with commit():
        thread.comment_post(proposal=accepted, actor=anna, body="Do the credits count here?")
    assert [c.body for c in thread.comments(accepted)] == ["Do the credits count here?"]
    for user in (alice, jan, bob, charlie):
        assert kinds(user)[-1] == "commented"
        assert "Anna Bakker commented" in heard(user)[-1].text()
        assert "credits count" in heard(user)[-1].text()
    assert "commented" not in kinds(anna)
    assert len(mail.outbox) == 4
    for user in outsiders:
        with pytest.raises(Http404):
            thread.comment_post(proposal=accepted, actor=user, body="Hello?")
        assert not Notification.objects.filter(recipient=user).exists()
    with pytest.raises(ValidationError):
        thread.comment_post(proposal=accepted, actor=jan, body="   ")
    with pytest.raises(ValidationError):
        thread.comment_post(proposal=accepted, actor=jan, body="a\x00b")


def test_drafting_and_accepting_tell_the_partner_once(make_proposal, alice, jan, commit):
    with commit():
        p = make_proposal("proposed")
    with commit():
        drafting.draft_save(proposal=p, actor=jan, changes={"session_count": 9}, accept=True)
    (drafted,) = heard(alice, "terms_drafted")
    assert drafted.params["version"] == 2
    assert "Jan de Vries accepted version 2" in drafted.text()
    assert heard(jan, "terms_drafted") == []
    with commit():
        drafting.draft_save(proposal=p, actor=alice, changes={"platform": "Zoom"})
    (second,) = heard(jan, "terms_drafted")
    assert "saved version 3" in second.text()
    assert "platform" in second.params["reason"]


def test_a_lecturer_of_a_co_owned_offer_can_draft(make_proposal, alice, asian_institution):
    p = make_proposal("proposed")
    co = factories.lecturer(asian_institution, email="co@um.edu.my")
    p.asian_offer.co_owners.add(co)
    assert drafting.draft_save(proposal=p, actor=co, changes={"platform": "Teams"}).number == 2
