"""The planner page of a proposal: who sees it, what it suggests, picking, moving, adding
and removing sessions (saved as versions of the terms)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from exchanges.drafting import session_plan
from exchanges.models import TermsVersion
from planning.models import CalendarPeriod

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.planning.urls")]


def planner_url(world) -> str:
    return reverse("planning:planner", args=[world.proposal.pk])


def test_only_the_two_lecturers_open_the_planner(world, client):
    url = planner_url(world)
    assert client.get(url).status_code == 302  # to the sign-in page
    for person, status in [
        (world.siti, 200),
        (world.jan, 200),
        (world.erin, 404),
        (world.mei, 404),  # the offices see the proposal, not the planner
        (world.dara, 404),
    ]:
        client.force_login(person)
        assert client.get(url).status_code == status, person.email
        assert client.post(
            url, {"pick": "1", "start": "2027-03-02T08:00:00+00:00"}
        ).status_code in ((302,) if status == 200 else (404,))
    # Only the two lecturers' saves made versions.
    assert set(
        TermsVersion.objects.filter(proposal=world.proposal, number__gt=1).values_list(
            "author__email", flat=True
        )
    ) <= {world.siti.email, world.jan.email}


def test_suggestions_show_both_local_times_and_why_a_date_was_skipped(world, client):
    client.force_login(world.jan)  # Jan reads in Europe/Copenhagen
    page = client.get(planner_url(world)).content.decode()
    assert "No session is planned yet" in page
    # Hanoi 15:00 all term; Copenhagen 09:00 in winter, 10:00 in summer.
    assert "15:00–16:30" in page and "09:00–10:30" in page and "10:00–11:30" in page
    assert "Vietnam Time" in page and "Denmark Time" in page
    # Tết: Tuesday 9 February 2027 is skipped, with its name and country.
    assert re.search(r"Lunar New Year \(public holiday, Vietnam\)", page)
    assert page.count('name="start"') == 6


def test_picking_the_suggestions_saves_a_version_of_the_terms(world, client):
    client.force_login(world.siti)
    page = client.get(planner_url(world)).content.decode()
    starts = re.findall(r'name="start" value="([^"]+)"', page)
    response = client.post(planner_url(world), {"pick": "1", "start": starts}, follow=True)
    assert "The session plan is saved." in response.content.decode()
    plan = session_plan(world.proposal)
    assert [s.start.isoformat() for s in plan] == starts
    assert all(s.minutes == 90 for s in plan)
    latest = world.proposal.term_versions.order_by("-number").first()
    assert latest.author == world.siti and latest.data["session_count"] == 6
    assert "6 sessions planned." in response.content.decode()


def test_moving_removing_and_adding_sessions_in_the_readers_time_zone(world, client):
    client.force_login(world.jan)
    starts = [
        "2027-03-02T08:00:00+00:00",  # 09:00 in Copenhagen
        "2027-03-09T08:00:00+00:00",
    ]
    client.post(planner_url(world), {"pick": "1", "start": starts})
    data = {
        "s-TOTAL_FORMS": "3",
        "s-INITIAL_FORMS": "2",
        "s-MIN_NUM_FORMS": "0",
        "s-MAX_NUM_FORMS": "60",
        # the first moves to 09:30 Copenhagen time, 60 minutes
        "s-0-keep": "on",
        "s-0-date": "2027-03-02",
        "s-0-time": "09:30",
        "s-0-minutes": "60",
        # the second is removed
        "s-1-date": "2027-03-09",
        "s-1-time": "09:00",
        "s-1-minutes": "90",
        # one added after the summer time change: 10:00 in Copenhagen is 08:00 UTC
        "s-2-keep": "on",
        "s-2-date": "2027-04-06",
        "s-2-time": "10:00",
        "s-2-minutes": "90",
    }
    response = client.post(planner_url(world), data)
    assert response.status_code == 302
    plan = session_plan(world.proposal)
    assert [(s.start, s.minutes) for s in plan] == [
        (dt.datetime(2027, 3, 2, 8, 30, tzinfo=dt.UTC), 60),
        (dt.datetime(2027, 4, 6, 8, 0, tzinfo=dt.UTC), 90),
    ]
    page = client.get(planner_url(world)).content.decode()
    assert "2 sessions planned." in page
    assert "15:00–16:30" in page  # the added one in Hanoi


def test_overlapping_sessions_are_refused_with_the_reason(world, client):
    client.force_login(world.siti)
    response = client.post(
        planner_url(world),
        {
            "s-TOTAL_FORMS": "2",
            "s-INITIAL_FORMS": "0",
            "s-MIN_NUM_FORMS": "0",
            "s-MAX_NUM_FORMS": "60",
            "s-0-keep": "on",
            "s-0-date": "2027-03-02",
            "s-0-time": "15:00",
            "s-0-minutes": "90",
            "s-1-keep": "on",
            "s-1-date": "2027-03-02",
            "s-1-time": "16:00",
            "s-1-minutes": "90",
        },
    )
    assert response.status_code == 200
    assert "Session 2 starts before session 1 ends." in response.content.decode()
    assert session_plan(world.proposal) == []


def test_the_planner_skips_an_institutions_exam_weeks(world, client):
    CalendarPeriod.objects.create(
        institution=world.european_offer.institution,
        kind="exams",
        name="Spring exams",
        start=dt.date(2027, 5, 10),
        end=dt.date(2027, 5, 28),
    )
    client.force_login(world.siti)
    page = client.get(planner_url(world), {"count": "60"}).content.decode()
    assert "Spring exams (exam weeks, Aarhus University)" in page
    starts = re.findall(r'name="start" value="([^"]+)"', page)
    assert max(starts) < "2027-05-10"


def test_settled_terms_are_shown_but_not_changed(world, client):
    from tests.planning.conftest import set_plan

    set_plan(world.proposal, [dt.datetime(2027, 3, 2, 8, tzinfo=dt.UTC)], state="approved")
    client.force_login(world.siti)
    page = client.get(planner_url(world)).content.decode()
    assert "1 session planned." in page and "can no longer change here" in page
    assert "Use the picked dates" not in page and "Save the session plan" not in page
    response = client.post(
        planner_url(world), {"pick": "1", "start": "2027-03-09T08:00:00+00:00"}, follow=True
    )
    assert "The terms of this proposal can no longer change." in response.content.decode()
    assert [s.start.day for s in session_plan(world.proposal)] == [2]


def test_the_proposal_page_links_the_planner_for_its_lecturers(world, client):
    detail = reverse("exchanges:proposal-detail", args=[world.proposal.pk])
    client.force_login(world.jan)
    context = client.get(detail).context
    assert context["session_planner_url"] == planner_url(world)
    assert context["sessions_ics_url"].endswith("/sessions.ics")
    client.force_login(world.mei)
    context = client.get(detail).context
    assert context["session_planner_url"] == "" and context["sessions_ics_url"]
