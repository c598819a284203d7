"""Match quality of the text model's variants on real, labelled course descriptions.

Each labelled set is split into two sides, deterministically: alternating institutions
(like Asia and Europe) or alternating rows within each institution. For every course the
ranking comes from the other side only; precision@5 is the share of the top 5 that carry
the query's label (micro over queries, and macro: the mean over labels of each label's
mean), MRR the mean of 1 / rank of the first one that does. Queries whose label does not
occur on the other side cannot score and are left out (their number is printed).
"chance" is what 5 random partners from the other side would score.

Labelled sets (data/SOURCES.md), each used when its file is there:
- demo: data/course_descriptions_open.csv labelled with the ISCED-F code the demo gives each
  offer (dashboard.demo.isced_for), split by institution; that code partly comes from the
  title, so --title-repeat flatters this set;
- open: the same file labelled with its `field_hint` (Trento's degree programmes, and the
  computer-science catalogues), split by rows within each institution, since a split by
  institution leaves Trento's labels on one side only;
- trento: the Trento rows of "open" alone — many subjects and no computer-science
  majority, so its precision and its calibration say more than the two above;
- the catalogues of CATALOGUES (title, description, institution and a label column);
- any --csv FILE (columns title, description, institution and --label) as "extra".

Every variant of `matching.similarity.TextModel` in VARIANTS is measured (fit + score
seconds; --memory adds the peak memory of the fit as seen by tracemalloc, which slows the
fit threefold), plus plain word TF-IDF (scikit-learn defaults). The "+field" variants
blend in the ISCED-F affinity of the two courses; on these sets the codes are derived from
the labels, so they are an upper bound, not a fair comparison.

Relevance-floor calibration (the default model's text cosine, field weight 0): for every
cross-side pair above a threshold, the share with the same label ("pair precision"), the
same share among each query's top 5 above it ("top-5 precision"), and how many queries
keep at least one candidate. `Weights.min_text_without_field` is set from it.

Cross-language section (bench/cross_language.py, --sets multilingual or all): the
German, French, Spanish, Italian and Japanese courses of
data/course_descriptions_multilingual.csv ranked against the courses in the other languages,
and against the other languages but Italian; precision@5 by
ISCED-F detailed and narrow field, per language and overall, for the model without its
subject glossary (as before issue 14 part 4) and with it. The variant "default_no_glossary"
shows the same change on the sets above.

The last line of output is one JSON object with every figure.

    .venv/bin/python bench/match_quality.py [--sets demo,open,...] [--variants a,b]
        [--csv FILE --label COLUMN --split row] [--sweep] [--memory] [--title-repeat N]
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
# name → (file, label column, split); loaded when the file exists.
CATALOGUES: dict[str, tuple[Path, str, str]] = {}
DEFAULT = TextModel().params
LSA = {"svd_components": 128}
# name → TextModel parameters (None: plain word TF-IDF, scikit-learn defaults).
VARIANTS: dict[str, dict | None] = {
    "plain_word_tfidf": None,
    "default": {},
    "default_no_glossary": {"glossary": False},
    "words": {"word_weight": 1.0},
    "words_bm25": {"word_weight": 1.0, "weighting": "bm25"},
    "words+chars_bm25": {"weighting": "bm25"},
    "words+chars_lsa": {**LSA},
    "words+chars_lsa64": {"svd_components": 64},
    "words+chars_lsa_w0.7": {**LSA, "svd_weight": 0.7},
    "words+chars_bm25_lsa": {**LSA, "weighting": "bm25"},
    "words_lsa": {**LSA, "word_weight": 1.0},
    "words_bm25_lsa": {**LSA, "word_weight": 1.0, "weighting": "bm25"},
    "words+chars_lsa+field": {**LSA, "field_weight": 0.3},
}
# --sweep: more settings around the best variants, added to the table.
SWEEP: dict[str, dict] = {
    "lsa256": {"svd_components": 256},
    "lsa128_w0.85": {**LSA, "svd_weight": 0.85},
    "lsa128_ww0.7": {**LSA, "word_weight": 0.7},
    "lsa128_ww0.3": {**LSA, "word_weight": 0.3},
    "lsa128_mindf1": {**LSA, "min_df": 1},
    "lsa128_terms300": {**LSA, "word_max_terms": 300, "char_max_terms": 256},
    "words_lsa256_w0.7": {"word_weight": 1.0, "svd_components": 256, "svd_weight": 0.7},
}
THRESHOLDS = [round(0.02 * i, 2) for i in range(1, 21)]  # 0.02 … 0.40
TARGET_PRECISION = 0.5


def load(path: Path, label: str) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get(label) and r.get("description")]
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


def calibrate(scores: np.ndarray, labels: np.ndarray, sides: np.ndarray) -> list[dict]:
    """Per threshold of the text cosine: cross-side pairs at or above it, the share of them
    with the same label, the same share among each query's top 5 at or above it, and the
    queries (of both sides) that keep at least one candidate."""
    a, b = np.flatnonzero(sides == 0), np.flatnonzero(sides == 1)
    block = scores[np.ix_(a, b)]
    same = labels[a][:, None] == labels[b][None, :]
    # Each query's 5 best partners on the other side, from both directions.
    top_scores, top_same = [], []
    for s, m in ((block, same), (block.T, same.T)):
        k = min(5, s.shape[1])
        idx = np.argpartition(-s, k - 1, axis=1)[:, :k]
        top_scores.append(np.take_along_axis(s, idx, axis=1))
        top_same.append(np.take_along_axis(m, idx, axis=1))
    top_s, top_m = np.concatenate(top_scores), np.concatenate(top_same)
    out = []
    for t in THRESHOLDS:
        above = block >= t
        pairs = int(above.sum())
        in_top = top_s >= t
        kept = int(above.any(axis=1).sum() + above.any(axis=0).sum())
        out.append(
            {
                "threshold": t,
                "pairs": pairs,
                "precision": round(float((above & same).sum() / pairs), 4) if pairs else None,
                "top5_precision": round(float(top_m[in_top].mean()), 4) if in_top.any() else None,
                "queries_kept": kept,
                "share_kept": round(kept / len(labels), 4),
            }
        )
    return out


def base_rate(labels: np.ndarray, sides: np.ndarray) -> float:
    """Share of all cross-side pairs with the same label (the precision of no floor)."""
    a, b = labels[sides == 0], labels[sides == 1]
    counts_b = Counter(b)
    return sum(counts_b[x] for x in a) / max(len(a) * len(b), 1)


def floor_for(rows: list[dict], target: float = TARGET_PRECISION) -> float | None:
    """The lowest threshold whose pair precision reaches `target` (None: never)."""
    for r in rows:
        if r["precision"] is not None and r["precision"] >= target:
            return r["threshold"]
    return None


def course_text(row: dict[str, str], title_repeat: int = 1) -> str:
    """What the model reads: the title (repeated to weigh more), then the description."""
    return "\n".join([row["title"]] * max(title_repeat, 1) + [row["description"]])


def plain_word_scores(texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer().fit_transform(texts)
    return (x @ x.T).toarray()


def variant_scores(params: dict | None, docs: list, fields: list[str]) -> np.ndarray:
    if params is None:
        return plain_word_scores([t for _, t in docs])
    model = TextModel(**{**DEFAULT, **params}).fit(docs, fields)
    return model.score_block(model.rows(model.ids), fields)


def measured(build: Callable[[], np.ndarray], memory: bool) -> tuple[np.ndarray, float, float]:
    """(result, seconds, peak MB allocated while building — 0 unless `memory`)."""
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    result = build()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if memory else 0
    if memory:
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
    """name → (rows, labels, sides, field codes), for the sets asked for."""
    wanted = set(args.sets.split(",")) if args.sets else None
    sets: dict[str, tuple] = {}
    if wanted is None or wanted & {"demo", "open", "trento"}:
        rows = load(OPEN_CSV, "field_hint")
        codes = demo_codes(rows)
        sets["demo"] = (rows, np.array(codes), split(rows, "institution"), codes)
        hints = np.array([r["field_hint"] for r in rows])
        sets["open"] = (rows, hints, split(rows, "row"), codes)
        # Trento alone: 40-odd degree programmes, no computer-science majority.
        keep = [i for i, r in enumerate(rows) if r["id"].startswith("unitn:")]
        sub = [rows[i] for i in keep]
        sets["trento"] = (sub, hints[keep], split(sub, "row"), [codes[i] for i in keep])
    for name, (path, label, how) in CATALOGUES.items():
        if path.exists():
            rows = load(path, label)
            labels = np.array([r[label] for r in rows])
            sets[name] = (rows, labels, split(rows, how), [r.get("isced", "") for r in rows])
    if args.csv:
        rows = load(args.csv, args.label)
        labels = np.array([r[args.label] for r in rows])
        sets["extra"] = (rows, labels, split(rows, args.split), [r.get("isced", "") for r in rows])
    return {k: v for k, v in sets.items() if wanted is None or k in wanted}


def run_set(rows, labels, sides, codes, variants: dict, args) -> tuple[dict, list]:
    """Every variant's figures on one set, and the default model's calibration."""
    docs = [(i, course_text(r, args.title_repeat)) for i, r in enumerate(rows)]
    memory = args.memory
    results, calibration = {}, []
    for name, params in variants.items():
        scores, seconds, peak_mb = measured(lambda p=params: variant_scores(p, docs, codes), memory)
        r = evaluate(scores, labels, sides)
        r.update(seconds=round(seconds, 2), peak_mb=round(peak_mb, 1))
        results[name] = r
        print(
            f"{name:>28}: p@5 {r['p_at_5']:.3f} (macro {r['p_at_5_macro']:.3f}) "
            f"MRR {r['mrr']:.3f}  chance {r['chance']:.3f}  {r['queries']} queries "
            f"({r['skipped']} skipped)  fit+score {r['seconds']} s"
            + (f", {r['peak_mb']} MB" if memory else ""),
            flush=True,
        )
        if name == "default" and not DEFAULT["field_weight"]:
            calibration = calibrate(scores, labels, sides)
    if not calibration:
        scores = variant_scores({"field_weight": 0.0}, docs, codes)
        calibration = calibrate(scores, labels, sides)
    return results, calibration


def run_sets(args: argparse.Namespace, variants: dict) -> tuple[dict, dict]:
    """Every labelled set's figures and calibration."""
    figures: dict[str, dict] = {}
    calibration: dict[str, dict] = {}
    for set_name, (rows, labels, sides, codes) in labelled_sets(args).items():
        print(
            f"\n== {set_name}: {len(rows)} courses, {len(set(labels))} labels, "
            f"sides {np.bincount(sides).tolist()}",
            flush=True,
        )
        figures[set_name], cal = run_set(rows, labels, sides, codes, variants, args)
        base = round(base_rate(labels, sides), 4)
        print_calibration(set_name, cal, base)
        calibration[set_name] = {
            "floor_at_precision_0.5": floor_for(cal),
            "all_pairs_precision": base,
            "rows": cal,
        }
    return figures, calibration


