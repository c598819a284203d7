from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_time_zone
from core.locale_names import country_name


class Region(models.TextChoices):
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")


# An erased account keeps its row under an address nobody can own (RFC 2606's .invalid),
# and is named as a former member wherever it appears.
ERASED_EMAIL_DOMAIN = "erased.invalid"
FORMER_MEMBER = _("a former member")


def erased_email(user_id: int) -> str:
    return f"former-member-{user_id}@{ERASED_EMAIL_DOMAIN}"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address.

    Roles at institutions live in Affiliation; the secretariat role is global.
    """

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    is_secretariat = models.BooleanField(
        _("ASEM secretariat"),
        default=False,
        help_text=_("Sees the statistics of all partners and runs pairing rounds."),
    )
    email_notifications = models.BooleanField(_("e-mail notifications"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Log-in looks e-mails up case-insensitively; two spellings of one address
            # must never become two accounts.
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        if self.is_erased:
            return str(FORMER_MEMBER)
        return self.full_name or self.email

    @property
    def is_erased(self) -> bool:
        """The person deleted their account (privacy.erasure); the row stays, anonymised."""
        return (self.email or "").endswith("@" + ERASED_EMAIL_DOMAIN)

    def save(self, *args, **kwargs):
        # Addresses are compared case-insensitively everywhere; store one spelling.
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Country(models.Model):
    """An ASEM partner country; its region comes from the ASEM partner list only."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    iso3 = models.CharField(max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("region"), max_length=6, choices=Region.choices)
    time_zones = models.JSONField(_("time zones"), default=list)
    eu_member = models.BooleanField(default=False)
    asean_member = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (CLDR); `name` is the English one."""
        return country_name(self.code, self.name)


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    APPLIED_SCIENCES = "applied_sciences", _("University of applied sciences")
    TVET = "tvet", _("TVET college")
    LIFELONG = "lifelong", _("Lifelong-learning provider")


class Institution(models.Model):
    name = models.CharField(_("name"), max_length=255)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("country")
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=InstitutionKind.choices,
        default=InstitutionKind.UNIVERSITY,
    )
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Checked by the secretariat or a trusted source.")
    )
    source = models.CharField(_("source"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name"], name="institution_country_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region(self) -> str:
        return self.country.region

    def get_absolute_url(self) -> str:
        return reverse("accounts:institution-detail", args=[self.pk])

    def domain_list(self) -> list[str]:
        return [d.domain for d in self.domains.all()]

    def matches_email(self, email: str) -> bool:
        """True when the address is at one of the institution's domains or a subdomain."""
        host = email.rsplit("@", 1)[-1].lower()
        return any(host == d or host.endswith("." + d) for d in self.domain_list())


class InstitutionDomain(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("e-mail domain"), max_length=253)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "domain"], name="domain_per_institution")
        ]
        # Serves "which institutions own this e-mail domain" at claim time.
        indexes = [models.Index(fields=["domain"], name="institution_domain_idx")]

    def __str__(self) -> str:
        return self.domain


class AffiliationRole(models.TextChoices):
    LECTURER = "lecturer", _("Lecturer or trainer")
    OFFICE = "office", _("International office")


class AffiliationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    VERIFIED = "verified", _("Verified")
    REFUSED = "refused", _("Refused")


class AffiliationQuerySet(models.QuerySet["Affiliation"]):
    def verified(self) -> AffiliationQuerySet:
        return self.filter(status=AffiliationStatus.VERIFIED)

    def live(self) -> AffiliationQuerySet:
        return self.exclude(status=AffiliationStatus.REFUSED)


class Affiliation(models.Model):
    """A user's claim to a role at an institution, verified or refused by its office."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="affiliations"
    )
    role = models.CharField(_("role"), max_length=10, choices=AffiliationRole.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AffiliationStatus.choices,
        default=AffiliationStatus.PENDING,
    )
    verified_by_domain = models.BooleanField(default=False)
    reason = models.TextField(_("reason"), blank=True, max_length=1000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the e-mail went out, so a retried task never sends it twice.
    claim_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AffiliationQuerySet.as_manager()

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        ordering = ["created_at"]
        constraints = [
            # One live claim per person, institution and role; a refused claim may be made again.
            models.UniqueConstraint(
                fields=["user", "institution", "role"],
                condition=~models.Q(status="refused"),
                name="one_live_affiliation_per_role",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(reason=""),
                name="refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "verified", "refused"]),
                name="affiliation_status_valid",
            ),
        ]
        indexes = [
            # Serves the office queue: pending claims of one institution, oldest first.
            models.Index(
                fields=["institution", "status", "created_at"], name="affiliation_queue_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.institution}"

    @property
    def is_verified(self) -> bool:
        return self.status == AffiliationStatus.VERIFIED

    @property
    def is_pending(self) -> bool:
        return self.status == AffiliationStatus.PENDING


class ReferenceDataset(models.Model):
    """Where each loaded reference file came from, under which licence, and which
    version (by hash) is in the database — so reloading an unchanged file is a no-op."""

    key = models.SlugField(max_length=50, unique=True)
    file = models.CharField(max_length=200)
    source = models.TextField()
    licence = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reference dataset")
        verbose_name_plural = _("reference datasets")

    def __str__(self) -> str:
        return self.key
