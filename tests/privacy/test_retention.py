"""The nightly retention sweep removes what Tandem no longer needs, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User
from config.celery import app
from notifications.models import Notification
from privacy import tasks
from tests import factories

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def sign_up(email: str) -> User:
    """Through the real sign-up page; the address is never confirmed."""
    response = Client().post(
        reverse("account_signup"),
        {
            "email": email,
            "full_name": "Someone",
            "time_zone": "UTC",
            "password1": "tides-and-mangroves-2026",
            "password2": "tides-and-mangroves-2026",
        },
    )
    assert response.status_code == 302
    return User.objects.get(email=email)


def _age(user: User, days: int) -> None:
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - days * DAY)


def sweep() -> dict:
    return tasks.apply_retention.delay().get()


def test_sign_ups_never_confirmed_go_after_the_set_days(settings):
    settings.PRIVACY_UNVERIFIED_DAYS = 14
    stale = sign_up("stale@example.org")
    _age(stale, 15)
    recent = sign_up("recent@example.org")
    _age(recent, 13)
    confirmed = factories.UserFactory(email="confirmed@example.org")
    _age(confirmed, 400)
    # Made by an administrator (createsuperuser, the demo): no address row at all.
    admin = User.objects.create_superuser(
        "admin@example.org", "pw-for-the-admin-2026", full_name="Admin"
    )
    _age(admin, 400)
    made_by_hand = User.objects.create_user(
        "hand@example.org", "pw-for-a-hand-made-2026", full_name="Hand"
    )
    _age(made_by_hand, 400)

    removed = sweep()

    assert removed["unverified_accounts"] == 1
    assert not User.objects.filter(email="stale@example.org").exists()
    assert not EmailAddress.objects.filter(email="stale@example.org").exists()
    remaining = set(User.objects.values_list("email", flat=True))
    assert remaining == {
        "recent@example.org",
        "confirmed@example.org",
        "admin@example.org",
        "hand@example.org",
    }
    # The address is free again.
    assert sign_up("stale@example.org").pk != stale.pk
    assert sweep()["unverified_accounts"] == 0


def test_old_notifications_go_recent_ones_stay(settings, alice, jan, proposal):
    settings.PRIVACY_NOTIFICATION_DAYS = 365
    old = Notification.objects.create(recipient=jan, kind="received", proposal=proposal, url="/")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - 366 * DAY)
    recent = Notification.objects.create(
        recipient=alice, kind="accepted", proposal=proposal, url="/"
    )
    Notification.objects.filter(pk=recent.pk).update(created_at=timezone.now() - 364 * DAY)

    assert sweep()["notifications"] == 1

    assert list(Notification.objects.values_list("pk", flat=True)) == [recent.pk]
    client = Client()
    client.force_login(alice)
    assert client.get(reverse("notifications:notifications")).status_code == 200


def test_expired_sessions_keys_and_tokens_of_switched_off_accounts_go(alice):
    live = Client()
    live.force_login(alice)
    Session.objects.create(
        session_key="x" * 32, session_data="e30:expired", expire_date=timezone.now() - DAY
    )
    unconfirmed = sign_up("waiting@example.org")
    address = EmailAddress.objects.get(user=unconfirmed)
    old_key = EmailConfirmation.objects.create(
        email_address=address, key="old" * 10, sent=timezone.now() - 30 * DAY
    )
    fresh_key = EmailConfirmation.objects.create(
        email_address=address, key="new" * 10, sent=timezone.now()
    )
    switched_off = factories.UserFactory(is_active=False)
    Token.objects.create(user=switched_off)
    kept = Token.objects.create(user=alice)

    removed = sweep()

    assert removed["sessions"] == 1 and removed["confirmation_keys"] == 1
    assert removed["tokens"] == 1
    assert not Session.objects.filter(session_key="x" * 32).exists()
    assert live.get(reverse("dashboard:dashboard")).status_code == 200
    assert not EmailConfirmation.objects.filter(pk=old_key.pk).exists()
    assert EmailConfirmation.objects.filter(pk=fresh_key.pk).exists()
    assert list(Token.objects.values_list("key", flat=True)) == [kept.key]


def test_the_sweep_runs_every_night_from_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    app.loader.import_default_modules()
    assert entry["task"] == "privacy.tasks.apply_retention" and entry["task"] in app.tasks
    assert entry["schedule"].hour == {3}
