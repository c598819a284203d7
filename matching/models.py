from django.conf import settings
from django.db import models
from django.utils import timezone


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
