"""Suggestions through Django: the offer page, hiding, the API, the commands, refits."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from matching import engine, store
from matching.models import HiddenSuggestion, TextModelVersion
from matching.similarity import FORMAT_VERSION, TextModel
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")


@pytest.fixture
def dave(db):
    inst = factories.InstitutionFactory(name="Uni Lisboa", country=factories.country("PT"))
    return factories.lecturer(inst, email="dave@ulisboa.pt")


@pytest.fixture
def siti_offer(alice):
    return factories.make_offer(alice)  # Coastal Ecosystems, Kuala Lumpur, English B2


@pytest.fixture
def marine(jan):
    return factories.make_offer(
        jan,
        title="Marine Spatial Planning",
        description="Planning seas and coasts: mangroves, reefs, estuaries and climate.",
        isced=factories.isced("0522").pk,
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11)), (3, dt.time(8), dt.time(11))],
        sdgs=[factories.sdg(14).pk],
        term_start=dt.date(2027, 2, 1),
        term_end=dt.date(2027, 6, 30),
    )


@pytest.fixture
def french_only(dave):
    """The same text as Siti's course, but taught in French only: never suggested to her."""
    return factories.make_offer(
        dave,
        title="Coastal Ecosystems and Climate Adaptation",
        languages=[("fr", "B2")],
        time_zone="Europe/Lisbon",
        windows=[(1, dt.time(8), dt.time(10))],
    )


def page(client, offer, **params):
    return client.get(offer.get_absolute_url(), params).content.decode()


def test_owner_sees_explained_partners_from_the_other_region(
    client, alice, siti_offer, marine, french_only, fit_model
):
    fit_model()
    client.force_login(alice)
    body = page(client, siti_offer)
    assert "Suggested partner courses" in body
    assert "Marine Spatial Planning" in body
    assert "same narrow field 052" in body
    assert "both English B2" in body
    assert "SDG 14" in body
    slot = "Tue 15:00–17:00 Malaysia (Kuala Lumpur) Time = 08:00–10:00 Netherlands Time"
    assert f"h a week of overlap: {slot}" in body
    # A perfect text match without a shared language is not suggested at all.
    assert f'href="{french_only.get_absolute_url()}?suggested_for=' not in body


def test_suggestions_never_pair_one_region(client, alice, siti_offer, marine, fit_model):
    other_asian = factories.make_offer(alice, title="Mangrove Restoration in Asia")
    fit_model()
    client.force_login(alice)
    body = page(client, siti_offer)
    assert other_asian.title not in body


def test_filters_narrow_the_suggestions(client, alice, siti_offer, marine, dave, fit_model):
    fit_model()
    client.force_login(alice)
    assert "Marine Spatial Planning" in page(client, siti_offer, **{"s-country": "NL"})
    assert "Marine Spatial Planning" not in page(client, siti_offer, **{"s-country": "PT"})


def test_owner_hides_a_suggestion_and_can_bring_it_back(
    client, alice, siti_offer, marine, fit_model
):
    fit_model()
    client.force_login(alice)
    url = reverse("matching:suggestion-hide", args=[siti_offer.pk])
    link = f'href="{marine.get_absolute_url()}?suggested_for={siti_offer.pk}"'
    response = client.post(url, {"partner": marine.pk})
    assert response.status_code == 302
    body = page(client, siti_offer)
    assert link not in body
    assert "1 suggestion is hidden." in body
    client.post(reverse("matching:suggestions-unhide", args=[siti_offer.pk]))
    assert link in page(client, siti_offer)


@pytest.mark.parametrize(("who", "status"), [("bob", 403), ("charlie", 403), ("dave", 403)])
def test_only_owners_hide(client, request, siti_offer, marine, who, status):
    client.force_login(request.getfixturevalue(who))
    url = reverse("matching:suggestion-hide", args=[siti_offer.pk])
    assert client.post(url, {"partner": marine.pk}).status_code == status
    assert not HiddenSuggestion.objects.exists()


def test_hide_on_a_draft_of_someone_else_is_not_found(client, alice, dave, marine):
    draft = factories.make_offer(alice, publish=False)
    client.force_login(dave)
    url = reverse("matching:suggestion-hide", args=[draft.pk])
    assert client.post(url, {"partner": marine.pk}).status_code == 404


def test_own_office_sees_suggestions_outsiders_do_not(client, bob, charlie, siti_offer, marine):
    client.force_login(bob)
    assert "Suggested partner courses" in page(client, siti_offer)
    client.force_login(charlie)
    assert "Suggested partner courses" not in page(client, siti_offer)


def test_a_new_offer_is_scored_at_once_with_the_current_model(client, alice, marine):
    engine.refit()
    before = TextModelVersion.objects.count()
    fresh = factories.make_offer(alice, title="Estuaries and Sea-Level Rise")
    client.force_login(alice)
    assert "Marine Spatial Planning" in page(client, fresh)
    assert TextModelVersion.objects.count() == before  # no refit was needed


@pytest.fixture
def fits(monkeypatch):
    """Every fit of a text model in this test, by how many offers it was fitted on."""
    seen = []
    real = TextModel.fit

    def counting(self, docs, **kwargs):
        seen.append(len(docs))
        return real(self, docs, **kwargs)

    monkeypatch.setattr(TextModel, "fit", counting)
    return seen


