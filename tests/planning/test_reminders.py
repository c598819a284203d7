"""Reminders of joint sessions: the day before and an hour before, to both lecturers, in
the app and by e-mail, each once, as each person chose."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import EmailState, Notification
from planning.models import PlanningPreference, SessionReminder
from planning.reminders import send_session_reminders
from tests.planning.conftest import set_plan

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.planning.urls")]

# Tuesday 13 April 2027, 08:00 UTC: 15:00 in Hanoi, 10:00 in Copenhagen (summer time).
START = dt.datetime(2027, 4, 13, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def approved(world):
    world.siti.time_zone = "Asia/Ho_Chi_Minh"
    world.siti.save()
    world.jan.preferred_language = "de"
    world.jan.save()
    set_plan(world.proposal, [START, START + dt.timedelta(days=7)], state="approved")
    return world


def reminders_of(user) -> list[tuple[str, str]]:
    return sorted(
        SessionReminder.objects.filter(recipient=user).values_list("lead", "session_start")
    )


def test_the_day_before_and_an_hour_before_each_once(approved):
    w = approved
    assert send_session_reminders(now=START - dt.timedelta(hours=25)) == 0
    assert send_session_reminders(now=START - dt.timedelta(hours=23)) == 2
    assert send_session_reminders(now=START - dt.timedelta(hours=22)) == 0  # told already
    assert send_session_reminders(now=START - dt.timedelta(minutes=50)) == 2
    assert send_session_reminders(now=START - dt.timedelta(minutes=45)) == 0
    assert send_session_reminders(now=START + dt.timedelta(minutes=5)) == 0  # started
    for person in (w.siti, w.jan):
        assert reminders_of(person) == [("day", START), ("hour", START)]
        notes = Notification.objects.filter(recipient=person, kind="session_soon")
        assert notes.count() == 2
        assert all(n.email_state == EmailState.SENT for n in notes)
        assert all(n.url == reverse("planning:planner", args=[w.proposal.pk]) for n in notes)
    assert len(mail.outbox) == 4
    assert (
        not Notification.objects.exclude(recipient__in=[w.siti, w.jan])
        .filter(kind="session_soon")
        .exists()
    )


def test_each_email_in_the_recipients_language_and_time_zone(approved):
    w = approved
    send_session_reminders(now=START - dt.timedelta(hours=20))
    by_person = {m.to[0]: m for m in mail.outbox}
    siti, jan = by_person[w.siti.email], by_person[w.jan.email]
    assert "Tomorrow: joint session at 15:00" in siti.subject
    assert "15:00–16:30 your time (Vietnam Time)" in siti.body
    assert "In Denmark: 10:00 (Denmark Time)" in siti.body
    assert "In Vietnam: 15:00 (Vietnam Time)" in siti.body
    # Jan reads German dates, at Copenhagen time.
    assert "Dienstag 13 April 2027" in jan.body or "Dienstag 13. April 2027" in jan.body
    assert "10:00–11:30" in jan.body
    html = jan.alternatives[0][0]
    assert "Marine Spatial Planning" in html and "10:00–11:30" in html
    line = Notification.objects.get(recipient=w.siti).text()
    assert "Coastal Ecosystems" in line and "Marine Spatial Planning" in line


def test_reminders_switched_off_on_the_calendar_page(approved, client):
    w = approved
    client.force_login(w.jan)
    page = client.get(reverse("planning:calendar")).content.decode()
    assert 'name="session_reminders"' in page and "checked" in page
    response = client.post(reverse("planning:calendar"), {"action": "preferences"})
    assert response.status_code == 302
    assert PlanningPreference.objects.get(user=w.jan).session_reminders is False

    send_session_reminders(now=START - dt.timedelta(hours=23))
    assert reminders_of(w.jan) == []
    assert [m.to for m in mail.outbox] == [[w.siti.email]]


def test_email_switched_off_keeps_the_in_app_reminder(approved):
    w = approved
    w.jan.email_notifications = False
    w.jan.save()
    send_session_reminders(now=START - dt.timedelta(minutes=30))
    note = Notification.objects.get(recipient=w.jan, kind="session_soon")
    assert note.email_state == EmailState.SKIPPED
    assert reminders_of(w.jan) == [("hour", START)]  # too late for the day-before one
    assert [m.to for m in mail.outbox] == [[w.siti.email]]


@pytest.mark.parametrize("state", ["proposed", "accepted", "declined", "completed"])
def test_no_reminder_for_an_exchange_not_approved_or_running(world, state):
    set_plan(world.proposal, [START], state=state)
    assert send_session_reminders(now=START - dt.timedelta(hours=2)) == 0
    assert not SessionReminder.objects.exists()
    assert not Notification.objects.filter(kind="session_soon").exists()
