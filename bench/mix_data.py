"""The data of the load test (bench/load_mix.py): a database at ten times the size of
today's exchange, topped up to the wanted size and kept between runs, and the plan the
Locust users read (who signs in with which session, which offers they own and browse).

The offers, exchanges and statistics come from the generators of bench/stats_speed.py and
bench/offers_search.py; this module adds the lecturers they are spread over, the offices,
the secretariat and the proposals waiting for the offices.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from bench import offers_search, stats_speed

MIX_DOMAIN = "mix.bench.example"


@dataclass(frozen=True)
class Size:
    lecturers: int
    offers: int  # in all, the exchanges' offers included
    exchanges: int
    offices_per_region: int
    pending: int  # accepted proposals waiting for the offices, topped up before each run
    plan_lecturers: int  # lecturers the Locust users sign in as


FULL = Size(20_000, 100_000, 10_000, 20, 400, 2_000)
QUICK = Size(600, 3_000, 300, 6, 60, 200)
DEMO = Size(0, 0, 0, 4, 40, 200)  # the burst: the demo data as it is


def log(text: str) -> None:
    print(text, flush=True)


def lecturers(n: int, rng: random.Random) -> list[tuple]:
    """n verified lecturers (mix<i>@…) spread over institutions of both regions; returns
    (user, institution) pairs."""
    from allauth.account.models import EmailAddress
    from django.db import transaction

    from accounts.models import Affiliation, Institution, User

    have = User.objects.filter(email__endswith="@" + MIX_DOMAIN).count()
    if have < n:
        institutions = list(
            Institution.objects.filter(country__region__in=["asia", "europe"])
            .select_related("country")
            .order_by("pk")[:1500]
        )
        # A few large universities and many small ones, as in the real exchange.
        weights = [1 / (1 + i) ** 0.6 for i in range(len(institutions))]
        for start in range(have, n, 5000):
            chunk = range(start, min(n, start + 5000))
            homes = rng.choices(institutions, weights, k=len(chunk))
            with transaction.atomic():
                users = User.objects.bulk_create(
                    [User(email=f"mix{i}@{MIX_DOMAIN}", full_name=f"Lecturer {i}") for i in chunk]
                )
                EmailAddress.objects.bulk_create(
                    [
                        EmailAddress(user=u, email=u.email, verified=True, primary=True)
                        for u in users
                    ]
                )
                Affiliation.objects.bulk_create(
                    [
                        Affiliation(user=u, institution=h, role="lecturer", status="verified")
                        for u, h in zip(users, homes, strict=True)
                    ]
                )
            log(f"  lecturers: {chunk.stop}")
    rows = Affiliation.objects.filter(
        user__email__endswith="@" + MIX_DOMAIN, role="lecturer"
    ).select_related("user", "institution__country")
    return [(a.user, a.institution) for a in rows]


def offices(per_region: int) -> list:
    """One verified office at each of the institutions with the most open offers (so the
    offices have proposals to approve)."""
    from allauth.account.models import EmailAddress
    from django.db.models import Count

    from accounts.models import Affiliation, User
    from offers.models import Offer

    users = []
    for region in ("asia", "europe"):
        busiest = (
            Offer.objects.filter(region=region, status="open")
            .values("institution_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "institution_id")[:per_region]
        )
        for row in busiest:
            inst = row["institution_id"]
            email = f"office{inst}@office.{MIX_DOMAIN}"
            user, _ = User.objects.get_or_create(email=email, defaults={"full_name": "Office"})
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            Affiliation.objects.get_or_create(
                user=user, institution_id=inst, role="office", defaults={"status": "verified"}
            )
            users.append(user)
    return users


def second_factor(users) -> None:
    """Offices and the secretariat act for others: an authenticator app each, as set up."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    have = set(
        Authenticator.objects.filter(type=Authenticator.Type.TOTP).values_list("user_id", flat=True)
    )
    for user in users:
        if user.pk not in have:
            TOTP.activate(user, generate_totp_secret())


def secretariat():
    from accounts.models import User

    user = User.objects.filter(is_secretariat=True).order_by("pk").first()
    if user is None:
        user = User.objects.create(
            email=f"secretariat@{MIX_DOMAIN}", full_name="Secretariat", is_secretariat=True
        )
    return user


