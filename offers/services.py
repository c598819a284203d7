"""Writes for offers: create, update, publish, close, duplicate, co-owners."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Affiliation, AffiliationRole, Country, Institution, User
from offers import signals, validation
from offers.errors import OfferError
from offers.models import (
    AvailabilityWindow,
    IscedField,
    IscedLevel,
    Offer,
    OfferLanguage,
    OfferStatus,
    Sdg,
    TransversalSkill,
)

NOT_VERIFIED_LECTURER = _(
    "Only a verified lecturer of %(institution)s can publish its offers; claim your role first."
)
NOT_DRAFT_OR_OPEN = _("A %(status)s offer can no longer be changed.")
CANNOT_MOVE = _("An offer that is %(status)s cannot become %(target)s.")
ISCED_NOT_DETAILED = _("Pick a detailed field (four digits, such as 0521), not a broad one.")
UNKNOWN_ISCED = _(
    "“%(code)s” is not an ISCED-F code; give the detailed field in four digits, "
    "such as 0521 for environmental sciences."
)
NOT_A_CHOICE = _("“%(value)s” is not one of the allowed values: %(choices)s.")
CO_OWNER_NOT_LECTURER = _("%(email)s is not a verified lecturer on Tandem.")
UNKNOWN_SDG = _("%(number)s is not a Sustainable Development Goal; use numbers 1 to 17.")
UNKNOWN_COUNTRY = _("“%(code)s” is not an ASEM partner country code.")

# Fields a caller may set directly on an offer.
OFFER_FIELDS = (
    "kind",
    "title",
    "description",
    "learning_outcomes",
    "description_language",
    "isced",
    "level",
    "students",
    "partners_sought",
    "term_start",
    "term_end",
    "duration_weeks",
    "time_zone",
    "sync_sessions",
    "priority",
    "theme_digitalisation",
    "theme_sustainability",
    "skills",
)


@dataclass
class OfferData:
    """Everything that describes an offer, as plain values (from a form, the API or a file)."""

    fields: dict
    languages: list[tuple[str, str]] = field(default_factory=list)
    windows: list[tuple[int, dt.time, dt.time]] = field(default_factory=list)
    sdgs: list[int] = field(default_factory=list)
    preferred_countries: list[str] = field(default_factory=list)
    excluded_countries: list[str] = field(default_factory=list)


def is_verified_lecturer(user: User, institution: Institution) -> bool:
    return (
        Affiliation.objects.verified()
        .filter(user=user, institution=institution, role=AffiliationRole.LECTURER)
        .exists()
    )


def _readable(offer: Offer, name: str, error: ValidationError) -> str:
    """A model's message, said so that whoever wrote the value (a file, say) knows what to
    write instead: the allowed values of a choice, a clear word for an unknown ISCED code."""
    if error.code == "invalid_choice":
        allowed = ", ".join(str(value) for value, _label in offer._meta.get_field(name).choices)
        value = (error.params or {}).get("value")
        return str(NOT_A_CHOICE % {"value": value, "choices": allowed})
    if name == "isced" and error.code == "invalid":
        return str(UNKNOWN_ISCED % {"code": offer.isced_id})
    return " ".join(error.messages)


def _field_errors(offer: Offer) -> dict[str, list]:
    """The model's own checks (lengths, bounds, choices, references) and the texts'."""
    errors: dict[str, list] = {}
    try:
        offer.full_clean(
            exclude=["owner", "institution", "country", "region", "search_document"],
            validate_constraints=False,
        )
    except ValidationError as exc:
        for name, problems in exc.error_dict.items():
            errors[name] = [_readable(offer, name, problem) for problem in problems]
    for name in ("title", "description", "learning_outcomes"):
        if validation.has_control_characters(getattr(offer, name)):
            errors.setdefault(name, []).append(validation.CONTROL_CHARACTERS)
    if offer.isced_id and "isced" not in errors:
        level = IscedField.objects.filter(pk=offer.isced_id).values_list("level", flat=True)
        if level.first() != IscedLevel.DETAILED:
            errors.setdefault("isced", []).append(ISCED_NOT_DETAILED)
    for skill in _unknown_skills(offer.skills):
        errors.setdefault("skills", []).append(
            NOT_A_CHOICE % {"value": skill, "choices": ", ".join(TransversalSkill.values)}
        )
    return errors


def _unknown_skills(skills) -> list:
    unknown: list = []
    for skill in skills if isinstance(skills, list) else [skills] if skills else []:
        if skill not in TransversalSkill.values and skill not in unknown:
            unknown.append(skill)
    return unknown


def _reference_errors(data: OfferData) -> dict[str, list]:
    """Unknown SDGs and countries: they would only fail at commit on PostgreSQL (deferred
    foreign keys)."""
    errors: dict[str, list] = {}
    # All 17, rather than a lookup of numbers no integer column may hold.
    known_sdgs = set(Sdg.objects.values_list("pk", flat=True)) if data.sdgs else set()
    for number in sorted(set(data.sdgs) - known_sdgs):
        errors.setdefault("sdgs", []).append(UNKNOWN_SDG % {"number": number})
    for name in ("preferred_countries", "excluded_countries"):
        codes = set(getattr(data, name))
        known = set(Country.objects.filter(pk__in=codes).values_list("pk", flat=True))
        for code in sorted(codes - known):
            errors.setdefault(name, []).append(UNKNOWN_COUNTRY % {"code": code})
    return errors


def _check(offer: Offer, data: OfferData) -> None:
    """Validate the whole offer; raise one ValidationError with every problem by field."""
    errors = _field_errors(offer)
    for key, messages in _reference_errors(data).items():
        errors.setdefault(key, []).extend(messages)
    for key, messages in validation.term_errors(
        offer.term_start, offer.term_end, offer.duration_weeks
    ).items():
        errors.setdefault(key, []).extend(messages)
    if problems := validation.language_errors(data.languages):
        errors.setdefault("languages", []).extend(problems)
    if problems := validation.window_errors(data.windows, offer.sync_sessions or 0):
        errors.setdefault("windows", []).extend(problems)
    both = set(data.preferred_countries) & set(data.excluded_countries)
    for code in sorted(both):
        errors.setdefault("excluded_countries", []).append(
            validation.EXCLUDED_AND_PREFERRED % {"country": code}
        )
    if errors:
        raise ValidationError({k: [str(m) for m in v] for k, v in errors.items()})


def _write_children(offer: Offer, data: OfferData) -> None:
    offer.languages.all().delete()
    OfferLanguage.objects.bulk_create(
        [OfferLanguage(offer=offer, language=c, cefr=lvl) for c, lvl in data.languages]
    )
    offer.windows.all().delete()
    AvailabilityWindow.objects.bulk_create(
        [AvailabilityWindow(offer=offer, weekday=d, start=s, end=e) for d, s, e in data.windows]
    )
    offer.sdgs.set(data.sdgs)
    offer.preferred_countries.set(data.preferred_countries)
    offer.excluded_countries.set(data.excluded_countries)


def _apply(offer: Offer, data: OfferData) -> None:
    unknown = set(data.fields) - set(OFFER_FIELDS)
    if unknown:
        raise TypeError(f"unknown offer fields: {sorted(unknown)}")
    for name, value in data.fields.items():
        if name == "isced" and not hasattr(value, "pk"):
            offer.isced_id = value
        else:
            setattr(offer, name, value)


@transaction.atomic
def offer_create(*, owner: User, institution: Institution, data: OfferData) -> Offer:
    """A new draft. The owner must be a verified lecturer of the institution."""
    if not is_verified_lecturer(owner, institution):
        raise PermissionDenied(NOT_VERIFIED_LECTURER % {"institution": institution.name})
    offer = Offer(
        owner=owner,
        institution=institution,
        country_id=institution.country_id,
        region=institution.country.region,
        status=OfferStatus.DRAFT,
    )
    _apply(offer, data)
    _check(offer, data)
    offer.search_document = offer.build_search_document()
    offer.save()
    _write_children(offer, data)
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, data: OfferData) -> Offer:
    """Change a draft or open offer. Call with an offer the actor may edit."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if not offer.is_editable():
        raise ValidationError(NOT_DRAFT_OR_OPEN % {"status": offer.get_status_display().lower()})
    _apply(offer, data)
    _check(offer, data)
    offer.search_document = offer.build_search_document()
    offer.updated_at = timezone.now()
    offer.save()
    _write_children(offer, data)
    # Matching refits (an open offer changed); accepted proposals re-freeze their terms.
    signals.offer_updated.send(sender=Offer, offer=offer)
    return offer


