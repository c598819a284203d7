"""The fairness table never says "every limit kept" beside a country above (1 + slack) × its
share without saying why: its cap is rounded up to whole pairs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from offers.models import Offer
from rounds import selectors
from tests.rounds.test_rounds import (
    COASTAL,
    HERITAGE,
    ROBOTS,
    WATER,
    course,
    lecturer_at,
    run_round,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_country_round(secretariat, django_capture_on_commit_callbacks):
    """The Netherlands hold a quarter of Europe's offers in a round of size 2: a fair
    share of 0.5 pairs, 1.2 × 0.5 = 0.6, rounded up to a cap of 1 — and 1 pair is 2 ×
    its share."""
    zone = "Asia/Kuala_Lumpur"
    course(lecturer_at("MY", "Universiti Malaya"), COASTAL, zone=zone)
    course(lecturer_at("TH", "Chulalongkorn University"), COASTAL, zone="Asia/Bangkok")
    dutch = course(lecturer_at("NL", "Wageningen University"), COASTAL, zone="Europe/Amsterdam")
    Offer.objects.filter(pk=dutch.pk).update(partners_sought=2)
    for i, text in enumerate((ROBOTS, HERITAGE, WATER)):
        course(lecturer_at("DE", f"German university {i}"), text, zone="Europe/Berlin")
    return run_round(secretariat, capture=django_capture_on_commit_callbacks, min_score=0.0)


def test_a_country_above_its_share_is_explained_by_rounding(small_country_round):
    report = selectors.round_report(small_country_round)
    rows = {row["code"]: row for row in report["countries"]}
    nl = rows["NL"]
    assert (nl["pairs"], nl["cap"], nl["fair_pairs"], nl["ratio"]) == (1, 1, 0.5, 2.0)
    assert nl["over_share"] is True
    assert nl["exact_cap"] == 0.6
    assert report["exact"]["caps_kept"] is True
    assert report["over_share"] == sum(1 for r in rows.values() if r["over_share"])
    # A country within its limit has no note.
    assert all(not r["over_share"] for r in rows.values() if (r["ratio"] or 0) <= 1.2)


def test_the_page_explains_the_rounding_beside_the_ratio_and_the_limits(
    client, secretariat, small_country_round
):
    client.force_login(secretariat)
    page = client.get(reverse("rounds:round-detail", args=[small_country_round.pk]))
    html = page.content.decode()
    table = html[html.index('<table id="coverage-countries">') :]
    table = table[: table.index("</table>")]
    netherlands = table[table.index("Netherlands") :]
    netherlands = netherlands[: netherlands.index("</tr>")]
    assert "2.00" in netherlands
    assert (
        "above 1.20 × only by rounding: 1.20 × a fair share of 0.50 pairs is 0.60, "
        "rounded up to a cap of 1 whole pairs"
    ) in netherlands
    comparison = html[html.index('<table id="comparison">') :]
    limits = comparison[comparison.index("Every limit kept") :]
    limits = limits[: limits.index("</tr>")]
    assert "yes" in limits
    over = selectors.round_report(small_country_round)["over_share"]
    assert f"{over} countr" in limits
    assert "share only because caps are rounded up to whole pairs" in limits


def test_no_note_when_every_country_stays_within_its_limit(
    client, secretariat, small_country_round
):
    loose = dict(small_country_round.stats)
    loose["params"] = {**loose["params"], "country_slack": 5}
    small_country_round.stats = loose
    small_country_round.save(update_fields=["stats"])
    report = selectors.round_report(small_country_round)
    assert report["over_share"] == 0
    client.force_login(secretariat)
    page = client.get(reverse("rounds:round-detail", args=[small_country_round.pk]))
    html = page.content.decode()
    assert "only by rounding" not in html
    assert "rounded up to whole pairs (see the country table)" not in html
