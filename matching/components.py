"""The soft-score components of a pair, each in [0, 1] — plain numpy, no Django.

Each works on scalars and on numpy arrays alike, so the vectorised ranking
(`table.OfferTable.rank`) and the one-pair explanation (`explanation.explain`) cannot
drift apart.
"""

from __future__ import annotations

import functools

import numpy as np

from matching.related_fields import DETAILED_NARROW_PAIRS, DETAILED_PAIRS, NARROW_PAIRS

ISCED_SAME_DETAILED, ISCED_SAME_NARROW, ISCED_SAME_BROAD = 1.0, 0.6, 0.3
# Related fields of `related_fields`: closer than two fields that only share a broad group.
ISCED_RELATED = 0.45

_DD = np.array(sorted(DETAILED_PAIRS), dtype=np.int64)
_NN = np.array(sorted(NARROW_PAIRS), dtype=np.int64)
_DN = np.array(sorted(DETAILED_NARROW_PAIRS), dtype=np.int64)


def isced_closeness(a, b):
    """ISCED codes as ints (e.g. 521): detailed 1.0 > narrow 0.6 > related 0.45 (the
    `related_fields` table) > broad 0.3 > 0."""
    tree = np.where(
        a == b,
        ISCED_SAME_DETAILED,
        np.where(
            a // 10 == b // 10,
            ISCED_SAME_NARROW,
            np.where(a // 100 == b // 100, ISCED_SAME_BROAD, 0.0),
        ),
    )
    return np.maximum(tree, np.where(related_fields(a, b), ISCED_RELATED, 0.0))


def related_fields(a, b):
    """Whether ISCED codes (ints) are a pair of the related-fields table."""
    if np.ndim(b) == 0:
        # The usual case (many offers against one query's field): one lookup per offer.
        return _related_to(int(b))[np.asarray(a, dtype=np.int64)]
    return _related_pairs(a, b)


def _related_pairs(a, b):
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    na, nb = a // 10, b // 10
    return (
        np.isin(a * 10000 + b, _DD)
        | np.isin(na * 1000 + nb, _NN)
        | np.isin(a * 1000 + nb, _DN)
        | np.isin(b * 1000 + na, _DN)
    )


@functools.cache
def _related_to(b: int) -> np.ndarray:
    """related[a] for every 4-digit code a: whether (a, b) is a pair of the table — the
    same rule as `_related_pairs`, read off the pairs once per code b."""
    related = np.zeros(10000, dtype=bool)
    nb = b // 10
    related[_DD[b == _DD % 10000] // 10000] = True
    for na in _NN[nb == _NN % 1000] // 1000:
        related[na * 10 : na * 10 + 10] = True
    related[_DN[nb == _DN % 1000] // 1000] = True
    for na in _DN[b == _DN // 1000] % 1000:
        related[na * 10 : na * 10 + 10] = True
    related.flags.writeable = False
    return related


def relevant(closeness, text, floor: float):
    """The relevance rule: a pair shares subject when its fields are close (any ISCED
    closeness above 0) or, failing that, its texts are similar enough (`floor`)."""
    return (np.asarray(closeness) > 0) | (np.asarray(text) >= floor)


def level_closeness(a, b):
    """Level positions (`core.vocabulary.LEVEL_POSITION`): 1 − |a − b| / 4, floored at 0."""
    return np.clip(1.0 - np.abs(a - b) / 4.0, 0.0, 1.0)


def size_ratio(a, b):
    """Smaller class / larger class; 1 when both are 0."""
    hi = np.maximum(a, b)
    return np.where(hi > 0, np.minimum(a, b) / np.maximum(hi, 1), 1.0)


def sdg_share(a, b):
    """SDG bitmasks: shared goals / goals of the smaller set; 0 when either has none."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    small = np.minimum(np.bitwise_count(a), np.bitwise_count(b))
    return np.where(small > 0, np.bitwise_count(a & b) / np.maximum(small, 1), 0.0)


def overlap_value(hours, saturation: float):
    return np.minimum(np.asarray(hours, dtype=np.float64) / saturation, 1.0)


def sdg_mask(sdgs: frozenset[int]) -> int:
    return sum(1 << (n - 1) for n in sdgs if 1 <= n <= 17)
