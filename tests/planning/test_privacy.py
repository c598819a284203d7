"""The calendar feed, the reminder switch and the reminders sent are personal data: listed in
the export, erased with the account (privacy/ reads them from planning.models)."""

from __future__ import annotations

import datetime as dt

import pytest

from planning.feeds import feed_create, feed_owner
from planning.models import CalendarFeed, PlanningPreference, SessionReminder
from privacy.archive import build_archive
from privacy.erasure import account_erase

pytestmark = pytest.mark.django_db

START = dt.datetime(2027, 4, 13, 8, tzinfo=dt.UTC)


@pytest.fixture
def planned(world):
    token = feed_create(user=world.siti)
    PlanningPreference.objects.create(user=world.siti, session_reminders=False)
    SessionReminder.objects.create(
        proposal=world.proposal, recipient=world.siti, session_start=START, lead="day"
    )
    return world, token


def test_the_export_lists_them_without_the_feed_address(planned):
    world, token = planned
    archive = build_archive(world.siti)
    assert len(archive["calendar_feeds"]) == 1
    assert archive["planning_preferences"][0]["session_reminders"] is False
    assert archive["session_reminders"][0]["lead"] == "day"
    text = str(archive)
    assert token not in text and CalendarFeed.objects.get().token_hash not in text


def test_erasing_the_account_ends_the_feed(planned):
    world, token = planned
    account_erase(user=world.siti)
    assert feed_owner(token) is None
    assert not CalendarFeed.objects.exists()
    assert not PlanningPreference.objects.exists()
    assert not SessionReminder.objects.exists()
