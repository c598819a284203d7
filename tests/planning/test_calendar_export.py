"""The .ics of a proposal and the private, revocable feed, parsed back with icalendar."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from planning.models import CalendarFeed
from tests import factories
from tests.planning.conftest import set_plan

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.planning.urls")]

STARTS = [
    dt.datetime(2027, 3, 23, 8, 0, tzinfo=dt.UTC),  # before the European summer time
    dt.datetime(2027, 4, 13, 8, 0, tzinfo=dt.UTC),  # after it
]


def events(body: bytes) -> list:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def test_the_ics_of_a_proposal_for_its_members_only(world, client):
    set_plan(world.proposal, STARTS, state="accepted")
    url = reverse("planning:proposal-ics", args=[world.proposal.pk])
    assert client.get(url).status_code == 302
    for person, status in [
        (world.siti, 200),
        (world.jan, 200),
        (world.mei, 200),
        (world.lars, 200),
        (world.erin, 404),
        (world.dara, 404),
    ]:
        client.force_login(person)
        assert client.get(url).status_code == status, person.email

    client.force_login(world.siti)
    first = client.get(url)
    assert first["Content-Type"].startswith("text/calendar")
    assert "attachment" in first["Content-Disposition"]
    found = events(first.content)
    assert [e.decoded("dtstart") for e in found] == STARTS
    # Written in UTC ("Z"), so every calendar program places them right.
    assert re.findall(rb"DTSTART:(\S+)", first.content) == [
        b"20270323T080000Z",
        b"20270413T080000Z",
    ]
    assert [e.decoded("dtend") - e.decoded("dtstart") for e in found] == [
        dt.timedelta(minutes=90)
    ] * 2
    for event in found:
        assert "Coastal Ecosystems" in str(event["summary"])
        assert "Marine Spatial Planning" in str(event["summary"])
        assert str(event["location"]) == "Zoom"
    # The same UIDs on every download, and one per session.
    again = events(client.get(url).content)
    assert [str(e["uid"]) for e in again] == [str(e["uid"]) for e in found]
    assert len({str(e["uid"]) for e in found}) == 2


def test_a_feed_opens_without_a_session_and_is_shown_once(world, client):
    set_plan(world.proposal, STARTS, state="approved")
    # Another proposal of Jan's, declined: its sessions stay out of the feed.
    other = factories.make_offer(world.siti, title="Closed Course")
    from exchanges import services

    declined = services.proposal_create(actor=world.siti, offer=other, partner=world.european_offer)
    set_plan(declined, [dt.datetime(2027, 3, 30, 8, tzinfo=dt.UTC)], state="declined")

    client.force_login(world.jan)
    settings_url = reverse("planning:calendar")
    assert "You have no feed address." in client.get(settings_url).content.decode()
    page = client.post(settings_url, {"action": "create"}, follow=True).content.decode()
    path = re.search(r'id="feed-url" value="https?://[^/]+([^"]+)"', page).group(1)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    # Only the hash is kept; the address is not shown a second time.
    feed = CalendarFeed.objects.get(user=world.jan)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in client.get(settings_url).content.decode()

    anonymous = Client()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    found = events(response.content)
    assert [e.decoded("dtstart") for e in found] == STARTS
    assert all("Marine Spatial Planning" in str(e["summary"]) for e in found)
    feed.refresh_from_db()
    assert feed.last_used_at is not None


def test_a_revoked_feed_answers_404_and_reveals_nothing(world, client):
    set_plan(world.proposal, STARTS, state="active")
    client.force_login(world.siti)
    settings_url = reverse("planning:calendar")
    page = client.post(settings_url, {"action": "create"}, follow=True).content.decode()
    path = re.search(r'id="feed-url" value="https?://[^/]+([^"]+)"', page).group(1)
    anonymous = Client()
    assert anonymous.get(path).status_code == 200

    client.post(settings_url, {"action": "revoke"})
    gone = anonymous.get(path)
    unknown = anonymous.get(reverse("planning:feed", args=["x" * 43]))
    assert gone.status_code == unknown.status_code == 404
    assert gone.content == unknown.content
    assert b"Coastal" not in gone.content and b"VCALENDAR" not in gone.content
    assert not CalendarFeed.objects.filter(user=world.siti).exists()


def test_a_new_address_ends_the_old_one(world, client):
    set_plan(world.proposal, STARTS, state="approved")
    client.force_login(world.siti)
    settings_url = reverse("planning:calendar")
    pattern = r'id="feed-url" value="https?://[^/]+([^"]+)"'
    old = re.search(
        pattern, client.post(settings_url, {"action": "create"}, follow=True).content.decode()
    ).group(1)
    new = re.search(
        pattern, client.post(settings_url, {"action": "regenerate"}, follow=True).content.decode()
    ).group(1)
    assert old != new
    anonymous = Client()
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200


def test_the_feed_of_a_proposal_only_being_proposed_is_empty(world, client):
    set_plan(world.proposal, STARTS, state="proposed")
    client.force_login(world.jan)
    page = client.post(reverse("planning:calendar"), {"action": "create"}, follow=True)
    path = re.search(r'id="feed-url" value="https?://[^/]+([^"]+)"', page.content.decode()).group(1)
    response = Client().get(path)
    assert response.status_code == 200 and events(response.content) == []


def test_a_proposal_without_sessions_gives_an_empty_calendar(world, client):
    client.force_login(world.jan)
    response = client.get(reverse("planning:proposal-ics", args=[world.proposal.pk]))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["version"]) == "2.0" and events(response.content) == []
