"""Writes for accounts: claiming, verifying and refusing affiliations."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import tasks
from accounts.models import (
    Affiliation,
    AffiliationRole,
    AffiliationStatus,
    Institution,
    User,
)

EMAIL_NOT_VERIFIED = _("Verify your e-mail address first; we sent you a link.")
ALREADY_CLAIMED = _("You already have this role at this institution, or a claim waiting for it.")
NOT_PENDING = _("This claim has already been decided.")
REASON_REQUIRED = _("Give a reason, so the person knows what to fix.")
NOT_YOUR_INSTITUTION = _("You can only act for your own institution.")


def verified_emails(user: User) -> list[str]:
    return list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )


def affiliation_claim(*, user: User, institution: Institution, role: str) -> Affiliation:
    """Record the user's claim; verify it at once when a lecturer's verified e-mail is
    at one of the institution's domains.

    International-office claims always wait for a human: that role approves pairings
    for the whole institution, and an institutional address alone does not prove it.
    """
    emails = verified_emails(user)
    if not emails:
        raise ValidationError(EMAIL_NOT_VERIFIED, code="email_not_verified")
    by_domain = role == AffiliationRole.LECTURER and any(
        institution.matches_email(e) for e in emails
    )
    affiliation = Affiliation(
        user=user,
        institution=institution,
        role=role,
        status=AffiliationStatus.VERIFIED if by_domain else AffiliationStatus.PENDING,
        verified_by_domain=by_domain,
        decided_at=timezone.now() if by_domain else None,
    )
    affiliation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            affiliation.save()
    except IntegrityError:
        raise ValidationError(ALREADY_CLAIMED, code="already_claimed") from None
    if affiliation.is_pending:
        pk = affiliation.pk
        transaction.on_commit(lambda: tasks.notify_claim_waiting.delay(pk))
    return affiliation


def can_decide(actor: User, affiliation: Affiliation) -> bool:
    if affiliation.user_id == actor.pk:
        return False  # nobody verifies their own claim, not even the secretariat
    if actor.is_secretariat:
        return True
    return (
        Affiliation.objects.verified()
        .filter(user=actor, institution_id=affiliation.institution_id, role=AffiliationRole.OFFICE)
        .exists()
    )


def _decide(*, affiliation_id: int, actor: User, status: str, reason: str) -> Affiliation:
    with transaction.atomic():
        # Two officers may click at once: the row lock makes the second one see the decision.
        affiliation = Affiliation.objects.select_for_update().get(pk=affiliation_id)
        if not can_decide(actor, affiliation):
            raise PermissionDenied(NOT_YOUR_INSTITUTION)
        if affiliation.status != AffiliationStatus.PENDING:
            raise ValidationError(NOT_PENDING, code="not_pending")
        affiliation.status = status
        affiliation.reason = reason
        affiliation.decided_by = actor
        affiliation.decided_at = timezone.now()
        affiliation.full_clean(validate_constraints=False)
        affiliation.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        transaction.on_commit(lambda: tasks.notify_claim_decided.delay(affiliation_id))
    return affiliation


def affiliation_verify(*, affiliation: Affiliation, actor: User) -> Affiliation:
    return _decide(
        affiliation_id=affiliation.pk, actor=actor, status=AffiliationStatus.VERIFIED, reason=""
    )


def affiliation_refuse(*, affiliation: Affiliation, actor: User, reason: str) -> Affiliation:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED}, code="reason_required")
    return _decide(
        affiliation_id=affiliation.pk, actor=actor, status=AffiliationStatus.REFUSED, reason=reason
    )


def user_update_preferences(*, user: User, **fields) -> User:
    allowed = {"full_name", "preferred_language", "time_zone", "email_notifications"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown preference fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(fields))
    return user
