"""Reminders of joint sessions: the day before (24 hours) and an hour before each session
of an approved or running exchange, to both lecturers, in the app and by e-mail.

Each reminder is a SessionReminder row, unique per proposal, person, session and lead, made
in the same transaction as its in-app notification: however often the clock ticks, and
however many workers run it, each person hears once of each. A session less than an hour
away gets the hour reminder only. The switch is PlanningPreference.session_reminders (on
unless switched off); the e-mail also follows User.email_notifications."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.emails import send_templated, site_url
from accounts.models import User
from exchanges.access import proposal_editor_ids
from exchanges.models import Proposal
from notifications.models import EmailState, Notification, NotificationKind
from planning.models import PlanningPreference, ReminderLead, SessionReminder
from planning.sessions import REMINDER_STATES, planned_sessions

DAY = dt.timedelta(hours=24)
HOUR = dt.timedelta(hours=1)


def due_lead(start: dt.datetime, now: dt.datetime) -> str | None:
    """Which reminder is due for a session starting at `start`, if any."""
    ahead = start - now
    if ahead <= dt.timedelta(0):
        return None
    if ahead <= HOUR:
        return ReminderLead.HOUR
    if ahead <= DAY:
        return ReminderLead.DAY
    return None


def _recipients(proposal: Proposal) -> list[User]:
    switched_off = PlanningPreference.objects.filter(session_reminders=False).values("user_id")
    return list(
        User.objects.filter(pk__in=proposal_editor_ids(proposal), is_active=True)
        .exclude(pk__in=switched_off)
        .order_by("pk")
    )


def _remind(proposal: Proposal, user: User, start: dt.datetime, minutes: int, lead: str, now):
    """Record one reminder and its notification, once. True when this call made it."""
    with transaction.atomic():
        reminder, created = SessionReminder.objects.get_or_create(
            proposal=proposal, recipient=user, session_start=start, lead=lead
        )
        if not created:
            return False
        reminder.notification = Notification.objects.create(
            recipient=user,
            kind=NotificationKind.SESSION_SOON,
            proposal=proposal,
            params={
                "asian": proposal.asian_offer.title,
                "european": proposal.european_offer.title,
                "starts_at": start.isoformat(),
                "minutes": minutes,
                "lead": lead,
            },
            url=reverse("planning:planner", args=[proposal.pk]),
            created_at=now,
        )
        reminder.save(update_fields=["notification"])
    return True


def _deliver(reminder_id: int) -> bool:
    """Send one reminder's e-mail, once (its notification's state is claimed under a row
    lock, as notifications.planning.deliver_email does). True when this call sent it."""
    with transaction.atomic():
        reminder = SessionReminder.objects.select_related(
            "proposal__asian_offer__institution", "proposal__european_offer__institution"
        ).get(pk=reminder_id)
        n = Notification.objects.select_for_update().filter(pk=reminder.notification_id).first()
        if n is None or n.email_state != EmailState.PENDING:
            return False
        user = User.objects.get(pk=n.recipient_id)
        if not (user.email_notifications and user.is_active and user.email):
            n.email_state = EmailState.SKIPPED
            n.save(update_fields=["email_state"])
            return False
        proposal = reminder.proposal
        start = reminder.session_start
        minutes = int(n.params.get("minutes") or 0)
        asia_zone, europe_zone = proposal.asian_offer.time_zone, proposal.european_offer.time_zone
        send_templated(
            to=user,
            template="proposal_session_soon",
            context={
                "notification": n,
                "params": n.params,
                "proposal": proposal,
                "url": site_url(n.url),
                "starts_at": start,
                "ends_at": start + dt.timedelta(minutes=minutes),
                "minutes": minutes,
                "lead": n.params.get("lead"),
                "asia_start": start.astimezone(zoneinfo.ZoneInfo(asia_zone)),
                "europe_start": start.astimezone(zoneinfo.ZoneInfo(europe_zone)),
            },
        )
        n.email_state = EmailState.SENT
        n.emailed_at = timezone.now()
        n.save(update_fields=["email_state", "emailed_at"])
    return True


def send_session_reminders(*, now: dt.datetime | None = None) -> int:
    """Make the reminders due now and send their e-mails. Returns how many e-mails went out."""
    now = now or timezone.now()
    proposals = Proposal.objects.filter(state__in=REMINDER_STATES).select_related(
        "asian_offer", "european_offer"
    )
    for proposal in proposals.iterator(chunk_size=200):
        due = [
            (s, lead)
            for s in planned_sessions(proposal)
            if (lead := due_lead(s.start, now)) is not None
        ]
        if not due:
            continue
        people = _recipients(proposal)
        for session, lead in due:
            for user in people:
                _remind(proposal, user, session.start, session.minutes, lead, now)
    # Also the e-mails a failed run left unsent, while the session is still to come.
    pending = SessionReminder.objects.filter(
        session_start__gt=now, notification__email_state=EmailState.PENDING
    ).order_by("pk")
    return sum(_deliver(pk) for pk in pending.values_list("pk", flat=True))
