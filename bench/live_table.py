#!/usr/bin/env python
"""What a web process pays for its table of open offers (issue 16, part 7): the first
build, the check on every suggestions call when nothing changed, and the update after a
few offers changed — against the full rebuild through model instances that every change
cost before (`engine.features_of` over the prefetched offers, then a new table).

Runs on the load test's database (bench/load_mix.py --prepare-only makes it: 100,000
offers); changes a few offers' `updated_at` only, inside a transaction rolled back.

    .venv/bin/python bench/live_table.py [--database-url …/tandem_bench_mix] [--changes 10]
        [--repeat 20] [--no-old]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import use_database  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/tandem_bench_mix"
    )
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-old", action="store_true", help="skip the old full rebuild")
    args = parser.parse_args()
    use_database(args.database_url, "testserver")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from matching import engine, live_table
    from matching.table import OfferTable
    from offers.models import Offer

    figures: dict[str, object] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores"}
    before = rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    live = live_table.build()
    figures["offers"] = len(live.table)
    figures["build_s"] = round(time.perf_counter() - started, 2)
    figures["build_cpu_s"] = round(time.process_time() - cpu, 2)
    figures["build_rss_mb"] = round(rss_mb() - before, 1)
    print(f"first build: {figures['build_s']} s for {len(live.table):,} offers", flush=True)

    unchanged = timed(lambda: live_table.refresh(live), args.repeat)
    figures["check_unchanged_ms_p50"] = round(statistics.median(unchanged), 2)
    figures["check_unchanged_ms_max"] = round(max(unchanged), 2)

    ids = list(Offer.objects.filter(status="open").values_list("pk", flat=True)[: args.changes])
    updates = []
    with transaction.atomic():
        for _ in range(max(3, args.repeat // 4)):
            Offer.objects.filter(pk__in=ids).update(updated_at=timezone.now())
            updates += timed(lambda: live_table.refresh(live), 1)
        transaction.set_rollback(True)
    figures["update_changes"] = len(ids)
    figures["update_ms_p50"] = round(statistics.median(updates), 1)
    figures["update_ms_max"] = round(max(updates), 1)
    print(f"check, nothing changed: p50 {figures['check_unchanged_ms_p50']} ms", flush=True)
    print(f"update after {len(ids)} changes: p50 {figures['update_ms_p50']} ms", flush=True)

    if not args.no_old:
        started, cpu = time.perf_counter(), time.process_time()
        OfferTable(engine.features_of(engine.with_features(engine.matchable_offers())))
        figures["old_rebuild_s"] = round(time.perf_counter() - started, 2)
        figures["old_rebuild_cpu_s"] = round(time.process_time() - cpu, 2)
        print(f"old full rebuild (every change): {figures['old_rebuild_s']} s", flush=True)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures["load_average"] = os.getloadavg()[0]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
