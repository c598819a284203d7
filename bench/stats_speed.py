#!/usr/bin/env python
"""Speed of the balance statistics (dashboard and API) on PostgreSQL with 100,000
exchanges.

Fills a database of its own (default postgres://postgres@127.0.0.1:5432/tandem_stats_bench,
created and migrated if missing; the fill is kept for the next run, --drop removes the
database at the end) with synthetic offers and proposals across the ASEM countries:
100,000 exchanges (approved, active or completed, each with its participants by
direction stamped as the workflow stamps them, completion reports for the completed
ones), 20,000 proposals still open or declined and 20,000 offers without a partner.
Then it measures the server time of /statistics/ and /api/v1/stats/ through Django's
test client, for the secretariat (everything) and an international office: median and
p95 over many requests, without and with filters.

    .venv/bin/python bench/stats_speed.py [--exchanges 100000] [--requests 30] [--drop]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import use_database  # noqa: E402

KINDS = ["coil", "coil", "virtual_mobility", "blended"]
LEVELS = ["4", "5", "6", "6", "6", "7", "7", "8", "nonformal"]
PRIORITIES = [
    "",
    "quality_recognition",
    "business_industry",
    "balanced_mobility",
    "lifelong_learning",
]


def setup_django(database_url: str) -> None:
    use_database(database_url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Static files from the source folders, as the tests serve them: the pages link the
    # assets without a collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0)
    call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115


def drop(database_url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _offer(rng, owner, inst, now, kind=None):
    from offers.models import Offer

    start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 4 * 365))
    return Offer(
        owner=owner,
        institution=inst,
        country_id=inst.country_id,
        region=inst.country.region,
        kind=kind or rng.choice(KINDS),
        title="Bench course",
        description="A synthetic course for the statistics benchmark.",
        isced_id=rng.choice(FIELDS),
        level=rng.choice(LEVELS),
        students=rng.randrange(5, 60),
        term_start=start,
        term_end=start + dt.timedelta(weeks=14),
        duration_weeks=12,
        time_zone="UTC",
        priority=rng.choice(PRIORITIES),
        theme_digitalisation=rng.random() < 0.4,
        theme_sustainability=rng.random() < 0.5,
        status="open",
        published_at=now - dt.timedelta(days=rng.randrange(30, 900)),
        search_document="bench course",
    )


FIELDS: list[str] = []


def fill(target: int, rng: random.Random) -> int:
    """Bulk-insert offers, proposals and reports; returns the number of exchanges."""
    from allauth.account.models import EmailAddress
    from django.db import connection, transaction

    from accounts.models import Affiliation, Institution, User
    from core.balance_rules import students_per_direction
    from exchanges.models import CompletionReport, Proposal
    from offers.models import IscedField, Offer, Sdg

    have = Proposal.objects.filter(state__in=["approved", "active", "completed"]).count()
    if have >= target:
        return have
    FIELDS[:] = IscedField.objects.filter(level="detailed").values_list("code", flat=True)
    sdgs = list(Sdg.objects.values_list("number", flat=True))
    owners = {"asia": [], "europe": []}
    for region in owners:
        institutions = list(
            Institution.objects.filter(country__region=region, domains__isnull=False)
            .select_related("country")
            .distinct()
            .order_by("pk")[:300]
        )
        for inst in institutions:
            email = f"statsbench{inst.pk}@{inst.domains.first().domain}"
            user, _ = User.objects.get_or_create(email=email, defaults={"full_name": "Bench"})
            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True})
            Affiliation.objects.get_or_create(
                user=user, institution=inst, role="lecturer", defaults={"status": "verified"}
            )
            owners[region].append((user, inst))
    now = dt.datetime.now(dt.UTC)
    batch = 5000
    through = Offer.sdgs.through
    done = have
    while done < target:
        n = min(batch, target - done)
        asian = [_offer(rng, *rng.choice(owners["asia"]), now) for _ in range(n)]
        european = [_offer(rng, *rng.choice(owners["europe"]), now) for _ in range(n)]
        spare = [
            _offer(rng, *rng.choice(owners["asia" if i % 2 else "europe"]), now)
            for i in range(n // 5)
        ]
        with transaction.atomic():
            for o in asian + european:
                o.status, o.approved_pairings = "paired", 1
            Offer.objects.bulk_create(asian + european + spare, batch_size=2000)
            through.objects.bulk_create(
                [
                    through(offer_id=o.pk, sdg_id=g)
                    for o in asian + european + spare
                    for g in rng.sample(sdgs, rng.randrange(1, 3))
                ],
                batch_size=5000,
            )
            proposals, reports = [], []
            for a, e in zip(asian, european, strict=True):
                state = rng.choices(["approved", "active", "completed"], [3, 2, 5])[0]
                created = now - dt.timedelta(days=rng.randrange(40, 900))
                flows = students_per_direction(a.kind, a.students, e.kind, e.students)
                report = None
                if state == "completed":
                    pa, pe = rng.randrange(1, 60), rng.randrange(1, 60)
                    report = (pa, pe)
                    flows = (
                        students_per_direction(a.kind, pa, e.kind, e.students)[0],
                        students_per_direction(a.kind, a.students, e.kind, pe)[1],
                    )
                proposals.append(
                    Proposal(
                        asian_offer=a,
                        european_offer=e,
                        origin="browse",
                        state=state,
                        created_at=created,
                        updated_at=created,
                        approved_at=created + dt.timedelta(hours=rng.randrange(2, 24 * 60)),
                        flow_a_to_e=flows[0],
                        flow_e_to_a=flows[1],
                    )
                )
                reports.append(report)
            # Proposals still open or turned down: a fifth as many, between the spare offers
            # and the paired ones (never a second live proposal of a pair).
            for i, s in enumerate(spare):
                other = european[i] if s.region == "asia" else asian[i]
                a, e = (s, other) if s.region == "asia" else (other, s)
                proposals.append(
                    Proposal(
                        asian_offer=a,
                        european_offer=e,
                        origin="suggestion",
                        state=rng.choice(["proposed", "accepted", "declined", "expired"]),
                        created_at=now - dt.timedelta(days=rng.randrange(1, 300)),
                        updated_at=now,
                        flow_a_to_e=students_per_direction(a.kind, a.students, e.kind, e.students)[
                            0
                        ],
                        flow_e_to_a=students_per_direction(a.kind, a.students, e.kind, e.students)[
                            1
                        ],
                    )
                )
            Proposal.objects.bulk_create(proposals, batch_size=2000)
            CompletionReport.objects.bulk_create(
                [
                    CompletionReport(
                        proposal=p, participants_asia=r[0], participants_europe=r[1], sync_hours=8
                    )
                    for p, r in zip(proposals, reports, strict=False)
                    if r
                ],
                batch_size=2000,
            )
        done += n
        print(f"  filled {done} exchanges", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return done


def measure(client, path: str, requests: int, variants: list[dict], cold: bool = False) -> dict:
    """Server time of `requests` GETs; cold: with the statistics cache emptied before each."""
    from django.core.cache import cache

    timings = []
    for i in range(requests):
        params = variants[i % len(variants)]
        if cold:
            cache.clear()
        t0 = time.perf_counter()
        response = client.get(path, params)
        timings.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} {params} answered {response.status_code}")
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "max_ms": round(timings[-1], 1),
        "requests": requests,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exchanges", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_STATS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem_stats_bench"
        ),
    )
    args = parser.parse_args()
    rng = random.Random(11)
    setup_django(args.database_url)
    t0 = time.perf_counter()
    total = fill(args.exchanges, rng)
    fill_s = time.perf_counter() - t0
    # Bulk inserts bypass the signals that keep the statistics' copy of each proposal.
    from django.db import connection

    from balance import facts
    from balance.models import ProposalFact
    from exchanges.models import Proposal as _Proposal

    if ProposalFact.objects.count() != _Proposal.objects.count():
        t1 = time.perf_counter()
        facts.rebuild()
        print(f"  facts rebuilt in {time.perf_counter() - t1:.1f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE balance_proposalfact")

    from django.db.models import Count
    from django.test import Client

    from accounts.models import Affiliation, User
    from exchanges.models import Proposal
    from offers.models import Offer

    boss, _ = User.objects.get_or_create(
        email="statsbench-secretariat@example.org",
        defaults={"full_name": "Bench secretariat", "is_secretariat": True},
    )
    # The office of the institution with the most offers: its figures are the largest.
    busiest = (
        Offer.objects.values("institution_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["institution_id"]
    )
    office, _ = User.objects.get_or_create(
        email="statsbench-office@example.org", defaults={"full_name": "Bench office"}
    )
    Affiliation.objects.get_or_create(
        user=office, institution_id=busiest, role="office", defaults={"status": "verified"}
    )
    secretariat, office_client = Client(), Client()
    secretariat.force_login(boss)
    office_client.force_login(office)
    plain = [{}]
    filtered = [
        {"year": "2026"},
        {"kind": "virtual_mobility"},
        {"region": "asia", "level": "5"},
        {"priority": "balanced_mobility", "date_from": "2025-01-01"},
    ]
    measure(secretariat, "/statistics/", 3, plain)  # warm up
    figures = {
        "exchanges": total,
        "proposals": Proposal.objects.count(),
        "offers": Offer.objects.count(),
        "fill_seconds": round(fill_s, 1),
        # Computed afresh on every request (the figures just changed).
        "dashboard_cold": measure(secretariat, "/statistics/", args.requests, plain, cold=True),
        "dashboard_filtered_cold": measure(
            secretariat, "/statistics/", args.requests, filtered, cold=True
        ),
        "api_cold": measure(secretariat, "/api/v1/stats/", args.requests, plain, cold=True),
        "dashboard_office_cold": measure(
            office_client, "/statistics/", args.requests, plain, cold=True
        ),
        # From the cache (nothing changed since the last computation).
        "dashboard": measure(secretariat, "/statistics/", args.requests, plain),
        "dashboard_filtered": measure(secretariat, "/statistics/", args.requests, filtered),
        "api": measure(secretariat, "/api/v1/stats/", args.requests, plain),
        "export_countries_xlsx": measure(
            secretariat,
            "/statistics/export/countries.xlsx",
            max(5, args.requests // 3),
            plain,
            True,
        ),
        "target_ms": 500,
        "machine": f"{os.cpu_count()} cores",
    }
    for name in ("dashboard_cold", "dashboard_filtered_cold", "api_cold", "dashboard", "api"):
        d = figures[name]
        print(f"{name:24} median {d['median_ms']} ms, p95 {d['p95_ms']} ms")
    if args.drop:
        drop(args.database_url)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
