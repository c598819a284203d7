#!/usr/bin/env python
"""The Locust users of the load test (bench/load_mix.py runs this file in a process of its
own): lecturers browsing, searching, reading offers and suggestions, proposing and reading
their proposals; international offices approving; the secretariat reading the statistics.
Each signs in with a session of the plan (bench/mix_data.py) and waits --think seconds
(± 50 %) between clicks.

    .venv/bin/python bench/load_users.py --plan PLAN.json --host http://127.0.0.1:PORT
        --users 40 --spawn-rate 10 --duration 120 --think 1.0 --out RESULT.json

Only the requests that start after every user has been spawned are measured. The result
file holds per-route times (milliseconds), status counts and the client's CPU use.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import string
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import gevent
from locust import FastHttpUser, events, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.offers_search import QUERIES  # noqa: E402

PLAN: dict = {}
THINK = [1.0]
TIMES: dict[str, list[float]] = defaultdict(list)
STATUS: dict[str, Counter] = defaultdict(Counter)
MEASURE_FROM = [float("inf")]
ALL = Counter()  # every request, measured or not (for the CPU per request)


def _think(user) -> float:
    return random.uniform(0.5 * THINK[0], 1.5 * THINK[0])


def _csrf() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


class Signed(FastHttpUser):
    abstract = True
    wait_time = _think
    role = ""

    def on_start(self) -> None:
        pool = PLAN[self.role]
        self.me = pool[random.randrange(len(pool))]
        session = self.me["session"] if isinstance(self.me, dict) else self.me
        self.token = _csrf()
        self.cookie = f"{PLAN['cookie']}={session}; csrftoken={self.token}"

    def page(self, path: str, name: str):
        return self.client.get(
            path, name=name, headers={"Cookie": self.cookie}, allow_redirects=False
        )

    def api(self, method: str, path: str, name: str, body: dict | None = None):
        headers = {"Cookie": self.cookie, "Accept": "application/json"}
        if method != "GET":
            headers["X-CSRFToken"] = self.token
        return self.client.request(
            method, path, name=name, headers=headers, json=body, allow_redirects=False
        )


class Lecturer(Signed):
    weight = 17
    role = "lecturers"

    def on_start(self) -> None:
        super().on_start()
        self.proposed: set[tuple[int, int]] = set()

    def own(self) -> list:
        return random.choice(self.me["offers"])

    def partner(self, region: str) -> int:
        other = "europe" if region == "asia" else "asia"
        return random.choice(PLAN["partners"][other])

    @task(2)
    def dashboard(self) -> None:
        self.page("/dashboard/", "page: dashboard")

    @task(3)
    def catalogue(self) -> None:
        self.page(f"/offers/?page={random.randint(1, 20)}", "page: offers list")

    @task(5)
    def search(self) -> None:
        params = random.choice(QUERIES)
        query = "&".join(f"{k}={v}" for k, v in params.items())
        self.page(f"/offers/?{query}", "search: offers page")

    @task(1)
    def search_api(self) -> None:
        params = random.choice(QUERIES)
        query = "&".join(f"{k}={v}" for k, v in params.items())
        self.api("GET", f"/api/v1/offers/?{query}", "search: offers API")

    @task(4)
    def partner_offer(self) -> None:
        _, region = self.own()
        self.page(f"/offers/{self.partner(region)}/", "page: offer")

    @task(2)
    def own_offer(self) -> None:
        offer, _ = self.own()
        self.page(f"/offers/{offer}/", "page: own offer + suggestions")

    @task(1)
    def suggestions_api(self) -> None:
        offer, _ = self.own()
        self.api("GET", f"/api/v1/offers/{offer}/suggestions/", "api: suggestions")

    @task(1)
    def propose(self) -> None:
        offer, region = self.own()
        partner = self.partner(region)
        if (offer, partner) in self.proposed:
            return
        self.proposed.add((offer, partner))
        body = {"offer": offer, "partner": partner, "message": "Shall we?"}
        self.api("POST", "/api/v1/proposals/", "api: propose", body)

    @task(1)
    def proposals(self) -> None:
        self.page("/proposals/", "page: proposals")

    @task(1)
    def proposals_api(self) -> None:
        self.api("GET", "/api/v1/proposals/?role=outgoing", "api: proposals")


class Office(Signed):
    weight = 2
    role = "offices"

    @task(2)
    def queue(self) -> None:
        self.page("/office/approvals/", "page: approval queue")

    @task(2)
    def approve(self) -> None:
        response = self.api("GET", "/api/v1/proposals/?role=office", "api: office queue")
        if response.status_code != 200:
            return
        results = response.json().get("results") or []
        if not results:
            return
        pk = results[0]["id"]
        self.page(f"/proposals/{pk}/", "page: proposal")
        gevent.sleep(_think(self))
        self.api("POST", f"/api/v1/proposals/{pk}/approve/", "api: approve", {})

    @task(1)
    def dashboard(self) -> None:
        self.page("/dashboard/", "page: dashboard")


class Secretariat(Signed):
    weight = 1
    role = "secretariat"

    FILTERS = ["", "?kind=virtual_mobility", "?region=asia&level=6", "?year=2026"]

    @task(3)
    def statistics(self) -> None:
        self.page("/statistics/" + random.choice(self.FILTERS), "statistics")

    @task(1)
    def dashboard(self) -> None:
        self.page("/dashboard/", "page: dashboard")


@events.request.add_listener
def _record(request_type, name, response_time, response, exception, start_time, **kwargs):
    ALL["requests"] += 1
    if 200 <= (getattr(response, "status_code", 0) or 0) < 400:
        ALL["served"] += 1
    if start_time < MEASURE_FROM[0]:
        return
    status = getattr(response, "status_code", 0) or 0
    STATUS[name][str(status) if status else type(exception).__name__] += 1
    TIMES[name].append(response_time)


def run(args) -> dict:
    env = Environment(user_classes=[Lecturer, Office, Secretariat], host=args.host, events=events)
    runner = env.create_local_runner()
    spawned = gevent.event.Event()

    @events.spawning_complete.add_listener
    def _spawned(user_count, **kwargs):
        MEASURE_FROM[0] = time.time()
        spawned.set()

    cpu0, t0 = time.process_time(), time.monotonic()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    spawned.wait(timeout=args.users / args.spawn_rate + 60)
    measured_from = time.monotonic()
    cpu_spawned = time.process_time()
    gevent.sleep(args.duration)
    window = time.monotonic() - measured_from
    cpu = (time.process_time() - cpu_spawned) / window
    MEASURE_FROM[0] = float("inf")  # requests still in flight are not counted
    runner.quit()
    runner.greenlet.join(timeout=30)
    return {
        "all_requests": ALL["requests"],
        "all_served": ALL["served"],
        "times": dict(TIMES),
        "status": {k: dict(v) for k, v in STATUS.items()},
        "window_s": window,
        "spawn_s": measured_from - t0,
        "client_cpu": round(cpu, 2),
        "client_cpu_spawn": round(cpu_spawned - cpu0, 2),
        "users": runner.user_count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    PLAN.update(json.loads(Path(args.plan).read_text()))
    THINK[0] = args.think
    random.seed(os.getpid())
    result = run(args)
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
