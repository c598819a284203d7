#!/usr/bin/env python
"""End-to-end load test at ten times today's exchange (issue 16, part 7).

Prepares (or reuses and tops up) a PostgreSQL database of its own with 100,000 offers,
20,000 lecturers and 10,000 exchanges (bench/mix_data.py, on the generators of
bench/offers_search.py and bench/stats_speed.py), fits the matching model, then starts
production Tandem: uvicorn with two worker processes, one Celery worker, PostgreSQL, Redis
(db 8). Locust users (bench/load_users.py) run a realistic mix for --duration seconds:
lecturers browse, search, open offers and their suggestions, propose through the API and
read their proposals; offices open their approval queue and approve; the secretariat reads
the statistics. Then the chat load of bench/chat_load.py runs against the same database
(phase 1 at the standard load, the ramp with one and two server processes).

    .venv/bin/python bench/load_mix.py [--users 40] [--spawn-rate 10] [--duration 120]
        [--think 1.0] [--quick] [--burst] [--no-chat]

--quick: a smaller dataset (3,000 offers) and a short run, about two minutes on a fresh
clone. --burst: the issue's burst, 80 users with 0.3 s between clicks on the demo data
(database tandem_bench_burst); prints the pages per second the two processes hold and
the status counts (a 5xx other than 503 fails the run).

Prints per-route p50/p95/p99, requests per second, errors by status, the machine and the
load; the last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load_report, mix_data  # noqa: E402
from bench.benchdb import use_database  # noqa: E402
from bench.cpu_meter import Meter  # noqa: E402

PG = "postgres://postgres@127.0.0.1:5432/"
VAR = ROOT / "var" / "bench_mix"


def setup_django(database_url: str) -> None:
    use_database(database_url, "127.0.0.1,localhost,testserver")
    os.environ["TANDEM_VAR_DIR"] = str(VAR)  # the model files the servers load
    os.environ["MATCHING_AUTO_REFIT"] = "false"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DATABASE_POOL_SIZE"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def machine(redis_url: str) -> dict:
    import redis
    from django.db import connection

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "postgresql": pg,
        "redis": redis.Redis.from_url(redis_url).info("server")["redis_version"],
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def server_env(args, secret_key: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis,
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "TANDEM_VAR_DIR": str(VAR),
        "CACHE_KEY_PREFIX": f"mix{os.getpid()}",
        "CHANNELS_PREFIX": f"mix{os.getpid()}",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MATCHING_AUTO_REFIT": "true",
        "DATABASE_POOL_SIZE": os.environ.get("BENCH_POOL_SIZE", "8"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def start_stack(env: dict):
    """Production Tandem: a Celery worker and uvicorn with two worker processes."""
    from tests.live import ServerProcess

    VAR.mkdir(parents=True, exist_ok=True)
    with (VAR / "celery.log").open("wb") as out:
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "1"]
            + ["--loglevel", "WARNING", "--without-heartbeat", "--without-gossip"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = ServerProcess(env, VAR / "server.log", workers=2)
    server.wait_healthy(90)
    return server, worker


def warm(base: str, plan: dict, limit: float = 900) -> float:
    """Each web process loads the matching model and builds its table of open offers on
    its first suggestions request (a deploy would warm it before taking traffic): ask until
    several requests in a row answer 200 within 3 s. Returns the seconds it took."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    lecturer = plan["lecturers"][0]
    url = f"{base}/api/v1/offers/{lecturer['offers'][0][0]}/suggestions/"
    cookie = f"{plan['cookie']}={lecturer['session']}"

    def ask(_) -> tuple[int, float]:
        request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=limit) as response:  # noqa: S310
                return response.status, time.monotonic() - t0
        except OSError:
            return 0, time.monotonic() - t0

    start = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        while time.monotonic() - start < limit:
            answers = list(pool.map(ask, range(8)))
            if all(status == 200 and took < 3 for status, took in answers):
                break
    return round(time.monotonic() - start, 1)