def offer_data(offer: Offer) -> OfferData:
    """The offer's current data, ready to be changed and passed to offer_update."""
    return OfferData(
        fields={name: getattr(offer, name) for name in OFFER_FIELDS if name != "isced"}
        | {"isced": offer.isced_id},
        languages=[(lang.language, lang.cefr) for lang in offer.languages.all()],
        windows=[(w.weekday, w.start, w.end) for w in offer.windows.all()],
        sdgs=list(offer.sdgs.values_list("number", flat=True)),
        preferred_countries=list(offer.preferred_countries.values_list("code", flat=True)),
        excluded_countries=list(offer.excluded_countries.values_list("code", flat=True)),
    )


def _move(offer: Offer, target: str) -> Offer:
    with transaction.atomic():
        offer = Offer.objects.select_for_update().select_related("institution").get(pk=offer.pk)
        if not offer.can_move_to(target):
            raise ValidationError(
                CANNOT_MOVE
                % {
                    "status": offer.get_status_display().lower(),
                    "target": OfferStatus(target).label.lower(),
                },
                code=OfferError.INVALID_TRANSITION,
            )
        offer.status = target
        offer.updated_at = timezone.now()
        if target == OfferStatus.OPEN and offer.published_at is None:
            offer.published_at = offer.updated_at
        offer.save(update_fields=["status", "updated_at", "published_at"])
        signals.offer_status_changed.send(sender=Offer, offer=offer)
    return offer


