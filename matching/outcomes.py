"""What lecturers do with suggestions, recorded for the ranking to learn from
(matching.learning), and the refit that learns from them.

Events hold offers, a kind, the pair's component values and score at that moment, and
when: no person, no text. "Shown" and "opened" are kept once per pair and day (a bulk
insert that ignores the day's repeats), so page views do not grow the table forever.
Proposal outcomes come from the exchanges app (its receivers call `record_proposal`),
which sits above matching.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from matching import learning
from matching.features import Weights
from matching.models import RankingModel, SuggestionEvent, SuggestionEventKind
from matching.reasons import Match

logger = logging.getLogger(__name__)

Kind = SuggestionEventKind
# The fit reads the outcomes of the last year: older habits fade out.
WINDOW_DAYS = 365
PROPOSAL_KINDS = {
    "proposed": Kind.PROPOSED,
    "accepted": Kind.ACCEPTED,
    "declined": Kind.DECLINED,
    "completed": Kind.COMPLETED,
}


def components_of(reasons: Iterable) -> dict[str, float | None]:
    """The soft components of a pair from its reasons (`Reason`s or their dicts). The
    overlap does not apply (None) when it weighs and scores nothing: no side wants live
    sessions (a pair that does is only suggested with some overlap)."""
    out: dict[str, float | None] = {}
    for r in reasons:
        code, value, weight = (
            (r["code"], r["value"], r["weight"])
            if isinstance(r, Mapping)
            else (r.code, r.value, r.weight)
        )
        if code not in Weights.SOFT:
            continue
        applies = code != "overlap" or weight > 0 or value > 0
        out[code] = round(float(value), 4) if applies else None
    return out


def _event(offer_id: int, partner_id: int, kind: str, **fields) -> SuggestionEvent:
    at = fields.pop("at", None) or timezone.now()
    return SuggestionEvent(
        offer_id=offer_id, partner_id=partner_id, kind=kind, at=at, day=at.date(), **fields
    )


def record_shown(offer_id: int, matches: Sequence[Match]) -> None:
    """The suggestions an offer's page showed, best first; once per pair and day."""
    if not matches:
        return
    SuggestionEvent.objects.bulk_create(
        [
            _event(
                offer_id,
                m.partner_id,
                Kind.SHOWN,
                components=components_of(m.reasons),
                score=round(m.score, 4),
                rank=n,
            )
            for n, m in enumerate(matches, start=1)
        ],
        ignore_conflicts=True,
    )


def _last_seen(offer_id: int, partner_id: int, *, both_ways: bool = False):
    """The newest event of the pair that has its components, or None."""
    pair = Q(offer_id=offer_id, partner_id=partner_id)
    if both_ways:
        pair |= Q(offer_id=partner_id, partner_id=offer_id)
    return (
        SuggestionEvent.objects.filter(pair)
        .exclude(components={})
        .order_by("-at", "-pk")
        .only("offer_id", "partner_id", "components", "score", "rank")
        .first()
    )


def record_opened(offer_id: int, partner_id: int) -> bool:
    """A partner's page opened from `offer_id`'s suggestions; only a pair that was shown."""
    shown = _last_seen(offer_id, partner_id)
    if shown is None:
        return False
    SuggestionEvent.objects.bulk_create(
        [
            _event(
                offer_id,
                partner_id,
                Kind.OPENED,
                components=shown.components,
                score=shown.score,
                rank=shown.rank,
            )
        ],
        ignore_conflicts=True,
    )
    return True


def record_hidden(offer_id: int, partner_id: int) -> None:
    seen = _last_seen(offer_id, partner_id)
    _event(
        offer_id,
        partner_id,
        Kind.HIDDEN,
        components=seen.components if seen else {},
        score=seen.score if seen else None,
        rank=seen.rank if seen else None,
    ).save()


def record_proposal(
    *,
    state: str,
    proposer_offer_id: int,
    other_offer_id: int,
    score: float | None,
    explanation: list,
    at=None,
) -> None:
    """A proposal reached `state` (proposed, accepted, declined or completed; others are
    not recorded). Seen from the side the pair was suggested to, if it was; else from the
    proposer's offer."""
    kind = PROPOSAL_KINDS.get(state)
    if kind is None:
        return
    seen = _last_seen(proposer_offer_id, other_offer_id, both_ways=True)
    offer_id, partner_id = (
        (seen.offer_id, seen.partner_id) if seen else (proposer_offer_id, other_offer_id)
    )
    components = components_of(explanation) if explanation else {}
    if not components and seen is not None:
        components, score = seen.components, seen.score
    _event(offer_id, partner_id, kind, components=components, score=score, at=at).save()


# --- the refit --------------------------------------------------------------------------


def fixed_weights() -> dict[str, float]:
    w = Weights.from_mapping(getattr(settings, "MATCHING_WEIGHTS", {}))
    return {c: getattr(w, c) for c in Weights.SOFT}


def labelled_pairs() -> int:
    """Pairs with an explicit outcome (anything but shown and opened) and components to
    learn from (a proposal made while no text model was stored has none)."""
    return (
        SuggestionEvent.objects.exclude(kind__in=[Kind.SHOWN, Kind.OPENED])
        .exclude(components={})
        .values("offer_id", "partner_id")
        .distinct()
        .count()
    )


def _events() -> list[learning.Event]:
    since = timezone.now() - dt.timedelta(days=WINDOW_DAYS)
    rows = (
        SuggestionEvent.objects.filter(at__gte=since)
        .values_list("offer_id", "partner_id", "kind", "components", "at")
        .iterator(chunk_size=5000)
    )
    return [learning.Event(*row) for row in rows]


def refit() -> RankingModel | None:
    """Fit and evaluate on the recorded outcomes; None (nothing stored) with fewer than
    RANKING_MIN_OUTCOMES labelled pairs. The new fit is the active one only when it beat
    the fixed weights; otherwise none is and the fixed weights serve."""
    labelled = labelled_pairs()
    if labelled < settings.RANKING_MIN_OUTCOMES:
        logger.info(
            "ranking refit skipped: %s labelled pairs, %s needed",
            labelled,
            settings.RANKING_MIN_OUTCOMES,
        )
        return None
    events = _events()
    result = learning.fit(learning.pairs_of(events), fixed_weights())
    metrics = {**result.metrics, "labelled": labelled}
    with transaction.atomic():
        RankingModel.objects.filter(active=True).update(active=False)
        model = RankingModel.objects.create(
            weights=result.weights or {},
            events=len(events),
            pairs=int(metrics.get("train", 0) or 0) + int(metrics.get("holdout", 0) or 0),
            metrics=metrics,
            active=result.active,
        )
    logger.info("ranking refit %s: active=%s %s", model.pk, model.active, metrics)
    return model
