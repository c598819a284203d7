"""Match quality of the text model on real course descriptions: precision@5 by label.

The courses are split into two sides (alternating institutions, like Asia and Europe, or
alternating rows within each institution with --split row). For every course, the top-5
suggestions come from the other side only; precision@5 is the share of them that carry the
query's label (default: the `field_hint` column). Queries whose label does not occur on the
other side cannot score and are left out (their number is printed).

Compared: the full model (word 1–2-grams + character 3–5-grams, pruned), the same with LSA
blended in, and a plain word TF-IDF baseline (scikit-learn defaults). "chance" is what 5
random partners from the other side would score.

The last line of output is one JSON object with every figure.

    .venv/bin/python bench/match_quality.py [--csv FILE] [--label COLUMN] [--split institution|row]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matching.similarity import TextModel  # noqa: E402


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


def precision_at_5(scores: np.ndarray, labels: np.ndarray, sides: np.ndarray) -> dict[str, float]:
    """scores: (n, n) similarities. Micro and macro (per label) precision@5."""
    per_query, per_label = [], defaultdict(list)
    chance = []
    skipped = 0
    for i in range(len(labels)):
        other = np.flatnonzero(sides != sides[i])
        same = labels[other] == labels[i]
        if not same.any():
            skipped += 1
            continue
        s = scores[i, other]
        top = other[np.lexsort((other, -s))[:5]]
        p = float(np.mean(labels[top] == labels[i]))
        per_query.append(p)
        per_label[labels[i]].append(p)
        chance.append(float(same.mean()))
    return {
        "p_at_5": round(float(np.mean(per_query)), 4),
        "p_at_5_macro": round(float(np.mean([np.mean(v) for v in per_label.values()])), 4),
        "chance": round(float(np.mean(chance)), 4),
        "queries": len(per_query),
        "skipped": skipped,
        "labels": len(per_label),
    }


def model_scores(model: TextModel) -> np.ndarray:
    return model.score_block(model.rows(model.ids))


def plain_word_scores(texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer().fit_transform(texts)
    return (x @ x.T).toarray()


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=ROOT / "data" / "course_descriptions_open.csv")
    parser.add_argument("--label", default="field_hint")
    parser.add_argument("--split", choices=["institution", "row"], default="institution")
    parser.add_argument("--svd", type=int, default=128, help="LSA components (0: skip LSA)")
    args = parser.parse_args(argv)

    rows = load(args.csv, args.label)
    labels = np.array([r[args.label] for r in rows])
    sides = split(rows, args.split)
    docs = [(i, f"{r['title']}\n{r['description']}") for i, r in enumerate(rows)]
    n_labels = len(set(labels))
    print(f"{len(rows)} courses, {n_labels} labels of {args.label!r}, split by {args.split}")
    print(f"side sizes: {np.bincount(sides).tolist()}")

    figures: dict[str, object] = {"courses": len(rows), "label": args.label, "split": args.split}
    variants = {
        "full": lambda: model_scores(TextModel().fit(docs)),
        "words_only": lambda: model_scores(TextModel(word_weight=1.0).fit(docs)),
        "plain_word_tfidf": lambda: plain_word_scores([t for _, t in docs]),
    }
    if args.svd:
        variants["full_lsa"] = lambda: model_scores(TextModel(svd_components=args.svd).fit(docs))
    for name, build in variants.items():
        started = time.perf_counter()
        result = precision_at_5(build(), labels, sides)
        result["seconds"] = round(time.perf_counter() - started, 2)
        figures[name] = result
        print(
            f"{name:>17}: precision@5 {result['p_at_5']:.3f} (macro over labels "
            f"{result['p_at_5_macro']:.3f}; chance {result['chance']:.3f}) over "
            f"{result['queries']} queries, {result['skipped']} without their label on the "
            f"other side, {result['seconds']} s"
        )
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
