"""Demo offers for every ISCED-F broad field, from the course texts written for Tandem in
data/demo_courses/<BB>.json (CC BY 4.0, see data/demo_courses/LICENSE.txt), so that a new
lecturer of any field finds sensible partners in the other region.

Every file is checked before anything is written. Offers are keyed by region and title:
loading again (after a file changed or was added) only creates the courses not there yet.
Everything random is seeded by the course, so the demo is the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from pathlib import Path

from django.db import transaction
from django.db.models import Count

from accounts.models import Institution, Region, User
from core.vocabulary import LEVELS, REGIONS
from dashboard.demo import SKILLS, _demo_lecturer, _zone
from offers import services as offer_services
from offers.models import IscedField, IscedLevel, Offer, Priority, Sdg
from offers.services import OfferData

MIN_PER_REGION = 20
# Institutions per region for the field offers: about three or four courses each.
INSTITUTIONS_PER_REGION = 60
TEXT_LENGTHS = {"title": (5, 200), "description": (200, 3000), "learning_outcomes": (40, 1500)}
KEYS = set(TEXT_LENGTHS) | {
    "region",
    "isced",
    "level",
    "sdgs",
    "priority",
    "sustainability",
    "digitalisation",
}
# The n-th Asian and the n-th European course of a file are written as a pair: they get
# the same season, and weekly windows in the hours the two regions share (European
# mornings, Asian afternoons), so that most courses have a partner to be suggested.
SEASON_STARTS = [dt.date(2027, 2, 1), dt.date(2027, 9, 1)]
SHARED_HOURS = {Region.EUROPE: (8, 11), Region.ASIA: (14, 17)}


class DemoCourseError(ValueError):
    """A course file that cannot be loaded; the message names the file and the entry."""


def _course_problems(course: object, broad: str, detailed: set[str]) -> list[str]:
    if not isinstance(course, dict):
        return ["is not an object"]
    problems = []
    if missing := sorted(KEYS - set(course)):
        problems.append(f"misses {', '.join(missing)}")
    if unknown := sorted(set(course) - KEYS):
        problems.append(f"has unknown keys {', '.join(unknown)}")
    if course.get("region") not in REGIONS:
        problems.append(f"region must be one of {', '.join(REGIONS)}")
    isced = course.get("isced")
    if not (isinstance(isced, str) and isced.startswith(broad) and isced in detailed):
        problems.append(f"isced {isced!r} is not a detailed ISCED-F code of broad field {broad}")
    if course.get("level") not in LEVELS:
        problems.append(f"level must be one of {', '.join(LEVELS)}")
    for name, (low, high) in TEXT_LENGTHS.items():
        text = course.get(name)
        if not isinstance(text, str) or not low <= len(text.strip()) <= high:
            problems.append(f"{name} must be a text of {low} to {high} characters")
    sdgs = course.get("sdgs")
    if not (
        isinstance(sdgs, list)
        and len(sdgs) <= 3
        and len(set(sdgs)) == len(sdgs)
        and all(type(n) is int and 1 <= n <= 17 for n in sdgs)
    ):
        problems.append("sdgs must be a list of at most three different numbers 1 to 17")
    if course.get("priority") not in ["", *Priority.values]:
        problems.append(f"priority must be empty or one of {', '.join(Priority.values)}")
    for name in ("sustainability", "digitalisation"):
        if type(course.get(name)) is not bool:
            problems.append(f"{name} must be true or false")
    return problems


def read_course_file(path: Path, detailed: set[str]) -> tuple[str, list[dict]]:
    """The broad field and the courses of one file; DemoCourseError if anything is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DemoCourseError(f"{path.name}: not readable JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("broad") != path.stem:
        raise DemoCourseError(f'{path.name}: must be an object with "broad": "{path.stem}"')
    courses = data.get("courses")
    if not isinstance(courses, list):
        raise DemoCourseError(f'{path.name}: "courses" must be a list')
    titles: set[tuple[str, str]] = set()
    for n, course in enumerate(courses, start=1):
        problems = _course_problems(course, path.stem, detailed)
        key = (course.get("region"), course.get("title")) if isinstance(course, dict) else None
        if not problems and key in titles:
            problems.append("repeats the title of another course of its region")
        titles.add(key)
        if problems:
            title = course.get("title") if isinstance(course, dict) else None
            raise DemoCourseError(f"{path.name}, course {n} ({title!r}): {'; '.join(problems)}")
    counts = Counter(course["region"] for course in courses)
    for region in REGIONS:
        if counts[region] < MIN_PER_REGION:
            raise DemoCourseError(
                f"{path.name}: {counts[region]} courses of region {region}, "
                f"needs at least {MIN_PER_REGION}"
            )
    return path.stem, courses


def read_course_files(directory: Path) -> list[tuple[str, list[dict]]]:
    detailed = set(
        IscedField.objects.filter(level=IscedLevel.DETAILED).values_list("code", flat=True)
    )
    if not detailed or not Sdg.objects.exists():
        raise RuntimeError("Load the reference data first: manage.py load_reference")
    files = sorted(directory.glob("*.json"))
    if not files:
        raise DemoCourseError(f"{directory}: no course files (<broad>.json)")
    return [read_course_file(path, detailed) for path in files]


def _pick_fresh_institutions(rng: random.Random, region: str, count: int) -> list[Institution]:
    """Institutions of the region with an e-mail domain, the least used by offers first,
    at most three per country while others are left."""
    pool = list(
        Institution.objects.filter(country__region=region, domains__isnull=False)
        .annotate(offer_count=Count("offers", distinct=True))
        .select_related("country")
        .distinct()
        .order_by("pk")
    )
    rng.shuffle(pool)
    pool.sort(key=lambda inst: min(inst.offer_count, 3))  # stable: shuffled within a tier
    chosen: list[Institution] = []
    per_country: Counter[str] = Counter()
    cap = 3
    while len(chosen) < min(count, len(pool)):
        for inst in pool:
            if inst not in chosen and per_country[inst.country_id] < cap:
                chosen.append(inst)
                per_country[inst.country_id] += 1
                if len(chosen) == count:
                    break
        cap += 1
    return chosen


def _offer_data(rng: random.Random, course: dict, institution: Institution, slot: int) -> OfferData:
    start = SEASON_STARTS[slot % 2] + dt.timedelta(days=rng.randrange(0, 21))
    term_weeks = rng.randrange(14, 20)
    sync = rng.choice([0, 4, 6, 6, 8, 10])
    return OfferData(
        fields={
            "kind": rng.choice(["coil", "coil", "coil", "virtual_mobility", "blended"]),
            "title": course["title"].strip(),
            "description": course["description"].strip(),
            "learning_outcomes": course["learning_outcomes"].strip(),
            "isced": course["isced"],
            "level": course["level"],
            "students": rng.choice([12, 16, 20, 25, 30, 35, 40]),
            "term_start": start,
            "term_end": start + dt.timedelta(weeks=term_weeks),
            "duration_weeks": rng.randrange(4, min(term_weeks, 12) + 1),
            "time_zone": _zone(institution),
            "sync_sessions": sync,
            "priority": course["priority"],
            "theme_digitalisation": course["digitalisation"],
            "theme_sustainability": course["sustainability"],
            "skills": rng.sample(SKILLS, k=2),
            "partners_sought": 1,
        },
        languages=[("en", rng.choice(["B1", "B2", "B2"]))],
        windows=_shared_windows(rng, course["region"]) if sync else [],
        sdgs=list(course["sdgs"]),
    )


def _shared_windows(rng: random.Random, region: str) -> list:
    first, last = SHARED_HOURS[region]
    hour = rng.randrange(first, last)
    return [(day, dt.time(hour), dt.time(hour + 3)) for day in sorted(rng.sample([1, 2, 3], 2))]


def build_field_offers(directory: Path) -> int:
    """Open offers for the courses of every file in the folder, spread over real
    institutions of their region. Returns the number of courses in the files."""
    files = read_course_files(directory)
    existing = set(Offer.objects.values_list("region", "title"))
    pending = [
        (broad, slot, course)
        for broad, courses in files
        for region in REGIONS
        for slot, course in enumerate(c for c in courses if c["region"] == region)
        if (course["region"], course["title"].strip()) not in existing
    ]
    rng = random.Random(2030 + 10)  # the ten broad fields of ISCED-F
    for region in (Region.ASIA, Region.EUROPE):
        mine = [(broad, slot, c) for broad, slot, c in pending if c["region"] == region]
        if not mine:
            continue
        institutions = _pick_fresh_institutions(rng, region, INSTITUTIONS_PER_REGION)
        if not institutions:
            raise RuntimeError("Load the reference data first: manage.py load_reference")
        lecturers: dict[int, User] = {}
        for n, (broad, slot, course) in enumerate(mine):
            institution = institutions[n % len(institutions)]
            if institution.pk not in lecturers:
                # One made-up lecturer per institution, as for the real-text offers (a
                # user per field and institution made loading a third slower).
                lecturers[institution.pk] = _demo_lecturer(institution, "-fields", "Demo Lecturer")
            owner = lecturers[institution.pk]
            course_rng = random.Random(f"{broad}:{region}:{course['title']}")
            with transaction.atomic():
                offer = offer_services.offer_create(
                    owner=owner,
                    institution=institution,
                    data=_offer_data(course_rng, course, institution, slot),
                )
                offer_services.offer_publish(offer=offer, actor=owner)
    return sum(len(courses) for _broad, courses in files)
