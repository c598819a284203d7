"""In-app notifications. Each one also carries the state of its e-mail, so a task that runs
twice (a retry, a duplicate delivery) never sends it twice."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    RECEIVED = "received", _("Proposal received")
    ACCEPTED = "accepted", _("Proposal accepted")
    APPROVAL_NEEDED = "approval_needed", _("Approval needed")
    APPROVED = "approved", _("Proposal approved")
    REJECTED = "rejected", _("Proposal rejected")
    EXPIRING = "expiring", _("Proposal about to expire")
    EXPIRED = "expired", _("Proposal expired")
    COMPLETED = "completed", _("Exchange completed")
    DECLINED = "declined", _("Proposal declined")
    WITHDRAWN = "withdrawn", _("Proposal withdrawn")


class EmailState(models.TextChoices):
    PENDING = "pending", _("to be sent")
    SENT = "sent", _("sent")
    SKIPPED = "skipped", _("not sent: e-mails switched off")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing one person should know about a proposal.

    The line is rendered when shown, from `params`, so it reads in the viewer's language."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        # The indexes below start with the recipient; a separate one would be redundant.
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    proposal = models.ForeignKey(
        "exchanges.Proposal", on_delete=models.CASCADE, related_name="notifications"
    )
    # The transition that caused it; none for reminders, which come from the clock.
    event = models.ForeignKey(
        "exchanges.ProposalEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        # Served by the unique (event, recipient) index.
        db_index=False,
    )
    params = models.JSONField(_("text parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_state = models.CharField(
        _("e-mail"), max_length=8, choices=EmailState.choices, default=EmailState.PENDING
    )
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        db_table = "messaging_notification"  # kept from when it lived in messaging
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One notification per event and person, however often the task runs.
            models.UniqueConstraint(
                fields=["event", "recipient"],
                condition=models.Q(event__isnull=False),
                name="notification_once_per_event",
            ),
            # One reminder per proposal and person, however often the clock ticks.
            models.UniqueConstraint(
                fields=["proposal", "recipient"],
                condition=models.Q(kind="expiring"),
                name="notification_one_reminder",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in NotificationKind]),
                name="notification_kind_valid",
            ),
        ]
        indexes = [
            # The badge and "my unread, newest first": only unread rows, so it stays small.
            models.Index(
                fields=["recipient", "-created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            # The notifications page: all of mine, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    def text(self) -> str:
        """The line, in the active language."""
        p = {
            "own": "",
            "partner": "",
            "institution": "",
            "actor": "",
            "reason": "",
            "asian": "",
            "european": "",
            **self.params,
        }
        kind = self.kind
        if kind == NotificationKind.RECEIVED:
            if p.get("round"):
                line = gettext(
                    "A pairing round proposes your course “%(own)s” with “%(partner)s” "
                    "(%(institution)s)."
                )
            else:
                line = gettext(
                    "%(actor)s proposes pairing your course “%(own)s” with “%(partner)s” "
                    "(%(institution)s)."
                )
        elif kind == NotificationKind.ACCEPTED:
            line = gettext(
                "%(actor)s accepted pairing “%(own)s” with “%(partner)s”. "
                "The international offices decide next."
            )
        elif kind == NotificationKind.APPROVAL_NEEDED:
            if p.get("again"):
                line = gettext(
                    "The terms of “%(asian)s” ↔ “%(european)s” changed: "
                    "your office is asked to approve them again."
                )
            else:
                line = gettext("“%(asian)s” ↔ “%(european)s” waits for your office's approval.")
        elif kind == NotificationKind.APPROVED:
            line = gettext(
                "Both international offices approved pairing “%(own)s” with “%(partner)s”."
            )
        elif kind == NotificationKind.REJECTED:
            line = gettext(
                "An international office rejected pairing “%(own)s” with “%(partner)s”: %(reason)s"
            )
        elif kind == NotificationKind.EXPIRING:
            p["date"] = _format_date(p.get("expires_at"))
            line = gettext(
                "The proposal to pair your course “%(own)s” with “%(partner)s” expires on "
                "%(date)s. Please accept or decline it."
            )
        elif kind == NotificationKind.EXPIRED:
            line = gettext(
                "Your proposal to pair “%(own)s” with “%(partner)s” expired without an answer. "
                "See the next suggestions for your course."
            )
        elif kind == NotificationKind.DECLINED:
            line = gettext(
                "Your proposal to pair “%(own)s” with “%(partner)s” was declined. "
                "See the next suggestions for your course."
            )
        elif kind == NotificationKind.WITHDRAWN:
            line = gettext("The proposal to pair “%(own)s” with “%(partner)s” was withdrawn.")
        elif kind == NotificationKind.COMPLETED:
            line = gettext(
                "The exchange “%(asian)s” ↔ “%(european)s” is completed and its report filed."
            )
        else:
            line = "%(own)s"
        return line % p


def _format_date(value: str | None) -> str:
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# --- chat -------------------------------------------------------------------------------------
