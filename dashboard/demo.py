"""Demo offers built from the real course descriptions in data/ (see data/SOURCES.md).

Texts from the University of Trento rows are CC BY-SA 4.0; demo offers built from them
carry that licence. Everything random is seeded, so the demo is the same on every machine.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import random
import re
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import (
    Affiliation,
    AffiliationRole,
    AffiliationStatus,
    Institution,
    Region,
    User,
)
from offers import services as offer_services
from offers.models import IscedField, Sdg
from offers.services import OfferData

# Keywords of the source's field hint (English or Italian degree names) → ISCED-F detailed.
FIELD_RULES = [
    (r"giurisprudenza|law", "0421"),
    (r"lingue|linguist|letter", "0232"),
    (r"filosofia|philosoph", "0223"),
    (r"storic|beni culturali|history", "0222"),
    (r"psicolog", "0313"),
    (r"sociolog", "0314"),
    (r"finanza|finance", "0412"),
    (r"economia|economics", "0311"),
    (r"management|aziendal|business", "0413"),
    (r"matematica|mathemat", "0541"),
    (r"fisica|physics", "0533"),
    (r"biolog", "0511"),
    (r"meteorolog|earth", "0532"),
    (r"ambiente|environment", "0712"),
    (r"architettura", "0731"),
    (r"civile", "0732"),
    (r"european and international|internazional", "0312"),
    (r"comunicazione", "0321"),
]
CS_RULES = [
    (r"network|database|distributed|security|cloud", "0612"),
    (r"circuit|electronic|signal|control|robot", "0714"),
]
ZONES = {
    "AU": "Australia/Sydney",
    "RU": "Europe/Moscow",
    "ID": "Asia/Jakarta",
    "KZ": "Asia/Almaty",
    "MN": "Asia/Ulaanbaatar",
    "NZ": "Pacific/Auckland",
    "PT": "Europe/Lisbon",
    "ES": "Europe/Madrid",
    "DE": "Europe/Berlin",
    "MY": "Asia/Kuala_Lumpur",
    "CN": "Asia/Shanghai",
    "CY": "Asia/Nicosia",
}
ASIAN_LANGUAGE = {
    "JP": "ja",
    "KR": "ko",
    "CN": "zh",
    "TH": "th",
    "VN": "vi",
    "ID": "id",
    "MY": "ms",
    "KH": "km",
    "LA": "lo",
    "MN": "mn",
    "RU": "ru",
    "KZ": "kk",
}
SDG_BY_FIELD = {
    "05": [13, 14, 15],
    "07": [7, 9, 11],
    "04": [8, 16],
    "03": [5, 10, 16],
    "06": [4, 9],
    "02": [4, 11],
    "09": [3],
}
DEMO_INSTITUTIONS_PER_REGION = 40


def isced_for(field_hint: str, title: str) -> str:
    hint = field_hint.lower()
    for pattern, code in FIELD_RULES:
        if re.search(pattern, hint):
            return code
    for pattern, code in CS_RULES:
        if re.search(pattern, title.lower()):
            return code
    return "0613"


def _zone(institution: Institution) -> str:
    code = institution.country_id
    return ZONES.get(code) or (institution.country.time_zones or ["UTC"])[0]


@functools.cache
def _demo_password_hash() -> str:
    return make_password(settings.TANDEM_DEMO_PASSWORD)


def demo_user(institution: Institution, local_part: str, full_name: str) -> User:
    """A made-up person at a real institution's domain: never e-mailed."""
    domain = institution.domains.values_list("domain", flat=True).first() or "demo.example"
    email = f"{local_part}@{domain}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            None,
            full_name=full_name[:200],
            time_zone=_zone(institution),
            email_notifications=False,
        )
        # One hash for all demo people: hashing is deliberately slow (~0.2 s each).
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _demo_lecturer(institution: Institution, n: int | str, full_name: str = "") -> User:
    user = demo_user(institution, f"lecturer{n}.demo", full_name or f"Demo Lecturer {n}")
    Affiliation.objects.get_or_create(
        user=user,
        institution=institution,
        role=AffiliationRole.LECTURER,
        status=AffiliationStatus.VERIFIED,
        defaults={"verified_by_domain": True},
    )
    return user


