#!/usr/bin/env python
"""Search speed of the offer catalogue on PostgreSQL with 100,000 offers.

Fills a database of its own (default postgres://postgres@127.0.0.1:5432/tandem_bench,
created and migrated if missing; the fill is kept for the next run), then measures the
server time of the search page and of the API list for queries that combine a text
search with a filter: median and p95 over many requests, 20 offers a page.

    .venv/bin/python bench/offers_search.py [--offers 100000] [--requests 200]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
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


def setup_django(database_url: str) -> None:
    use_database(database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115


def fill(target: int, rng: random.Random, owners: list | None = None) -> int:
    """Bulk-insert synthetic open offers (texts from the real course descriptions), up to
    `target` offers in all; owners: (user, institution) pairs to spread them over (by
    default one lecturer at each of 400 institutions)."""
    from allauth.account.models import EmailAddress
    from django.db import connection, transaction

    from accounts.models import Affiliation, Institution, User
    from offers.models import IscedField, Offer, OfferLanguage, Sdg

    have = Offer.objects.count()
    if have >= target:
        return have
    rows = list(csv.DictReader((ROOT / "data" / "course_descriptions_open.csv").open()))
    owners = list(owners or [])
    institutions = (
        []
        if owners
        else list(
            Institution.objects.filter(domains__isnull=False)
            .select_related("country")
            .distinct()[:400]
        )
    )
    for inst in institutions:
        email = f"bench{inst.pk}@{inst.domains.first().domain}"
        user, _ = User.objects.get_or_create(
            email=email, defaults={"full_name": f"Bench {inst.pk}"}
        )
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True})
        Affiliation.objects.get_or_create(
            user=user, institution=inst, role="lecturer", defaults={"status": "verified"}
        )
        owners.append((user, inst))
    fields = list(IscedField.objects.filter(level="detailed").values_list("code", flat=True))
    sdgs = list(Sdg.objects.values_list("number", flat=True))
    words = " ".join(r["description"] for r in rows[:400]).split()
    languages = ["en", "en", "en", "fr", "de", "zh", "ja", "it", "es", "th"]
    batch = 5000
    now = dt.datetime.now(dt.UTC)
    while have < target:
        n = min(batch, target - have)
        offers = []
        for _ in range(n):
            row = rng.choice(rows)
            user, inst = rng.choice(owners)
            extra = " ".join(rng.choices(words, k=30))
            start = dt.date(2027, 1, 1) + dt.timedelta(days=rng.randrange(0, 365))
            title = row["title"][:180]
            description = (row["description"] + " " + extra)[:9000]
            offers.append(
                Offer(
                    owner=user,
                    institution=inst,
                    country_id=inst.country_id,
                    region=inst.country.region,
                    kind=rng.choice(["coil", "virtual_mobility"]),
                    title=title,
                    description=description,
                    learning_outcomes="",
                    isced_id=rng.choice(fields),
                    level=rng.choice(["5", "6", "7", "8"]),
                    students=rng.randrange(10, 60),
                    term_start=start,
                    term_end=start + dt.timedelta(weeks=16),
                    duration_weeks=8,
                    time_zone="UTC",
                    sync_sessions=4,
                    status="open",
                    published_at=now - dt.timedelta(minutes=rng.randrange(0, 525_600)),
                    search_document="\n".join([title, description, inst.name]),
                )
            )
        with transaction.atomic():
            created = Offer.objects.bulk_create(offers, batch_size=1000)
            OfferLanguage.objects.bulk_create(
                [
                    OfferLanguage(offer=o, language=rng.choice(languages), cefr="B2")
                    for o in created
                ],
                batch_size=2000,
            )
            through = Offer.sdgs.through
            through.objects.bulk_create(
                [through(offer_id=o.pk, sdg_id=rng.choice(sdgs)) for o in created], batch_size=2000
            )
        have += n
        print(f"  filled {have} offers", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE exchanges_offer")
    return have


def analyze() -> None:
    """Fresh planner statistics everywhere, as autovacuum keeps them on a live server."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


QUERIES = [
    {"q": "programming", "region": "europe"},
    {"q": "data", "level": "7"},
    {"q": "climate", "language": "en"},
    {"q": "network security", "isced": "06"},
    {"q": "software engineering", "region": "asia"},
    {"q": "economia", "kind": "coil"},
    {"q": "learning", "term_from": "2027-03-01", "term_to": "2027-06-30"},
    {"q": "algorithms", "sdg": "4"},
    {"q": "diritto", "level": "6"},
    {"q": "statistics", "country": "DE"},
]


def measure(client, path: str, requests: int, rng: random.Random) -> dict:
    timings, sizes = [], []
    for i in range(requests):
        params = dict(QUERIES[i % len(QUERIES)])
        if i % 3 == 1:
            params["page"] = "2"
        t0 = time.perf_counter()
        response = client.get(path, params)
        timings.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} {params} answered {response.status_code}")
        sizes.append(len(response.content))
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "max_ms": round(timings[-1], 1),
        "requests": requests,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem_bench"
        ),
    )
    args = parser.parse_args()
    rng = random.Random(7)
    setup_django(args.database_url)
    t0 = time.perf_counter()
    total = fill(args.offers, rng)
    fill_s = time.perf_counter() - t0
    analyze()

    from django.test import Client

    from accounts.models import User

    viewer = User.objects.filter(email__startswith="bench").first()
    client = Client()
    client.force_login(viewer)
    # Warm caches and connections the way a running server would have them.
    measure(client, "/offers/", 20, rng)
    page = measure(client, "/offers/", args.requests, rng)
    api = measure(client, "/api/v1/offers/", args.requests, rng)
    catalogue = measure(Client(), "/catalogue/", args.requests // 2, rng)
    figures = {
        "offers": total,
        "fill_seconds": round(fill_s, 1),
        "page": page,
        "api": api,
        "catalogue_anonymous": catalogue,
        "target_p95_ms": 150,
        "machine": f"{os.cpu_count()} cores",
    }
    print(f"search page: median {page['median_ms']} ms, p95 {page['p95_ms']} ms")
    print(f"API list:    median {api['median_ms']} ms, p95 {api['p95_ms']} ms")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
