"""When no partner passes the relevance rule: what is near, and whether a new offer fits.

The offer page's honest empty state shows the nearest fields with open offers in the other
region (`nearest_fields`); a partner alert asks `fits` of each newly published offer.
Both read the process's model and offer table (`engine.current`), so they cost no refit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from matching import engine, scoring
from matching.components import isced_closeness
from offers.models import IscedField, Offer


@dataclass(frozen=True)
class NearField:
    """An ISCED-F detailed field with open offers in the other region."""

    code: str
    label: str
    offers: int
    closeness: float  # ISCED closeness to the offer's field (0: only the texts are near)
    text: float  # the best text similarity of its offers to the offer


def nearest_fields(offer: Offer, limit: int = 5) -> list[NearField]:
    """The fields of the other region's open offers nearest to `offer`: close fields in
    the ISCED-F tree first, then those whose offers' texts come nearest; empty while no
    model is stored."""
    model, table = engine.current()
    if model is None or table is None or not len(table):
        return []
    found = engine.features_of(engine.with_features(Offer.objects.filter(pk=offer.pk)))
    if not found:
        return []
    (query,) = found
    text = table.text_scores(
        model, model.scores(model.transform([query.text], [query.text_language]))
    )
    others = np.flatnonzero(table.asia != (query.region == scoring.ASIA))
    best: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    for row in others.tolist():
        code = int(table.isced[row])
        counts[code] += 1
        best[code] = max(best[code], float(text[row]))
    ranked = sorted(
        counts,
        key=lambda c: (-float(isced_closeness(c, int(query.isced))), -best[c], -counts[c], c),
    )[:limit]
    labels = IscedField.objects.in_bulk([f"{c:04d}" for c in ranked])
    return [
        NearField(
            code=f"{c:04d}",
            label=labels[f"{c:04d}"].label if f"{c:04d}" in labels else "",
            offers=counts[c],
            closeness=float(isced_closeness(c, int(query.isced))),
            text=round(best[c], 2),
        )
        for c in ranked
    ]


def fits(offer: Offer, partners: list[Offer]) -> list[Offer]:
    """The `partners` that `offer` could be suggested (and, the rules being symmetric,
    that could be suggested `offer`): every hard constraint passes, relevance included.
    Text similarities come from the current model (0 without one, so that only close
    fields count then)."""
    if not partners:
        return []
    found = engine.features_of(
        engine.with_features(Offer.objects.filter(pk__in=[offer.pk, *(p.pk for p in partners)]))
    )
    by_id = {f.id: f for f in found}
    query = by_id.get(offer.pk)
    if query is None:
        return []
    model, _table = engine.current()
    ids = [p.pk for p in partners if p.pk in by_id]
    cosines = dict.fromkeys(ids, 0.0)
    if model is not None and ids:
        texts = [query.text, *(by_id[i].text for i in ids)]
        langs = [query.text_language, *(by_id[i].text_language for i in ids)]
        vectors = model.transform(texts, langs)
        sims = (vectors[1:] @ vectors[0].T).toarray().ravel()
        cosines = dict(zip(ids, sims.tolist(), strict=True))
    weights = engine.weights()
    return [
        p
        for p in partners
        if p.pk in cosines
        and not scoring.hard_failures(query, by_id[p.pk], weights, text_similarity=cosines[p.pk])
    ]