def pending(target: int, rng: random.Random) -> int:
    """Top up the proposals waiting for the offices: proposed and accepted through the
    workflow services, between open offers of institutions that have an office."""
    from accounts.models import Affiliation
    from exchanges import services
    from exchanges.models import Proposal
    from offers.models import Offer

    office_insts = set(
        Affiliation.objects.filter(role="office", status="verified").values_list(
            "institution_id", flat=True
        )
    )
    waiting = Proposal.objects.filter(state="accepted").count()
    if waiting >= target:
        return waiting
    open_offers = Offer.objects.filter(status="open", institution_id__in=office_insts)
    asian = list(open_offers.filter(region="asia").select_related("owner")[:3000])
    european = list(open_offers.filter(region="europe").select_related("owner")[:3000])
    if not asian or not european:
        return waiting
    live = set(
        Proposal.objects.filter(state__in=["proposed", "accepted"]).values_list(
            "asian_offer_id", "european_offer_id"
        )
    )
    made = 0
    for _ in range(20 * target):  # few possible pairs (the demo data): stop trying
        if waiting + made >= target:
            break
        a, e = rng.choice(asian), rng.choice(european)
        if (a.pk, e.pk) in live:
            continue
        live.add((a.pk, e.pk))
        proposal = services.proposal_create(actor=a.owner, offer=a, partner=e)
        services.proposal_accept(proposal=proposal, actor=e.owner)
        made += 1
    return waiting + made


def sessions(users, *, strong: bool = False) -> dict[int, str]:
    """A signed-in session per user, as the login form (and, strong: the second factor)
    would leave it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    keys = {}
    now = time.time()
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        methods = [{"method": "password", "at": now, "email": user.email}]
        if strong:
            methods.append({"method": "mfa", "at": now, "type": "totp"})
        store["account_authentication_methods"] = methods
        store.create()
        keys[user.pk] = store.session_key
    return keys


def plan(size: Size, rng: random.Random, path: Path) -> dict:
    """Who the Locust users are: sessions, own open offers, partner offers to browse."""
    from django.conf import settings
    from django.db.models import Count, Q

    from accounts.models import Affiliation, User
    from offers.models import Offer

    owners = (
        User.objects.filter(
            affiliations__role="lecturer", affiliations__status="verified", offers__status="open"
        )
        .annotate(n=Count("offers", filter=Q(offers__status="open")))
        .filter(n__gt=0)
        .order_by("?")[: size.plan_lecturers]
    )
    owners = list(owners)
    own = {}
    for pk, offer, region in Offer.objects.filter(owner__in=owners, status="open").values_list(
        "owner_id", "pk", "region"
    ):
        own.setdefault(pk, []).append([offer, region])
    partners = {
        region: list(
            Offer.objects.filter(status="open", region=region)
            .order_by("?")
            .values_list("pk", flat=True)[:5000]
        )
        for region in ("asia", "europe")
    }
    office_users = list(
        User.objects.filter(
            pk__in=Affiliation.objects.filter(role="office", status="verified").values("user_id")
        )
    )
    boss = secretariat()
    second_factor([*office_users, boss])
    lecturer_keys = sessions(owners)
    data = {
        "cookie": settings.SESSION_COOKIE_NAME,
        "lecturers": [
            {"session": lecturer_keys[u.pk], "offers": own.get(u.pk, [])}
            for u in owners
            if own.get(u.pk)
        ],
        "offices": list(sessions(office_users, strong=True).values()),
        "secretariat": list(sessions([boss], strong=True).values()),
        "partners": partners,
        "countries": sorted(
            set(Offer.objects.filter(status="open").values_list("country_id", flat=True)[:5000])
        ),
    }
    path.write_text(json.dumps(data))
    return data


def prepare(size: Size, plan_path: Path, *, demo: bool = False) -> dict:
    """Create or top up the data, then write the plan. demo: the demo data instead."""
    from django.core.management import call_command
    from django.db import connection

    from balance import facts
    from balance.models import ProposalFact
    from exchanges.models import Proposal
    from matching import store
    from offers.models import Offer

    rng = random.Random(16)
    t0 = time.perf_counter()
    if demo:
        call_command("load_demo", verbosity=0)
        offices(size.offices_per_region)
    else:
        call_command("load_reference", verbosity=0)
        log(f"exchanges: {stats_speed.fill(size.exchanges, rng)}")
        owners = lecturers(size.lecturers, rng)
        log(f"offers: {offers_search.fill(size.offers, rng, owners=owners)}")
        offices(size.offices_per_region)
    if ProposalFact.objects.count() != Proposal.objects.count():
        facts.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    version = store.refit()
    log(f"matching model: version {version.pk if version else None}")
    waiting = pending(size.pending, rng)
    data = plan(size, rng, plan_path)
    figures = {
        "offers": Offer.objects.count(),
        "open_offers": Offer.objects.filter(status="open").count(),
        "lecturers": Offer.objects.values("owner_id").distinct().count(),
        "exchanges": Proposal.objects.filter(state__in=["approved", "active", "completed"]).count(),
        "proposals": Proposal.objects.count(),
        "waiting_for_offices": waiting,
        "plan": {k: len(data[k]) for k in ("lecturers", "offices", "secretariat")},
        "prepare_seconds": round(time.perf_counter() - t0, 1),
        "as_of": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return figures
