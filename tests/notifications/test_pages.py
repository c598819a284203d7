"""The notifications page and the badge in the navigation."""

import datetime as dt
import zoneinfo

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from notifications.context_processors import BADGE_CAP, NotificationBadge, notifications
from notifications.models import Notification, NotificationKind
from tests.notifications.helpers import heard

pytestmark = pytest.mark.django_db

PAGE = "/notifications/"


def pin(user, proposal, n: int = 1, title: str = "Course") -> list[Notification]:
    """n notifications for user about proposal, one minute apart, newest last."""
    now = timezone.now()
    return [
        Notification.objects.create(
            recipient=user,
            kind=NotificationKind.APPROVED,
            proposal=proposal,
            params={"own": f"{title} {i}", "partner": "Partner"},
            url=f"/proposals/{proposal.pk}/",
            created_at=now - dt.timedelta(minutes=n - i),
        )
        for i in range(n)
    ]


def test_the_page_lists_ones_own_notifications_newest_first(client, proposal, jan, alice):
    pin(jan, proposal, 2)
    pin(alice, proposal, 1, title="Alice's secret")
    client.force_login(jan)
    body = client.get(PAGE).content.decode()
    # The proposal's own notification came last, the two pinned ones a minute apart before.
    received = body.index("“Marine Spatial Planning”")
    assert received < body.index("“Course 1”") < body.index("“Course 0”")
    assert "Alice&#x27;s secret" not in body and "Alice's secret" not in body


def test_the_badge_shows_the_unread_count_to_signed_in_users(client, proposal, jan):
    client.force_login(jan)
    body = client.get(reverse("dashboard:dashboard")).content.decode()
    assert '<span class="badge">1<span class="visually-hidden"> unread</span></span>' in body
    assert f'href="{PAGE}"' in body


def test_the_badge_costs_one_query_and_only_when_shown(proposal, jan, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = jan
    badge = notifications(request)["notification_badge"]
    with django_assert_num_queries(1):
        assert badge.unread == 1
        assert badge.unread == 1
        assert badge.label == "1"


def test_a_long_unread_list_shows_as_99_plus(proposal, jan):
    pin(jan, proposal, BADGE_CAP + 5)
    assert NotificationBadge(jan).label == "99+"


def test_visitors_get_no_badge_and_are_sent_to_sign_in(client):
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert notifications(request) == {}
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert client.post(reverse("notifications:notifications-read-all")).status_code == 302


def test_marking_one_read_leaves_the_others_unread(client, proposal, jan):
    first, second = pin(jan, proposal, 2)
    client.force_login(jan)
    response = client.post(reverse("notifications:notification-read", args=[first.pk]))
    assert response.status_code == 302
    assert response.url == PAGE
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_opening_a_notification_marks_it_read_and_goes_to_its_proposal(client, proposal, jan):
    (note,) = heard(jan)
    client.force_login(jan)
    response = client.post(
        reverse("notifications:notification-read", args=[note.pk]), {"next": note.url}
    )
    assert response.url == f"/proposals/{proposal.pk}/"
    assert client.get(response.url).status_code == 200
    note.refresh_from_db()
    assert note.read_at is not None


def test_an_outside_next_address_is_not_followed(client, proposal, jan):
    (note,) = heard(jan)
    client.force_login(jan)
    response = client.post(
        reverse("notifications:notification-read", args=[note.pk]),
        {"next": "https://evil.example/phish"},
    )
    assert response.url == PAGE


def test_marking_all_read_empties_the_badge(client, proposal, jan):
    pin(jan, proposal, 3)
    client.force_login(jan)
    client.post(reverse("notifications:notifications-read-all"))
    assert not Notification.objects.filter(recipient=jan).unread().exists()
    body = client.get(PAGE).content.decode()
    assert '<span class="badge">' not in body
    assert "Mark all as read" not in body


def test_someone_elses_notification_is_not_found(client, proposal, jan, alice):
    (note,) = heard(jan)
    client.force_login(alice)
    response = client.post(reverse("notifications:notification-read", args=[note.pk]))
    assert response.status_code == 404
    client.post(reverse("notifications:notifications-read-all"))
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_read_takes_a_post(client, proposal, jan):
    (note,) = heard(jan)
    client.force_login(jan)
    assert client.get(reverse("notifications:notification-read", args=[note.pk])).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


def test_the_page_shows_times_in_the_viewers_time_zone(client, proposal, jan):
    (note,) = heard(jan)
    client.force_login(jan)  # Europe/Amsterdam
    body = client.get(PAGE).content.decode()
    local = timezone.localtime(note.created_at, zoneinfo.ZoneInfo("Europe/Amsterdam"))
    assert f'datetime="{local.isoformat()}"' in body


def test_every_kind_has_its_line_and_its_three_email_templates():
    from django.template.loader import get_template

    from notifications import wording

    for kind in NotificationKind.values:
        assert (kind, "") in wording.LINES
        for part in ("subject.txt", "body.txt", "body.html"):
            get_template(f"emails/{wording.email_template(kind)}_{part}")