def print_calibration(name: str, rows: list[dict], base: float) -> None:
    print(f"\n-- relevance floor, {name} (default model, text cosine, cross-side pairs)")
    print("  cosine ≥     pairs  precision  top-5 precision  queries kept")
    for r in rows:
        prec = "-" if r["precision"] is None else f"{r['precision']:.3f}"
        top = "-" if r["top5_precision"] is None else f"{r['top5_precision']:.3f}"
        print(
            f"  {r['threshold']:>8.2f}  {r['pairs']:>8}  {prec:>9}  {top:>15}  "
            f"{r['queries_kept']:>6} ({r['share_kept']:.0%})"
        )
    print(f"  (all cross-side pairs: precision {base:.3f})")
    floor = floor_for(rows)
    print(f"  pair precision reaches {TARGET_PRECISION} at cosine {floor}")


def print_table(figures: dict[str, dict]) -> dict[str, str]:
    """Variants × sets, p@5 (macro); returns the best variant of each set (micro p@5,
    fair variants only: no field blend)."""
    names = list(figures)
    variants = list(dict.fromkeys(v for s in names for v in figures[s]))
    print("\n== p@5 (macro) across the split")
    print(f"{'variant':>28}  " + "  ".join(f"{s:>15}" for s in names))
    for v in variants:
        cells = []
        for s in names:
            r = figures[s].get(v)
            cells.append(f"{r['p_at_5']:.3f} ({r['p_at_5_macro']:.3f})" if r else "-")
        print(f"{v:>28}  " + "  ".join(f"{c:>15}" for c in cells))
    best = {}
    for s in names:
        fair = {v: r for v, r in figures[s].items() if "field" not in v}
        best[s] = max(fair, key=lambda v: (fair[v]["p_at_5"], fair[v]["p_at_5_macro"]))
        print(f"best on {s}: {best[s]} ({fair[best[s]]['p_at_5']:.3f})")
    return best


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", help="comma-separated set names (default: all found)")
    parser.add_argument("--variants", help="comma-separated variant names (default: all)")
    parser.add_argument("--csv", type=Path, help="one more labelled set")
    parser.add_argument("--label", default="subject")
    parser.add_argument("--split", choices=["institution", "row"], default="institution")
    parser.add_argument("--sweep", action="store_true", help="also the SWEEP settings")
    parser.add_argument("--memory", action="store_true", help="peak memory (slow)")
    parser.add_argument(
        "--title-repeat", type=int, default=1, help="the title this many times in the text"
    )
    args = parser.parse_args(argv)

    variants = dict(VARIANTS)
    if args.variants:
        variants = {k: v for k, v in VARIANTS.items() if k in args.variants.split(",")}
    if args.sweep:
        variants.update(SWEEP)
    figures, calibration = run_sets(args, variants)
    cross = None
    if not args.sets or "multilingual" in args.sets.split(","):
        from bench.cross_language import run as cross_language

        cross = cross_language()
    best = print_table(figures) if figures else {}
    out = {
        "default": {k: DEFAULT[k] for k in sorted(DEFAULT)},
        "variants": variants,
        **figures,
        "calibration": calibration,
        "best": best,
        "cross_language": cross,
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
