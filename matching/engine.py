"""The Django side of matching: offers become features, the stored text model is loaded
lazily by each process, and suggestions are served from memory.

The pure modules (similarity, overlap, scoring, pairing and their parts) know nothing of
Django; this one is the only bridge, so views, the API, commands and tasks all call it.
Fitting and storing the model is `matching.store`'s (re-exported here as `refit`): a
page request never fits. Before the first model is stored, `suggestions` and
`explain_pair` give nothing and queue a refit (`matching.tasks.schedule_refit`).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Count, Max

from matching import scoring
from matching.features import OfferFeatures, Weights
from matching.models import HiddenSuggestion
from matching.store import latest_version, load_model, matchable_offers, refit
from matching.tasks import schedule_refit
from offers.models import Offer

__all__ = [
    "SuggestionFilters",
    "current",
    "explain_pair",
    "features_of",
    "matchable_offers",
    "refit",
    "reset",
    "suggestions",
    "suggestions_if_ready",
    "weights",
    "with_features",
]


def weights() -> Weights:
    return Weights.from_mapping(getattr(settings, "MATCHING_WEIGHTS", {}))


def with_features(qs):
    """Offers with everything `features_of` reads, prefetched."""
    return qs.prefetch_related("languages", "windows", "sdgs", "excluded_countries")


def features_of(offers: Iterable[Offer]) -> list[OfferFeatures]:
    """Plain features of offers fetched with `with_features` (no query per offer)."""
    out = []
    for o in offers:
        themes = set()
        if o.theme_digitalisation:
            themes.add("digitalisation")
        if o.theme_sustainability:
            themes.add("sustainability")
        out.append(
            OfferFeatures(
                id=o.pk,
                region=o.region,
                country=o.country_id,
                institution_id=o.institution_id,
                kind=o.kind,
                isced=o.isced_id,
                level=o.level,
                languages=tuple((x.language, x.cefr) for x in o.languages.all()),
                students=o.students,
                term_start=o.term_start,
                term_end=o.term_end,
                duration_weeks=o.duration_weeks,
                time_zone=o.time_zone,
                windows=tuple((w.weekday, w.start, w.end) for w in o.windows.all()),
                sync_sessions=o.sync_sessions,
                sdgs=frozenset(s.pk for s in o.sdgs.all()),
                priority=o.priority,
                themes=frozenset(themes),
                excluded_countries=frozenset(c.pk for c in o.excluded_countries.all()),
                capacity=o.partners_sought,
                title=o.title,
                description=o.description,
                outcomes=o.learning_outcomes,
            )
        )
    return out


# --- the per-process state ----------------------------------------------------------------


@dataclass
class _State:
    version_id: int | None = None
    model: object | None = None
    table_key: tuple | None = None
    table: scoring.OfferTable | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_state = _State()


def current():
    """(model, table) for this process: the newest stored model and a table of the open
    offers, rebuilt when they change; (None, None) while no model (of the current format)
    is stored. Never fits: a new model comes from `refit` (the refit task, the
    `refit_matching` command, a pairing round, a test)."""
    latest = latest_version()
    if latest is None:
        return None, None
    key = tuple(
        matchable_offers()
        .order_by()
        .aggregate(n=Count("pk"), last=Max("updated_at"), newest=Max("pk"))
        .values()
    )
    with _state.lock:
        if _state.version_id != latest.pk:
            _state.model = load_model(latest)
            _state.version_id = latest.pk
            _state.table_key = None
        if _state.table_key != key:
            offers = features_of(with_features(matchable_offers()))
            _state.table = scoring.OfferTable(offers)
            _state.table_key = key
            # Long-lived arrays: keep them out of the garbage collector's way.
            gc.freeze()
        return _state.model, _state.table


def _ready():
    """`current()` for a request: without a stored model, queue a refit (debounced) and
    give (None, None) at once — the request itself never fits."""
    model, table = current()
    if model is None:
        schedule_refit()
    return model, table


def reset() -> None:
    """Forget the loaded model and table (tests, and after a refit in this process)."""
    with _state.lock:
        _state.version_id = _state.model = _state.table_key = _state.table = None


# --- suggestions ------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestionFilters:
    country: str = ""
    level: str = ""
    language: str = ""
    kind: str = ""


def suggestions(
    offer: Offer, *, k: int = 10, filters: SuggestionFilters | None = None
) -> list[scoring.Match]:
    """The k best partner offers from the other region, each explained; partners the
    offer's owners hid are left out. Empty while no model is stored (a refit is queued):
    `suggestions_if_ready` tells that case apart."""
    return suggestions_if_ready(offer, k=k, filters=filters) or []


def suggestions_if_ready(
    offer: Offer, *, k: int = 10, filters: SuggestionFilters | None = None
) -> list[scoring.Match] | None:
    """As `suggestions`, but None while no model is stored yet (a refit is then queued)."""
    model, table = _ready()
    if model is None or table is None:
        return None
    if not len(table):
        return []
    (query,) = features_of(with_features(Offer.objects.filter(pk=offer.pk)))
    # Always from the current text: a new or just-edited offer is scored at once with the
    # current model, without waiting for a refit.
    vector = model.transform([query.text])
    text = table.text_scores(model, model.scores(vector))
    rows = _candidate_rows(table, offer, filters or SuggestionFilters())
    sub = table.take(rows)
    return scoring.suggest(query, sub, text[rows], weights(), k)


def _candidate_rows(table: scoring.OfferTable, offer: Offer, f: SuggestionFilters) -> np.ndarray:
    keep = np.ones(len(table), dtype=bool)
    hidden = set(HiddenSuggestion.objects.filter(offer=offer).values_list("hidden_id", flat=True))
    if hidden:
        keep &= ~np.isin(table.ids, list(hidden))
    if f.country:
        keep &= np.array([o.country == f.country for o in table.offers], dtype=bool)
    if f.level:
        keep &= np.array([o.level == f.level for o in table.offers], dtype=bool)
    if f.kind:
        keep &= np.array([o.kind == f.kind for o in table.offers], dtype=bool)
    if f.language:
        keep &= np.array(
            [any(lang == f.language for lang, _ in o.languages) for o in table.offers], dtype=bool
        )
    return np.flatnonzero(keep)


def explain_pair(offer: Offer, partner: Offer) -> scoring.Match | None:
    """The explained score of one pair, from `offer`'s side; None while no model is stored
    (a refit is then queued)."""
    model, _table = _ready()
    if model is None:
        return None
    a, b = features_of(with_features(Offer.objects.filter(pk__in=[offer.pk, partner.pk])))
    if a.id != offer.pk:
        a, b = b, a
    vectors = model.transform([a.text, b.text])
    cosine = float((vectors[0] @ vectors[1].T).toarray()[0, 0])
    return scoring.explain(a, b, cosine, weights())
