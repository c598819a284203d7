"""Reads for offers: who sees what, the access helper, and the catalogue search."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, Case, Count, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.models import User
from offers.access import editors_q, offer_access, visible_offers
from offers.models import Offer

# Scripts written without spaces between words: full-text tokens do not work there.
_NO_SPACE_SCRIPTS = re.compile(
    r"[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uf900-\ufaff]"
)
_WORD = re.compile(r"\w+", re.UNICODE)


def get_offer_for_user(user: User, pk: int, *, write: bool = False) -> Offer:
    """The offer if the user may see it, else 404 (never reveal that it exists).
    With write=True, 403 for those who may see it but not edit it."""
    try:
        offer = (
            visible_offers(user, administered=True)
            .select_related("institution__country", "isced", "owner")
            .get(pk=pk)
        )
    except Offer.DoesNotExist:
        raise Http404 from None
    if write and not offer_access(user, offer).can_edit:
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
    qs = visible_offers(user)
    if filters.mine and user.is_authenticated:
        qs = qs.filter(editors_q(user))
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


def institution_offer_counts(institution_ids: set[int]) -> dict[int, dict[str, int]]:
    """How many offers each institution has in each status, {institution: {status: n}}
    (one query), for its international office's dashboard."""
    counts: dict[int, dict[str, int]] = {pk: {} for pk in institution_ids}
    rows = (
        Offer.objects.filter(institution_id__in=institution_ids)
        .order_by()
        .values_list("institution_id", "status")
        .annotate(n=Count("pk"))
    )
    for institution_id, status, n in rows:
        counts[institution_id][status] = n
    return counts
