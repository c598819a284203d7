"""Match quality of the text model's variants on real, labelled course descriptions.

Each labelled set is split into two sides, deterministically: alternating institutions
(like Asia and Europe) or alternating rows within each institution. For every course the
ranking comes from the other side only; precision@5 is the share of the top 5 that carry
the query's label, MRR the mean of 1 / rank of the first one that does. Queries whose label
does not occur on the other side cannot score and are left out (their number is printed).
"chance" is what 5 random partners from the other side would score.

Labelled sets (data/SOURCES.md):
- demo: data/course_descriptions_open.csv labelled with the ISCED-F code the demo gives each
  offer (dashboard.demo.isced_for), split by institution;
- open: the same file labelled with its `field_hint` (Trento's degree programmes, and the
  computer-science catalogues), split by rows within each institution, since a split by
  institution leaves Trento's labels on one side only;
- any --csv FILE (columns title, description, institution and --label) as "extra".

Every variant of `matching.similarity.TextModel` is measured (fit seconds, peak memory of
the fit as seen by tracemalloc), plus plain word TF-IDF (scikit-learn defaults). The
"+field" variants blend in the ISCED-F affinity of the two courses; on these sets the
codes are derived from the labels, so they are an upper bound, not a fair comparison.

The last line of output is one JSON object with every figure.

    .venv/bin/python bench/match_quality.py [--csv FILE --label COLUMN --split row]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matching.similarity import TextModel  # noqa: E402

OPEN_CSV = ROOT / "data" / "course_descriptions_open.csv"
DEFAULT = TextModel().params
# name → TextModel parameters (None: plain word TF-IDF, scikit-learn defaults).
VARIANTS: dict[str, dict | None] = {
    "plain_word_tfidf": None,
    "words": {"word_weight": 1.0},
    "words_bm25": {"word_weight": 1.0, "weighting": "bm25"},
    "words+chars": {"weighting": "tfidf"},
    "words+chars_bm25": {"weighting": "bm25"},
    "words+chars_lsa": {"weighting": "tfidf", "svd_components": 128},
    "words+chars_bm25_lsa": {"weighting": "bm25", "svd_components": 128},
    "words+chars_bm25_lsa+field": {"weighting": "bm25", "svd_components": 128, "field_weight": 0.3},
}


def load(path: Path, label: str) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get(label)]
    if not rows:
        raise SystemExit(f"no rows with a {label!r} value in {path}")
    return rows


def split(rows: list[dict[str, str]], how: str) -> np.ndarray:
    """Side (0 or 1) of every row."""
    if how == "institution":
        names = sorted({r["institution"] for r in rows})
        side_of = {name: i % 2 for i, name in enumerate(names)}
        return np.array([side_of[r["institution"]] for r in rows])
    seen: Counter[str] = Counter()
    sides = []
    for r in rows:
        sides.append(seen[r["institution"]] % 2)
        seen[r["institution"]] += 1
    return np.array(sides)


def evaluate(scores: np.ndarray, labels: np.ndarray, sides: np.ndarray) -> dict[str, float]:
    """scores: (n, n) similarities. Precision@5 (micro and macro over labels) and MRR."""
    per_query, per_label, ranks, chance = [], defaultdict(list), [], []
    skipped = 0
    for i in range(len(labels)):
        other = np.flatnonzero(sides != sides[i])
        same = labels[other] == labels[i]
        if not same.any():
            skipped += 1
            continue
        order = other[np.lexsort((other, -scores[i, other]))]
        hits = labels[order] == labels[i]
        p = float(np.mean(hits[:5]))
        per_query.append(p)
        per_label[labels[i]].append(p)
        ranks.append(1.0 / (1 + int(np.argmax(hits))))
        chance.append(float(same.mean()))
    return {
        "p_at_5": round(float(np.mean(per_query)), 4),
        "p_at_5_macro": round(float(np.mean([np.mean(v) for v in per_label.values()])), 4),
        "mrr": round(float(np.mean(ranks)), 4),
        "chance": round(float(np.mean(chance)), 4),
        "queries": len(per_query),
        "skipped": skipped,
    }


def plain_word_scores(texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer().fit_transform(texts)
    return (x @ x.T).toarray()


def variant_scores(params: dict | None, docs: list, fields: list[str]) -> np.ndarray:
    if params is None:
        return plain_word_scores([t for _, t in docs])
    model = TextModel(**params).fit(docs, fields)
    return model.score_block(model.rows(model.ids), fields)


def measured(build: Callable[[], np.ndarray]) -> tuple[np.ndarray, float, float]:
    """(result, seconds, peak MB allocated while building)."""
    tracemalloc.start()
    started = time.perf_counter()
    result = build()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, peak / 1e6


def demo_codes(rows: list[dict[str, str]]) -> list[str]:
    """The ISCED-F code the demo gives each row (needs Django for dashboard.demo)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from dashboard.demo import isced_for

    return [isced_for(r["field_hint"], r["title"]) for r in rows]


def labelled_sets(args: argparse.Namespace) -> dict[str, tuple]:
    """name → (rows, labels, sides, field codes)."""
    rows = load(OPEN_CSV, "field_hint")
    codes = demo_codes(rows)
    sets = {
        "demo": (rows, np.array(codes), split(rows, "institution"), codes),
        "open": (rows, np.array([r["field_hint"] for r in rows]), split(rows, "row"), codes),
    }
    if args.csv:
        extra = load(args.csv, args.label)
        extra_codes = [r.get("isced", "") for r in extra]
        labels = np.array([r[args.label] for r in extra])
        sets["extra"] = (extra, labels, split(extra, args.split), extra_codes)
    return sets


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, help="one more labelled set")
    parser.add_argument("--label", default="subject")
    parser.add_argument("--split", choices=["institution", "row"], default="institution")
    args = parser.parse_args(argv)

    figures: dict[str, object] = {"default": {k: DEFAULT[k] for k in sorted(DEFAULT)}}
    for set_name, (rows, labels, sides, codes) in labelled_sets(args).items():
        docs = [(i, f"{r['title']}\n{r['description']}") for i, r in enumerate(rows)]
        print(
            f"\n== {set_name}: {len(rows)} courses, {len(set(labels))} labels, "
            f"sides {np.bincount(sides).tolist()}"
        )
        results = {}
        for name, params in VARIANTS.items():
            scores, seconds, peak_mb = measured(
                lambda p=params, d=docs, c=codes: variant_scores(p, d, c)
            )
            r = evaluate(scores, labels, sides)
            r.update(seconds=round(seconds, 2), peak_mb=round(peak_mb, 1))
            results[name] = r
            print(
                f"{name:>28}: p@5 {r['p_at_5']:.3f} (macro {r['p_at_5_macro']:.3f}) "
                f"MRR {r['mrr']:.3f}  chance {r['chance']:.3f}  {r['queries']} queries "
                f"({r['skipped']} skipped)  fit+score {r['seconds']} s, {r['peak_mb']} MB"
            )
        figures[set_name] = results
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
