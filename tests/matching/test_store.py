"""The stored model in one process: its versions in the default storage (here a folder,
MEDIA_ROOT), loaded once, swapped when a newer row appears, kept when the storage fails.
Across processes and on S3: tests/deploy/test_storage.py."""

import datetime as dt
import logging
import threading

import pytest
from django.core.files.storage import default_storage

from core import metrics
from matching import engine, store
from matching.models import TextModelVersion
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def siti_offer(alice):
    return factories.make_offer(alice)  # Coastal Ecosystems, Kuala Lumpur


@pytest.fixture
def marine(european_institution):
    jan = factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")
    return factories.make_offer(
        jan,
        title="Marine Spatial Planning",
        description="Planning seas and coasts: mangroves, reefs, estuaries and climate.",
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11)), (3, dt.time(8), dt.time(11))],
    )


def stored_files() -> list[str]:
    _folders, files = default_storage.listdir(store.MODEL_DIR)
    return sorted(files)


def test_a_refit_writes_the_model_under_matching_in_the_default_storage(
    settings, siti_offer, marine
):
    version = engine.refit()
    assert version.file.startswith("matching/model-") and version.file.endswith(".joblib")
    assert (settings.MEDIA_ROOT / version.file).stat().st_size == version.size_bytes
    assert store.load_model(version).rows_of([siti_offer.pk, marine.pk]).min() >= 0


def test_each_version_has_a_file_of_its_own_and_the_newest_three_are_kept(siti_offer, marine):
    versions = [engine.refit(force=True) for _ in range(5)]  # the same texts each time
    assert len({v.file for v in versions}) == 5
    kept = list(TextModelVersion.objects.order_by("pk"))
    assert kept == versions[-store.KEEP_VERSIONS :]
    assert stored_files() == sorted(v.file.removeprefix("matching/") for v in kept)


def test_a_process_loads_a_version_once_and_checks_for_a_newer_one_with_two_queries(
    monkeypatch, django_assert_num_queries, siti_offer, marine
):
    engine.refit()
    loads = []
    real_load = store.load_model
    monkeypatch.setattr(engine, "load_model", lambda v: loads.append(v.pk) or real_load(v))
    model, table = engine.current()
    for _ in range(3):
        # The newest version's row, and the open offers' count and last change.
        with django_assert_num_queries(2):
            assert engine.current() == (model, table)
    assert len(loads) == 1


def test_a_newer_version_is_swapped_in_and_a_request_under_way_keeps_its_model(
    monkeypatch, alice, siti_offer, marine
):
    first = engine.refit()
    old_model, _table = engine.current()
    assert engine.loaded_version() == first.pk
    # Another process (a worker) stores a newer version: here, the same code.
    factories.make_offer(alice, title="Mangrove Restoration Field Methods")
    newer = engine.refit()
    new_model, _table = engine.current()
    assert new_model is not old_model
    assert engine.loaded_version() == newer.pk
    assert metrics.MODEL_LOADED_VERSION._value.get() == newer.pk
    # The request that took the old model still scores with it, unchanged.
    assert old_model.rows_of([siti_offer.pk, marine.pk]).min() >= 0
    assert len(old_model) == 2 and len(new_model) == 3


def test_while_one_request_reads_a_new_version_the_others_serve_the_old_one(
    monkeypatch, alice, siti_offer, marine
):
    engine.refit()
    old_model, _table = engine.current()
    factories.make_offer(alice, title="Mangrove Restoration Field Methods")
    engine.refit()
    reading, release = threading.Event(), threading.Event()
    real_load = store.load_model

    def slow_load(version):
        reading.set()
        release.wait(10)
        return real_load(version)

    monkeypatch.setattr(engine, "load_model", slow_load)
    got, version = {}, store.latest_version()
    loader = threading.Thread(target=lambda: got.setdefault("loader", engine._model_of(version)))
    loader.start()
    assert reading.wait(10)
    # A slow object store does not hold the others: they answer with the model they have.
    assert engine._model_of(version) is old_model
    release.set()
    loader.join(10)
    assert got["loader"] is not old_model
    assert engine._model_of(version) is got["loader"]


