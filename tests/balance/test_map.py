"""The map of the ASEM partner countries: its public-domain outlines in data/, and the
page's map coloured by balance or by participants with the table beside it
(tests/balance/world.py: MY and NL lean towards Asia, TH and AT towards Europe)."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings

from balance import maps

MAP_FILE = settings.TANDEM_DATA_DIR / "asem_map.json"


def test_the_outlines_cover_every_asem_country_and_are_small():
    data = json.loads(MAP_FILE.read_text())
    partners = json.loads((settings.TANDEM_DATA_DIR / "asem_partners.json").read_text())
    codes = {p["iso_alpha2"] for p in partners["partners"] if p["kind"] == "country"}
    assert set(data["countries"]) == codes
    assert len(codes) == 51
    for code, country in data["countries"].items():
        assert country["path"] or country.get("marker"), code
    # The small ones carry a marker at their capital, whether or not Natural Earth's
    # 1:110m file draws them.
    for code in ("SG", "BN", "LU", "MT"):
        assert data["countries"][code]["marker"], code
    assert MAP_FILE.stat().st_size < 300_000
    assert "public domain" in data["source"]
    sources = (settings.TANDEM_DATA_DIR / "SOURCES.md").read_text()
    assert "asem_map.json" in sources and "Natural Earth" in sources


@pytest.mark.parametrize(
    ("index", "css"),
    [(None, "none"), (-0.8, "b1"), (-0.2, "b2"), (0.02, "b3"), (0.3, "b4"), (1.0, "b5")],
)
def test_the_balance_classes(index, css):
    assert maps.index_class(index) == css


def test_the_participant_classes_spread_and_the_darkest_marks_the_most():
    breaks = maps.flow_breaks([0, 10, 26, 68, 84])
    assert breaks == [26, 68, 84]
    assert [maps.flow_class(v, breaks) for v in (0, 10, 26, 27, 84)] == [
        "none",
        "f2",
        "f2",
        "f3",
        "f4",
    ]
    assert maps.flow_breaks([0, 0]) == []


def country_groups(html: str) -> dict[str, tuple[str, str]]:
    """code → (classes, title) of each country drawn on the map."""
    svg = html.split('<svg class="asem-map"')[1].split("</svg>")[0]
    return {
        code: (classes, title)
        for classes, code, title in re.findall(
            r'<g class="([^"]+)" tabindex="0" data-code="(\w\w)"[^>]*><title>([^<]*)</title>', svg
        )
    }


@pytest.mark.django_db
def test_the_map_colours_each_country_and_names_its_figures(world, secretariat, client):
    client.force_login(secretariat)
    html = client.get("/statistics/").content.decode()
    groups = country_groups(html)
    assert len(groups) == 51
    classes = {code: c.split() for code, (c, _title) in groups.items()}
    # MY 30 / 38 (−0.12), NL 38 / 46 (−0.10): towards Asia; TH 18 / 8, AT 10 / 0.
    assert classes["MY"] == ["country", "b-b2", "f-f3"]
    assert classes["NL"] == ["country", "b-b2", "f-f4"]
    assert classes["TH"] == ["country", "b-b4", "f-f2"]
    assert classes["AT"] == ["country", "b-b5", "f-f2"]
    assert classes["JP"] == ["country", "b-none", "f-none"]
    assert groups["MY"][1] == (
        "Malaysia: 2 exchanges; 30 participants Asia → Europe, 38 Europe → Asia; "
        "balance index −0.12 (leans towards Asia)"
    )
    assert groups["JP"][1] == "Japan: no exchanges"
    # Singapore is not drawn at this scale, but circled.
    singapore = html.split('data-code="SG"')[1].split("</g>")[0]
    assert '<circle class="marker"' in singapore
    # Both legends, the one not chosen hidden by CSS alone.
    assert "+0.5 to +1: far towards Europe" in html
    assert "Participants, both directions" in html


@pytest.mark.django_db
def test_the_table_beside_the_map_holds_the_same_figures(world, secretariat, client):
    client.force_login(secretariat)
    html = client.get("/statistics/").content.decode()
    table = html.split("data-map-table>")[1].split("</table>")[0]
    rows = re.findall(r'<tr data-code="(\w\w)"><th scope="row">([^<]+)</th>(.*?)</tr>', table)
    assert len(rows) == 51
    cells = {
        code: [
            " ".join(re.sub(r"<[^>]+>", "", c).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", rest)
        ]
        for code, _name, rest in rows
    }
    # Most participants first: NL 84, MY 68, TH 26, AT 10, then the rest.
    assert [code for code, _n, _r in rows[:4]] == ["NL", "MY", "TH", "AT"]
    assert cells["MY"] == ["2", "68", "−0.12 (leans towards Asia)"]
    assert cells["AT"] == ["1", "10", "+1.00 (leans towards Europe)"]
    assert cells["JP"] == ["0", "0", "—"]


@pytest.mark.django_db
def test_a_region_filter_draws_the_other_region_grey_and_unnamed(world, secretariat, client):
    client.force_login(secretariat)
    html = client.get("/statistics/", {"region": "asia"}).content.decode()
    groups = country_groups(html)
    assert len(groups) == 21
    assert "NL" not in groups and "MY" in groups
    # The 30 European ones in grey (Malta, not drawn at this scale, as a grey dot).
    assert len(re.findall(r'<(?:path|circle) class="other"', html)) == 30
