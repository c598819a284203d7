"""A made-up history of what lecturers did with their suggestions, so the secretariat's
ranking page (/secretariat/matching-model/) shows a fit and its evaluation.

The suggestions are the real ones of the demo offers (the text model is fitted first if
none is stored), shown on a few days over the last months; lecturers open, propose,
hide, and partners accept, decline and complete, more often the better a pair is under
a preference where text and field matter most (HABITS). Then the ranking is refitted."""

from __future__ import annotations

import datetime as dt
import math
import random

from django.db import transaction
from django.utils import timezone

from matching import engine, learning, outcomes
from matching.models import SuggestionEvent
from offers.models import Offer, OfferStatus

# What the made-up lecturers go by: text and field first (the fixed weights put text
# far ahead of field), then level and SDGs.
HABITS = {"text": 0.38, "isced": 0.36, "level": 0.1, "overlap": 0.06, "size": 0.0, "sdg": 0.1,
          "priority": 0.0}  # fmt: skip
DAYS = 180


def _utility(components: dict) -> float:
    return float(learning.scores(learning.vector(components)[None, :], HABITS)[0])


def _pair_events(rng: random.Random, offer_id: int, rank: int, match, day0, lift: float):
    """The events of one shown suggestion: seen on a few days, then perhaps acted on."""
    comps = outcomes.components_of(match.reasons)
    common = {"offer_id": offer_id, "partner_id": match.partner_id, "components": comps}
    common |= {"score": round(match.score, 4), "rank": rank}
    at = day0 + dt.timedelta(hours=rng.uniform(8, 18))
    out = [("shown", at + dt.timedelta(days=d)) for d in sorted(rng.sample(range(20), 3))]
    act = 0.7 / (1 + math.exp(-40 * lift))
    if rng.random() < act:
        out.append(("opened", at + dt.timedelta(minutes=2)))
        out.append(("proposed", at + dt.timedelta(minutes=20)))
        later = at + dt.timedelta(days=rng.randint(2, 10))
        if rng.random() < 0.25 - 2 * lift:
            out.append(("declined", later))
        elif rng.random() < 0.8:
            out.append(("accepted", later))
            if rng.random() < 0.6:
                out.append(("completed", later + dt.timedelta(days=rng.randint(40, 90))))
    elif rng.random() < 0.25:
        out.append(("opened", at + dt.timedelta(minutes=3)))
    elif rng.random() < 0.15:
        out.append(("hidden", at + dt.timedelta(minutes=5)))
    return [
        SuggestionEvent(kind=kind, at=when, day=when.date(), **common)
        for kind, when in out
        if when < timezone.now()
    ]


def build_demo_outcomes(queries: int = 150, seed: int = 2026) -> int:
    """Outcomes of the suggestions of `queries` demo offers, then a ranking refit.
    Idempotent (nothing happens once any suggestion was shown); the events created."""
    if SuggestionEvent.objects.filter(kind="shown").exists():
        return 0
    if engine.current()[0] is None:
        engine.refit()
    rng = random.Random(seed)
    offers = list(Offer.objects.filter(status=OfferStatus.OPEN).order_by("pk"))
    rng.shuffle(offers)
    now = timezone.now()
    events: list[SuggestionEvent] = []
    for offer in offers[:queries]:
        matches = engine.suggestions(offer, k=10)
        if not matches:
            continue
        utilities = [_utility(outcomes.components_of(m.reasons)) for m in matches]
        mean = sum(utilities) / len(utilities)
        day0 = now - dt.timedelta(days=rng.uniform(25, DAYS))
        for rank, (m, u) in enumerate(zip(matches, utilities, strict=True), start=1):
            events += _pair_events(rng, offer.pk, rank, m, day0, u - mean)
    with transaction.atomic():
        SuggestionEvent.objects.bulk_create(events, batch_size=2000, ignore_conflicts=True)
    outcomes.refit()
    return len(events)
