"""Everyone's part of the dashboard: the roles the user holds, their claims, and the next
step for someone without an institution yet."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from accounts import services
from accounts.models import Affiliation, AffiliationRole, AffiliationStatus, Institution


@dataclass(frozen=True)
class Roles:
    """What the user may act as: read once from their claims (no query of its own)."""

    lecturer: bool
    office_institutions: tuple[Institution, ...]
    secretariat: bool

    @property
    def office_ids(self) -> frozenset[int]:
        return frozenset(i.pk for i in self.office_institutions)

    @property
    def any(self) -> bool:
        return self.lecturer or bool(self.office_institutions) or self.secretariat


def section(request: HttpRequest) -> dict:
    user = request.user
    affiliations = list(
        Affiliation.objects.filter(user=user)
        .select_related("institution__country")
        .order_by("-created_at", "-pk")
    )
    verified = [a for a in affiliations if a.status == AffiliationStatus.VERIFIED]
    offices = {
        a.institution_id: a.institution for a in verified if a.role == AffiliationRole.OFFICE
    }
    roles = Roles(
        lecturer=any(a.role == AffiliationRole.LECTURER for a in verified),
        office_institutions=tuple(sorted(offices.values(), key=lambda i: (i.name, i.pk))),
        secretariat=user.is_secretariat,
    )
    # Claiming an institution is the next step only for someone with no live claim who
    # does not work for the secretariat; the others may still claim another role.
    has_claim = any(a.status != AffiliationStatus.REFUSED for a in affiliations)
    return {
        "dashboard_roles": roles,
        "affiliations": affiliations,
        "needs_institution": not has_claim and not user.is_secretariat,
        "has_verified_email": bool(services.verified_emails(user)),
    }
