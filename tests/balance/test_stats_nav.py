"""The statistics page as a report one can find one's way in: the contents bar, the year
as a list of the years with figures, the comparison with the year before, the honest
wording of the balance index and what the printed page carries (tests/balance/world.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from core.balance_rules import index_reading
from tests.balance.helpers import page_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(world, secretariat, client):
    client.force_login(secretariat)
    return client


class _Outline(HTMLParser):
    """The page's contents links, its sections (id → h2 text) and its year options."""

    def __init__(self):
        super().__init__()
        self.links, self.sections, self.years = [], {}, []
        self._nav = self._section = self._h2 = self._option = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "nav" and "data-stats-nav" in a:
            self._nav = True
        elif tag == "a" and self._nav:
            self.links.append(a["href"])
        elif tag == "section" and "stats-section" in a.get("class", ""):
            self._section = a["id"]
        elif tag == "h2" and self._section:
            self._h2, self._text = True, ""
        elif tag == "select" and a.get("name") == "year":
            self._option = False
        elif tag == "option" and self._option is not None:
            self._option, self._text = a.get("value", ""), ""

    def handle_endtag(self, tag):
        if tag == "nav":
            self._nav = None
        elif tag == "h2" and self._h2:
            self.sections[self._section] = self._text.strip()
            self._h2 = self._section = None
        elif tag == "option" and self._option is not None and self._option is not False:
            self.years.append((self._option, self._text.strip()))
            self._option = False
        elif tag == "select":
            self._option = None

    def handle_data(self, data):
        self._text += data


def outline(html: bytes) -> _Outline:
    parser = _Outline()
    parser.feed(html.decode())
    return parser


def test_the_contents_bar_links_every_section_in_order(signed_in):
    page = outline(signed_in.get("/statistics/").content)
    assert page.links == [f"#{anchor}" for anchor in page.sections]
    assert list(page.sections) == [
        "overview",
        "pipeline",
        "countries",
        "time",
        "kinds",
        "priorities",
        "levels",
        "sdgs",
        "coverage",
        "co2",
    ]
    assert page.sections["countries"] == "Countries and map"


def test_the_year_is_a_list_of_the_years_with_figures(signed_in):
    page = outline(signed_in.get("/statistics/").content)
    assert page.years == [("", "All years"), ("2028", "2028"), ("2027", "2027")]


def test_an_office_is_offered_only_its_own_years(world, client):
    client.force_login(world.bob)  # Universiti Malaya: every exchange and offer in 2027
    page = outline(client.get("/statistics/").content)
    assert page.years == [("", "All years"), ("2027", "2027")]


@pytest.mark.parametrize("year", ["1999", "2029", "twenty"])
def test_a_year_without_figures_is_refused_with_a_reason(signed_in, year):
    response = signed_in.get("/statistics/", {"year": year})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"There are no figures for the year “{year}”" in html
    # The summary at the top links to the field, which says what is wrong.
    assert '<a href="#id_year">Year</a>' in html
    assert re.search(r'<select name="year"[^>]*aria-invalid="true"', html)
    assert 'aria-describedby="id_year_helptext id_year_error"' in html


def test_the_selected_year_is_compared_with_the_year_before(signed_in):
    html = signed_in.get("/statistics/", {"year": "2028"}).content.decode()
    assert "Compared with 2027" in html
    rows = yoy_rows(html)
    # 2028: E4 alone (8 and 8); 2027: E1, E2, E3 (40 and 38).
    assert rows == [
        ["Approved exchanges", "1", "3", "▼ −2", "down 2 from 3"],
        ["Participants Asia → Europe", "8", "40", "▼ −32", "down 32 from 40"],
        ["Participants Europe → Asia", "8", "38", "▼ −30", "down 30 from 38"],
        ["Balance index", "0.00", "+0.03", "▼ −0.03", "moved towards Asia from +0.03 (balanced)"],
    ]


def test_a_year_after_one_without_figures_reads_up_and_no_participants(signed_in):
    rows = yoy_rows(signed_in.get("/statistics/", {"year": "2027"}).content.decode())
    assert rows[0] == ["Approved exchanges", "3", "0", "▲ +3", "up 3 from 0"]
    assert rows[3] == ["Balance index", "+0.03", "—", "—", "no participants in the year before"]


def test_without_a_year_the_page_says_how_to_compare(signed_in):
    html = signed_in.get("/statistics/").content.decode()
    assert "Choose a year in the filters to compare its figures with the year before." in html
    assert 'id="table-yoy"' not in html


def yoy_rows(html: str) -> list[list[str]]:
    table = html.split('id="table-yoy"')[1].split("</table>")[0]
    rows = re.findall(r"<tr data-key=.*?</tr>", table, flags=re.S)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, flags=re.S)
        ]
        for r in rows
    ]


def test_an_index_near_zero_reads_balanced_not_leaning(signed_in):
    html = signed_in.get("/statistics/").content
    # 48 Asia → Europe against 46 Europe → Asia: +0.02.
    assert page_summary(html)["index"] == "+0.02"
    reading = re.search(rb'data-reading="index">([^<]*)<', html).group(1)
    assert reading == b"balanced"
    assert b"leans towards Europe</dd>" not in html


@pytest.mark.parametrize(
    ("index", "words"),
    [
        (None, "nobody moved"),
        (0.0, "balanced"),
        (0.004, "balanced"),
        (-0.049, "balanced"),
        (0.05, "leans towards Europe"),
        (0.4, "leans towards Europe"),
        (-0.05, "leans towards Asia"),
        (-1.0, "leans towards Asia"),
    ],
)
def test_the_index_in_words(index, words):
    assert index_reading(index) == words


def test_the_printed_page_names_its_address_and_date(signed_in):
    html = signed_in.get("/statistics/", {"year": "2027"}).content.decode()
    footer = html.split('<footer class="print-footer">')[1].split("</footer>")[0]
    assert "http://testserver/statistics/?year=2027" in footer
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', footer)
    assert "All ASEM partners" in footer
