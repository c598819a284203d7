"""In-app notifications. Each one also carries the state of its e-mail, so a task that runs
twice (a retry, a duplicate delivery) never sends it twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications import wording


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
    PARTNER_FOUND = "partner_found", _("New partner course")
    TERMS_DRAFTED = "terms_drafted", _("Terms changed by the partner")
    CHANGES = "changes", _("Changes requested by an office")
    COMMENTED = "commented", _("New comment on a proposal")
    SESSION_SOON = "session_soon", _("Joint session coming up")


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
    # None for news about no proposal yet (a partner alert's new partner course).
    proposal = models.ForeignKey(
        "exchanges.Proposal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
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
        """The line, in the active language (notifications.wording)."""
        return wording.line(self.kind, self.params)


class PartnerAlert(models.Model):
    """Partner alert, "tell me when one appears": a lecturer waits for a relevant partner
    course of one of their offers to be published in the other region. At most one
    notification a day (`PARTNER_ALERT_INTERVAL_HOURS`) gathers the partners found since
    the last."""

    offer = models.ForeignKey(
        "offers.Offer", on_delete=models.CASCADE, related_name="partner_alerts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_alerts"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("last notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner alert")
        verbose_name_plural = _("partner alerts")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["offer", "user"], name="partner_alert_once")]

    def __str__(self) -> str:
        return f"alert {self.offer_id} → {self.user_id}"


class PartnerAlertHit(models.Model):
    """A relevant partner course an alert found; told once (`notified_at`)."""

    alert = models.ForeignKey(PartnerAlert, on_delete=models.CASCADE, related_name="hits")
    partner = models.ForeignKey("offers.Offer", on_delete=models.CASCADE, related_name="+")
    found_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "partner"], name="partner_alert_hit_once")
        ]
        indexes = [
            models.Index(
                fields=["alert"],
                condition=models.Q(notified_at__isnull=True),
                name="partner_alert_hit_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} found {self.partner_id}"
