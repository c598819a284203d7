"""Reads for accounts, and the one access helper per object type."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import (
    Affiliation,
    AffiliationRole,
    AffiliationStatus,
    Institution,
    User,
)


def office_institution_ids(user: User) -> set[int]:
    if not user.is_authenticated:
        return set()
    known = getattr(user, "_tandem_office_ids", None)
    if known is not None:
        return set(known)
    return set(
        Affiliation.objects.verified()
        .filter(user=user, role=AffiliationRole.OFFICE)
        .values_list("institution_id", flat=True)
    )


def remember_office_ids(user: User) -> set[int]:
    """Read the offices once for this request's user object: the second-factor check
    needs them first, the navigation and the access rules next (request.user is a
    fresh object on every request, so nothing outlives the request)."""
    ids = office_institution_ids(user)
    user._tandem_office_ids = frozenset(ids)
    return ids


def lecturer_institution_ids(user: User) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Affiliation.objects.verified()
        .filter(user=user, role=AffiliationRole.LECTURER)
        .values_list("institution_id", flat=True)
    )


def is_office(user: User) -> bool:
    return bool(office_institution_ids(user))


def verification_queue(user: User) -> QuerySet[Affiliation]:
    """Pending claims the user may decide: their offices' institutions, or all for the
    secretariat. Oldest first, so nobody waits behind newcomers."""
    qs = (
        Affiliation.objects.filter(status=AffiliationStatus.PENDING)
        .select_related("user", "institution", "institution__country")
        .exclude(user=user)  # nobody decides their own claim
    )
    if not user.is_secretariat:
        qs = qs.filter(institution_id__in=office_institution_ids(user))
    return qs.order_by("created_at", "pk")


def get_affiliation_for_decider(user: User, pk: int) -> Affiliation:
    """The pending-or-decided claim, if the user may act on it; 404 otherwise, so an
    office never learns about another institution's staff."""
    qs = Affiliation.objects.select_related("user", "institution", "institution__country").exclude(
        user=user
    )
    if not user.is_secretariat:
        qs = qs.filter(institution_id__in=office_institution_ids(user))
    try:
        return qs.get(pk=pk)
    except Affiliation.DoesNotExist:
        raise Http404 from None


def institution_search(query: str, *, country: str = "", limit: int = 20) -> QuerySet[Institution]:
    qs = Institution.objects.select_related("country")
    if country:
        qs = qs.filter(country_id=country.upper())
    query = (query or "").strip()
    if query:
        terms = query.split()
        cond = Q()
        for term in terms:
            cond &= Q(name__icontains=term) | Q(domains__domain__icontains=term)
        qs = qs.filter(cond).distinct()
        qs = qs.annotate(
            starts=Count("pk", filter=Q(name__istartswith=query)),
        ).order_by("-starts", "name")
    else:
        qs = qs.order_by("name")
    return qs[:limit]


def institutions_for_email(email: str) -> QuerySet[Institution]:
    """Institutions whose domain matches the address (or a parent domain of its host)."""
    host = email.rsplit("@", 1)[-1].lower()
    parts = host.split(".")
    candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)]
    return (
        Institution.objects.filter(domains__domain__in=candidates)
        .select_related("country")
        .distinct()
        .order_by("name")
    )


def institution_summary(institution: Institution) -> dict:
    counts = dict(
        Affiliation.objects.verified()
        .filter(institution=institution)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    return {
        "lecturers": counts.get(AffiliationRole.LECTURER, 0),
        "offices": counts.get(AffiliationRole.OFFICE, 0),
    }


def office_contacts(institution: Institution) -> list[User]:
    """The institution's verified international-office staff, for signed-in visitors."""
    return list(
        User.objects.filter(
            is_active=True,
            affiliations__in=Affiliation.objects.verified().filter(
                institution=institution, role=AffiliationRole.OFFICE
            ),
        )
        .distinct()
        .order_by("full_name")
    )