def test_when_the_storage_cannot_be_read_the_old_model_serves_and_the_error_is_logged(
    monkeypatch, caplog, client, alice, siti_offer, marine
):
    engine.refit()
    old_model, _table = engine.current()
    factories.make_offer(alice, title="Mangrove Restoration Field Methods")
    newer = engine.refit()
    calls = []

    def unreachable(version):
        calls.append(version.pk)
        raise OSError("Could not connect to the endpoint URL")

    monkeypatch.setattr(engine, "load_model", unreachable)
    failures = metrics.MODEL_LOAD_FAILURES._value.get()
    client.force_login(alice)
    with caplog.at_level(logging.ERROR, logger="matching.engine"):
        response = client.get(siti_offer.get_absolute_url())
    assert response.status_code == 200
    assert marine.title in response.content.decode()  # served by the old model
    assert f"matching model v{newer.pk} could not be read" in caplog.text
    assert metrics.MODEL_LOAD_FAILURES._value.get() == failures + 1
    # Not tried again on every request: after LOAD_RETRY_SECONDS.
    assert engine.current()[0] is old_model
    assert calls == [newer.pk]
    engine._state.failed = (newer.pk, 0.0)  # LOAD_RETRY_SECONDS later
    monkeypatch.setattr(engine, "load_model", store.load_model)
    assert engine.current()[0] is not old_model
    assert engine.loaded_version() == newer.pk


def test_a_process_that_cannot_read_its_first_model_shows_none_and_queues_no_refit(
    settings, monkeypatch, client, alice, siti_offer, marine, django_capture_on_commit_callbacks
):
    engine.refit()
    settings.MATCHING_AUTO_REFIT = True

    def unreachable(version):
        raise OSError("Could not connect to the endpoint URL")

    monkeypatch.setattr(engine, "load_model", unreachable)
    queued = []
    monkeypatch.setattr("matching.tasks.refit_model.apply_async", lambda **kw: queued.append(kw))
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(siti_offer.get_absolute_url())
    assert response.status_code == 200
    assert engine.suggestions_if_ready(siti_offer) is None
    assert queued == []  # a refit would not help: the storage is what failed


def test_a_version_whose_file_is_gone_is_not_served_until_the_next_refit(
    client, alice, siti_offer, marine
):
    version = engine.refit()
    default_storage.delete(version.file)
    client.force_login(alice)
    response = client.get(siti_offer.get_absolute_url())
    assert response.status_code == 200
    assert engine.suggestions_if_ready(siti_offer) is None
    engine.refit(force=True)
    assert [m.partner_id for m in engine.suggestions(siti_offer)] == [marine.pk]


def test_the_declared_description_language_reaches_the_model(
    siti_offer, marine, european_institution
):
    """'Umweltwissenschaften' alone is too short to tell its language; declared German, the
    glossary reads it as environmental science and it meets Siti's English course."""
    lena = factories.lecturer(european_institution, email="lena@wageningenuniversity.nl")
    german = factories.make_offer(
        lena,
        title="Umweltwissenschaften",
        description="Umweltwissenschaften",
        learning_outcomes="",
        description_language="",
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )
    siti_offer.title = "Environmental science"
    siti_offer.description = "Environmental science: climate and coasts"
    siti_offer.learning_outcomes = ""
    siti_offer.save()
    engine.refit()
    undeclared = engine.explain_pair(siti_offer, german)
    german.description_language = "de"
    german.save()
    first = TextModelVersion.objects.latest("pk")
    assert engine.refit().pk != first.pk  # a corrected language is a new model
    declared = engine.explain_pair(siti_offer, german)
    text = {m.code: m.value for m in declared.reasons}["text"]
    assert text > {m.code: m.value for m in undeclared.reasons}["text"] + 0.2
