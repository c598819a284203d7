"""The terms both lecturers draft together (issue 13, part 1): versions, checks with a
message per field, who may change them, acceptance of one exact version, the freeze that
the offices approve, and revising after the offices (part 2)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from exchanges import decisions, drafting, services
from exchanges.models import OfficeDecision, Proposal, ProposalEvent, TermsVersion

SIX_SESSIONS = [
    {"start": f"2027-03-{day:02d}T15:00:00+08:00", "minutes": 120} for day in (2, 4, 9, 11, 16, 18)
]


def fresh(p: Proposal) -> Proposal:
    return Proposal.objects.get(pk=p.pk)


def test_proposing_drafts_version_1_from_the_offers_and_the_proposer_accepts_it(
    make_proposal,
):
    p = make_proposal("proposed")
    (v1,) = TermsVersion.objects.filter(proposal=p)
    assert v1.number == 1
    assert v1.data["students_asia_to_europe"] == 35
    assert v1.data["students_europe_to_asia"] == 30
    assert v1.data["working_language"] == "en"
    assert (p.asian_accepted_version, p.european_accepted_version) == (1, None)


def test_jan_and_siti_agree_on_30_students_and_six_sessions(make_proposal, alice, jan):
    """Journey 2: they agree in the chat, record it as version 2, both accept, it freezes."""
    p = make_proposal("proposed")
    v2 = drafting.draft_save(
        proposal=p,
        actor=jan,
        changes={"students_asia_to_europe": 30, "sessions": SIX_SESSIONS},
        note="As agreed in the chat",
        accept=True,
    )
    assert v2.number == 2
    assert v2.data["sessions"][0] == {"start": "2027-03-02T07:00:00+00:00", "minutes": 120}
    p = fresh(p)
    assert p.state == "proposed"  # Siti accepted version 1 only: it needs her again
    assert (p.asian_accepted_version, p.european_accepted_version) == (1, 2)
    event = ProposalEvent.objects.filter(proposal=p, kind="terms_drafted").get()
    assert event.actor == jan
    assert "students Asia → Europe 35 → 30" in event.note
    assert "sessions planned: 6" in event.note
    assert "As agreed in the chat" in event.note

    services.proposal_accept(proposal=p, actor=alice, version=2)
    p = fresh(p)
    assert p.state == "accepted"
    assert p.terms["version"] == 2
    assert p.terms["agreed"] == v2.data
    assert p.terms["asian_offer"]["students"] == 35  # the offers stay beside them
    assert len(p.terms_hash) == 64
    # The statistics' flows come from the agreed students per direction.
    assert (p.flow_a_to_e, p.flow_e_to_a) == (30, 30)


def test_an_edit_after_one_side_accepted_needs_that_side_again(make_proposal, alice, jan):
    p = make_proposal("proposed")
    services.proposal_accept(proposal=p, actor=jan)  # both accepted version 1: accepted
    p = fresh(p)
    assert p.state == "accepted"
    drafting.draft_save(proposal=p, actor=alice, changes={"session_count": 8})
    p = fresh(p)
    assert p.state == "proposed"
    # Neither accepted version 2: Alice did not choose "Save and accept".
    assert (p.asian_accepted_version, p.european_accepted_version) == (1, 1)
    services.proposal_accept(proposal=p, actor=jan)
    assert fresh(p).state == "proposed"
    services.proposal_accept(proposal=p, actor=alice)
    p = fresh(p)
    assert p.state == "accepted"
    assert p.terms["agreed"]["session_count"] == 8


def test_accepting_a_version_that_is_no_longer_the_latest_is_refused(make_proposal, alice, jan):
    p = make_proposal("proposed")
    drafting.draft_save(proposal=p, actor=alice, changes={"platform": "Zoom"}, accept=True)
    with pytest.raises(ValidationError) as info:
        services.proposal_accept(proposal=p, actor=jan, version=1)
    assert info.value.code == "terms_changed"
    assert info.value.messages == ["The terms changed: review version 2, then accept it."]
    assert fresh(p).state == "proposed"
    with pytest.raises(ValidationError) as again:
        services.proposal_accept(proposal=p, actor=alice)
    assert again.value.code == "already_accepted"


def test_a_save_identical_to_the_latest_version_creates_nothing(make_proposal, jan):
    p = make_proposal("proposed")
    same = drafting.draft_save(proposal=p, actor=jan, changes={"students_europe_to_asia": 30})
    assert same.number == 1
    assert TermsVersion.objects.filter(proposal=p).count() == 1
    assert not ProposalEvent.objects.filter(proposal=p, kind="terms_drafted").exists()


def test_only_the_two_lecturers_change_the_terms(make_proposal, bob, charlie, erin, secretariat):
    p = make_proposal("proposed")
    for user in (bob, charlie, erin, secretariat):
        with pytest.raises(PermissionDenied):
            drafting.draft_save(proposal=p, actor=user, changes={"platform": "x"})
    assert TermsVersion.objects.filter(proposal=p).count() == 1


@pytest.mark.parametrize("state", ["approved", "declined", "withdrawn"])
def test_terms_are_not_changed_once_approved_or_closed(make_proposal, alice, state):
    p = make_proposal(state)
    with pytest.raises(ValidationError) as info:
        drafting.draft_save(proposal=p, actor=alice, changes={"platform": "x"})
    assert info.value.code == "not_editable"


BAD = [
    ({"students_asia_to_europe": 5001}, "students_asia_to_europe", "from 0 to 5000"),
    ({"students_europe_to_asia": "many"}, "students_europe_to_asia", "whole number"),
    ({"session_count": 0}, "session_count", "from 1 to 60"),
    ({"mode": "blended"}, "mode", "COIL or virtual mobility"),
    ({"working_language": "xx"}, "working_language", "working language"),
    ({"credits_asia": "-1"}, "credits_asia", "0 or more"),
    ({"credits_europe": "five"}, "credits_europe", "0 or more"),
    ({"credit_system_asia": "us"}, "credit_system_asia", "ECTS or local"),
    ({"joint_assignment": "x" * 2001}, "joint_assignment", "At most 2000"),
    ({"platform": "x" * 201}, "platform", "At most 200"),
    ({"platform": "Zoom\x00"}, "platform", "NUL"),
    ({"sessions": [{"start": "2027-03-02T15:00", "minutes": 60}]}, "sessions", "time zone"),
    ({"sessions": [{"start": "2027-03-02T15:00Z", "minutes": 10}]}, "sessions", "15 to 480"),
    (
        {
            "sessions": [
                {"start": "2027-03-04T15:00+08:00", "minutes": 60},
                {"start": "2027-03-02T15:00+08:00", "minutes": 60},
            ]
        },
        "sessions",
        "in order",
    ),
    (
        {
            "sessions": [
                {"start": "2027-03-02T15:00+08:00", "minutes": 120},
                {"start": "2027-03-02T16:00+08:00", "minutes": 60},
            ]
        },
        "sessions",
        "before session 1 ends",
    ),
    ({"session_count": 2, "sessions": SIX_SESSIONS}, "sessions", "6 sessions are planned"),
    ({"colour": "red"}, "colour", "not one of the agreed terms"),
]


@pytest.mark.parametrize(("changes", "field", "said"), BAD)
def test_each_wrong_field_is_named_with_what_to_do(make_proposal, jan, changes, field, said):
    p = make_proposal("proposed")
    with pytest.raises(ValidationError) as info:
        drafting.draft_save(proposal=p, actor=jan, changes=changes)
    assert list(info.value.message_dict) == [field]
    assert said in info.value.message_dict[field][0]
    assert TermsVersion.objects.filter(proposal=p).count() == 1


def test_credits_are_kept_as_plain_numbers(make_proposal, jan):
    p = make_proposal("proposed")
    v = drafting.draft_save(
        proposal=p, actor=jan, changes={"credits_asia": "2,50", "credits_europe": 5}
    )
    assert (v.data["credits_asia"], v.data["credits_europe"]) == ("2.5", "5")


def test_revising_after_an_approval_voids_it_and_asks_both_offices_again(
    make_proposal, alice, jan, bob, charlie
):
    """Journey 3 with the terms: an approval of other terms is void once they change."""
    p = make_proposal("accepted")
    decisions.proposal_approve(proposal=p, actor=charlie)
    drafting.draft_save(proposal=p, actor=alice, changes={"sessions": SIX_SESSIONS}, accept=True)
    p = fresh(p)
    assert p.state == "proposed"
    assert not OfficeDecision.objects.filter(proposal=p, void=False).exists()
    services.proposal_accept(proposal=p, actor=jan, version=2)
    p = fresh(p)
    assert p.state == "accepted" and p.terms["version"] == 2
    decisions.proposal_approve(proposal=p, actor=charlie)
    p = decisions.proposal_approve(proposal=p, actor=bob)
    assert p.state == "approved"


def test_a_rejected_proposal_revised_goes_back_to_the_partner_then_the_offices(
    make_proposal, alice, jan, bob, charlie
):
    p = make_proposal("rejected")
    drafting.draft_save(proposal=p, actor=alice, changes={"session_count": 5}, accept=True)
    p = fresh(p)
    assert p.state == "proposed"
    assert p.expires_at > p.updated_at  # the partner has time to answer the revision
    services.proposal_accept(proposal=p, actor=jan)
    p = fresh(p)
    assert p.state == "accepted"
    decisions.proposal_approve(proposal=p, actor=bob)
    assert decisions.proposal_approve(proposal=p, actor=charlie).state == "approved"


def test_an_offer_change_still_refreezes_keeping_the_agreed_terms(
    make_proposal, alice, jan, charlie, siti_offer
):
    from offers import services as offer_services

    p = make_proposal("proposed")
    drafting.draft_save(proposal=p, actor=jan, changes={"students_asia_to_europe": 25}, accept=True)
    services.proposal_accept(proposal=p, actor=alice)
    p = fresh(p)
    decisions.proposal_approve(proposal=p, actor=charlie)
    before = p.terms_hash
    data = offer_services.offer_data(siti_offer)
    data.fields["students"] = 40
    offer_services.offer_update(offer=siti_offer, data=data)
    p = fresh(p)
    assert p.terms_hash != before
    assert p.terms["agreed"]["students_asia_to_europe"] == 25  # the agreed draft stays
    assert p.terms["asian_offer"]["students"] == 40
    assert (p.flow_a_to_e, p.flow_e_to_a) == (25, 30)
    assert not OfficeDecision.objects.filter(proposal=p, void=False).exists()
