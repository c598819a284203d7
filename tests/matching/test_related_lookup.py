"""The related-fields rule read from a per-code lookup gives what the pair table says, for
every pair of ISCED-F detailed codes (the lookup made suggestions several times faster)."""

import json
from pathlib import Path

import numpy as np

from matching import components

CODES = sorted(
    int(row["code"])
    for row in json.loads(
        (Path(__file__).resolve().parents[2] / "data" / "isced_f_2013.json").read_text()
    )["fields"]
    if len(row["code"]) == 4
)


def test_the_lookup_agrees_with_the_pair_table_for_every_pair_of_detailed_fields():
    codes = np.array(CODES, dtype=np.int64)
    assert len(codes) > 80
    related = 0
    for b in CODES:
        fast = components.related_fields(codes, b)
        slow = components._related_pairs(codes, np.full(len(codes), b))
        assert np.array_equal(fast, slow), b
        related += int(fast.sum())
    assert related > 100  # the table is not empty: the comparison means something


def test_one_pair_of_scalars_is_answered_too():
    assert bool(components.related_fields(521, 731))  # environmental sciences ~ planning
    assert not bool(components.related_fields(521, 1015))
