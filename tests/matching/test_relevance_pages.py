"""Issue #12's new lecturer at Chulalongkorn University: environmental science (ISCED 0521,
bachelor, English B2). A partner that shares no subject never appears — on the offer page,
in the API, in `manage.py suggest`; without a relevant partner the page says so honestly."""

import csv
import datetime as dt
import json

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from offers.models import Offer
from tests import factories

pytestmark = pytest.mark.django_db

AMSTERDAM = {
    "time_zone": "Europe/Amsterdam",
    "windows": [(1, dt.time(8), dt.time(11)), (3, dt.time(8), dt.time(11))],
}


def make_background(count: int = 150) -> None:
    """Real course texts (open data) as Asian offers of another university: never partners
    of an Asian course, but they give the text model the word statistics of a real
    catalogue. On a handful of texts every "and" and "-tion" looks like a shared subject."""
    path = django_settings.TANDEM_DATA_DIR / "course_descriptions_open.csv"
    rows = [r for r in csv.DictReader(path.open(encoding="utf-8")) if r["language"] == "en"]
    owner = factories.lecturer(
        factories.InstitutionFactory(name="Other University", country=factories.country("MY")),
        email="other@example.edu.my",
    )
    first = factories.make_offer(owner, title="Background", description="Background.")
    copies = []
    for row in rows[:count]:
        copy = Offer.objects.get(pk=first.pk)
        copy.pk = None
        copy.title, copy.description = row["title"][:200], row["description"]
        copies.append(copy)
    Offer.objects.bulk_create(copies)  # plain rows: fast, and all the model reads


@pytest.fixture(autouse=True)
def background(db):
    make_background()


@pytest.fixture
def mali(db):
    chula = factories.InstitutionFactory(
        name="Chulalongkorn University", country=factories.country("TH")
    )
    return factories.lecturer(chula, email="mali@chula.ac.th", time_zone="Asia/Bangkok")


@pytest.fixture
def environment(mali):
    return factories.make_offer(
        mali,
        title="Environmental Science and Tropical Ecosystems",
        description="Air and water quality, biodiversity loss and pollution control in "
        "tropical cities and rivers, with field measurements.",
        learning_outcomes="Measure and assess pollution; design a monitoring campaign.",
        time_zone="Asia/Bangkok",
        windows=[(1, dt.time(14), dt.time(17)), (3, dt.time(14), dt.time(17))],
    )


@pytest.fixture
def unrelated(jan):
    """What the issue saw on top: history and digital electronics, nothing in common."""
    return [
        factories.make_offer(
            jan,
            title="Preistoria e protostoria II",
            description="Bronze and iron age societies of the Italian peninsula.",
            learning_outcomes="Date and interpret archaeological finds.",
            isced=factories.isced("0222").pk,
            **AMSTERDAM,
        ),
        factories.make_offer(
            jan,
            title="Digital Logic",
            description="Boolean algebra, gates, flip-flops and finite state machines.",
            learning_outcomes="Design and test a sequential circuit.",
            isced=factories.isced("0714").pk,
            **AMSTERDAM,
        ),
    ]


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")


def shown(client, offer):
    return client.get(offer.get_absolute_url()).content.decode()


def api_titles(client, offer):
    body = client.get(reverse("api:offer-suggestions", args=[offer.pk]), {"k": 10}).json()
    return [r["title"] for r in body["results"]]


def command_titles(capsys, offer):
    call_command("suggest", str(offer.pk), "--k", "10", "--json")
    return [s["title"] for s in json.loads(capsys.readouterr().out)["suggestions"]]


def test_without_a_relevant_partner_the_page_is_honest(
    client, capsys, mali, environment, unrelated, fit_model
):
    fit_model()
    client.force_login(mali)
    body = shown(client, environment)
    assert "No strong partner yet" in body
    assert "Preistoria" not in body.split('id="no-partner"')[0].split('id="suggestions"')[1]
    # The nearest fields with open offers in Europe, linked to the catalogue.
    assert "0714" in body and "0222" in body
    assert "?isced=0714&amp;region=europe" in body
    assert "Tell me when one appears" in body
    assert api_titles(client, environment) == []
    assert command_titles(capsys, environment) == []


def test_a_related_field_is_suggested_and_the_unrelated_never(
    client, capsys, mali, jan, environment, unrelated, fit_model
):
    factories.make_offer(
        jan,
        title="Urban Climate Planning",
        description="Heat islands, green space and flood plans for growing cities.",
        isced=factories.isced("0731").pk,  # related to 0521 across broad groups
        **AMSTERDAM,
    )
    fit_model()
    client.force_login(mali)
    body = shown(client, environment)
    assert "Urban Climate Planning" in body
    assert "related fields 0521 and 0731" in body
    assert "No strong partner yet" not in body
    for titles in (api_titles(client, environment), command_titles(capsys, environment)):
        assert titles == ["Urban Climate Planning"]


def test_similar_texts_of_other_fields_still_meet(client, mali, jan, environment, fit_model):
    # Filed under chemistry (05, not related), but about the same subject in other words.
    factories.make_offer(
        jan,
        title="Environmental Chemistry of Tropical Rivers",
        description="Water quality, pollution control and biodiversity in tropical rivers "
        "and cities, with field measurements of air and water.",
        isced=factories.isced("0531").pk,
        **AMSTERDAM,
    )
    factories.make_offer(
        jan,
        title="Roman Law",
        description="Sources and institutions of Roman private law.",
        isced=factories.isced("0421").pk,
        **AMSTERDAM,
    )
    fit_model()
    client.force_login(mali)
    assert api_titles(client, environment) == ["Environmental Chemistry of Tropical Rivers"]


def test_the_alert_button_is_for_the_offers_lecturers_only(
    client, mali, jan, environment, unrelated, fit_model
):
    fit_model()
    office = factories.office(environment.institution, email="io@chula.ac.th")
    client.force_login(office)
    body = shown(client, environment)
    assert "No strong partner yet" in body
    assert "Tell me when one appears" not in body
