"""Academic calendars of institutions, private calendar feeds, the reminder switch and the
reminders sent."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A period longer than this is a typing error (a year in the wrong field), not a break.
MAX_PERIOD_DAYS = 366


class PeriodKind(models.TextChoices):
    EXAMS = "exams", _("Exam weeks")
    BREAK = "break", _("Break")
    CLOSURE = "closure", _("Other closure")


class CalendarPeriod(models.Model):
    """Days an institution holds no joint sessions, kept by its international office."""

    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.CASCADE,
        related_name="calendar_periods",
        verbose_name=_("institution"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=PeriodKind.choices)
    name = models.CharField(_("name"), max_length=200)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("academic calendar period")
        verbose_name_plural = _("academic calendar periods")
        ordering = ["institution", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="calendar_period_ordered",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            models.CheckConstraint(
                condition=models.Q(end__lte=models.F("start") + dt.timedelta(MAX_PERIOD_DAYS)),
                name="calendar_period_at_most_a_year",
                violation_error_message=_("A period lasts at most a year."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in PeriodKind]),
                name="calendar_period_kind_valid",
            ),
        ]
        # The planner reads one institution's periods that touch a term.
        indexes = [models.Index(fields=["institution", "end"], name="calendar_period_inst_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.start}–{self.end})"


class CalendarFeed(models.Model):
    """A person's private calendar feed. Only the SHA-256 of its random token is kept:
    the URL is shown once, and a stolen database does not give the feeds away."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"feed of {self.user_id}"


class PlanningPreference(models.Model):
    """A person's choices about session reminders; no row means the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="planning_preference"
    )
    session_reminders = models.BooleanField(
        _("remind me of joint sessions"),
        default=True,
        help_text=_("The day before and an hour before each session, in the app and by e-mail."),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("planning preference")
        verbose_name_plural = _("planning preferences")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class ReminderLead(models.TextChoices):
    DAY = "day", _("The day before")
    HOUR = "hour", _("An hour before")


class SessionReminder(models.Model):
    """One reminder of one session to one person: the row exists once, however often the
    clock ticks or how many workers run it."""

    proposal = models.ForeignKey(
        "exchanges.Proposal", on_delete=models.CASCADE, related_name="session_reminders"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_reminders"
    )
    session_start = models.DateTimeField()
    lead = models.CharField(max_length=4, choices=ReminderLead.choices)
    notification = models.ForeignKey(
        "notifications.Notification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "recipient", "session_start", "lead"],
                name="session_reminder_once",
            ),
            models.CheckConstraint(
                condition=models.Q(lead__in=["day", "hour"]), name="session_reminder_lead_valid"
            ),
        ]
        # The retry of unsent e-mails reads the reminders of sessions still to come.
        indexes = [models.Index(fields=["session_start"], name="session_reminder_start_idx")]

    def __str__(self) -> str:
        return f"{self.lead} reminder of {self.session_start:%Y-%m-%d %H:%M} → {self.recipient_id}"
