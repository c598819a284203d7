"""Computing a pairing round, in the Celery task (`rounds.tasks`).

The round pairs the open offers that have no live proposal yet (`selectors.round_offers`)
on the candidate graph of `scoring.candidate_edges`, maximising the total score within
each offer's capacity, a cap per institution and country fairness
(`pairing.solve_exact`), and reports the result against the greedy baseline
(`rounds.figures`).

`round_run`: queued → running, with progress; then done, or failed with a readable error.
The pairs are written in one transaction at the very end, so a round is never
half-written. See docs/pairing_rounds.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from matching import engine, pairing, scoring
from matching.features import OfferFeatures, Weights
from rounds.edge_filters import filter_edges
from rounds.errors import RoundError
from rounds.figures import figures
from rounds.models import PairingRound, RoundPair, RoundStatus
from rounds.params import (
    ASIA,
    ERROR_NO_ASIA,
    ERROR_NO_EUROPE,
    EUROPE,
    NOTE_CANDIDATES,
    NOTE_DONE,
    NOTE_EXACT,
    NOTE_EXPLAIN,
    NOTE_GREEDY,
    NOTE_LOADING,
    NOTE_MODEL,
    NOTE_STORING,
    RoundParams,
)
from rounds.selectors import refused_pairs, round_offers

logger = logging.getLogger(__name__)

# Errors a retry of the task may cure: they leave the round running for the retry.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)

STALE_RUNNING = gettext_lazy(
    "The worker computing this round stopped: no progress for %(minutes)d minutes. "
    "Run the round again."
)
STALE_QUEUED = gettext_lazy(
    "No worker took this round within %(minutes)d minutes. Check that the Celery workers "
    "run, then run the round again."
)


@dataclass
class _Computed:
    pairs: list[RoundPair] = field(default_factory=list)
    stats: dict[str, object] = field(default_factory=dict)


def round_run(*, round_id: int) -> PairingRound:
    """Compute a queued round: status running → done with its pairs and figures, or failed
    with a readable error and no pairs.

    Idempotent: a round that is done, failed or published is returned untouched, and a
    duplicate run (a redelivered task) stores nothing when another run finished first.
    Transient database errors (`TRANSIENT_ERRORS`) propagate, the round still running, so
    that the task retries.
    """
    with transaction.atomic():
        pairing_round = PairingRound.objects.select_for_update().get(pk=round_id)
        if pairing_round.status not in (RoundStatus.QUEUED, RoundStatus.RUNNING):
            return pairing_round
        pairing_round.status = RoundStatus.RUNNING
        pairing_round.started_at = pairing_round.heartbeat_at = timezone.now()
        pairing_round.progress = 0
        pairing_round.progress_note = NOTE_LOADING
        pairing_round.error = ""
        pairing_round.save(
            update_fields=[
                "status",
                "started_at",
                "heartbeat_at",
                "progress",
                "progress_note",
                "error",
            ]
        )
    try:
        computed = _compute(pairing_round, lambda p, n: _progress(round_id, p, n))
        _progress(round_id, 95, NOTE_STORING)
        return _store(round_id, computed)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        logger.exception("pairing round %s failed", round_id)
        return round_fail(round_id=round_id, error=str(exc) or type(exc).__name__)


def rounds_reap_stale(*, now: dt.datetime | None = None) -> int:
    """Fail the rounds whose worker died: running without a heartbeat, or queued without
    a worker taking them, for ROUND_STALE_MINUTES. Run by Celery beat; returns how many.
    A worker that comes back later finds the round failed and leaves it alone."""
    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=settings.ROUND_STALE_MINUTES)
    stale = PairingRound.objects.filter(
        Q(status=RoundStatus.RUNNING, heartbeat_at__lt=limit)
        | Q(status=RoundStatus.QUEUED, created_at__lt=limit)
    ).values_list("pk", "status")
    for round_id, status in stale:
        error = STALE_RUNNING if status == RoundStatus.RUNNING else STALE_QUEUED
        round_fail(round_id=round_id, error=str(error % {"minutes": settings.ROUND_STALE_MINUTES}))
    return len(stale)


def round_fail(*, round_id: int, error: str) -> PairingRound:
    """Mark a queued or running round as failed, with its error; it keeps no pairs."""
    with transaction.atomic():
        pairing_round = PairingRound.objects.select_for_update().get(pk=round_id)
        if pairing_round.status not in (RoundStatus.QUEUED, RoundStatus.RUNNING):
            return pairing_round
        RoundPair.objects.filter(pairing_round=pairing_round).delete()
        pairing_round.status = RoundStatus.FAILED
        pairing_round.error = error[:2000]
        pairing_round.finished_at = timezone.now()
        pairing_round.save(update_fields=["status", "error", "finished_at"])
    return pairing_round


def _progress(round_id: int, percent: int, note: str) -> None:
    """Record how far a running round is; committed at once so the page can poll it."""
    PairingRound.objects.filter(pk=round_id, status=RoundStatus.RUNNING).update(
        progress=percent, progress_note=note, heartbeat_at=timezone.now()
    )


def _store(round_id: int, computed: _Computed) -> PairingRound:
    """Write every pair and the figures in one transaction, or nothing."""
    with transaction.atomic():
        pairing_round = PairingRound.objects.select_for_update().get(pk=round_id)
        if pairing_round.status != RoundStatus.RUNNING:
            return pairing_round  # another run of the task finished first
        RoundPair.objects.filter(pairing_round=pairing_round).delete()
        for pair in computed.pairs:
            pair.pairing_round = pairing_round
        RoundPair.objects.bulk_create(computed.pairs, batch_size=500)
        pairing_round.status = RoundStatus.DONE
        pairing_round.progress = 100
        pairing_round.progress_note = NOTE_DONE
        pairing_round.stats = computed.stats
        pairing_round.finished_at = timezone.now()
        pairing_round.full_clean()
        pairing_round.save()
    return pairing_round


def _compute(pairing_round: PairingRound, progress: Callable[[int, str], None]) -> _Computed:
    params = RoundParams.from_json(pairing_round.params)
    problems = params.problems()
    if problems:
        raise RoundError("; ".join(problems))
    weights = engine.weights()

    progress(5, NOTE_LOADING)
    features = engine.features_of(engine.with_features(round_offers(params)))
    regions = Counter(f.region for f in features)
    if not regions[ASIA]:
        raise RoundError(ERROR_NO_ASIA)
    if not regions[EUROPE]:
        raise RoundError(ERROR_NO_EUROPE)

    progress(15, NOTE_MODEL)
    model, model_info = _text_model(features)
    table = scoring.OfferTable(features)

    progress(30, NOTE_CANDIDATES)
    asian, european, score = scoring.candidate_edges(table, model, weights, k=params.k)
    # The round's own rules, after the candidates are generated: its minimum score and
    # the pairs refused before (rounds.edge_filters).
    kept = filter_edges(asian, european, score, min_score=params.min_score, refused=refused_pairs())
    edges = pairing.Edges(kept.asian, kept.european, kept.score)
    offers = {
        f.id: pairing.RoundOffer(f.region, f.country, f.institution_id, f.capacity)
        for f in features
    }
    caps = {"institution_cap": params.institution_cap, "country_slack": params.country_slack}

    progress(60, NOTE_EXACT)
    exact = pairing.solve_exact(edges, offers, **caps)

    progress(75, NOTE_GREEDY)
    greedy = pairing.solve_greedy(edges, offers, **caps)

    progress(85, NOTE_EXPLAIN)
    pairs = _explained_pairs(features, model, exact.pairs, weights)
    stats = figures(features, offers, exact, greedy, len(edges), params, model_info)
    stats["filters"] = kept.stats(params.min_score)
    return _Computed(pairs=pairs, stats=stats)


def _explained_pairs(
    features: Sequence[OfferFeatures],
    model,
    chosen: Sequence[tuple[int, int, float]],
    weights: Weights,
) -> list[RoundPair]:
    """The chosen (asian, european, score) pairs as unsaved rows, each explained."""
    by_id = {f.id: f for f in features}
    texts = _pair_cosines(model, chosen)
    pairs = []
    for (a, b, s), text in zip(chosen, texts, strict=True):
        match = scoring.explain(by_id[a], by_id[b], float(text), weights)
        pairs.append(
            RoundPair(
                asian_offer_id=a,
                european_offer_id=b,
                score=round(float(s), 6),
                explanation=[r.as_dict() for r in match.reasons],
            )
        )
    return pairs


def _text_model(features: Sequence[OfferFeatures]):
    """The text model for the round's offers, and a note of which model it is.

    The stored model keeps the round's scores equal to the suggestions' scores, so it comes
    first: `engine.refit()` brings it up to date (a no-op when no open offer's text changed
    since the newest version), then `engine.current()` loads it. Every offer of the round
    is open, so the refitted model holds them all — unless an offer opened, or a concurrent
    refit finished, between our reads; then a model fitted on exactly the round's offers
    is used for this round only (not stored).
    """
    # Imported here for start-up speed only (it brings scipy); there is no cycle.
    from matching.similarity import TextModel

    ids = np.array([f.id for f in features], dtype=np.int64)
    version = engine.refit()
    model, _table = engine.current()
    if model is not None and bool((model.rows_of(ids) >= 0).all()):
        return model, {"source": "stored", "version": version.pk if version else None}
    logger.info("round offers missing from the stored model: fitting one for the round")
    model = TextModel().fit([(f.id, f.text) for f in features])
    return model, {"source": "round", "version": None}


def _pair_cosines(model, pairs: Sequence[tuple[int, int, float]], batch: int = 256) -> list[float]:
    """Text cosine of each (asian, european, _) pair, as the candidate graph scored it."""
    out: list[float] = []
    for lo in range(0, len(pairs), batch):
        chunk = pairs[lo : lo + batch]
        targets = model.subset(model.rows_of([b for _, b, _ in chunk]))
        block = targets.score_block(model.rows([a for a, _, _ in chunk]))
        out.extend(float(x) for x in np.diagonal(block))
    return out
