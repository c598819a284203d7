"""The quality bench's loader, scores and relevance-floor calibration (bench/match_quality.py)."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "match_quality.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("match_quality", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("match_quality", module)
    spec.loader.exec_module(module)
    return module


def test_the_loader_reads_the_open_set_with_labels_and_descriptions(bench):
    rows = bench.load(bench.OPEN_CSV, "field_hint")
    assert len(rows) > 1000
    assert all(r["field_hint"] and r["description"] and r["institution"] for r in rows)
    trento = [r for r in rows if r["id"].startswith("unitn:")]
    assert len({r["field_hint"] for r in trento}) >= 8


def test_a_missing_label_column_is_refused(bench, tmp_path):
    path = tmp_path / "set.csv"
    path.write_text("title,description,institution\nA,b,X\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="subject"):
        bench.load(path, "subject")


def test_the_split_alternates_institutions_or_rows(bench):
    rows = [{"institution": name} for name in ("B", "A", "B", "C", "A")]
    assert bench.split(rows, "institution").tolist() == [1, 0, 1, 0, 0]
    assert bench.split(rows, "row").tolist() == [0, 0, 1, 0, 1]


def test_precision_at_5_ranks_only_the_other_side(bench):
    labels = np.array(["x", "x", "y", "y"])
    sides = np.array([0, 1, 0, 1])
    scores = np.array(
        [[1, 0.9, 0.8, 0.1], [0.9, 1, 0.1, 0.2], [0.8, 0.1, 1, 0.7], [0.1, 0.2, 0.7, 1]]
    )
    r = bench.evaluate(scores, labels, sides)
    # Each query sees one partner of each label; the right one ranks first.
    assert r["mrr"] == 1.0 and r["queries"] == 4
    assert r["p_at_5"] == 0.5 and r["chance"] == 0.5


def test_the_calibration_counts_pairs_precision_and_kept_queries(bench, monkeypatch):
    monkeypatch.setattr(bench, "THRESHOLDS", [0.1, 0.5, 0.95])
    labels = np.array(["x", "y", "x", "y"])
    sides = np.array([0, 0, 1, 1])
    scores = np.zeros((4, 4))
    # Cross-side pairs: (0,2) same label 0.9; (0,3) other label 0.3; (1,3) same 0.6.
    for i, j, s in ((0, 2, 0.9), (0, 3, 0.3), (1, 3, 0.6)):
        scores[i, j] = scores[j, i] = s
    rows = bench.calibrate(scores, labels, sides)
    assert [r["pairs"] for r in rows] == [3, 2, 0]
    assert rows[0]["precision"] == round(2 / 3, 4) and rows[1]["precision"] == 1.0
    assert rows[2]["precision"] is None
    assert [r["queries_kept"] for r in rows] == [4, 4, 0]
    assert bench.floor_for(rows) == 0.1
    assert bench.floor_for(rows, target=0.9) == 0.5
    assert bench.base_rate(labels, sides) == 0.5
