"""The table of open offers each web process holds, kept current by small changes.

Building the table from scratch costs seconds at 100k offers (and, through the ORM, far
more), so a process builds it once and afterwards applies only what changed:
- every offer change that matters to matching sets `Offer.updated_at` (edits, publishing,
  closing, pairing; see `offers.services`, `exchanges.decisions`), so each call reads the
  offers touched since the newest change it saw, from an index, and reloads only those;
- every `RECONCILE_SECONDS` (and at once after a deletion, which bumps a shared counter:
  `receivers`) it also looks `SLACK` back, for a transaction that committed after a later
  one, and compares the held ids with the open ones, whatever was missed.

Features are read with flat `values_list` queries (one per related table), not model
instances: the same `OfferFeatures` as `engine.features_of`, several times faster.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q

from matching.features import OfferFeatures
from matching.table import OfferTable
from offers.models import AvailabilityWindow, Offer, OfferLanguage, OfferStatus

logger = logging.getLogger(__name__)

SLACK = dt.timedelta(minutes=10)
RECONCILE_SECONDS = 60.0
DELETIONS_KEY = "matching:offers-deleted"

# The offer fields `features_of_row` reads, in its order (attribute names of Offer too).
COLUMNS = (
    "pk",
    "region",
    "country_id",
    "institution_id",
    "kind",
    "isced_id",
    "level",
    "students",
    "term_start",
    "term_end",
    "duration_weeks",
    "time_zone",
    "sync_sessions",
    "priority",
    "theme_digitalisation",
    "theme_sustainability",
    "partners_sought",
    "title",
    "description",
    "learning_outcomes",
    "description_language",
    "updated_at",
)


def load_features(where: Q) -> tuple[list[OfferFeatures], dict[int, dt.datetime]]:
    """The features of the open offers matching `where`, in id order, and every such
    offer's `updated_at` (those whose data breaks the features' contract too: they are
    left out of the features and logged, like `engine.features_of` does)."""
    offers = Offer.objects.filter(where, status=OfferStatus.OPEN)
    rows = list(offers.order_by("pk").values_list(*COLUMNS))
    if not rows:
        return [], {}
    of_offers = Q(offer_id__in=[r[0] for r in rows]) if len(rows) < 1000 else Q(offer__in=offers)
    languages = _grouped(
        OfferLanguage.objects.filter(of_offers)
        .order_by("offer_id", "pk")
        .values_list("offer_id", "language", "cefr")
    )
    windows = _grouped(
        AvailabilityWindow.objects.filter(of_offers)
        .order_by("offer_id", "weekday", "start")
        .values_list("offer_id", "weekday", "start", "end")
    )
    sdgs = _grouped(
        Offer.sdgs.through.objects.filter(of_offers).values_list("offer_id", "sdg_id"), flat=True
    )
    excluded = _grouped(
        Offer.excluded_countries.through.objects.filter(of_offers).values_list(
            "offer_id", "country_id"
        ),
        flat=True,
    )
    features, stamps = [], {}
    for row in rows:
        pk = row[0]
        stamps[pk] = row[-1]
        try:
            features.append(
                features_of_row(row, languages[pk], windows[pk], sdgs[pk], excluded[pk])
            )
        except (ValueError, TypeError, KeyError) as exc:
            logger.warning("matching: offer %s left out, its data cannot be matched: %s", pk, exc)
    return features, stamps


def _grouped(rows: Iterable[tuple], *, flat: bool = False) -> defaultdict[int, list]:
    """Rows (offer id, values…) by offer id: the values as a tuple, or alone if `flat`."""
    out: defaultdict[int, list] = defaultdict(list)
    for offer_id, *rest in rows:
        out[offer_id].append(rest[0] if flat else tuple(rest))
    return out


def features_of_row(
    row: tuple,
    languages: Iterable[tuple[str, str]],
    windows: Iterable[tuple],
    sdgs: Iterable[int],
    excluded: Iterable[str],
) -> OfferFeatures:
    """An offer's features from its COLUMNS values and its children: (language, CEFR),
    (weekday, start, end), SDG numbers, excluded country codes. The one place an offer
    becomes `OfferFeatures` (`engine.features_of` passes a model instance's values)."""
    (pk, region, country, institution, kind, isced, level, students, start, end, weeks, tz,
     sync, priority, digital, sustainable, capacity, title, description, outcomes, language,
     _stamp) = row  # fmt: skip
    themes = set()
    if digital:
        themes.add("digitalisation")
    if sustainable:
        themes.add("sustainability")
    return OfferFeatures(
        id=pk,
        region=region,
        country=country,
        institution_id=institution,
        kind=kind,
        isced=isced,
        level=level,
        languages=tuple(languages),
        students=students,
        term_start=start,
        term_end=end,
        duration_weeks=weeks,
        time_zone=tz,
        windows=tuple(windows),
        sync_sessions=sync,
        sdgs=frozenset(sdgs),
        priority=priority,
        themes=frozenset(themes),
        excluded_countries=frozenset(excluded),
        capacity=capacity,
        title=title,
        description=description,
        outcomes=outcomes,
        text_language=language,
    )


@dataclass
class LiveTable:
    """A table and what it was built from: every held offer's `updated_at` (offers left
    out for bad data included, so they are not reloaded on every call), the newest
    change seen, the deletion counter and when the ids were last reconciled."""

    table: OfferTable
    stamps: dict[int, dt.datetime]
    watermark: dt.datetime | None
    deletions: object
    reconciled: float = field(default_factory=time.monotonic)


def build() -> LiveTable:
    """The table of every open offer, from scratch."""
    deletions = cache.get(DELETIONS_KEY)
    newest = Offer.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    features, stamps = load_features(Q())
    return LiveTable(OfferTable(features), stamps, newest, deletions)


def refresh(live: LiveTable) -> LiveTable:
    """`live` with the changes since it was built applied: the same object when nothing
    changed, else a new one (the old one stays valid for requests still using it)."""
    deletions = cache.get(DELETIONS_KEY)
    now = time.monotonic()
    reconcile = deletions != live.deletions or now - live.reconciled >= RECONCILE_SECONDS
    touched = Offer.objects.all()
    if live.watermark is not None:
        # Every call: what changed from the newest change seen on. On a reconcile, also
        # SLACK back, for a transaction that committed after a later one.
        touched = touched.filter(
            updated_at__gte=live.watermark - SLACK if reconcile else live.watermark
        )
    changed: dict[int, bool] = {}  # id → open now
    watermark = live.watermark
    for pk, status, stamp in touched.values_list("pk", "status", "updated_at"):
        watermark = stamp if watermark is None else max(watermark, stamp)
        is_open = status == OfferStatus.OPEN
        if live.stamps.get(pk) != (stamp if is_open else None):
            changed[pk] = is_open
    reconciled = live.reconciled
    if reconcile:
        open_ids = set(Offer.objects.filter(status=OfferStatus.OPEN).values_list("pk", flat=True))
        changed.update(dict.fromkeys(live.stamps.keys() - open_ids, False))
        changed.update(dict.fromkeys(open_ids - live.stamps.keys(), True))
        reconciled = now
    if not changed:
        if watermark == live.watermark and reconciled == live.reconciled:
            return live
        return LiveTable(live.table, live.stamps, watermark, deletions, reconciled)
    features, fresh = load_features(Q(pk__in=[pk for pk, is_open in changed.items() if is_open]))
    stamps = {pk: s for pk, s in live.stamps.items() if pk not in changed}
    stamps.update(fresh)
    kept = live.table.without(changed.keys())
    table = OfferTable.concat(kept, OfferTable(features))
    logger.debug("matching table: %d offers changed, %d held", len(changed), len(table))
    return LiveTable(table, stamps, watermark, deletions, reconciled)


def note_deletion() -> None:
    """Tell every process's table that an offer was deleted (a shared counter)."""
    cache.add(DELETIONS_KEY, 0, timeout=None)
    try:
        cache.incr(DELETIONS_KEY)
    except ValueError:  # evicted between add and incr
        cache.set(DELETIONS_KEY, 1, timeout=None)
