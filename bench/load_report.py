"""Figures of the load test (bench/load_mix.py) from the Locust users' raw times: per
route and per group p50/p95/p99, requests per second, status counts, the targets."""

from __future__ import annotations

import math
from collections import Counter

TARGETS_MS = {"pages": ("p95", 300), "search": ("p95", 100), "statistics": ("p95", 200)}
CHAT_TARGETS = {"p99_ms": 20.0, "deliveries_per_s": 10_000, "deliveries_per_s_today": 6_000}


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))], 1)


def stats(times: list[float], window: float, status: Counter) -> dict:
    return {
        "requests": len(times),
        "per_s": round(len(times) / window, 1),
        "p50_ms": pct(times, 0.50),
        "p95_ms": pct(times, 0.95),
        "p99_ms": pct(times, 0.99),
        "max_ms": round(max(times), 1) if times else None,
        "status": dict(sorted(status.items())),
    }


def group_of(name: str) -> list[str]:
    groups = ["all"]
    if name.startswith(("page:", "search: offers page", "statistics")):
        groups.append("pages")
    if name.startswith("search:"):
        groups.append("search")
    if name.startswith("statistics"):
        groups.append("statistics")
    if name.startswith(("api:", "search: offers API")):
        groups.append("api")
    return groups


def summarise(result: dict, args, data: dict, host: dict) -> dict:
    window = result["window_s"]
    routes, grouped, grouped_status = {}, {}, {}
    for name, times in sorted(result["times"].items()):
        status = Counter(result["status"].get(name, {}))
        routes[name] = stats(times, window, status)
        for g in group_of(name):
            grouped.setdefault(g, []).extend(times)
            grouped_status.setdefault(g, Counter()).update(status)
    groups = {g: stats(grouped[g], window, grouped_status[g]) for g in grouped}
    every = grouped_status.get("all", Counter())
    codes = dict(every)
    errors = {k: v for k, v in codes.items() if not (k.isdigit() and int(k) < 400)}
    targets = {}
    for g, (q, limit) in TARGETS_MS.items():
        value = groups.get(g, {}).get(f"{q}_ms")
        met = value is not None and value < limit
        targets[g] = {f"{q}_ms": value, "limit_ms": limit, "met": met}
    targets["no_errors"] = {"errors": sum(errors.values()), "met": not errors}
    cpu = result["cpu"]
    # Per answered request (2xx/3xx): a 503 costs little, so it would flatter the figure.
    per_request = 1000 * sum(cpu.values()) / max(1, result.get("all_served", 0))
    return {
        "mode": args.mode,
        "users": args.users,
        "think_s": args.think,
        "duration_s": round(window, 1),
        "spawn_s": round(result["spawn_s"], 1),
        "warm_up_s": result.get("warm_s"),
        "data": data,
        "machine": host,
        "client_cpu": result["client_cpu"],
        "groups": groups,
        "routes": routes,
        "status": {
            "counts": dict(sorted(codes.items())),
            "errors": dict(sorted(errors.items())),
            "503": codes.get("503", 0),
            "5xx_not_503": sum(
                v for k, v in codes.items() if k.isdigit() and k.startswith("5") and k != "503"
            ),
        },
        "cpu_s": cpu,
        "cpu_ms_per_request": round(per_request, 1),
        "requests_per_s_two_cores_hold": round(2000 / per_request, 1) if per_request else None,
        "pages_per_s": groups.get("pages", {}).get("per_s"),
        "requests_per_s": groups.get("all", {}).get("per_s"),
        "targets": targets,
    }


def _line(name: str, s: dict) -> str:
    return (
        f"  {name:32} {s['requests']:>6} req {s['per_s']:>7}/s  p50 {s['p50_ms']!s:>7}  "
        f"p95 {s['p95_ms']!s:>7}  p99 {s['p99_ms']!s:>7}  max {s['max_ms']!s:>8} ms  "
        f"{s['status']}"
    )


def show(f: dict) -> None:
    m = f["machine"]
    print(
        f"\nmachine: {m['cores']} cores, {m['cpu']}; PostgreSQL {m['postgresql']}, "
        f"Redis {m['redis']}, Python {m['python']}; load average before "
        f"{m['load_average']}, after {m['load_average_after']} (a shared machine: other "
        "processes run beside the test)"
    )
    d = f["data"]
    print(
        f"data: {d['offers']} offers ({d['open_offers']} open), {d['lecturers']} lecturers "
        f"with offers, {d['exchanges']} exchanges, {d['proposals']} proposals"
    )
    print(
        f"load ({f['mode']}): {f['users']} users, {f['think_s']} s between clicks, "
        f"{f['duration_s']} s measured after {f['spawn_s']} s of spawning "
        f"(warm-up before: {f['warm_up_s']} s); "
        f"Locust client CPU {f['client_cpu']} of a core"
    )
    print("routes:")
    for name, s in f["routes"].items():
        print(_line(name, s))
    print("groups:")
    for name, s in f["groups"].items():
        print(_line(name, s))
    st = f["status"]
    print(f"status: {st['counts']}; errors {st['errors'] or 'none'}")
    print(f"pages/s {f['pages_per_s']}, requests/s {f['requests_per_s']}")
    print(
        f"CPU of the stack {f['cpu_s']} s: {f['cpu_ms_per_request']} ms an answered request, "
        f"so two cores to themselves would hold about "
        f"{f['requests_per_s_two_cores_hold']} requests/s of this mix"
    )
    for g, t in f["targets"].items():
        print(f"  target {g}: {t}")


def chat_figures(chat: dict | None) -> dict | None:
    if not chat:
        return None
    two = chat.get("two_servers") or {}
    best = max((s["deliveries_per_s"] for s in two.get("steps", []) if s["held"]), default=0)
    return {
        "standard_p50_ms": chat["phase1"]["p50_ms"],
        "standard_p99_ms": chat["phase1"]["p99_ms"],
        "standard_deliveries_per_s": chat["phase1"]["deliveries_per_s"],
        "standard_lost": chat["phase1"]["lost"],
        "two_servers_deliveries_per_s_held": best,
        "two_servers_max_sends_per_s": two.get("max_sustained_sends_per_s"),
        "two_servers_p99_at_max_ms": two.get("p99_ms_at_max"),
        "client_bound": chat.get("client_bound"),
        "targets": {
            "p99_under_20_ms": chat["phase1"]["p99_ms"] < CHAT_TARGETS["p99_ms"],
            "10000_deliveries_held": best >= CHAT_TARGETS["deliveries_per_s"],
            "not_below_6000": best >= CHAT_TARGETS["deliveries_per_s_today"],
        },
        "raw": chat,
    }


def show_chat(c: dict | None) -> None:
    if c is None:
        print("chat: bench/chat_load.py failed (its output is above)")
        return
    print(
        f"chat (bench/chat_load.py, 200 clients in 20 conversations): standard load p50 "
        f"{c['standard_p50_ms']} ms, p99 {c['standard_p99_ms']} ms, "
        f"{c['standard_deliveries_per_s']} deliveries/s, lost {c['standard_lost']}; "
        f"two server processes held {c['two_servers_deliveries_per_s_held']} deliveries/s "
        f"(p99 {c['two_servers_p99_at_max_ms']} ms); client-bound {c['client_bound']}"
    )
    print(f"  chat targets: {c['targets']}")