def test_without_a_model_the_page_says_so_and_queues_a_refit_without_fitting(
    settings, client, alice, siti_offer, marine, fits, django_capture_on_commit_callbacks
):
    settings.MATCHING_AUTO_REFIT = True
    settings.MATCHING_REFIT_DEBOUNCE_SECONDS = 0
    client.force_login(alice)
    with django_capture_on_commit_callbacks() as queued:
        body = page(client, siti_offer)
    assert "Suggested partner courses" in body
    assert "No suggestions yet: the matching model is being prepared." in body
    assert "No open offer of the other region fits yet." not in body
    assert "Marine Spatial Planning" not in body
    # The request fitted nothing; it queued one refit, run once its transaction commits.
    assert fits == []
    assert not TextModelVersion.objects.exists()
    assert len(queued) == 1
    # Looking again before the refit ran queues nothing more (debounced).
    with django_capture_on_commit_callbacks() as again:
        assert "being prepared" in page(client, siti_offer)
    assert again == []
    # The queued task (eager in tests) fits the model: then the page has suggestions.
    queued[0]()
    assert fits == [2]
    assert TextModelVersion.objects.count() == 1
    body = page(client, siti_offer)
    assert "Marine Spatial Planning" in body
    assert "being prepared" not in body
    assert fits == [2]  # serving the suggestions fitted nothing either


def test_without_a_model_a_pair_has_no_explanation_and_a_refit_is_queued(
    settings, siti_offer, marine, fits, django_capture_on_commit_callbacks
):
    settings.MATCHING_AUTO_REFIT = True
    with django_capture_on_commit_callbacks() as queued:
        assert engine.explain_pair(siti_offer, marine) is None
        assert engine.suggestions(siti_offer) == []
        assert engine.suggestions_if_ready(siti_offer) is None
    assert len(queued) == 1
    assert fits == [] and not TextModelVersion.objects.exists()
    engine.refit()
    match = engine.explain_pair(siti_offer, marine)
    assert match is not None and match.partner_id == marine.pk


def test_a_model_of_an_older_format_counts_as_none_until_the_refit(
    settings, client, alice, siti_offer, marine, fits, django_capture_on_commit_callbacks
):
    settings.MATCHING_AUTO_REFIT = True
    TextModelVersion.objects.create(
        format_version=FORMAT_VERSION - 1, data_hash="old", file="matching/gone.joblib"
    )
    client.force_login(alice)
    with django_capture_on_commit_callbacks() as queued:
        assert "being prepared" in page(client, siti_offer)
    assert len(queued) == 1 and fits == []
    engine.refit()
    assert "Marine Spatial Planning" in page(client, siti_offer)


def test_the_suggest_command_says_when_no_model_is_stored(siti_offer, marine, fits):
    with pytest.raises(CommandError, match="No matching model is stored yet"):
        call_command("suggest", str(siti_offer.pk))
    assert fits == []


def test_publishing_refits_the_model_when_auto_refit_is_on(
    settings, alice, marine, django_capture_on_commit_callbacks
):
    settings.MATCHING_AUTO_REFIT = True
    settings.MATCHING_REFIT_DEBOUNCE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        offer = factories.make_offer(alice)
    latest = TextModelVersion.objects.first()
    assert latest is not None
    assert latest.offers == 2  # marine and the new one
    model = store.load_model(latest)
    assert model.rows_of([offer.pk])[0] >= 0


def test_refit_is_skipped_when_nothing_changed(marine, siti_offer):
    first = engine.refit()
    assert engine.refit() == first
    assert engine.refit(force=True) != first


# --- API -----------------------------------------------------------------------------------


def test_api_gives_the_same_explanations(client, alice, siti_offer, marine, fit_model):
    fit_model()
    client.force_login(alice)
    url = reverse("api:offer-suggestions", args=[siti_offer.pk])
    body = client.get(url, {"k": 3}).json()
    assert body["offer_id"] == siti_offer.pk
    first = body["results"][0]
    assert first["title"] == "Marine Spatial Planning"
    assert first["region"] == "europe"
    codes = {r["code"] for r in first["reasons"]}
    assert {"text", "isced", "level", "overlap", "language", "term", "sdg"} <= codes
    assert "same narrow field 052" in [r["text"] for r in first["reasons"]]


@pytest.mark.parametrize("k", ["0", "51", "ten"])
def test_api_says_what_k_may_be(client, alice, siti_offer, k):
    client.force_login(alice)
    response = client.get(reverse("api:offer-suggestions", args=[siti_offer.pk]), {"k": k})
    assert response.status_code == 400
    assert "k is a whole number from 1 to 50." in response.json()["k"]


def test_api_permissions(client, alice, dave, charlie, siti_offer):
    url = reverse("api:offer-suggestions", args=[siti_offer.pk])
    assert client.get(url).status_code == 401
    client.force_login(dave)
    assert client.get(url).status_code == 403
    draft = factories.make_offer(alice, publish=False)
    client.force_login(charlie)
    assert client.get(reverse("api:offer-suggestions", args=[draft.pk])).status_code == 404


# --- commands ------------------------------------------------------------------------------


def test_suggest_command_prints_json(capsys, siti_offer, marine, fit_model):
    fit_model()
    call_command("suggest", str(siti_offer.pk), "--k", "5", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["offer_id"] == siti_offer.pk
    assert data["suggestions"][0]["title"] == "Marine Spatial Planning"
    assert any(r["text"] == "both English B2" for r in data["suggestions"][0]["reasons"])


def test_refit_command_reports_the_model(capsys, marine):
    call_command("refit_matching")
    out = capsys.readouterr().out
    assert out.startswith("model v")
    assert "1 offers" in out


def test_explanations_are_rendered_in_the_readers_language(
    client, alice, siti_offer, marine, fit_model
):
    fit_model()
    alice.preferred_language = "de"
    alice.save()
    client.force_login(alice)
    body = page(client, siti_offer)
    # The language name comes from the translation catalogues, not the scoring module.
    assert "Englisch B2" in body
    assert "gleiches enges Bildungsfeld 052" in body
    assert "same narrow field" not in body
