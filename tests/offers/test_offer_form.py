"""The offer form's helps: the summary of every problem, the time zone it starts with, the
words that find a field of education, and the data the partner-zone panel reads."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest
from django.urls import reverse

from tests import factories
from tests.offers.test_offer_pages import form_post

pytestmark = pytest.mark.django_db

NEW = reverse("offers:offer-create")


def summary_links(body: str) -> list[tuple[str, str]]:
    start = body.index('id="form-errors"')
    summary = body[start : body.index("</ul>", start)]
    return [
        (href, html_lib.unescape(re.sub(r"\s+", " ", text)).strip())
        for href, text in re.findall(r'<a href="#([^"]+)" data-error-link>(.*?)</a>', summary, re.S)
    ]


def selected_zone(body: str) -> str:
    select = body[body.index('name="time_zone"') :]
    return re.search(r'<option value="([^"]+)" selected>', select[: select.index("</select>")])[1]


# --- the error summary ---------------------------------------------------------------


def test_three_problems_make_three_links_to_their_fields(client, alice, asian_institution):
    client.force_login(alice)
    body = client.post(
        NEW,
        form_post(
            **{
                "offer-institution": asian_institution.pk,
                "title": "",
                "level": "",
                "languages-0-cefr": "",  # a language without its level
            }
        ),
    ).content.decode()
    links = summary_links(body)
    assert [href for href, _ in links] == ["id_title", "id_level", "id_languages-0-language"]
    assert links[0][1] == "Course title: This field is required."
    assert links[2][1] == "Working language 1: Give both the language and the level, or neither."
    for href, _text in links:
        assert f'id="{href}"' in body  # each link reaches a field on the page


def test_the_summary_names_row_fields_and_whole_list_problems(client, alice, asian_institution):
    client.force_login(alice)
    body = client.post(
        NEW,
        form_post(
            **{
                "offer-institution": asian_institution.pk,
                "kind": "",
                "languages-0-language": "",
                "languages-0-cefr": "",
                "windows-0-start": "25:00",
            }
        ),
    ).content.decode()
    links = summary_links(body)
    # A radio list is reached at its first choice; a formset's problem at its first row.
    assert ("id_kind_0", "Kind: This field is required.") in links
    assert ("id_windows-0-start", "From in weekly window 1: Enter a valid time.") in links
    links = summary_links(
        client.post(
            NEW,
            form_post(
                **{
                    "offer-institution": asian_institution.pk,
                    "languages-0-language": "",
                    "languages-0-cefr": "",
                }
            ),
        ).content.decode()
    )
    assert links == [
        ("id_languages-0-language", "Working languages: Add at least one working language.")
    ]


def test_the_sections_list_says_where_the_problems_are(client, alice, asian_institution):
    client.force_login(alice)
    body = client.post(
        NEW, form_post(**{"offer-institution": asian_institution.pk, "title": "", "level": ""})
    ).content.decode()
    steps = body[body.index("data-steps") : body.index("</nav>", body.index("data-steps"))]
    assert re.findall(r'href="#step-(\w+)"', steps) == [
        "course",
        "languages",
        "term",
        "sessions",
        "themes",
        "partners",
    ]
    assert "2 problems" in steps
    assert 'id="step-course"' in body and '<h2 id="step-course-title"' in body


# --- the time zone it starts with -----------------------------------------------------


def test_the_zone_starts_as_the_institutions_countrys(client, alice):
    client.force_login(alice)  # no zone of her own chosen (UTC)
    assert selected_zone(client.get(NEW).content.decode()) == "Asia/Kuala_Lumpur"


def test_a_european_lecturer_starts_in_the_institutions_zone(client, european_institution):
    client.force_login(factories.lecturer(european_institution, time_zone="Asia/Tokyo"))
    # Her own zone is not one of the Netherlands': the class meets in Amsterdam time.
    assert selected_zone(client.get(NEW).content.decode()) == "Europe/Amsterdam"


def test_the_lecturers_own_zone_in_that_country_wins(client, asian_institution):
    client.force_login(factories.lecturer(asian_institution, time_zone="Asia/Kuching"))
    assert selected_zone(client.get(NEW).content.decode()) == "Asia/Kuching"


def test_the_panel_knows_the_other_regions_zones(client, alice, asian_institution):
    client.force_login(alice)
    body = client.get(NEW).content.decode()
    raw = re.search(r'data-partner-times="([^"]+)"', body)[1]
    data = json.loads(html_lib.unescape(raw))
    place = data["places"][str(asian_institution.pk)]
    assert place["zone"] == "Asia/Kuala_Lumpur"
    assert [z for z, _ in place["partners"]] == [
        "Europe/Lisbon",
        "Europe/Berlin",
        "Europe/Helsinki",
    ]
    assert ["Europe/Berlin", "Germany (Berlin) Time"] in place["partners"]
    assert data["weekdays"][1] == "Tue"


# --- finding a field of education -----------------------------------------------------


def isced_option(body: str, code: str) -> str:
    return re.search(rf'<option value="{code}"[^>]*>', body)[0]


def test_a_field_is_found_by_a_subject_word_and_its_parents(client, alice):
    for code in ("0521", "0913"):
        factories.isced(code)
    client.force_login(alice)
    body = client.get(NEW).content.decode()
    environment = html_lib.unescape(isced_option(body, "0521"))
    # The example under the box, "climate, 052, nursing", finds fields.
    assert "climate" in environment and "052" in environment
    assert "Natural sciences, mathematics and statistics" in environment
    assert "nursing" in html_lib.unescape(isced_option(body, "0913")).lower()


def test_a_german_reader_finds_a_field_by_a_german_word(client, asian_institution):
    factories.isced("0521")
    client.force_login(factories.lecturer(asian_institution, preferred_language="de"))
    body = client.get(NEW).content.decode()
    option = html_lib.unescape(isced_option(body, "0521"))
    assert "klima" in option  # the subject glossary's German word
    assert "Umwelt" in option  # the narrow field's German name
    assert ">0521 Umweltwissenschaften<" in body


def test_a_japanese_reader_finds_a_field_by_a_japanese_word(client, asian_institution):
    factories.isced("0913")
    client.force_login(factories.lecturer(asian_institution, preferred_language="ja"))
    option = html_lib.unescape(isced_option(client.get(NEW).content.decode(), "0913"))
    assert "看護" in option