def offer_publish(*, offer: Offer, actor: User) -> Offer:
    """Open a draft to partners. Only a verified lecturer of the institution publishes."""
    if not is_verified_lecturer(actor, offer.institution):
        raise PermissionDenied(NOT_VERIFIED_LECTURER % {"institution": offer.institution.name})
    # Re-validate: a draft may predate a rule, and an open offer must be complete.
    _check(offer, offer_data(offer))
    return _move(offer, OfferStatus.OPEN)


def offer_close(*, offer: Offer, actor: User) -> Offer:
    return _move(offer, OfferStatus.CLOSED)


def _next_year(day: dt.date) -> dt.date:
    """The same day a year later (28 February for 29 February); the day itself in the
    last year a date can have, which the term rule then refuses in words."""
    if day.year >= dt.MAXYEAR:
        return day
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def offer_duplicate(
    *,
    offer: Offer,
    actor: User,
    term_start: dt.date | None = None,
    term_end: dt.date | None = None,
) -> Offer:
    """A new draft copy for the next term, owned by the actor (dates moved if given)."""
    data = offer_data(offer)
    if term_start and term_end:
        data.fields["term_start"], data.fields["term_end"] = term_start, term_end
    else:
        # Same term next year, by default.
        for key in ("term_start", "term_end"):
            data.fields[key] = _next_year(data.fields[key])
    copy = offer_create(owner=actor, institution=offer.institution, data=data)
    copy.duplicated_from = offer
    copy.save(update_fields=["duplicated_from"])
    return copy


def offer_set_co_owners(*, offer: Offer, emails: Iterable[str]) -> Offer:
    """Replace the co-owners: verified lecturers (of any institution) by e-mail."""
    users, errors = [], []
    for email in {e.strip().lower() for e in emails if e.strip()}:
        user = User.objects.filter(
            email=email,
            affiliations__role=AffiliationRole.LECTURER,
            affiliations__status="verified",
        ).first()
        if user is None:
            errors.append(str(CO_OWNER_NOT_LECTURER % {"email": email}))
        elif user.pk != offer.owner_id:
            users.append(user)
    if errors:
        raise ValidationError({"co_owners": errors})
    offer.co_owners.set(users)
    return offer
