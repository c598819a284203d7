"""Time and peak memory of a refit of the text model, at several sizes (issue #12 part 6).

Each size runs in a fresh Python process, so nothing fitted before counts: the process
builds the synthetic offers of `bench/match_speed.py`, resets its peak RSS
(/proc/self/clear_refs), fits `TextModel()` on their texts and reports the fit's seconds
and its peak memory above the resident size before the fit (VmHWM − VmRSS). With
--queries it then saves and loads the model, as a web process does, and measures the
suggestions for stored vectors like `match_speed` (p50/p95).

Targets: a refit of 100,000 offers < 20 s and < 400 MB; suggestions p95 < 10 ms.
The last line of output is one JSON object with every figure.

    .venv/bin/python bench/refit_memory.py [--sizes 20000,100000] [--queries 300]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _vm_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(n: int, queries: int) -> dict:
    """In this process: the refit of n synthetic offers, then (queries > 0) suggestions."""
    sys.path.insert(0, str(HERE))
    from match_speed import measure_suggestions, synthetic_offers

    from matching.features import Weights
    from matching.scoring import OfferTable
    from matching.similarity import TextModel

    offers = synthetic_offers(n)
    docs = [(o.id, o.text) for o in offers]
    TextModel().fit(docs[:200])  # imports and first-call costs are not the refit's
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    base = _vm_mb("VmRSS")
    started, cpu = time.perf_counter(), time.process_time()
    model = TextModel().fit(docs)
    figures = {
        "offers": n,
        "refit_s": round(time.perf_counter() - started, 2),
        # CPU seconds of the fit: what the wall time would be on an idle core.
        "refit_cpu_s": round(time.process_time() - cpu, 2),
        "refit_peak_mb": round(_vm_mb("VmHWM") - base, 1),
        # What stays resident: the fitted model (and the allocator's free lists).
        "refit_kept_mb": round(_vm_mb("VmRSS") - base, 1),
        "features": model.n_features,
        "nnz": int(model._xt.nnz),
    }
    if queries:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "text.joblib"
            model.save(path)
            figures["model_file_mb"] = round(path.stat().st_size / 1e6, 1)
            del model
            model = TextModel.load(path)
        table = OfferTable(offers)
        gc.freeze()  # as a web process does with its long-lived model and table
        figures.update(measure_suggestions(offers, model, table, Weights(), queries))
    return figures


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,100000", help="offers, comma-separated")
    parser.add_argument("--queries", type=int, default=300, help="0: no suggestions")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.queries)))
        return {}
    out: dict = {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0], "runs": []}
    for n in (int(s) for s in args.sizes.split(",")):
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(n), "--queries", str(args.queries)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        out["runs"].append(figures)
        line = (
            f"{n} offers: refit {figures['refit_s']} s ({figures['refit_cpu_s']} s CPU), "
            f"peak +{figures['refit_peak_mb']} MB"
        )
        if "suggest_p95_ms" in figures:
            line += f"; suggestions p50 {figures['suggest_p50_ms']} ms"
            line += f", p95 {figures['suggest_p95_ms']} ms"
        print(line, flush=True)
    out["load_after"] = os.getloadavg()[0]
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
