"""The demo covers every ISCED-F broad field in both regions (issue 12, part 5): the course
files of data/demo_courses/ become open offers at real institutions, once, and a
malformed file is refused by name before anything is written."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import ReferenceDataset, User
from accounts.reference import load_dataset
from dashboard.demo_fields import DemoCourseError, build_field_offers
from offers.models import Offer, OfferStatus

pytestmark = pytest.mark.django_db

COURSES = Path(settings.TANDEM_DATA_DIR) / "demo_courses"
BROAD_FIELDS = [f"{n:02d}" for n in range(1, 11)]


def run(command: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def open_offers_by_field() -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for region, isced in Offer.objects.filter(status=OfferStatus.OPEN).values_list(
        "region", "isced_id"
    ):
        counts[(isced[:2], region)] = counts.get((isced[:2], region), 0) + 1
    return counts


def test_every_broad_field_has_twenty_open_offers_per_region_once():
    output = run("load_demo")
    assert "demo-field-offers: loaded (400)" in output
    counts = open_offers_by_field()
    short = {
        (broad, region): counts.get((broad, region), 0)
        for broad in BROAD_FIELDS
        for region in ("asia", "europe")
        if counts.get((broad, region), 0) < 20
    }
    assert short == {}
    # Written texts with their outcomes, at real institutions of the course's region.
    offer = Offer.objects.get(title="Lesson Study in Mathematics Teaching")
    assert (offer.region, offer.isced_id, offer.level) == ("asia", "0114", "6")
    assert offer.learning_outcomes.startswith("Students can plan, teach and review")
    assert offer.institution.country.region == "asia"
    assert offer.owner.email.startswith("lecturer-fields.demo@")
    assert list(offer.languages.values_list("language", flat=True)) == ["en"]
    # Spread over many institutions, not piled onto the few of the real-text demo.
    field_offers = Offer.objects.filter(owner__email__startswith="lecturer-")
    assert field_offers.values("institution").distinct().count() >= 100
    assert ReferenceDataset.objects.get(key="demo-field-offers").rows == 400
    # A lecturer of any field sees partners: paired courses share a season and hours
    # both regions can meet in (17 of 400 had none when measured; 290 of 632 open demo
    # offers had none with random terms and windows).
    from matching import engine

    engine.refit(force=True)
    sample = Offer.objects.filter(owner__email__startswith="lecturer-fields", status="open")
    without = sum(not engine.suggestions(o, k=1) for o in sample.order_by("pk")[::4])
    assert without <= 10  # of 100

    # A second load_demo is proven idempotent as a whole in tests/accounts/test_reference.py
    # (it costs half a minute): here, the field loader alone.
    before = (Offer.objects.count(), User.objects.count())
    # Even when a changed file makes the loader run again, nothing is created twice.
    assert build_field_offers(COURSES) == 400
    assert (Offer.objects.count(), User.objects.count()) == before


def broken_folder(tmp_path: Path, name: str, change) -> Path:
    folder = tmp_path / "demo_courses"
    folder.mkdir()
    shutil.copy(COURSES / "01.json", folder / "01.json")
    data = json.loads((COURSES / "05.json").read_text(encoding="utf-8"))
    change(data)
    (folder / name).write_text(json.dumps(data), encoding="utf-8")
    return folder


def other_field(data):
    data["courses"][2]["isced"] = "0613"


def long_title(data):
    data["courses"][2]["title"] = "x" * 300


def bad_sdg(data):
    data["courses"][2]["sdgs"] = [13, 18]


def missing_key(data):
    del data["courses"][2]["learning_outcomes"]


def too_few(data):
    data["courses"] = [c for c in data["courses"] if c["region"] == "asia"]


def wrong_broad(data):
    data["broad"] = "04"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (other_field, "05.json, course 3 ("),
        (long_title, "05.json, course 3 ('xxx"),
        (bad_sdg, "05.json, course 3 ("),
        (missing_key, "misses learning_outcomes"),
        (too_few, "05.json: 0 courses of region europe, needs at least 20"),
        (wrong_broad, '05.json: must be an object with "broad": "05"'),
    ],
)
def test_a_malformed_file_is_refused_by_name_and_nothing_is_created(tmp_path, change, message):
    run("load_reference")
    folder = broken_folder(tmp_path, "05.json", change)
    with pytest.raises(DemoCourseError) as refused:
        build_field_offers(folder)
    assert message in str(refused.value)
    assert not Offer.objects.exists()


def test_not_json_is_refused_and_nothing_is_recorded(tmp_path, settings):
    """load_demo's way to load the folder: refused by name, no dataset recorded."""
    run("load_reference")
    folder = tmp_path / "demo_courses"
    folder.mkdir()
    shutil.copy(COURSES / "01.json", folder / "01.json")
    (folder / "02.json").write_text('{"broad": "02", "courses": [', "utf-8")
    settings.TANDEM_DATA_DIR = tmp_path
    with pytest.raises(DemoCourseError, match=r"02\.json: not readable JSON"):
        load_dataset(
            key="demo-field-offers",
            file="demo_courses",
            source="test",
            licence="test",
            loader=build_field_offers,
        )
    assert not Offer.objects.exists()
    assert not ReferenceDataset.objects.filter(key="demo-field-offers").exists()
