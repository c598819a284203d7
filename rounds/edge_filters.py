"""The round's own rules on the candidate graph, applied after `scoring.candidate_edges`
made it: a pair below the round's minimum score, or a pair someone refused before
(`selectors.refused_pairs`), never enters the pairing. Plain arrays, no queries."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FilteredEdges:
    asian: np.ndarray
    european: np.ndarray
    score: np.ndarray
    generated: int  # candidate pairs before these rules
    below_min_score: int  # removed by the minimum score
    refused: int  # removed, of those left, as refused before

    def stats(self, min_score: float) -> dict[str, object]:
        return {
            "min_score": min_score,
            "generated": self.generated,
            "below_min_score": self.below_min_score,
            "refused": self.refused,
        }


def _keys(asian: np.ndarray, european: np.ndarray) -> np.ndarray:
    """One int64 per (asian, european) pair (primary keys stay far below 2**31)."""
    return (asian.astype(np.int64) << 32) | european.astype(np.int64)


def filter_edges(
    asian: np.ndarray,
    european: np.ndarray,
    score: np.ndarray,
    *,
    min_score: float,
    refused: Collection[tuple[int, int]],
) -> FilteredEdges:
    """The edges scoring at least `min_score`, then without the refused pairs; each rule
    counts what it removed (the minimum first, so a refused pair below it counts there)."""
    asian, european = np.asarray(asian), np.asarray(european)
    score = np.asarray(score, dtype=float)
    generated = len(score)
    # A hair of tolerance: a stored 0.35 must not fall to float rounding.
    keep = score >= min_score - 1e-9
    below = int(generated - keep.sum())
    asian, european, score = asian[keep], european[keep], score[keep]
    if refused and len(score):
        known = np.fromiter((a << 32 | e for a, e in refused), dtype=np.int64, count=len(refused))
        out = np.isin(_keys(asian, european), known)
        n_refused = int(out.sum())
        asian, european, score = asian[~out], european[~out], score[~out]
    else:
        n_refused = 0
    return FilteredEdges(asian, european, score, generated, below, n_refused)