def _pick_institutions(rng: random.Random, region: str, count: int) -> list[Institution]:
    pool = list(
        Institution.objects.filter(country__region=region, domains__isnull=False)
        .select_related("country")
        .distinct()
        .order_by("pk")
    )
    rng.shuffle(pool)
    # At most three per country, so the demo spreads over many partners.
    per_country: dict[str, int] = {}
    chosen = []
    for inst in pool:
        if per_country.get(inst.country_id, 0) < 3:
            chosen.append(inst)
            per_country[inst.country_id] = per_country.get(inst.country_id, 0) + 1
        if len(chosen) == count:
            break
    return chosen


PRIORITIES = [
    "",
    "balanced_mobility",
    "business_industry",
    "quality_recognition",
    "lifelong_learning",
]
SKILLS = [
    "intercultural",
    "teamwork",
    "digital",
    "critical_thinking",
    "communication",
    "problem_solving",
]


def _languages(rng: random.Random, row: dict, institution: Institution) -> list:
    if row["language"] == "it":
        return [("it", "B2"), ("en", "B1")]
    languages = [("en", rng.choice(["B1", "B2", "B2", "C1"]))]
    if institution.country_id in ASIAN_LANGUAGE and rng.random() < 0.15:
        languages.append((ASIAN_LANGUAGE[institution.country_id], "B1"))
    return languages


def _windows(rng: random.Random) -> list:
    windows = []
    for weekday in rng.sample(range(5), rng.choice([1, 2])):
        hour = rng.randrange(8, 17)
        windows.append((weekday, dt.time(hour), dt.time(min(hour + 2, 20))))
    return windows


def _offer_data(rng: random.Random, row: dict, institution: Institution) -> OfferData:
    code = isced_for(row["field_hint"], row["title"])
    level = {"bachelor": "6", "master": "7", "master (single-cycle 5y)": "7"}.get(
        row["level"], rng.choice(["6", "6", "7", "5"])
    )
    semester_start = rng.choice(
        [dt.date(2027, 2, 1), dt.date(2027, 3, 1), dt.date(2027, 9, 1), dt.date(2027, 10, 1)]
    )
    start = semester_start + dt.timedelta(days=rng.randrange(0, 28))
    term_weeks = rng.randrange(12, 20)
    languages = _languages(rng, row, institution)
    sync = rng.choice([0, 4, 6, 8, 10])
    windows = _windows(rng) if sync else []
    sdgs = rng.sample(SDG_BY_FIELD.get(code[:2], [4]), k=1)
    description = row["description"][:9000]
    return OfferData(
        fields={
            "kind": rng.choice(["coil", "coil", "virtual_mobility", "blended"]),
            "title": row["title"][:200],
            "description": description,
            "learning_outcomes": "",
            "isced": code,
            "level": level,
            "students": rng.choice([12, 20, 25, 30, 35, 40, 60]),
            "term_start": start,
            "term_end": start + dt.timedelta(weeks=term_weeks),
            "duration_weeks": rng.randrange(4, min(term_weeks, 12) + 1),
            "time_zone": _zone(institution),
            "sync_sessions": sync,
            "priority": rng.choice(PRIORITIES),
            "theme_digitalisation": code.startswith("06") or rng.random() < 0.2,
            "theme_sustainability": code.startswith(("05", "07")) or rng.random() < 0.2,
            "skills": rng.sample(SKILLS, k=2),
            "partners_sought": 1,
        },
        languages=languages,
        windows=windows,
        sdgs=sdgs,
    )


