import csv
import io

import pytest
from django.urls import reverse

from offers import importing
from offers.models import Offer
from tests import factories

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_export_follows_the_search_and_round_trips_through_import(client, alice, bob):
    factories.make_offer(
        alice, title="ការប្រែប្រួលអាកាសធាតុ 🌏", excluded_countries=["RU"], skills=["teamwork"]
    )
    factories.make_offer(alice, title="Urban Water", description="Drainage in cities.")
    client.force_login(bob)  # the office of alice's institution
    rows = read_csv(client.get(reverse("offers:offer-export"), {"q": "ការប្រែប្រួលអាកាសធាតុ"}))
    assert [r["title"] for r in rows] == ["ការប្រែប្រួលអាកាសធាតុ 🌏"]
    row = rows[0]
    assert row["owner_email"] == "alice@um.edu.my"
    assert row["windows"] == "Tue 15:00-17:00; Thu 15:00-17:00"
    assert row["languages"] == "en:B2"
    assert row["excluded_countries"] == "RU"

    # Edit nothing, delete the offers, import the file: the same offer comes back.
    before = Offer.objects.get(title=row["title"])
    fields = (
        "kind",
        "isced_id",
        "level",
        "students",
        "term_start",
        "term_end",
        "duration_weeks",
        "time_zone",
        "sync_sessions",
        "priority",
        "skills",
        "status",
    )
    expected = {f: getattr(before, f) for f in fields}
    content = b"".join(client.get(reverse("offers:offer-export")).streaming_content)
    Offer.objects.all().delete()
    report = importing.offers_import(institution=before.institution, content=content, format="csv")
    assert report.rejected == []
    again = Offer.objects.get(title=row["title"])
    assert {f: getattr(again, f) for f in fields} == expected
    assert list(again.windows.values_list("weekday", flat=True)) == [1, 3]
    assert list(again.excluded_countries.values_list("code", flat=True)) == ["RU"]


def test_export_hides_other_institutions_emails_and_drafts(client, alice, charlie):
    factories.make_offer(alice, title="Open course")
    factories.make_offer(alice, title="Draft course", publish=False)
    client.force_login(charlie)
    rows = read_csv(client.get(reverse("offers:offer-export")))
    assert [r["title"] for r in rows] == ["Open course"]
    assert rows[0]["owner_email"] == ""


def test_export_needs_sign_in(client):
    response = client.get(reverse("offers:offer-export"))
    assert response.status_code == 302
