"""Bulk import of offers: the service, the office's page and the management command."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import AffiliationRole
from offers import importing, services, validation
from offers.importing import FileRefused, offers_import
from offers.models import Offer, OfferLevel, OfferStatus, Priority, TransversalSkill
from tests import factories

pytestmark = pytest.mark.django_db

IMPORT = reverse("imports:offer-import")
DOCS = settings.BASE_DIR / "docs"

KHMER = "ប្រវត្តិសាស្ត្រអាស៊ីអាគ្នេយ៍ 📜"
THAI = "การพัฒนาซอฟต์แวร์เพื่อความยั่งยืน 🌱"
CHINESE = "城市水资源管理 💧"
EMOJI = "Coastal 🌊 Futures 👩🏽‍🔬"


@pytest.fixture(autouse=True)
def reference(db):
    """The ISCED fields, SDGs and countries the rows and the example files use."""
    for code in ("05", "0521", "0532", "0222", "0231", "0613", "0712"):
        factories.isced(code)
    for number in range(1, 18):
        factories.sdg(number)
    for code in ("MY", "NL", "DE", "FR", "FI", "SE", "IE", "PT"):
        factories.country(code)


@pytest.fixture
def siti(asian_institution):
    """The lecturer the example files name as owner."""
    return factories.lecturer(asian_institution, email="siti@um.edu.my", full_name="Siti Rahman")


def good_row(**changes) -> dict[str, str]:
    row = {
        "owner_email": "alice@um.edu.my",
        "kind": "coil",
        "title": "Coastal Ecosystems and Climate Adaptation",
        "description": "How mangroves, reefs and estuaries respond to a changing climate.",
        "learning_outcomes": "Assess adaptation options for a coastal community.",
        "isced": "0521",
        "level": "6",
        "languages": "en:B2; fr:B1",
        "students": "35",
        "term_start": "2027-02-15",
        "term_end": "2027-06-11",
        "duration_weeks": "12",
        "time_zone": "Asia/Kuala_Lumpur",
        "sync_sessions": "6",
        "windows": "Tue 15:00-17:00; Thu 15:00-17:00",
        "sdgs": "13; 14",
        "priority": "balanced_mobility",
        "theme_digitalisation": "false",
        "theme_sustainability": "true",
        "skills": "intercultural; teamwork",
        "preferred_countries": "NL; DE",
        "excluded_countries": "",
        "partners_sought": "1",
        "status": "draft",
    }
    row.update(changes)
    return row


def csv_file(rows: list[dict], columns=importing.COLUMNS, *, line_end: str = "\n") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode()


def run(content: bytes, institution, *, format: str = "csv", atomic: bool = False):
    return offers_import(institution=institution, content=content, format=format, atomic=atomic)


def errors_of(report) -> dict[int, dict[str, list[str]]]:
    return {r.row: r.errors for r in report.rejected}


# --- rows ---------------------------------------------------------------------------------


def test_good_rows_are_imported_and_bad_rows_listed_with_row_number_and_reason(
    alice, bob, asian_institution
):
    pending = factories.UserFactory(email="newcomer@um.edu.my")
    factories.affiliate(pending, asian_institution, AffiliationRole.LECTURER, verified=False)
    content = csv_file(
        [
            good_row(title="First good course"),
            good_row(title="Unknown field", isced="9999"),
            good_row(title="Bad dates", term_start="15/02/2027", term_end="2027-02-01"),
            good_row(title="Office is no lecturer", owner_email="bob@um.edu.my"),
            good_row(title="Not verified yet", owner_email="newcomer@um.edu.my"),
            good_row(title="Second good course"),
        ]
    )

    report = run(content, asian_institution)

    assert [(r.row, r.title) for r in report.imported] == [
        (2, "First good course"),
        (7, "Second good course"),
    ]
    assert Offer.objects.filter(institution=asian_institution, owner=alice).count() == 2
    errors = errors_of(report)
    assert sorted(errors) == [3, 4, 5, 6]
    assert errors[3] == {"isced": [str(services.UNKNOWN_ISCED % {"code": "9999"})]}
    assert errors[4] == {"term_start": [str(importing.NOT_A_DATE % {"value": "15/02/2027"})]}
    # Whether an account may own the institution's offers is the service's rule.
    for row in (5, 6):
        assert errors[row] == {
            "owner_email": [
                str(services.NOT_VERIFIED_LECTURER % {"institution": "Universiti Malaya"})
            ]
        }


def test_the_service_reports_every_problem_of_a_row_by_column(alice, asian_institution):
    content = csv_file(
        [
            good_row(
                term_end="2027-02-01",
                languages="en:B2; xx:B1",
                windows="Tue 15:00-17:00; Tue 16:00-18:00",
                students="lots",
            )
        ]
    )

    errors = errors_of(run(content, asian_institution))[2]

    assert errors["term_end"] == [str(validation.TERM_END_BEFORE_START)]
    assert errors["languages"] == [str(validation.UNKNOWN_LANGUAGE % {"language": "xx"})]
    assert "overlap" in errors["windows"][0]
    assert errors["students"] == [str(importing.NOT_A_NUMBER % {"value": "lots"})]
    assert Offer.objects.count() == 0


def test_journey_400_courses_with_12_unknown_isced_codes_imports_388(alice, asian_institution):
    bad = {10 * n + 7 for n in range(12)}
    rows = [good_row(title=f"Course {i}", isced="0000" if i in bad else "0521") for i in range(400)]

    report = run(csv_file(rows), asian_institution)

    assert len(report.imported) == 388
    assert Offer.objects.filter(institution=asian_institution).count() == 388
    assert [r.row for r in report.rejected] == sorted(i + 2 for i in bad)
    assert all(
        r.errors == {"isced": [str(services.UNKNOWN_ISCED % {"code": "0000"})]}
        for r in report.rejected
    )


def test_status_open_publishes_the_offer_and_draft_is_the_default(alice, asian_institution):
    content = csv_file(
        [good_row(title="Open one", status="open"), good_row(title="Draft one", status="")]
    )

    run(content, asian_institution)

    opened = Offer.objects.get(title="Open one")
    assert opened.status == OfferStatus.OPEN
    assert opened.published_at is not None
    assert Offer.objects.get(title="Draft one").status == OfferStatus.DRAFT


def test_all_children_of_a_row_are_imported(alice, asian_institution):
    run(csv_file([good_row(excluded_countries="PT", status="open")]), asian_institution)

    offer = Offer.objects.get()
    assert offer.owner == alice
    assert list(offer.languages.values_list("language", "cefr")) == [("en", "B2"), ("fr", "B1")]
    assert [str(w) for w in offer.windows.all()] == ["Tuesday 15:00–17:00", "Thursday 15:00–17:00"]
    assert sorted(offer.sdgs.values_list("number", flat=True)) == [13, 14]
    assert sorted(offer.preferred_countries.values_list("code", flat=True)) == ["DE", "NL"]
    assert list(offer.excluded_countries.values_list("code", flat=True)) == ["PT"]
    assert offer.skills == ["intercultural", "teamwork"]
    assert offer.theme_sustainability is True


def test_all_or_nothing_imports_nothing_when_one_row_is_bad(alice, asian_institution):
    content = csv_file(
        [
            good_row(title="Good"),
            good_row(title="Bad field", isced="9999"),
            good_row(title="Bad date", term_end="soon"),
            good_row(title="Also good", status="open"),
        ]
    )

    report = run(content, asian_institution, atomic=True)

    assert Offer.objects.count() == 0
    assert report.rolled_back
    assert report.imported == []
    assert report.would_import == 2
    assert [r.row for r in report.rejected] == [3, 4]


def test_all_or_nothing_imports_everything_when_every_row_is_good(alice, asian_institution):
    report = run(
        csv_file([good_row(title="A"), good_row(title="B")]), asian_institution, atomic=True
    )

    assert not report.rolled_back
    assert Offer.objects.count() == 2


def test_uploading_the_same_rows_again_does_not_duplicate_them(alice, asian_institution):
    content = csv_file([good_row(title="Once"), good_row(title="Twice"), good_row(title="Once")])

    first = run(content, asian_institution)
    second = run(content, asian_institution)

    assert [r.row for r in first.imported] == [2, 3]
    assert [r.row for r in first.rejected] == [4]
    assert second.imported == []
    assert "already has the offer “Once”" in second.rejected[0].errors["title"][0]
    assert Offer.objects.count() == 2


def test_a_code_that_lost_its_leading_zero_says_how_to_keep_it(alice, asian_institution):
    errors = errors_of(run(csv_file([good_row(isced="521")]), asian_institution))

    assert errors[2] == {"isced": [str(importing.ISCED_ZERO_DROPPED % {"value": "521"})]}


def test_a_broad_field_is_refused_by_the_service(alice, asian_institution):
    errors = errors_of(run(csv_file([good_row(isced="05")]), asian_institution))

    assert errors[2] == {"isced": [str(services.ISCED_NOT_DETAILED)]}


def test_required_cells_left_empty_are_named(alice, asian_institution):
    errors = errors_of(run(csv_file([good_row(title="", term_start="  ")]), asian_institution))

    assert errors[2] == {
        "title": [str(importing.REQUIRED_CELL)],
        "term_start": [str(importing.REQUIRED_CELL)],
    }


def test_unknown_values_in_lists_are_named(alice, asian_institution):
    content = csv_file(
        [good_row(sdgs="13; 18", preferred_countries="NL; XX", windows="Tue 3pm-5pm", kind="x")]
    )

    errors = errors_of(run(content, asian_institution))[2]

    assert errors["sdgs"] == [str(services.UNKNOWN_SDG % {"number": 18})]
    assert errors["preferred_countries"] == [str(services.UNKNOWN_COUNTRY % {"code": "XX"})]
    assert errors["windows"] == [str(importing.BAD_WINDOW % {"value": "Tue 3pm-5pm"})]
    assert errors["kind"][0].startswith("“x” is not one of the allowed values: coil,")


def test_unknown_codes_are_refused_by_the_service_with_the_allowed_values(alice, asian_institution):
    content = csv_file([good_row(level="9", priority="Speed", skills="teamwork; juggling")])

    errors = errors_of(run(content, asian_institution))[2]

    def not_a_choice(value, choices) -> list[str]:
        return [str(services.NOT_A_CHOICE % {"value": value, "choices": ", ".join(choices)})]

    assert errors == {
        "level": not_a_choice("9", OfferLevel.values),
        "priority": not_a_choice("speed", Priority.values),
        "skills": not_a_choice("juggling", TransversalSkill.values),
    }


def test_the_import_and_the_api_refuse_unknown_references_in_the_same_words(
    api, alice, asian_institution, offer_json
):
    content = csv_file([good_row(isced="9999", sdgs="13; 18", preferred_countries="NL; XX")])
    api.force_login(alice)

    from_file = errors_of(run(content, asian_institution))[2]
    from_api = api.post(
        reverse("api:offer-list"),
        offer_json(isced="9999", sdgs=[13, 18], preferred_countries=["NL", "XX"]),
    ).json()

    assert from_file == from_api
    assert from_file["isced"] == [str(services.UNKNOWN_ISCED % {"code": "9999"})]


def test_a_word_in_a_list_of_numbers_is_a_reading_problem(alice, asian_institution):
    errors = errors_of(run(csv_file([good_row(sdgs="13; fourteen")]), asian_institution))

    assert errors[2] == {"sdgs": [str(importing.NOT_A_NUMBER % {"value": "fourteen"})]}


@pytest.mark.both_backends
def test_an_sdg_number_beyond_any_column_is_refused_not_crashing(alice, asian_institution):
    huge = 10**20
    errors = errors_of(run(csv_file([good_row(sdgs=f"13; {huge}")]), asian_institution))

    assert errors[2] == {"sdgs": [str(services.UNKNOWN_SDG % {"number": huge})]}


def test_an_address_without_an_account_is_named(alice, asian_institution):
    content = csv_file([good_row(owner_email="Nobody@UM.edu.my")])

    errors = errors_of(run(content, asian_institution))

    assert errors[2] == {
        "owner_email": [
            str(
                importing.OWNER_NOT_LECTURER
                % {"email": "nobody@um.edu.my", "institution": "Universiti Malaya"}
            )
        ]
    }


def test_a_nul_byte_in_a_cell_rejects_the_row(alice, asian_institution):
    content = csv_file([good_row(title="Bad\x00title", owner_email="alice@um.edu.my\x00")])

    errors = errors_of(run(content, asian_institution))[2]

    assert errors["title"] == [str(validation.CONTROL_CHARACTERS)]
    assert errors["owner_email"] == [str(validation.CONTROL_CHARACTERS)]
    assert Offer.objects.count() == 0


def test_a_row_with_more_cells_than_the_header_is_rejected_alone(alice, asian_institution):
    content = (
        csv_file([good_row(title="Fine")])
        + (
            ",".join(good_row(title="Shifted", description="Plain").values()) + ",oops, a comma\n"
        ).encode()
    )

    report = run(content, asian_institution)

    assert [r.title for r in report.imported] == ["Fine"]
    assert report.rejected[0].row == 3
    assert report.rejected[0].errors == {
        "": [str(importing.TOO_MANY_CELLS % {"cells": 26, "columns": len(importing.COLUMNS)})]
    }


# --- files ------------------------------------------------------------------------------------


def test_the_example_csv_imports_cleanly(siti, asian_institution):
    content = (DOCS / "offers_import_example.csv").read_bytes()

    report = run(content, asian_institution)

    assert report.rejected == []
    assert len(report.imported) == 4
    assert {o.status for o in Offer.objects.all()} == {"open", "draft"}


def test_the_example_json_imports_cleanly(siti, asian_institution):
    content = (DOCS / "offers_import_example.json").read_bytes()

    report = run(content, asian_institution, format="json")

    assert report.rejected == []
    assert [r.title for r in report.imported] == [
        "Tropical Peatlands and Carbon 🌏",
        "Bahasa Melayu untuk Pemula",
    ]


def test_a_json_list_of_objects_with_native_values_imports(alice, asian_institution):
    entry = good_row(title="From JSON") | {
        "students": 35,
        "duration_weeks": 12,
        "sync_sessions": 6,
        "theme_sustainability": True,
        "sdgs": [13, 14],
        "languages": ["en:B2"],
        "excluded_countries": None,
    }
    bad = good_row(title="Nested") | {"students": {"n": 3}}
    report = run(json.dumps([entry, bad]).encode(), asian_institution, format="json")

    assert [r.title for r in report.imported] == ["From JSON"]
    assert errors_of(report) == {2: {"students": [str(importing.NESTED_VALUE)]}}


def test_every_column_is_documented():
    guide = (DOCS / "import.md").read_text()

    for column in importing.COLUMNS:
        assert f"| `{column}` |" in guide


def test_unicode_titles_round_trip_exactly(alice, asian_institution):
    titles = [KHMER, THAI, CHINESE, EMOJI]
    description = "ការពិពណ៌នា · คำอธิบาย · 描述 🌏\nsecond line"
    csv_content = csv_file([good_row(title=t, description=description) for t in titles])
    json_content = json.dumps(
        [good_row(title=t + " (JSON)", description=description) for t in titles],
        ensure_ascii=True,  # \u escapes must decode to the same characters
    ).encode()

    run(csv_content, asian_institution)
    run(json_content, asian_institution, format="json")

    stored = dict(Offer.objects.values_list("title", "description"))
    assert set(stored) == set(titles) | {t + " (JSON)" for t in titles}
    assert set(stored.values()) == {description}


def test_a_csv_with_bom_and_windows_line_endings_imports(alice, asian_institution):
    row = good_row(title=THAI, description="Line one,\r\nline two")
    content = b"\xef\xbb\xbf" + csv_file([row, good_row(title="Second")], line_end="\r\n")

    report = run(content, asian_institution)

    assert [r.row for r in report.imported] == [2, 3]
    assert Offer.objects.get(title=THAI).description == "Line one,\nline two"


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(alice, asian_institution):
    content = (
        csv_file([good_row(title="A")])
        + b",,,,\n\n"
        + csv_file([good_row(title="B")])[len(",".join(importing.COLUMNS)) + 1 :]
    )

    report = run(content, asian_institution)

    assert [(r.row, r.title) for r in report.imported] == [(2, "A"), (5, "B")]


def _over_limit_rows() -> bytes:
    header = ",".join(importing.COLUMNS) + "\n"
    return (header + "x\n" * (importing.MAX_ROWS + 1)).encode()


@pytest.mark.parametrize(
    ("content", "format", "message"),
    [
        pytest.param(b"", "csv", importing.FILE_EMPTY, id="empty"),
        pytest.param(b"\xef\xbb\xbf \r\n", "csv", importing.FILE_EMPTY, id="only-a-bom"),
        pytest.param(
            csv_file([]),
            "csv",
            importing.NO_ROWS,
            id="header-only",
        ),
        pytest.param(
            "owner_email,title\nalice@um.edu.my,Café\n".encode("latin-1") + "é".encode("latin-1"),
            "csv",
            importing.NOT_UTF8 % {"line": 2},
            id="latin-1",
        ),
        pytest.param(b"PK\x03\x04rest-of-a-zip", "csv", importing.SPREADSHEET, id="xlsx-content"),
        pytest.param(
            b"owner_email;kind;title\na;b;c\n", "csv", importing.SEPARATOR, id="semicolons"
        ),
        pytest.param(
            b'owner_email,kind\n"unterminated,x\n',
            "csv",
            None,
            id="broken-quote",
        ),
        pytest.param(
            csv_file([good_row()], columns=[c for c in importing.COLUMNS if c != "isced"]),
            "csv",
            importing.MISSING_COLUMNS % {"columns": "isced"},
            id="missing-column",
        ),
        pytest.param(
            csv_file([good_row()], columns=[*importing.COLUMNS, "isced_code"]),
            "csv",
            None,
            id="unknown-column",
        ),
        pytest.param(
            csv_file([good_row()], columns=[*importing.COLUMNS, "title"]),
            "csv",
            importing.DUPLICATE_COLUMNS % {"columns": "title"},
            id="repeated-column",
        ),
        pytest.param(b"x" * (importing.MAX_BYTES + 1), "csv", None, id="over-5-MB"),
        pytest.param(
            _over_limit_rows(),
            "csv",
            importing.TOO_MANY_ROWS % {"rows": importing.MAX_ROWS + 1, "limit": importing.MAX_ROWS},
            id="over-2000-rows",
        ),
        pytest.param(b'[{"title": "x",}]', "json", None, id="invalid-json"),
        pytest.param(b'{"title": "x"}', "json", importing.JSON_SHAPE, id="json-not-a-list"),
        pytest.param(b'[{"title": "x"}, 3]', "json", None, id="json-entry-not-object"),
        pytest.param(b'[{"titel": "x"}]', "json", None, id="json-unknown-key"),
        pytest.param(b"[]", "json", importing.NO_ROWS, id="json-empty-list"),
    ],
)
def test_a_file_refused_as_a_whole_leaves_nothing_behind(
    alice, asian_institution, content, format, message
):
    factories.make_offer(alice)
    # Good rows ahead of the problem must not be kept either.
    with pytest.raises(FileRefused) as info:
        run(content, asian_institution, format=format)

    assert Offer.objects.count() == 1
    assert info.value.messages
    if message is not None:
        assert str(message) in info.value.messages


def test_a_spreadsheet_or_other_file_type_is_refused_by_name():
    with pytest.raises(FileRefused) as spreadsheet:
        importing.detect_format("courses.xlsx")
    with pytest.raises(FileRefused) as pdf:
        importing.detect_format("courses.pdf")

    assert spreadsheet.value.messages == [str(importing.SPREADSHEET)]
    assert pdf.value.messages == [str(importing.WRONG_TYPE)]
    assert importing.detect_format("Courses.CSV") == "csv"
    assert importing.detect_format("courses.json") == "json"


# --- the page --------------------------------------------------------------------------------


def upload(content: bytes, name: str = "offers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def post_import(client, django_capture_on_commit_callbacks):
    """Upload as a browser does and follow to the job's page; the import job (queued on
    commit, eager here) has run by then."""

    def post(data: dict):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(IMPORT, data)
        if response.status_code != 302:
            return response
        assert response.url.startswith("/office/import/jobs/")
        return client.get(response.url)

    return post


def test_office_imports_for_its_institution_and_sees_the_report(
    client, post_import, alice, bob, asian_institution
):
    client.force_login(bob)
    content = csv_file([good_row(title=KHMER, status="open"), good_row(isced="9999")])

    response = post_import({"institution": asian_institution.pk, "file": upload(content)})

    assert response.status_code == 200
    offer = Offer.objects.get()
    assert offer.institution == asian_institution
    assert offer.status == OfferStatus.OPEN
    page = response.content.decode()
    assert f'<a href="{offer.get_absolute_url()}" dir="auto">{KHMER}</a>' in page
    assert 'id="rejected-rows"' in page
    assert "<caption>1 rejected row</caption>" in page
    assert "<caption>1 imported offer</caption>" in page
    assert re.search(r"<th scope=\"row\">3</th>", page)
    assert "“9999” is not an ISCED-F code" in page
    assert 'id="form-errors"' in page  # the summary, focused for screen readers


def test_office_sees_the_form_with_only_its_institutions(client, bob, european_institution):
    client.force_login(bob)

    response = client.get(IMPORT)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Universiti Malaya" in page
    assert "Wageningen" not in page
    assert 'for="id_file"' in page
    assert "<caption>Columns Tandem reads, in any order</caption>" in page


def test_office_of_another_institution_cannot_import_into_it(
    client, alice, charlie, asian_institution
):
    client.force_login(charlie)

    response = client.post(
        IMPORT, {"institution": asian_institution.pk, "file": upload(csv_file([good_row()]))}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Offer.objects.count() == 0


def test_lecturer_cannot_import(client, alice, asian_institution):
    client.force_login(alice)

    assert client.get(IMPORT).status_code == 403
    response = client.post(
        IMPORT, {"institution": asian_institution.pk, "file": upload(csv_file([good_row()]))}
    )
    assert response.status_code == 403
    assert Offer.objects.count() == 0


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(IMPORT)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_import_page_refuses_other_methods(client, bob):
    client.force_login(bob)

    assert client.put(IMPORT).status_code == 405


def test_secretariat_imports_into_any_institution_by_number(
    client, post_import, secretariat, alice, asian_institution
):
    client.force_login(secretariat)

    response = post_import(
        {"institution": asian_institution.pk, "file": upload(csv_file([good_row()]))}
    )

    assert response.status_code == 200
    assert Offer.objects.get().institution == asian_institution


def test_a_refused_file_is_explained_on_the_page_and_nothing_is_imported(
    client, alice, bob, asian_institution
):
    client.force_login(bob)
    content = csv_file([good_row()], columns=[*importing.COLUMNS, "isced_code"])

    response = client.post(IMPORT, {"institution": asian_institution.pk, "file": upload(content)})

    page = response.content.decode()
    assert 'id="form-errors"' in page
    assert 'tabindex="-1"' in page
    assert "Remove or rename the unknown columns: isced_code." in page
    assert Offer.objects.count() == 0


def test_the_page_refuses_a_spreadsheet_by_its_name(client, alice, bob, asian_institution):
    client.force_login(bob)

    response = client.post(
        IMPORT,
        {"institution": asian_institution.pk, "file": upload(b"PK\x03\x04", "offers.xlsx")},
    )

    assert "This is a spreadsheet, not a CSV file." in response.content.decode()
    assert Offer.objects.count() == 0


def test_the_page_all_or_nothing_box_imports_nothing_when_a_row_is_bad(
    client, post_import, alice, bob, asian_institution
):
    client.force_login(bob)
    content = csv_file([good_row(title="Good"), good_row(title="Bad", term_end="never")])

    response = post_import(
        {"institution": asian_institution.pk, "file": upload(content), "atomic": "on"}
    )

    assert Offer.objects.count() == 0
    page = response.content.decode()
    assert "Nothing was imported: 1 of the 2 rows is wrong" in page
    assert "<caption>1 rejected row</caption>" in page


def test_office_downloads_the_example_files(client, bob):
    client.force_login(bob)

    csv_response = client.get(reverse("imports:offer-import-example-csv"))
    json_response = client.get(reverse("imports:offer-import-example-json"))

    assert (
        b"".join(csv_response.streaming_content)
        == (DOCS / "offers_import_example.csv").read_bytes()
    )
    assert "attachment" in json_response["Content-Disposition"]


# --- the command ----------------------------------------------------------------------------


def command(path, institution, *args) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command(
            "import_offers", str(path), "--institution", str(institution.pk), *args, stdout=out
        )
    except CommandError as exc:
        return out.getvalue(), exc.returncode
    return out.getvalue(), 0


def test_command_imports_the_example_and_exits_zero(siti, asian_institution):
    output, code = command(DOCS / "offers_import_example.csv", asian_institution)

    assert code == 0
    assert "Imported: 4. Rejected: 0." in output
    assert THAI in output
    assert Offer.objects.count() == 4


def test_command_reports_rejected_rows_and_exits_two(alice, asian_institution, tmp_path):
    path = tmp_path / "offers.csv"
    path.write_bytes(csv_file([good_row(), good_row(title="Broken", isced="9999")]))

    output, code = command(path, asian_institution)

    assert code == importing_command().EXIT_ROWS_REJECTED == 2
    assert "Imported: 1. Rejected: 1." in output
    assert "Row 3: Broken" in output
    assert "isced: “9999” is not an ISCED-F code" in output
    assert Offer.objects.count() == 1


def test_command_atomic_flag_imports_nothing_when_a_row_is_bad(alice, asian_institution, tmp_path):
    path = tmp_path / "offers.json"
    path.write_text(json.dumps({"offers": [good_row(), good_row(title="X", students="0")]}))

    output, code = command(path, asian_institution, "--atomic")

    assert code == 2
    assert "Nothing imported: 1 rows are wrong and --atomic was given; 1 rows are ready." in output
    assert "Entry 2: X" in output
    assert Offer.objects.count() == 0


def test_command_exits_one_when_the_file_is_refused(alice, asian_institution, tmp_path):
    path = tmp_path / "offers.txt"
    path.write_bytes("title\nCafé\n".encode("cp1252"))

    with pytest.raises(CommandError) as info:
        call_command("import_offers", str(path), "--institution", str(asian_institution.pk))

    assert info.value.returncode == 1
    assert "nothing was imported" in str(info.value)
    assert "not UTF-8" in str(info.value)
    assert Offer.objects.count() == 0


def test_command_reads_the_format_option_over_the_name(alice, asian_institution, tmp_path):
    path = tmp_path / "export.data"
    path.write_text(json.dumps([good_row()]))

    output, code = command(path, asian_institution, "--format", "json")

    assert code == 0
    assert Offer.objects.count() == 1


def test_command_exits_one_for_an_unknown_institution_or_a_missing_file(
    asian_institution, tmp_path
):
    with pytest.raises(CommandError) as unknown:
        call_command("import_offers", str(tmp_path / "x.csv"), "--institution", "999999")
    with pytest.raises(CommandError) as missing:
        call_command(
            "import_offers", str(tmp_path / "x.csv"), "--institution", str(asian_institution.pk)
        )

    assert unknown.value.returncode == 1
    assert missing.value.returncode == 1
    assert "Cannot read" in str(missing.value)


def importing_command():
    from offers.management.commands import import_offers

    return import_offers
