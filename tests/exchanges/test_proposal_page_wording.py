"""The proposal page reads right (issue 13, part 5): worded for its viewer and state, the
next step always stated, the expiry in the proposer's time zone with the partner's usual
answer time, the terms draft as a form with its versions, and the next suggestions once a
proposal closed. And the offices' queue shows the agreed terms."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from exchanges import drafting, services
from matching import engine
from tests import factories


def page(client, user, p) -> str:
    client.force_login(user)
    response = client.get(reverse("exchanges:proposal-detail", args=[p.pk]))
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_proposer_reads_that_she_proposed_when_it_expires_and_how_fast_jan_answers(
    client, make_proposal, alice
):
    alice.time_zone = "Asia/Kuala_Lumpur"
    alice.save()
    p = make_proposal("proposed")
    body = text(page(client, alice, p))
    assert "You proposed this pairing on" in body
    assert "waiting for Jan de Vries to answer" in body
    assert "The Asian side has accepted" not in body
    with translation.override("en"):
        local = timezone.localtime(p.expires_at, zoneinfo.ZoneInfo("Asia/Kuala_Lumpur"))
        assert formats.date_format(local, "DATETIME_FORMAT") in body
    assert "your time, Malaysia (Kuala Lumpur) Time" in body
    assert "Jan de Vries has no history of answers yet." in body
    assert "Withdraw the proposal" in body and ">Decline<" not in body


def test_the_recipient_accepts_or_declines_with_the_comment_inside_the_decline_form(
    client, make_proposal, jan
):
    p = make_proposal("proposed")
    html = page(client, jan, p)
    body = text(html)
    assert "Alice Tan proposes pairing your course with theirs." in body
    assert "Your next step: review the terms below" in body
    assert "Accept version 1 of the terms" in body
    assert "Withdraw" not in body
    decline = re.search(r'<form[^>]+/decline/"[^>]*>(.*?)</form>', html, re.S).group(1)
    assert 'name="note"' in decline and "Decline" in decline
    accept = re.search(r'<form[^>]+/accept/"[^>]*>(.*?)</form>', html, re.S).group(1)
    assert 'name="note"' not in accept


def test_after_acceptance_both_lecturers_read_that_the_offices_decide_next(
    client, make_proposal, alice, jan, bob
):
    p = make_proposal("accepted")
    for user in (alice, jan):
        body = text(page(client, user, p))
        assert "Both sides accepted version 1 of the terms." in body
        assert "the international offices of both institutions approve them" in body
    office = text(page(client, bob, p))
    assert "Your next step: approve them, request changes with a question" in office
    assert "Request changes" in office


def test_the_terms_form_saves_a_version_in_the_viewers_time_zone(client, make_proposal, jan):
    jan.time_zone = "Europe/Amsterdam"
    jan.save()
    p = make_proposal("proposed")
    client.force_login(jan)
    url = reverse("exchanges:proposal-terms", args=[p.pk])
    form = {
        **{k: v for k, v in drafting.current_version(p).data.items() if k != "sessions"},
        "credits_asia": "",
        "credits_europe": "5",
        "students_asia_to_europe": 30,
        "sessions": "2027-03-02 08:00 120\n2027-03-30 08:00 120",
        "accept": "1",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    v2 = p.term_versions.get(number=2)
    # 08:00 in Amsterdam: winter time, then summer time after 28 March.
    assert [s["start"] for s in v2.data["sessions"]] == [
        "2027-03-02T07:00:00+00:00",
        "2027-03-30T06:00:00+00:00",
    ]
    body = text(page(client, jan, p))
    assert "Version 2 by Jan de Vries" in body
    assert "students Asia → Europe 35 → 30" in body
    assert "Wageningen University (European side) accepted version 2." in body
    assert "Universiti Malaya (Asian side) accepted version 1." in body
    # Both local times of each session: 15:00 in Kuala Lumpur, 08:00 in Amsterdam.
    assert "Tue 2 Mar 2027, 15:00" in body and "Tue 2 Mar 2027, 08:00" in body
    assert "Tue 30 Mar 2027, 14:00" in body and "Tue 30 Mar 2027, 08:00" in body

    bad = client.post(url, {**form, "sessions": "tomorrow at noon", "session_count": 0})
    assert bad.status_code == 400
    assert "Line 1: write a date, a start time and the minutes" in bad.content.decode()
    assert p.term_versions.count() == 2


def test_a_third_lecturer_cannot_post_terms_or_comments(client, make_proposal, erin):
    p = make_proposal("proposed")
    client.force_login(erin)
    for name in ("proposal-terms", "proposal-comment"):
        response = client.post(reverse(f"exchanges:{name}", args=[p.pk]), {"body": "x"})
        assert response.status_code == 404


@pytest.fixture
def fit_model(db):
    def fit():
        assert engine.refit() is not None

    return fit


def test_after_a_decline_the_proposer_sees_her_next_suggestions(
    client, make_proposal, alice, jan, european_institution, fit_model
):
    other = factories.lecturer(european_institution, email="lena@wur.nl", full_name="Lena")
    factories.make_offer(
        other,
        title="Coastal Zone Management",
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )
    p = make_proposal("declined")
    fit_model()
    body = text(page(client, alice, p))
    assert "This proposal was declined." in body
    assert "Next suggestions for your course" in body
    assert "Coastal Zone Management" in body
    assert "Marine Spatial Planning (Wageningen" not in body.split("Next suggestions")[1][:300]


def test_the_queue_shows_students_per_direction_and_session_dates(
    client, make_proposal, alice, jan, bob
):
    p = make_proposal("proposed")
    drafting.draft_save(
        proposal=p,
        actor=jan,
        changes={
            "students_asia_to_europe": 30,
            "sessions": [{"start": "2027-03-02T07:00:00+00:00", "minutes": 120}],
        },
        accept=True,
    )
    services.proposal_accept(proposal=p, actor=alice)
    bob.time_zone = "Asia/Kuala_Lumpur"
    bob.save()
    client.force_login(bob)
    body = text(client.get(reverse("exchanges:approval-queue")).content.decode())
    assert "Asia → Europe 30 · Europe → Asia 30" in body
    assert "Tue 2 Mar 2027, 15:00" in body
    assert "Approve" in body and "Request changes" in body and "Reject" in body
