"""Who may do what with an offer: one policy object, asked by pages, API, serializers,
templates, services and the apps above (the chat, notifications, the workflow).

The rules:
- editors are the owner and the co-owners; they edit, publish, duplicate, close and
  propose from the offer;
- the international office of the offer's institution manages it: sees its drafts and
  closes it;
- everyone signed in sees every offer that was published; visitors see open offers;
- the secretariat sees every offer."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.functional import cached_property

from accounts.models import User
from accounts.selectors import office_institution_ids
from offers.models import Offer, OfferStatus


def editors_q(user: User) -> Q:
    """Offers the user owns or co-owns, as a filter on Offer (their ids, read now)."""
    # The ids first, then a filter on them: as one condition (owner OR id IN co-owned),
    # PostgreSQL scans every offer, and every proposal when it filters proposals.
    return Q(pk__in=editor_offer_ids(user))


def editor_offer_ids(user: User) -> list[int]:
    """The ids of the offers the user owns or co-owns: two index lookups, one query."""
    if user.pk is None:
        return []
    # No ORDER BY in the parts: SQLite refuses it inside a UNION.
    owned = Offer.objects.filter(owner_id=user.pk).order_by().values_list("pk", flat=True)
    co_owned = (
        Offer.co_owners.through.objects.filter(user_id=user.pk)
        .order_by()
        .values_list("offer_id", flat=True)
    )
    return list(owned.union(co_owned))


def offer_editor_ids(offer: Offer) -> set[int]:
    """The ids of the offer's owner and co-owners (from a prefetch when there is one)."""
    cache = getattr(offer, "_prefetched_objects_cache", {})
    co_owners = (
        [u.pk for u in cache["co_owners"]]
        if "co_owners" in cache
        else offer.co_owners.values_list("pk", flat=True)
    )
    return {offer.owner_id, *co_owners}


def visible_offers(user: User, *, administered: bool = False) -> QuerySet[Offer]:
    """The offers the user may see: the one place that rule is written. Lists
    leave out other institutions' drafts even for the secretariat, who opens any offer
    by its address (`administered=True`)."""
    qs = Offer.objects.all()
    if administered and getattr(user, "is_secretariat", False):
        return qs
    if not user.is_authenticated:
        return qs.filter(status=OfferStatus.OPEN)
    office = Q(institution_id__in=office_institution_ids(user))
    # Published once (drafts never are; a draft closed unpublished stays private).
    return qs.filter(Q(published_at__isnull=False) | editors_q(user) | office)


class OfferAccess:
    """What `user` may do with `offer`. Get it through `offer_access`, which computes it
    once per offer object (so once per request for the offer a view loaded)."""

    def __init__(self, user: User, offer: Offer) -> None:
        self.user, self.offer = user, offer

    @cached_property
    def is_editor(self) -> bool:
        return self.user.is_authenticated and self.user.pk in offer_editor_ids(self.offer)

    @cached_property
    def is_office(self) -> bool:
        return self.user.is_authenticated and (
            self.offer.institution_id in office_institution_ids(self.user)
        )

    @property
    def can_edit(self) -> bool:
        """Change, publish, duplicate; manage co-owners (owner only: `can_set_co_owners`)."""
        return self.is_editor

    @property
    def can_manage(self) -> bool:
        """The institution's international office."""
        return self.is_office

    @property
    def can_close(self) -> bool:
        return self.is_editor or self.is_office

    @property
    def can_set_co_owners(self) -> bool:
        return self.user.is_authenticated and self.offer.owner_id == self.user.pk

    @property
    def can_see_suggestions(self) -> bool:
        return self.is_editor or self.is_office


def offer_access(user: User, offer: Offer) -> OfferAccess:
    cache = offer.__dict__.setdefault("_access", {})
    key = getattr(user, "pk", None)
    if key not in cache:
        cache[key] = OfferAccess(user, offer)
    return cache[key]
