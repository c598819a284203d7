"""E-mails about affiliation claims. Idempotent: a retried task never sends twice."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.emails import send_templated, site_url
from accounts.models import Affiliation, AffiliationRole, AffiliationStatus, User


def claim_waiting(*, affiliation_id: int) -> int:
    """Tell the institution's international offices that a claim waits for them.

    Returns how many offices were e-mailed (0 when already done or nothing to say)."""
    with transaction.atomic():
        # The row lock makes a second run of the task wait, then see it is done.
        affiliation = (
            Affiliation.objects.select_for_update()
            .select_related("user", "institution")
            .get(pk=affiliation_id)
        )
        if affiliation.claim_notified_at or affiliation.status != AffiliationStatus.PENDING:
            return 0
        offices = User.objects.filter(
            affiliations__institution_id=affiliation.institution_id,
            affiliations__role=AffiliationRole.OFFICE,
            affiliations__status=AffiliationStatus.VERIFIED,
            email_notifications=True,
            is_active=True,
        ).exclude(pk=affiliation.user_id)
        url = site_url(reverse("accounts:verification-queue"))
        sent = 0
        for office in offices.distinct():
            send_templated(
                to=office,
                template="claim_waiting",
                context={"affiliation": affiliation, "url": url},
            )
            sent += 1
        affiliation.claim_notified_at = timezone.now()
        affiliation.save(update_fields=["claim_notified_at"])
    return sent


def claim_decided(*, affiliation_id: int) -> bool:
    """Tell the claimant that their claim was verified or refused (with the reason)."""
    with transaction.atomic():
        affiliation = (
            Affiliation.objects.select_for_update()
            .select_related("user", "institution")
            .get(pk=affiliation_id)
        )
        if affiliation.decision_notified_at or affiliation.status == AffiliationStatus.PENDING:
            return False
        if affiliation.user.email_notifications and affiliation.user.is_active:
            send_templated(
                to=affiliation.user,
                template="claim_decided",
                context={
                    "affiliation": affiliation,
                    "url": site_url(reverse("dashboard:dashboard")),
                },
            )
        affiliation.decision_notified_at = timezone.now()
        affiliation.save(update_fields=["decision_notified_at"])
    return True
