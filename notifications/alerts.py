"""Partner alerts: "tell me when one appears".

A lecturer whose offer has no relevant partner yet sets an alert on it. When an offer of
the other region is published, `find_partners` (a task, on commit) records a hit for every
alert whose offer it fits — the hard rules and the relevance rule of matching, so an
irrelevant offer never fires one. `send_due` then tells each alert's lecturer, in the app
and by e-mail (their language and zone), at most once per `PARTNER_ALERT_INTERVAL_HOURS`:
one notification names the partners found since the last. It runs after each find and on
beat, so hits held back by the interval go out once it has passed. Every hit is told once:
sending marks it under a row lock on its alert, so a task that runs twice sends once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.emails import send_templated, site_url
from accounts.models import User
from matching import nearby
from notifications.models import (
    EmailState,
    Notification,
    NotificationKind,
    PartnerAlert,
    PartnerAlertHit,
)
from offers.access import offer_editor_ids
from offers.models import Offer, OfferStatus

logger = logging.getLogger(__name__)

# How many partner titles one notification names.
NAMED_IN_LINE = 3


class AlertRefused(Exception):
    """The user may not set an alert on this offer; the message says why."""


def alert_create(*, user: User, offer: Offer) -> tuple[PartnerAlert, bool]:
    """Set (or find) the user's alert on their offer: (alert, created)."""
    if user.pk not in offer_editor_ids(offer):
        raise AlertRefused(_("Only the lecturers of this offer can set an alert on it."))
    if offer.status == OfferStatus.CLOSED:
        raise AlertRefused(_("This offer is closed: open it again to look for partners."))
    return PartnerAlert.objects.get_or_create(offer=offer, user=user)


def alert_delete(*, user: User, pk: int) -> bool:
    """Remove one of the user's alerts; False when they have none of that id."""
    deleted, _ = PartnerAlert.objects.filter(pk=pk, user=user).delete()
    return deleted > 0


def interval() -> dt.timedelta:
    return dt.timedelta(hours=settings.PARTNER_ALERT_INTERVAL_HOURS)


def find_partners(offer_id: int) -> int:
    """Record a hit on every alert that the newly opened offer fits; returns how many."""
    partner = Offer.objects.filter(pk=offer_id, status=OfferStatus.OPEN).first()
    if partner is None:
        return 0
    alerts = list(
        PartnerAlert.objects.filter(offer__status=OfferStatus.OPEN)
        .exclude(offer__region=partner.region)
        .exclude(hits__partner=partner)
        .select_related("offer")
    )
    # One check of the new offer against every waiting offer at once (the rules are
    # symmetric): one features query and one text transform, however many alerts.
    fitting = {
        o.pk for o in nearby.fits(partner, list({a.offer_id: a.offer for a in alerts}.values()))
    }
    hits = [PartnerAlertHit(alert=a, partner=partner) for a in alerts if a.offer_id in fitting]
    # A duplicate delivery racing this one adds nothing: each hit is unique per alert.
    PartnerAlertHit.objects.bulk_create(hits, ignore_conflicts=True)
    return len(hits)


def send_due(now: dt.datetime | None = None) -> int:
    """Tell every alert with untold hits whose interval has passed; returns how many."""
    now = now or timezone.now()
    due = (
        PartnerAlert.objects.filter(hits__notified_at__isnull=True)
        .exclude(last_sent_at__gt=now - interval())
        .values_list("pk", flat=True)
        .distinct()
    )
    return sum(_send_one(pk, now) for pk in list(due))


def _send_one(alert_pk: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        alert = (
            PartnerAlert.objects.select_for_update()
            .select_related("offer", "user")
            .filter(pk=alert_pk)
            .first()
        )
        if alert is None or (alert.last_sent_at and alert.last_sent_at > now - interval()):
            return False
        hits = list(
            alert.hits.filter(notified_at__isnull=True)
            .select_related("partner__institution")
            .order_by("found_at", "pk")
        )
        if not hits or not alert.user.is_active:
            return False
        note = _notification(alert, [h.partner for h in hits], now)
        alert.hits.filter(pk__in=[h.pk for h in hits]).update(notified_at=now)
        alert.last_sent_at = now
        alert.save(update_fields=["last_sent_at"])
        if note.email_state == EmailState.PENDING:
            _email(note, alert, [h.partner for h in hits])
    return True


def _notification(alert: PartnerAlert, partners: list[Offer], now) -> Notification:
    first = partners[0]
    params = {
        "own": alert.offer.title,
        "partner": first.title,
        "institution": first.institution.name,
        "count": len(partners),
    }
    return Notification.objects.create(
        recipient=alert.user,
        kind=NotificationKind.PARTNER_FOUND,
        params=params,
        url=reverse("offers:offer-detail", args=[alert.offer_id]) + "#suggestions",
        created_at=now,
        email_state=EmailState.PENDING if alert.user.email_notifications else EmailState.SKIPPED,
    )


def _email(note: Notification, alert: PartnerAlert, partners: list[Offer]) -> None:
    """Sent inside the alert's lock: an SMTP failure rolls the hits back to untold, so the
    next run tries again instead of losing them."""
    send_templated(
        to=alert.user,
        template="proposal_partner_found",
        context={
            "own": alert.offer.title,
            "partners": [
                {
                    "title": p.title,
                    "institution": p.institution.name,
                    "url": site_url(reverse("offers:offer-detail", args=[p.pk])),
                }
                for p in partners[:10]
            ],
            "more": max(len(partners) - 10, 0),
            "url": site_url(note.url),
            "alerts_url": site_url(reverse("notifications:alerts")),
            "preferences_url": site_url(reverse("accounts:preferences")),
        },
    )
    note.email_state, note.emailed_at = EmailState.SENT, timezone.now()
    note.save(update_fields=["email_state", "emailed_at"])
