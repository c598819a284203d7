"""Cross-language match quality (the cross-language section of bench/match_quality.py).

The labelled set is data/course_descriptions_multilingual.csv (data/SOURCES.md): real
course and programme descriptions in German, French, Spanish, Italian and Japanese, and
English ones, each labelled with the ISCED-F detailed field of its own programme (the
Japanese ones: of their own subject in the national course of study). For every
non-English course the ranking comes from the courses in the other languages only;
precision@5 is the share of the top 5 with the query's detailed field, and with its
narrow field (first three digits). Queries with no course of their field in the other
languages cannot score and are left out (their number is printed). "chance" is what 5
random candidates would score. The Italian queries in law, management, architecture
and social work (128) have one partner in another language, a Japanese subject, so they
score at most 0.2 and pull the Italian and overall columns down (before the Japanese rows
they were left out as unanswerable). A second table leaves the Italian courses out of the
candidates (they are most of the set): German, French, Spanish and Japanese queries
against each other and the English courses. (Against the English courses alone every
answerable query scores 1.0: the English ones are all computer science.)

Variants: the text model without its glossary (`glossary=False`: the model before issue
14 part 4), the default model (the glossary picked by each text's detected language, as
the refit does today), and the default model told each text's language.

Run on its own: `.venv/bin/python bench/cross_language.py`.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

MULTILINGUAL_CSV = (
    Path(__file__).resolve().parent.parent / "data" / ("course_descriptions_multilingual.csv")
)
TARGETS = ("other languages", "other languages but Italian")
VARIANTS = {
    "before (no glossary)": ({"glossary": False}, False),
    "glossary, detected language": ({}, False),
    "glossary, declared language": ({}, True),
}


def load(path: Path = MULTILINGUAL_CSV) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["description"] and r["isced"]]


def scores_for(rows: list[dict[str, str]], params: dict, declared: bool) -> np.ndarray:
    """All pairs' cosines of one TextModel variant fitted on the whole set."""
    from matching.similarity import TextModel

    docs = [(i, f"{r['title']}\n{r['description']}") for i, r in enumerate(rows)]
    languages = [r["language"] for r in rows] if declared else None
    model = TextModel(**params).fit(docs, languages=languages)
    return model.score_block(model.rows(model.ids))


def precision(
    scores: np.ndarray, labels: np.ndarray, queries: np.ndarray, candidates: list[np.ndarray]
) -> tuple[list[float], list[float], list[float], int]:
    """Per answered query: p@5 on the detailed and the narrow field, and chance; and the
    number of queries skipped. candidates[i]: the rows query i may be matched with."""
    detailed, narrow, chance, skipped = [], [], [], 0
    for q, cand in zip(queries, candidates, strict=True):
        same = labels[cand] == labels[q]
        if not same.any():
            skipped += 1
            continue
        order = cand[np.lexsort((cand, -scores[q, cand]))][:5]
        detailed.append(float(np.mean(labels[order] == labels[q])))
        narrow.append(float(np.mean([lab[:3] == labels[q][:3] for lab in labels[order]])))
        chance.append(float(same.mean()))
    return detailed, narrow, chance, skipped


def evaluate(scores: np.ndarray, rows: list[dict[str, str]]) -> dict[str, dict]:
    """p@5 by query language and overall, against the other languages and against English."""
    labels = np.array([r["isced"] for r in rows])
    langs = np.array([r["language"] for r in rows])
    out: dict[str, dict] = {}
    for target in TARGETS:
        by_lang: dict[str, list] = defaultdict(lambda: [[], [], [], 0])
        for lang in sorted(set(langs) - {"en"} - ({"it"} if target != TARGETS[0] else set())):
            queries = np.flatnonzero(langs == lang)
            pool = np.flatnonzero((langs != lang) & ((langs != "it") | (target == TARGETS[0])))
            d, n, c, s = precision(scores, labels, queries, [pool] * len(queries))
            by_lang[lang] = [d, n, c, s]
            by_lang["all"][0] += d
            by_lang["all"][1] += n
            by_lang["all"][2] += c
            by_lang["all"][3] += s
        out[target] = {
            lang: {
                "p_at_5_detailed": round(float(np.mean(d)), 4) if d else None,
                "p_at_5_narrow": round(float(np.mean(n)), 4) if n else None,
                "chance": round(float(np.mean(c)), 4) if c else None,
                "queries": len(d),
                "skipped": s,
            }
            for lang, (d, n, c, s) in by_lang.items()
        }
    return out


def run(path: Path = MULTILINGUAL_CSV) -> dict[str, dict]:
    """Every variant's figures; prints a table."""
    rows = load(path)
    counts = dict(sorted(Counter(r["language"] for r in rows).items()))
    print(f"\n== cross-language: {len(rows)} courses {counts}", flush=True)
    figures = {}
    for name, (params, declared) in VARIANTS.items():
        figures[name] = evaluate(scores_for(rows, params, declared), rows)
    for target in TARGETS:
        print(f"\n-- p@5 detailed (narrow) field, queries ranked against {target}")
        langs = list(next(iter(figures.values()))[target])
        print(f"{'variant':>30}  " + "  ".join(f"{lang:>15}" for lang in langs))
        for name, fig in figures.items():
            cells = []
            for lang in langs:
                r = fig[target][lang]
                if r["p_at_5_detailed"] is None:
                    cells.append("-")
                else:
                    cells.append(f"{r['p_at_5_detailed']:.3f} ({r['p_at_5_narrow']:.3f})")
            print(f"{name:>30}  " + "  ".join(f"{c:>15}" for c in cells))
        first = next(iter(figures.values()))[target]
        print(
            f"{'queries (skipped), chance':>30}  "
            + "  ".join(
                f"{first[lang]['queries']:>4} ({first[lang]['skipped']}) "
                f"{(first[lang]['chance'] or 0):.3f}"
                for lang in langs
            )
        )
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    run()
