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

    offer = models.ForeignKey("exchanges.Offer", on_delete=models.CASCADE, related_name="+")
    hidden = models.ForeignKey("exchanges.Offer", on_delete=models.CASCADE, related_name="+")
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


class RoundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready to publish")
    FAILED = "failed", _("Failed")
    PUBLISHED = "published", _("Published")


class PairingRound(models.Model):
    """A global, balanced pairing of open offers, run by the secretariat."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    name = models.CharField(_("name"), max_length=120)
    # Which offers and which limits: kind, level, region filters; caps; fairness slack; k.
    params = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=RoundStatus.choices, default=RoundStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    stats = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="round_progress_percent"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RoundPair(models.Model):
    pairing_round = models.ForeignKey(PairingRound, on_delete=models.CASCADE, related_name="pairs")
    asian_offer = models.ForeignKey("exchanges.Offer", on_delete=models.CASCADE, related_name="+")
    european_offer = models.ForeignKey(
        "exchanges.Offer", on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField()
    explanation = models.JSONField(default=list)

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing_round", "asian_offer", "european_offer"], name="round_pair_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.asian_offer_id} ↔ {self.european_offer_id}"
