"""Pairing rounds: the secretariat's global, balanced pairings of open offers."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready to publish")
    PUBLISHING = "publishing", _("Publishing")
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
    # The worker computing the round touches this with every step of progress; a round
    # whose heartbeat stops is failed by rounds.compute.rounds_reap_stale.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The grace period after publishing (ROUND_UNDO_MINUTES): until `announce_at` the round
    # can be undone and its proposals' notifications wait; `announced_at` is set when
    # rounds.undo.rounds_announce_due has sent them (once).
    announce_at = models.DateTimeField(null=True, blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "matching_pairinground"  # kept from when rounds lived in matching
        ordering = ["-created_at"]
        indexes = [
            # The beat sweep's question: published rounds still waiting to be announced.
            models.Index(
                fields=["announce_at"],
                condition=models.Q(announced_at__isnull=True, announce_at__isnull=False),
                name="round_announce_pending",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="round_progress_percent"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RoundPair(models.Model):
    pairing_round = models.ForeignKey(PairingRound, on_delete=models.CASCADE, related_name="pairs")
    asian_offer = models.ForeignKey("offers.Offer", on_delete=models.CASCADE, related_name="+")
    european_offer = models.ForeignKey("offers.Offer", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    explanation = models.JSONField(default=list)

    class Meta:
        db_table = "matching_roundpair"
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing_round", "asian_offer", "european_offer"], name="round_pair_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.asian_offer_id} ↔ {self.european_offer_id}"