def build_demo_offers(
    path: Path, *, per_region: int = DEMO_INSTITUTIONS_PER_REGION, limit: int = 360
) -> int:
    """Spread course descriptions over real institutions of both regions as open offers."""
    rng = random.Random(2030)  # ASEM Education Strategy 2030
    needed = {code for _, code in FIELD_RULES + CS_RULES} | {"0613"}
    if IscedField.objects.filter(code__in=needed).count() < len(needed) or not Sdg.objects.exists():
        raise RuntimeError("Load the reference data first: manage.py load_reference")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rng.shuffle(rows)
    asia = _pick_institutions(rng, Region.ASIA, per_region)
    europe = _pick_institutions(rng, Region.EUROPE, per_region)
    italy = [i for i in europe if i.country_id == "IT"] or europe
    lecturers: dict[int, User] = {}
    created = 0
    for n, row in enumerate(rows[:limit]):
        if row["language"] == "it":
            institution = italy[n % len(italy)]
        else:
            institution = (asia if n % 2 == 0 else europe)[(n // 2) % per_region]
        owner = lecturers.get(institution.pk) or _demo_lecturer(institution, len(lecturers) + 1)
        lecturers[institution.pk] = owner
        with transaction.atomic():
            offer = offer_services.offer_create(
                owner=owner, institution=institution, data=_offer_data(rng, row, institution)
            )
            if rng.random() < 0.9:
                offer_services.offer_publish(offer=offer, actor=owner)
        created += 1
    return created


# Siti's and Jan's courses of ../shared/JOURNEYS.md.
JOURNEY_COURSES = [
    (
        "siti",
        "Coastal Ecosystems and Climate Adaptation",
        "0521",
        "Asia/Kuala_Lumpur",
        35,
        "How mangroves, coral reefs and estuaries respond to a changing climate, and how "
        "coastal communities in South-East Asia adapt: field data, models and policy.",
        [(1, dt.time(15), dt.time(17)), (3, dt.time(15), dt.time(17))],
        [13, 14],
        dt.date(2027, 2, 15),
        dt.date(2027, 6, 11),
    ),
    (
        "jan",
        "Marine Spatial Planning",
        "0522",
        "Europe/Amsterdam",
        30,
        "Planning the use of seas and coasts: fisheries, energy, shipping and nature "
        "protection, with case studies from the North Sea and partner regions.",
        [(1, dt.time(8), dt.time(11)), (3, dt.time(8), dt.time(11))],
        [14],
        dt.date(2027, 2, 1),
        dt.date(2027, 6, 30),
    ),
]


def build_journey_offers() -> None:
    """Siti's and Jan's courses from the journeys, so the demo tells their story."""
    owners = {
        "siti": User.objects.get(email="siti@um.edu.my"),
        "jan": User.objects.get(email="jan@wageningenuniversity.nl"),
    }
    for who, title, code, zone, students, text, windows, sdgs, start, end in JOURNEY_COURSES:
        owner = owners[who]
        if owner.offers.filter(title=title).exists():
            continue
        institution = owner.affiliations.get(role=AffiliationRole.LECTURER).institution
        offer = offer_services.offer_create(
            owner=owner,
            institution=institution,
            data=OfferData(
                fields={
                    "kind": "coil",
                    "title": title,
                    "description": text,
                    "learning_outcomes": "Students design an adaptation or planning proposal "
                    "with peers from the other region.",
                    "isced": code,
                    "level": "6",
                    "students": students,
                    "term_start": start,
                    "term_end": end,
                    "duration_weeks": 12,
                    "time_zone": zone,
                    "sync_sessions": 6,
                    "priority": "balanced_mobility",
                    "theme_digitalisation": False,
                    "theme_sustainability": True,
                    "skills": ["intercultural", "teamwork"],
                    "partners_sought": 1,
                },
                languages=[("en", "B2")],
                windows=windows,
                sdgs=sdgs,
            ),
        )
        offer_services.offer_publish(offer=offer, actor=owner)
