"""The Django side of matching: offers become features, the stored text model is loaded
lazily by each process, and suggestions are served from memory.

The pure modules (similarity, overlap, scoring, pairing and their parts) know nothing of
Django; this one is the only bridge, so views, the API, commands and tasks all call it.
Fitting and storing the model is `matching.store`'s (re-exported here as `refit`): a
page request never fits. Before the first model is stored, `suggestions` and
`explain_pair` give nothing and queue a refit (`matching.tasks.schedule_refit`).

A refit may run in any process on any machine: every call here reads the newest
version's row, and a process that finds a newer one than it serves reads that version
from the shared storage once and swaps it in, without a restart (`current`). Requests
under way keep the model they started with; if the storage cannot be read, the process
keeps serving the model it has, logs the error and tries again later.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings

from core import metrics
from core.vocabulary import LEVEL_POSITION
from matching import live_table, scoring
from matching.features import OfferFeatures, Weights
from matching.models import HiddenSuggestion, RankingModel, TextModelVersion
from matching.store import latest_version, load_model, matchable_offers, refit
from matching.tasks import schedule_refit
from offers.models import Offer

logger = logging.getLogger(__name__)

__all__ = [
    "SuggestionFilters",
    "current",
    "explain_pair",
    "features_of",
    "loaded_version",
    "matchable_offers",
    "refit",
    "reset",
    "suggestions",
    "suggestions_if_ready",
    "weights",
    "with_features",
]


def weights() -> Weights:
    """The soft-score weights: the active learned ones (matching.outcomes.refit) when a
    fit beat the fixed ones, else the settings'; the hard thresholds always from the
    settings. One small query."""
    fixed = getattr(settings, "MATCHING_WEIGHTS", {})
    learned = RankingModel.objects.filter(active=True).values_list("weights", flat=True).first()
    if learned:
        try:
            return Weights.from_mapping({**fixed, **learned})
        except (ValueError, TypeError):
            logger.error("matching: active ranking weights unusable, fixed ones serve: %s", learned)
    return Weights.from_mapping(fixed)


def with_features(qs):
    """Offers with everything `features_of` reads, prefetched."""
    return qs.prefetch_related("languages", "windows", "sdgs", "excluded_countries")


def features_of(offers: Iterable[Offer]) -> list[OfferFeatures]:
    """Plain features of offers fetched with `with_features` (no query per offer).

    An offer that breaks the features' contract (a row written past the rules: a level
    or time zone unknown, dates outside the term window) is left out and logged, so that
    it cannot break the suggestions, proposals and rounds of everybody else."""
    out = []
    for o in offers:
        try:
            out.append(_features(o))
        except (ValueError, TypeError, KeyError) as exc:
            logger.warning("matching: offer %s left out, its data cannot be matched: %s", o.pk, exc)
    return out


def _features(o: Offer) -> OfferFeatures:
    return live_table.features_of_row(
        tuple(getattr(o, name) for name in live_table.COLUMNS),
        ((x.language, x.cefr) for x in o.languages.all()),
        ((w.weekday, w.start, w.end) for w in o.windows.all()),
        (s.pk for s in o.sdgs.all()),
        (c.pk for c in o.excluded_countries.all()),
    )


# --- the per-process state ----------------------------------------------------------------

# After a version could not be read, the process tries it again no sooner than this.
LOAD_RETRY_SECONDS = 30.0


@dataclass
class _State:
    # (version id, model): replaced as one, never changed in place, so a request that
    # took a model keeps it to its end whatever a newer version does meanwhile.
    loaded: tuple[int, object] | None = None
    # (version id, monotonic time of the next try) of the newest version, unreadable.
    failed: tuple[int, float] | None = None
    live: live_table.LiveTable | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)  # the table
    load_lock: threading.Lock = field(default_factory=threading.Lock)  # one load at a time


_state = _State()


def current():
    """(model, table) for this process: the newest stored model and a table of the open
    offers, rebuilt when they change; (None, None) while no model (of the current format)
    is stored, or none could be read yet. Never fits: a new model comes from `refit` (the
    refit task, the `refit_matching` command, a pairing round, a test).

    Two small queries a call: the newest version's row and the open offers' count and
    last change. A version is read from the storage once per process, when its row is
    first seen; if it cannot be read, the model held so far goes on serving."""
    latest = latest_version()
    if latest is None:
        _state.failed = None
        return None, None
    model = _model_of(latest)
    if model is None:
        return None, None
    return model, _table()


def _model_of(latest: TextModelVersion):
    """The model of `latest`, loaded now if this process has not yet; the one held so far
    (or None) while another thread loads it, or when the storage could not be read."""
    loaded = _state.loaded
    if loaded is not None and loaded[0] == latest.pk:
        return loaded[1]
    held = loaded[1] if loaded is not None else None
    if _retry_later(latest.pk):
        return held
    # The first load is waited for (there is nothing to serve meanwhile); a swap is not:
    # while one thread reads the new version, the others serve the model held.
    if not _state.load_lock.acquire(blocking=held is None):
        return held
    try:
        loaded = _state.loaded
        if loaded is not None and loaded[0] == latest.pk:
            return loaded[1]  # another thread loaded it while this one waited
        if _retry_later(latest.pk):
            return loaded[1] if loaded is not None else None
        try:
            model = load_model(latest)
        except Exception:
            _state.failed = (latest.pk, time.monotonic() + LOAD_RETRY_SECONDS)
            metrics.MODEL_LOAD_FAILURES.inc()
            logger.error(
                "matching model v%s could not be read from the storage (%s); serving %s, "
                "trying again in %d s",
                latest.pk,
                latest.file,
                f"v{loaded[0]}" if loaded is not None else "no suggestions",
                LOAD_RETRY_SECONDS,
                exc_info=True,
            )
            return loaded[1] if loaded is not None else None
        _state.loaded, _state.failed = (latest.pk, model), None
        metrics.MODEL_LOADED_VERSION.set(latest.pk)
        logger.info("matching model v%s loaded", latest.pk)
        # Long-lived arrays: keep them out of the garbage collector's way (after
        # collecting the load's garbage, which would otherwise stay for good).
        gc.collect()
        gc.freeze()
        return model
    finally:
        _state.load_lock.release()


def _retry_later(version_id: int) -> bool:
    failed = _state.failed
    return failed is not None and failed[0] == version_id and time.monotonic() < failed[1]


def _table() -> scoring.OfferTable:
    """The open offers' table: built once per process, then only what changed since is
    applied (`matching.live_table`), a few small indexed queries a call."""
    with _state.lock:
        live = _state.live
        if live is None:
            live = live_table.build()
            # The table's arrays and features live as long as the process: out of the
            # collector's way, after collecting the garbage of the build (else it stays).
            gc.collect()
            gc.freeze()
        else:
            live = live_table.refresh(live)
        _state.live = live
        return live.table


def loaded_version() -> int | None:
    """The number of the version this process serves, or None before its first load."""
    loaded = _state.loaded
    return loaded[0] if loaded is not None else None


def _ready():
    """`current()` for a request: without a stored model, queue a refit (debounced) and
    give (None, None) at once — the request itself never fits. A stored model that could
    not be read is not refitted: the storage is what failed (and it is logged)."""
    model, table = current()
    if model is None and _state.failed is None:
        schedule_refit()
    return model, table


def reset() -> None:
    """Forget the loaded model and table (tests)."""
    with _state.lock, _state.load_lock:
        _state.loaded = _state.failed = _state.live = None
        metrics.MODEL_LOADED_VERSION.set(0)


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
    found = features_of(with_features(Offer.objects.filter(pk=offer.pk)))
    if not found:
        return []  # the offer itself cannot be matched (logged)
    (query,) = found
    # Always from the current text: a new or just-edited offer is scored at once with the
    # current model, without waiting for a refit.
    vector = model.transform([query.text], [query.text_language])
    text = table.text_scores(model, model.scores(vector))
    rows = _candidate_rows(table, offer, filters or SuggestionFilters())
    return scoring.suggest(query, table, text, weights(), k, rows=rows)


def _candidate_rows(
    table: scoring.OfferTable, offer: Offer, f: SuggestionFilters
) -> np.ndarray | None:
    """The table rows the filters and the hidden partners leave; None for all of them
    (the usual case, ranked without gathering the whole table)."""
    keep = None

    def narrow(mask: np.ndarray) -> None:
        nonlocal keep
        keep = mask if keep is None else keep & mask

    hidden = list(HiddenSuggestion.objects.filter(offer=offer).values_list("hidden_id", flat=True))
    if hidden:
        narrow(~np.isin(table.ids, hidden))
    if f.country:
        code = table.countries.index(f.country) if f.country in table.countries else -1
        narrow(table.country == code)
    if f.level:
        narrow(table.level == LEVEL_POSITION.get(f.level, -1))
    if f.kind:
        narrow(table.kind == f.kind)
    if f.language:
        column = table.cefr.get(f.language)
        narrow(column >= 0 if column is not None else np.zeros(len(table), dtype=bool))
    return None if keep is None else np.flatnonzero(keep)


def explain_pair(offer: Offer, partner: Offer) -> scoring.Match | None:
    """The explained score of one pair, from `offer`'s side; None while no model is stored
    (a refit is then queued)."""
    model, _table = _ready()
    if model is None:
        return None
    found = features_of(with_features(Offer.objects.filter(pk__in=[offer.pk, partner.pk])))
    if len(found) != 2:
        return None  # one side cannot be matched (logged): no score to record
    a, b = found
    if a.id != offer.pk:
        a, b = b, a
    vectors = model.transform([a.text, b.text], [a.text_language, b.text_language])
    cosine = float((vectors[0] @ vectors[1].T).toarray()[0, 0])
    return scoring.explain(a, b, cosine, weights())
