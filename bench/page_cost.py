#!/usr/bin/env python
"""What one page of the load test's mix costs: through Django's test client on the load
test's database, per page the server time, the SQL statements (how many, their time, the
statements repeated with other parameters — N+1 — and the slowest) and the template time.

    .venv/bin/python bench/page_cost.py [--database-url …/tandem_bench_mix] [--repeat 5]
        [--plan var/bench_mix/plan-full.json]

Run bench/load_mix.py (or its --prepare-only) first: it makes the data and the plan. The
last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import use_database  # noqa: E402

TEMPLATE_MS = [0.0]


def setup(database_url: str) -> None:
    use_database(database_url, "testserver,127.0.0.1")
    os.environ["TANDEM_VAR_DIR"] = str(ROOT / "var" / "bench_mix")
    os.environ["MATCHING_AUTO_REFIT"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DATABASE_POOL_SIZE"] = "0"
    import django

    django.setup()
    from django.template.backends.django import Template

    render = Template.render

    def timed(self, *args, **kwargs):
        # Only the outermost render: includes render inside it.
        t0 = time.perf_counter()
        depth = getattr(timed, "depth", 0)
        timed.depth = depth + 1
        try:
            return render(self, *args, **kwargs)
        finally:
            timed.depth = depth
            if depth == 0:
                TEMPLATE_MS[0] += (time.perf_counter() - t0) * 1000

    Template.render = timed


def shape(sql: str) -> str:
    """A statement without its parameters, to find the ones repeated (N+1)."""
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    return re.sub(r"IN \([?, ]+\)", "IN (…)", sql)


def cost(client, path: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    runs = []
    for _ in range(repeat + 1):  # the first warms caches and is left out
        TEMPLATE_MS[0] = 0.0
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(path)
            total = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            return {"path": path, "status": response.status_code}
        queries = ctx.captured_queries
        runs.append((total, TEMPLATE_MS[0], queries, len(response.content)))
    runs = runs[1:]
    total, template, queries, size = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    shapes = Counter(shape(q["sql"]) for q in queries)
    slowest = max(queries, key=lambda q: float(q["time"]), default=None)
    return {
        "path": path,
        "ms": round(total, 1),
        "ms_min": round(min(r[0] for r in runs), 1),
        "ms_median_all": round(statistics.median(r[0] for r in runs), 1),
        "queries": len(queries),
        "sql_ms": round(sql_ms, 1),
        "template_ms": round(template, 1),
        "python_ms": round(total - sql_ms, 1),
        "kb": round(size / 1024, 1),
        "repeated": [{"times": n, "sql": s[:220]} for s, n in shapes.most_common(4) if n > 1],
        "slowest_sql": (
            {"ms": round(float(slowest["time"]) * 1000, 1), "sql": slowest["sql"][:300]}
            if slowest
            else None
        ),
    }


def pages(plan: dict) -> list[tuple[str, str, list[str]]]:
    """(who, session, paths): the pages of the mix, as the Locust users ask for them."""
    from exchanges.models import Proposal

    lecturer = max(plan["lecturers"], key=lambda u: len(u["offers"]))
    own = lecturer["offers"][0]
    other = "europe" if own[1] == "asia" else "asia"
    pending = Proposal.objects.filter(state="accepted").order_by("pk").first()
    return [
        (
            "lecturer",
            lecturer["session"],
            [
                "/dashboard/",
                "/offers/?page=3",
                "/offers/?q=programming&region=europe",
                "/offers/?q=data&level=7",
                f"/offers/{plan['partners'][other][0]}/",
                f"/offers/{own[0]}/",
                "/proposals/",
                "/api/v1/offers/?q=climate&language=en",
                f"/api/v1/offers/{own[0]}/suggestions/",
                "/api/v1/proposals/?role=outgoing",
            ],
        ),
        (
            "office",
            plan["offices"][0],
            [
                "/dashboard/",
                "/office/approvals/",
                "/api/v1/proposals/?role=office",
                *([f"/proposals/{pending.pk}/"] if pending else []),
            ],
        ),
        ("secretariat", plan["secretariat"][0], ["/statistics/", "/statistics/?kind=coil"]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/tandem_bench_mix"
    )
    parser.add_argument("--plan", default=str(ROOT / "var" / "bench_mix" / "plan-full.json"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup(args.database_url)
    from django.conf import settings
    from django.test import Client

    plan = json.loads(Path(args.plan).read_text())
    figures = []
    for who, session, paths in pages(plan):
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = session
        for path in paths:
            c = cost(client, path, args.repeat)
            c["who"] = who
            figures.append(c)
            if "ms" not in c:
                print(f"{who:11} {path:45} status {c['status']}")
                continue
            print(
                f"{who:11} {path:45} {c['ms']:>7} ms  {c['queries']:>3} queries "
                f"{c['sql_ms']:>6} ms SQL  template {c['template_ms']:>6} ms  {c['kb']} kB"
            )
            for r in c["repeated"]:
                print(f"{'':14}×{r['times']}  {r['sql'][:150]}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
