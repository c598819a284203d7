"""Private calendar feeds: one revocable secret URL per person, read without signing in
(calendar programs cannot sign in). The token is 256 random bits; only its SHA-256 is kept,
so the URL is shown once, when it is made."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from exchanges.models import Proposal
from offers.access import editors_q
from offers.models import Offer
from planning.models import CalendarFeed
from planning.sessions import CALENDAR_STATES, planned_sessions


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_create(*, user: User) -> str:
    """A new token for the user's feed (a former one stops working). Returns the token."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user,
        defaults={
            "token_hash": token_hash(token),
            "created_at": timezone.now(),
            "last_used_at": None,
        },
    )
    return token


def feed_revoke(*, user: User) -> bool:
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


def feed_owner(token: str) -> User | None:
    """The person whose live feed this token opens; None for anything else."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=token_hash(token), user__is_active=True)
        .first()
    )
    if feed is None:
        return None
    # Once a minute is precise enough for "last used", and spares a write per poll.
    now = timezone.now()
    if feed.last_used_at is None or (now - feed.last_used_at).total_seconds() > 60:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user


def feed_proposals(user: User):
    """The user's proposals (as a lecturer of either offer) whose sessions go in the feed."""
    mine = Offer.objects.filter(editors_q(user)).values("pk")
    return (
        Proposal.objects.filter(Q(asian_offer__in=mine) | Q(european_offer__in=mine))
        .filter(state__in=CALENDAR_STATES)
        .select_related("asian_offer__institution", "european_offer__institution")
        .order_by("pk")
    )


def feed_items(user: User) -> list:
    return [(p, planned_sessions(p)) for p in feed_proposals(user)]
