"""Offers: what a lecturer puts on the table, and the reference data they are described with.

The tables keep the names they had when offers lived in the exchanges app (no data moved)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_time_zone
from offers.description_language import description_language_field
from offers.languages import LANGUAGE_NAMES
from offers.validation import TERM_CONSTRAINT, validate_term_day


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
        db_table = "exchanges_iscedfield"
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
        db_table = "exchanges_sdg"
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


# --- offers ---------------------------------------------------------------------

# Pages show these; core.vocabulary.WEEKDAYS holds the file format's names.
WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class OfferKind(models.TextChoices):
    COIL = "coil", _("COIL — two classes work together")
    VIRTUAL_MOBILITY = "virtual_mobility", _("Virtual mobility — seats for partner students")
    BLENDED = "blended", _("Blended — virtual plus a short physical phase")


class OfferLevel(models.TextChoices):
    EQF4 = "4", _("EQF 4 — upper secondary / vocational")
    EQF5 = "5", _("EQF 5 — short-cycle tertiary / TVET")
    EQF6 = "6", _("EQF 6 — bachelor")
    EQF7 = "7", _("EQF 7 — master")
    EQF8 = "8", _("EQF 8 — doctorate")
    NONFORMAL = "nonformal", _("Non-formal / lifelong learning")


class Cefr(models.TextChoices):
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"


class Priority(models.TextChoices):
    QUALITY = "quality_recognition", _("Quality assurance and recognition")
    BUSINESS = "business_industry", _("Engaging business and industry")
    MOBILITY = "balanced_mobility", _("Balanced mobility")
    LIFELONG = "lifelong_learning", _("Lifelong learning including TVET")


class TransversalSkill(models.TextChoices):
    INTERCULTURAL = "intercultural", _("Intercultural competence")
    TEAMWORK = "teamwork", _("Teamwork in distributed teams")
    DIGITAL = "digital", _("Digital skills")
    CRITICAL = "critical_thinking", _("Critical thinking")
    COMMUNICATION = "communication", _("Communication in a foreign language")
    PROBLEM_SOLVING = "problem_solving", _("Problem solving")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship")
    SUSTAINABILITY = "sustainability", _("Sustainability competences")


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    PAIRED = "paired", _("Paired")
    CLOSED = "closed", _("Closed")


class OfferQuerySet(models.QuerySet["Offer"]):
    def open(self) -> "OfferQuerySet":
        return self.filter(status=OfferStatus.OPEN)

    def public(self) -> "OfferQuerySet":
        """What a visitor may see: open offers only."""
        return self.filter(status=OfferStatus.OPEN)


class Offer(models.Model):
    """A course a lecturer puts on the table, to run with a partner course in the other region."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="offers"
    )
    co_owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="co_owned_offers",
        verbose_name=_("co-owners"),
    )
    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("institution"),
    )
    # Copied from the institution when the offer is created: the catalogue filters and
    # the matcher's "other region" rule read them without joining two more tables.
    country = models.ForeignKey(
        "accounts.Country", on_delete=models.PROTECT, related_name="offers", editable=False
    )
    region = models.CharField(_("region"), max_length=6, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=OfferKind.choices)
    title = models.CharField(_("course title"), max_length=200)
    description = models.TextField(_("description"), max_length=10_000)
    learning_outcomes = models.TextField(_("learning outcomes"), max_length=5_000, blank=True)
    description_language = description_language_field()  # ISO 639-1, '' when not known
    isced = models.ForeignKey(
        IscedField,
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("field of education (ISCED-F)"),
        help_text=_("The detailed field, four digits: 0521 is “Environmental sciences”."),
    )
    level = models.CharField(_("level"), max_length=10, choices=OfferLevel.choices)
    students = models.PositiveIntegerField(
        _("students or seats"), validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    term_start = models.DateField(_("term starts"), validators=[validate_term_day])
    term_end = models.DateField(_("term ends"), validators=[validate_term_day])
    duration_weeks = models.PositiveSmallIntegerField(
        _("duration in weeks"), validators=[MinValueValidator(1), MaxValueValidator(104)]
    )
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    sync_sessions = models.PositiveSmallIntegerField(
        _("synchronous sessions wanted"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("0 if the course runs without live sessions."),
    )
    sdgs = models.ManyToManyField(Sdg, blank=True, related_name="offers", verbose_name=_("SDGs"))
    priority = models.CharField(
        _("ASEM thematic priority"), max_length=24, choices=Priority.choices, blank=True
    )
    theme_digitalisation = models.BooleanField(_("digitalisation"), default=False)
    theme_sustainability = models.BooleanField(_("sustainable development"), default=False)
    skills = models.JSONField(_("transversal skills"), default=list, blank=True)
    preferred_countries = models.ManyToManyField(
        "accounts.Country", blank=True, related_name="+", verbose_name=_("preferred countries")
    )
    excluded_countries = models.ManyToManyField(
        "accounts.Country", blank=True, related_name="+", verbose_name=_("excluded countries")
    )
    partners_sought = models.PositiveSmallIntegerField(
        _("partners sought"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    # Approved pairings so far; the database refuses more than partners_sought.
    approved_pairings = models.PositiveSmallIntegerField(default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=8, choices=OfferStatus.choices, default=OfferStatus.DRAFT
    )
    # Title, description, outcomes, field and institution in one text, for search.
    search_document = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    duplicated_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OfferQuerySet.as_manager()

    class Meta:
        db_table = "exchanges_offer"
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gt=models.F("term_start")),
                name="offer_term_end_after_start",
                violation_error_message=_("The term must end after it starts."),
            ),
            TERM_CONSTRAINT,  # offer_term_in_window: 2000–2100, at most four years
            models.CheckConstraint(
                condition=models.Q(duration_weeks__gte=1)
                & models.Q(students__gte=1)
                & models.Q(partners_sought__gte=1),
                name="offer_positive_numbers",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "open", "paired", "closed"]),
                name="offer_status_valid",
            ),
            models.CheckConstraint(  # a draft may be closed unpublished
                condition=models.Q(status__in=["draft", "closed"])
                | models.Q(published_at__isnull=False),
                name="offer_published_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(approved_pairings__lte=models.F("partners_sought")),
                name="offer_capacity_kept",
                violation_error_message=_("This offer has no partner place left."),
            ),
        ]
        indexes = [
            # The catalogue: open offers, newest first. No (status, field) indexes on
            # purpose: given one, the planner walks it and tests every row's full-text
            # vector, far slower than the GIN index.
            models.Index(
                fields=["status", "-published_at", "-id"], name="offer_status_published_idx"
            ),
            # All a user sees (published, or their own), newest first; the changed offers
            # each process's matching table reads (matching.live_table).
            models.Index(fields=["-published_at", "-id"], name="offer_published_idx"),
            models.Index(fields=["updated_at"], name="offer_updated_idx"),
            models.Index(fields=["owner", "status"], name="offer_owner_status_idx"),  # "My offers"
            # The statistics (balance.stats): one GROUP BY of the published offers as an
            # index-only scan in group order. Key columns: SQLite lacks INCLUDE.
            models.Index(
                fields=["region", "country", "status", "kind", "students", "approved_pairings"],
                condition=models.Q(published_at__isnull=False),
                name="offer_stats_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("offers:offer-detail", args=[self.pk])

    def get_other_region_display(self) -> str:
        return str(_("Europe") if self.region == "asia" else _("Asia"))

    def is_open(self) -> bool:
        return self.status == OfferStatus.OPEN

    def is_editable(self) -> bool:
        return self.status in (OfferStatus.DRAFT, OfferStatus.OPEN)

    def can_move_to(self, status: str) -> bool:
        allowed = {
            OfferStatus.DRAFT: {OfferStatus.OPEN, OfferStatus.CLOSED},
            OfferStatus.OPEN: {OfferStatus.PAIRED, OfferStatus.CLOSED},
            OfferStatus.PAIRED: {OfferStatus.OPEN, OfferStatus.CLOSED},
            OfferStatus.CLOSED: set(),
        }
        return status in allowed[OfferStatus(self.status)]

    def skill_labels(self) -> list[str]:
        labels = dict(TransversalSkill.choices)
        return [str(labels.get(s, s)) for s in self.skills]

    def build_search_document(self) -> str:
        parts = [self.title, self.description, self.learning_outcomes]
        if self.isced_id:
            parts.append(self.isced.label_en)
        if self.institution_id:
            parts.append(self.institution.name)
        # Case-folded here, because SQLite's LIKE folds ASCII only ("БИỂН" vs "biển").
        return "\n".join(p for p in parts if p).casefold()


class OfferLanguage(models.Model):
    """A working language of the offer with the CEFR level participants need."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=8)
    cefr = models.CharField(_("level needed"), max_length=2, choices=Cefr.choices)

    class Meta:
        db_table = "exchanges_offerlanguage"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "language"], name="offer_language_unique"),
        ]
        # Serves the catalogue's language filter.
        indexes = [models.Index(fields=["language", "offer"], name="offer_language_idx")]

    def __str__(self) -> str:
        return f"{self.get_language_display()} {self.cefr}"

    def get_language_display(self) -> str:
        return str(LANGUAGE_NAMES.get(self.language, self.language))


class AvailabilityWindow(models.Model):
    """A weekly slot for synchronous sessions, in the offer's own time zone."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAY_CHOICES)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    class Meta:
        db_table = "exchanges_availabilitywindow"
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="window_end_after_start",
                violation_error_message=_("A time window must end after it starts."),
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="window_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One uploaded file, imported by a Celery worker (offers.jobs), with its progress and,
    once done, its row-by-row report. The file is kept in the database, which every web
    and worker machine reaches."""

    institution = models.ForeignKey("accounts.Institution", on_delete=models.CASCADE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=4)
    content = models.BinaryField()
    atomic = models.BooleanField(default=False)
    # Check only: every row goes through the services, then everything is rolled back.
    check_only = models.BooleanField(default=False)
    status = models.CharField(
        max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    report = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Progress lives in the cache while it runs (the rows commit together at the end);
    # a job without progress is failed by offers.jobs.import_jobs_reap_stale.
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # The import page lists an institution's recent jobs.
        indexes = [models.Index(fields=["institution", "-created_at"], name="import_job_recent")]

    def __str__(self) -> str:
        return f"{self.filename} → {self.institution_id} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def percent(self) -> int:
        return round(100 * self.rows_done / self.rows_total) if self.rows_total else 0
