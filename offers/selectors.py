"""Reads for offers: who sees what, the access helper, and the catalogue search."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, Case, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.models import User
from accounts.selectors import office_institution_ids
from offers.models import Offer, OfferStatus

# Scripts written without spaces between words: full-text tokens do not work there.
_NO_SPACE_SCRIPTS = re.compile(
    r"[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uf900-\ufaff]"
)
_WORD = re.compile(r"\w+", re.UNICODE)


def owned_q(user: User) -> Q:
    # A subquery, not a join: a join on co-owners would repeat offers with several.
    co_owned = Offer.co_owners.through.objects.filter(user_id=user.pk).values("offer_id")
    return Q(owner_id=user.pk) | Q(pk__in=co_owned)


def offers_visible_to(user: User) -> QuerySet[Offer]:
    """Open offers for visitors. Signed in: every offer that is not a draft, plus the
    drafts the user owns or co-owns and those of institutions whose office they are."""
    qs = Offer.objects.all()
    if not user.is_authenticated:
        return qs.filter(status=OfferStatus.OPEN)
    office = Q(institution_id__in=office_institution_ids(user))
    return qs.filter(~Q(status=OfferStatus.DRAFT) | owned_q(user) | office)


def can_edit(user: User, offer: Offer) -> bool:
    return user.is_authenticated and (
        offer.owner_id == user.pk or offer.co_owners.filter(pk=user.pk).exists()
    )


def can_manage(user: User, offer: Offer) -> bool:
    """The institution's international office: sees every offer of it and may close them."""
    return offer.institution_id in office_institution_ids(user)


def get_offer_for_user(user: User, pk: int, *, write: bool = False) -> Offer:
    """The offer if the user may see it, else 404 (never reveal that it exists).
    With write=True, 403 for those who may see it but not edit it."""
    # The secretariat administers every institution's offers, drafts included.
    base = Offer.objects.all() if getattr(user, "is_secretariat", False) else None
    try:
        offer = (
            (base if base is not None else offers_visible_to(user))
            .select_related("institution__country", "isced", "owner")
            .get(pk=pk)
        )
    except Offer.DoesNotExist:
        raise Http404 from None
    if write and not can_edit(user, offer):
        raise PermissionDenied
    return offer


@dataclass
class OfferFilters:
    q: str = ""
    region: str = ""
    country: str = ""
    institution: int | None = None
    isced: str = ""  # broad (2 digits), narrow (3) or detailed (4)
    level: str = ""
    language: str = ""
    kind: str = ""
    term_from: dt.date | None = None
    term_to: dt.date | None = None
    sdg: int | None = None
    priority: str = ""
    status: str = ""
    sort: str = ""  # "relevance" (with q) or "newest"
    mine: bool = False


def _text_search(qs: QuerySet[Offer], q: str) -> QuerySet[Offer]:
    words = _WORD.findall(q)[:10]
    if not words:
        return qs.annotate(rank=Value(0.0))
    if connection.vendor == "postgresql" and not _NO_SPACE_SCRIPTS.search(q):
        # Every word, each as a prefix ("ecosystem" finds "ecosystems").
        tsquery = " & ".join(f"{w.lower()}:*" for w in words)
        match = RawSQL(
            "exchanges_offer.search_vector @@ to_tsquery('simple'::regconfig, %s)",
            (tsquery,),
            output_field=BooleanField(),
        )
        # Rank by the title's small vector: hits in the title first, then the newest.
        rank = RawSQL(
            "ts_rank(exchanges_offer.title_vector, to_tsquery('simple'::regconfig, %s))",
            (tsquery,),
            output_field=FloatField(),
        )
        return qs.filter(Q(match)).annotate(rank=rank)
    # SQLite, and scripts without spaces: every word as a substring, title hits first.
    for word in words:
        qs = qs.filter(search_document__contains=word.casefold())
    return qs.annotate(
        rank=Case(When(title__icontains=words[0], then=Value(1.0)), default=Value(0.0))
    )


def offer_search(user: User, filters: OfferFilters) -> QuerySet[Offer]:
    qs = offers_visible_to(user)
    if filters.mine and user.is_authenticated:
        qs = qs.filter(owned_q(user))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.country:
        qs = qs.filter(country_id=filters.country.upper())
    if filters.institution:
        qs = qs.filter(institution_id=filters.institution)
    if filters.isced:
        qs = qs.filter(isced__code__startswith=filters.isced)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.language:
        qs = qs.filter(languages__language=filters.language)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.term_from:
        qs = qs.filter(term_end__gte=filters.term_from)
    if filters.term_to:
        qs = qs.filter(term_start__lte=filters.term_to)
    if filters.sdg:
        qs = qs.filter(sdgs__number=filters.sdg)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.q.strip():
        qs = _text_search(qs, filters.q)
        if filters.sort != "newest":
            return qs.order_by("-rank", "-published_at", "-pk")
    return qs.order_by("-published_at", "-pk")


def with_list_relations(qs: QuerySet[Offer]) -> QuerySet[Offer]:
    """What a list of offers shows, in a fixed number of queries."""
    return qs.select_related("institution__country", "isced", "owner").prefetch_related(
        "languages", "sdgs"
    )


def offers_of(user: User, *, limit: int = 20) -> list[Offer]:
    """The user's own and co-owned offers, newest first, for the dashboard."""
    return list(with_list_relations(offer_search(user, OfferFilters(mine=True)))[:limit])
