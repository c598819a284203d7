from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TextModelVersion(models.Model):
    """One fitted similarity model. The newest ready one is used; files live in the
    default storage so that every web and worker process, on any machine, can load it."""

    format_version = models.PositiveIntegerField()
    data_hash = models.CharField(max_length=64)
    file = models.CharField(max_length=255)
    offers = models.PositiveIntegerField(default=0)
    size_bytes = models.PositiveBigIntegerField(default=0)
    fit_seconds = models.FloatField(default=0)
    fitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]
        get_latest_by = "pk"

    def __str__(self) -> str:
        return f"model v{self.pk} ({self.offers} offers)"


class HiddenSuggestion(models.Model):
    """A partner offer a lecturer does not want suggested for one of their offers."""

    offer = models.ForeignKey("offers.Offer", on_delete=models.CASCADE, related_name="+")
    hidden = models.ForeignKey("offers.Offer", on_delete=models.CASCADE, related_name="+")
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offer", "hidden"], name="hidden_once_per_offer")
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} hides {self.hidden_id}"


class SuggestionEventKind(models.TextChoices):
    SHOWN = "shown", _("Shown")
    OPENED = "opened", _("Opened")
    PROPOSED = "proposed", _("Proposed")
    HIDDEN = "hidden", _("Hidden")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")


# Kinds kept once per pair and day: page views repeat, the first of a day says enough.
DAILY_KINDS = (SuggestionEventKind.SHOWN, SuggestionEventKind.OPENED)


class SuggestionEvent(models.Model):
    """What happened to one suggested pair, seen from `offer`'s side, with the pair's
    component values (matching.features.Weights.SOFT, None where one does not apply) and
    score at that moment. No person and no text: the ranking learns from these
    (matching.learning), and nothing here identifies who acted."""

    offer = models.ForeignKey("offers.Offer", on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey("offers.Offer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=SuggestionEventKind.choices)
    components = models.JSONField(default=dict)
    score = models.FloatField(null=True)
    rank = models.PositiveSmallIntegerField(null=True)
    at = models.DateTimeField(default=timezone.now)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "partner", "kind", "day"],
                condition=models.Q(kind__in=["shown", "opened"]),
                name="suggestion_event_daily",
            ),
        ]
        indexes = [
            # The fit reads a time window; a pair's events are looked up by the pair.
            models.Index(fields=["at"], name="suggestion_event_at_idx"),
            models.Index(fields=["offer", "partner", "at"], name="suggestion_event_pair_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id}→{self.partner_id} {self.kind}"


class RankingModel(models.Model):
    """One fit of the suggestion ranking on recorded outcomes, with its evaluation on the
    newest outcomes held out. Used (`active`) only when it ranked them better than the
    fixed weights; at most one is active, the newest fit decides."""

    fitted_at = models.DateTimeField(default=timezone.now)
    weights = models.JSONField(default=dict)
    events = models.PositiveIntegerField(default=0)
    pairs = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict)
    active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_ranking"
            )
        ]

    def __str__(self) -> str:
        return f"ranking {self.pk} ({'active' if self.active else 'inactive'})"