def run_locust(args, plan: Path, host: str) -> dict:
    out = VAR / "locust.json"
    out.unlink(missing_ok=True)
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "load_users.py"), "--plan", str(plan)]
        + ["--host", host, "--users", str(args.users), "--spawn-rate", str(args.spawn_rate)]
        + ["--duration", str(args.duration), "--think", str(args.think), "--out", str(out)],
        cwd=ROOT,
        check=True,
        timeout=args.duration + 600,
    )
    return json.loads(out.read_text())


def run_chat(args) -> dict | None:
    """bench/chat_load.py on a database of its own beside the mix's (its fill proposes
    through the workflow, which would score against the 100,000 offers) and the same Redis
    db: its figures, as it prints them."""
    flags = ["--quick"] if args.quick else ["--rates", args.chat_rates]
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "chat_load.py"), *flags]
        + ["--database-url", args.database_url + "_chat", "--redis", args.redis],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    print(done.stdout[-4000:], flush=True)
    if done.returncode:
        print(done.stderr[-3000:], flush=True)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int)
    parser.add_argument("--spawn-rate", type=float)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--think", type=float, help="seconds between clicks")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--burst", action="store_true")
    parser.add_argument("--no-chat", action="store_true")
    parser.add_argument("--prepare-only", action="store_true", help="the data, then stop")
    parser.add_argument(
        "--cold",
        dest="warm",
        action="store_false",
        help="no warm-up: the first suggestions load the model during the load",
    )
    parser.add_argument("--chat-rates", default="1,2,3,3.4,4,5,5.6,6.5,8")
    parser.add_argument("--database-url")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8")
    args = parser.parse_args()
    mode = "burst" if args.burst else "quick" if args.quick else "full"
    users, think, duration, db = {
        "full": (40, 1.0, 120, "tandem_bench_mix"),
        "quick": (20, 1.0, 30, "tandem_bench_mix"),
        "burst": (80, 0.3, 60, "tandem_bench_burst"),
    }[mode]
    args.mode = mode
    args.users = args.users or users
    args.think = args.think if args.think is not None else think
    args.duration = args.duration or duration
    args.spawn_rate = args.spawn_rate or max(5.0, args.users / 8)
    args.database_url = args.database_url or PG + db
    if args.burst:
        args.no_chat = True
    return args


def main() -> None:
    args = parse()
    import redis

    setup_django(args.database_url)
    from django.conf import settings
    from django.db import connections

    size = {"full": mix_data.FULL, "quick": mix_data.QUICK, "burst": mix_data.DEMO}[args.mode]
    plan = VAR / f"plan-{args.mode}.json"
    VAR.mkdir(parents=True, exist_ok=True)
    data = mix_data.prepare(size, plan, demo=args.burst)
    print(f"data: {json.dumps(data)}", flush=True)
    if args.prepare_only:
        return
    host = machine(args.redis)
    connections.close_all()
    redis.Redis.from_url(args.redis).flushdb()
    env = server_env(args, settings.SECRET_KEY)
    server, worker = start_stack(env)
    try:
        print(
            f"load: {args.users} users, {args.think} s between clicks, {args.duration} s, "
            f"against {server.base} (uvicorn, 2 worker processes)",
            flush=True,
        )
        warm_s = None
        if args.warm:
            warm_s = warm(server.base, json.loads(plan.read_text()))
            print(f"warm-up (model and offer table in each process): {warm_s} s", flush=True)
        meter = Meter(server.proc.pid, worker.pid, args.database_url.rsplit("/", 1)[1])
        result = run_locust(args, plan, server.base)
        result["cpu"] = meter.read()
        result["warm_s"] = warm_s
    finally:
        server.stop()
        worker.terminate()
        worker.wait(timeout=30)
    host["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    figures = load_report.summarise(result, args, data, host)
    load_report.show(figures)
    if not args.no_chat:
        chat = run_chat(args)
        figures["chat"] = load_report.chat_figures(chat)
        load_report.show_chat(figures["chat"])
    print(json.dumps(figures))
    if figures["status"]["5xx_not_503"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
