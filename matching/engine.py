"""The Django side of matching: offers become features, the fitted text model is stored,
versioned and loaded lazily by each process, and suggestions are served from memory.

The pure modules (similarity, overlap, scoring, pairing) know nothing of Django; this one
is the only bridge, so views, the API, commands and tasks all call it.
"""

from __future__ import annotations

import gc
import logging
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Count, Max

from matching import scoring
from matching.features import OfferFeatures, Weights
from matching.models import HiddenSuggestion, TextModelVersion
from offers.models import Offer, OfferStatus

logger = logging.getLogger(__name__)

MODEL_DIR = "matching"


def weights() -> Weights:
    return Weights.from_mapping(getattr(settings, "MATCHING_WEIGHTS", {}))


def _with_features(qs):
    return qs.prefetch_related("languages", "windows", "sdgs", "excluded_countries")


def features_of(offers: Iterable[Offer]) -> list[OfferFeatures]:
    """Plain features of offers fetched with `_with_features` (no query per offer)."""
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


def matchable_offers():
    """The offers the model is fitted on and suggestions come from: the open ones."""
    return Offer.objects.filter(status=OfferStatus.OPEN).order_by("pk")


# --- fitting and storing ---------------------------------------------------------------


def refit(*, force: bool = False) -> TextModelVersion | None:
    """Fit the text model on every open offer and store it as a new version, unless the
    texts are unchanged since the newest version. Returns the version in use, or None
    when there is nothing to fit."""
    from matching.similarity import FORMAT_VERSION, TextModel, data_hash

    docs = [
        (pk, "\n".join(p for p in parts if p))
        for pk, *parts in matchable_offers().values_list(
            "pk", "title", "description", "learning_outcomes"
        )
    ]
    if not docs:
        return None
    digest = data_hash(docs, TextModel().params)
    latest = TextModelVersion.objects.filter(format_version=FORMAT_VERSION).first()
    if latest and latest.data_hash == digest and not force:
        return latest
    started = time.perf_counter()
    model = TextModel().fit(docs)
    seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/model.joblib"
        model.save(path)
        with open(path, "rb") as fitted:
            name = default_storage.save(f"{MODEL_DIR}/model-{digest[:16]}.joblib", File(fitted))
        size = default_storage.size(name)
    version = TextModelVersion.objects.create(
        format_version=FORMAT_VERSION,
        data_hash=digest,
        file=name,
        offers=len(docs),
        size_bytes=size,
        fit_seconds=round(seconds, 3),
    )
    logger.info("matching model v%s fitted on %s offers in %.1f s", version.pk, len(docs), seconds)
    _prune_old_versions(keep=3)
    return version


def _prune_old_versions(*, keep: int) -> None:
    for old in TextModelVersion.objects.all()[keep:]:
        if default_storage.exists(old.file):
            default_storage.delete(old.file)
        old.delete()


# --- the per-process state ----------------------------------------------------------------


@dataclass
class _State:
    version_id: int | None = None
    model: object | None = None
    table_key: tuple | None = None
    table: scoring.OfferTable | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_state = _State()


def _load_model(version: TextModelVersion):
    from matching.similarity import TextModel

    if hasattr(default_storage, "path"):
        return TextModel.load(default_storage.path(version.file))
    with default_storage.open(version.file) as src, tempfile.NamedTemporaryFile() as tmp:
        tmp.write(src.read())
        tmp.flush()
        return TextModel.load(tmp.name)


def current():
    """(model, table) for this process: the newest stored model — fitted first if there is
    none — and a table of the open offers, rebuilt when they change. Never refits an
    existing model: changed offers are picked up by the refit task."""
    latest = TextModelVersion.objects.first()
    if latest is None:
        latest = refit()
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
            _state.model = _load_model(latest)
            _state.version_id = latest.pk
            _state.table_key = None
        if _state.table_key != key:
            offers = features_of(_with_features(matchable_offers()))
            _state.table = scoring.OfferTable(offers)
            _state.table_key = key
            # Long-lived arrays: keep them out of the garbage collector's way.
            gc.freeze()
        return _state.model, _state.table


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
    offer's owners hid are left out."""
    model, table = current()
    if model is None or table is None or not len(table):
        return []
    (query,) = features_of(_with_features(Offer.objects.filter(pk=offer.pk)))
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
    """The explained score of one pair, from `offer`'s side (None without a model)."""
    model, _table = current()
    if model is None:
        return None
    a, b = features_of(_with_features(Offer.objects.filter(pk__in=[offer.pk, partner.pk])))
    if a.id != offer.pk:
        a, b = b, a
    vectors = model.transform([a.text, b.text])
    cosine = float((vectors[0] @ vectors[1].T).toarray()[0, 0])
    return scoring.explain(a, b, cosine, weights())
