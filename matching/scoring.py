"""Hard constraints, explained soft scores and ranked suggestions — plain data, no Django.

The entry points of the matching core, for the engine, the rounds and the benches:
`suggest` (the k best partners of one offer, explained) and `candidate_edges` (the
candidate graph of a pairing round). The parts live in their own pure modules and are
re-exported here, so callers keep one import:

- `constraints`: the hard constraints (`hard_failures`, `shared_language`, the codes);
- `components`: the soft-score components, each in [0, 1];
- `explanation`: `explain`, the explained score of one pair;
- `reasons`: `Reason`, `Failure`, `Match` — structured data for templates and the API;
- `table`: `OfferTable`, the vectorised filter and exact top-k ranking.

Every score carries `Reason`s, one per component plus the facts behind the hard
constraints (language, shared term).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from matching import candidates
from matching.components import (
    ISCED_SAME_BROAD,
    ISCED_SAME_DETAILED,
    ISCED_SAME_NARROW,
    isced_closeness,
    level_closeness,
    overlap_value,
    sdg_mask,
    sdg_share,
    size_ratio,
)
from matching.constraints import (
    EXCLUDED,
    LANGUAGE,
    OVERLAP,
    REGION,
    RELEVANCE,
    TERM,
    hard_failures,
    is_relevant,
    shared_language,
)
from matching.explanation import explain
from matching.features import OfferFeatures, Weights
from matching.reasons import (
    LANGUAGE_NAMES,
    PRIORITY_NAMES,
    Failure,
    Match,
    Reason,
    language_name,
    priority_name,
)
from matching.table import ASIA, OfferTable

if TYPE_CHECKING:
    from matching.similarity import TextModel

__all__ = [
    "ASIA",
    "EXCLUDED",
    "ISCED_SAME_BROAD",
    "ISCED_SAME_DETAILED",
    "ISCED_SAME_NARROW",
    "LANGUAGE",
    "LANGUAGE_NAMES",
    "OVERLAP",
    "PRIORITY_NAMES",
    "REGION",
    "RELEVANCE",
    "TERM",
    "Failure",
    "Match",
    "OfferTable",
    "Reason",
    "candidate_edges",
    "explain",
    "hard_failures",
    "is_relevant",
    "isced_closeness",
    "language_name",
    "level_closeness",
    "overlap_value",
    "priority_name",
    "sdg_mask",
    "sdg_share",
    "shared_language",
    "size_ratio",
    "suggest",
]


def suggest(
    query: OfferFeatures,
    candidates: OfferTable | Sequence[OfferFeatures],
    text_scores: np.ndarray | Mapping[int, float],
    weights: Weights = Weights(),  # noqa: B008 - frozen, safe as a default
    k: int = 10,
    *,
    rows: np.ndarray | None = None,
) -> list[Match]:
    """The k best partners for `query` among `candidates` (only these `rows` of the
    table, when given), best first, each explained.

    `candidates` is ideally an `OfferTable` built once per process (a plain sequence is
    converted on every call — fine for tests, slow at scale). `text_scores` gives the text
    cosine per candidate: an array aligned with the candidates' rows (fast; see
    `OfferTable.text_scores`) or a mapping id → score (missing ids score 0). The query may
    be among the candidates: the region constraint excludes it.
    """
    table = candidates if isinstance(candidates, OfferTable) else OfferTable(candidates)
    if isinstance(text_scores, Mapping):
        text = np.array([text_scores.get(int(i), 0.0) for i in table.ids], dtype=np.float32)
    else:
        text = np.asarray(text_scores, dtype=np.float32)
        if text.shape != (len(table),):
            raise ValueError("text_scores must have one score per candidate")
    ranked = table.rank(query, text if rows is None else text[rows], weights, k, rows)
    out = []
    for row, _score, summary in ranked:
        out.append(explain(query, table.offers[row], float(text[row]), weights, summary))
    return out


def candidate_edges(
    table: OfferTable,
    model: TextModel,
    weights: Weights = Weights(),  # noqa: B008
    k: int = 10,
    *,
    pool: int | None = None,
    batch_size: int = 512,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidate graph of a pairing round: (asian ids, european ids, scores).

    For every offer of the table, its top-k partners from the other region by soft score
    among those passing every hard constraint; the union of both directions, each pair
    once. Every offer must be in `model`. Batched (`candidates`): many queries at once
    against the other region, the same result as `OfferTable.rank` per query. With
    `pool`, only each offer's `pool` best by text are considered — faster, no longer exact.
    """
    return candidates.candidate_edges(table, model, weights, k, pool=pool, batch_size=batch_size)
