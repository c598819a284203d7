"""Synthetic outcomes whose right weights are known: each suggested pair gets random
component values, and lecturers act on it with a probability that grows with its score
under `true_weights`."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.utils import timezone

from matching import learning
from matching.features import Weights
from matching.models import SuggestionEvent

FIXED = {c: getattr(Weights(), c) for c in Weights.SOFT}
# Field and text matter most, then level and SDGs; the rest not at all.
KNOWN = {"text": 0.30, "isced": 0.45, "level": 0.15, "overlap": 0.0, "size": 0.0, "sdg": 0.10,
         "priority": 0.0}  # fmt: skip


def synthetic_events(
    true_weights: dict, offers: list[int], *, seed: int = 7, days: int = 200, noise: bool = False
) -> list[learning.Event]:
    rng = np.random.default_rng(seed)
    start = timezone.now() - dt.timedelta(days=days)
    pairs = [(q, p) for q in offers for p in offers if p != q]
    x = rng.uniform(0.0, 1.0, (len(pairs), len(Weights.SOFT))).round(4)
    s = learning.scores(x, true_weights)
    chance = np.full(len(pairs), 0.3) if noise else 1 / (1 + np.exp(-12 * (s - 0.6)))
    hours = rng.uniform(0, days * 24, len(pairs))
    act, hide = rng.random(len(pairs)), rng.random(len(pairs))
    kinds = rng.choice(["proposed", "accepted", "completed"], p=[0.5, 0.3, 0.2], size=len(pairs))
    events = []
    for i, (q, p) in enumerate(pairs):
        comps = dict(zip(Weights.SOFT, map(float, x[i]), strict=True))
        at = start + dt.timedelta(hours=float(hours[i]))
        events.append(learning.Event(q, p, "shown", comps, at))
        if act[i] < chance[i]:
            events.append(learning.Event(q, p, str(kinds[i]), comps, at + dt.timedelta(days=1)))
        elif hide[i] < 0.25:
            events.append(learning.Event(q, p, "hidden", comps, at + dt.timedelta(hours=1)))
    return events


def store(events: list[learning.Event]) -> None:
    SuggestionEvent.objects.bulk_create(
        [
            SuggestionEvent(
                offer_id=e.offer,
                partner_id=e.partner,
                kind=e.kind,
                components=dict(e.components),
                at=e.at,
                day=e.at.date(),
            )
            for e in events
        ],
        batch_size=2000,
    )
