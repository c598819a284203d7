from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class IscedLevel(models.TextChoices):
    BROAD = "broad", _("Broad field")
    NARROW = "narrow", _("Narrow field")
    DETAILED = "detailed", _("Detailed field")


class IscedField(models.Model):
    """An ISCED-F 2013 field of education and training (UNESCO)."""

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    level = models.CharField(_("level"), max_length=8, choices=IscedLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    label_en = models.CharField(_("label"), max_length=200)
    labels = models.JSONField(_("labels by language"), default=dict)

    class Meta:
        verbose_name = _("ISCED-F field")
        verbose_name_plural = _("ISCED-F fields")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        """The label in the active language, falling back to English."""
        lang = (translation.get_language() or "en").split("-")[0]
        return self.labels.get(lang) or self.label_en


class Sdg(models.Model):
    """One of the 17 UN Sustainable Development Goals."""

    number = models.PositiveSmallIntegerField(_("number"), primary_key=True)
    short_en = models.CharField(_("short title"), max_length=120)
    title_en = models.CharField(_("title"), max_length=300)
    short = models.JSONField(default=dict)
    title = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("sustainable development goal")
        verbose_name_plural = _("sustainable development goals")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"SDG {self.number}: {self.label}"

    @property
    def label(self) -> str:
        lang = translation.get_language() or "en"
        lang = {"zh-hans": "zh-Hans"}.get(lang, lang)
        return self.short.get(lang) or self.short_en
