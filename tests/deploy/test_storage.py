"""Shared storage for several machines (issue 16, part 3), with real processes.

moto's S3-compatible server runs as an HTTP process of its own, with a bucket per test.
Each "machine" is a process with its own TANDEM_VAR_DIR, so it reaches no other one's
disk: only PostgreSQL, Redis and the bucket are shared. The text model that one process
refits is served by the web processes of the others, each swapping to the new version
without a restart; an import file uploaded to one machine is imported by a worker on
another. The filesystem mode (no S3_BUCKET: one directory the machines share) is run
through the same swap."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
import redis
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from rest_framework.authtoken.models import Token

from config.env import s3_storage
from matching import engine
from matching.models import TextModelVersion
from offers.models import ImportJob, ImportStatus, Offer
from tests import factories
from tests.live import ROOT, ServerProcess, free_port, shared_test_database_url, wait_until
from tests.messaging.chat_helpers import session_cookie
from tests.offers.test_import import csv_file, good_row, reference  # noqa: F401

S3_VARIABLES = (
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_PREFIX",
    "S3_ADDRESSING_STYLE",
)
PREFIX = "tandem"
METRICS_TOKEN = "storage-test-metrics-token"
BROKER_DB = 13  # the import test's broker and cache: a Redis database of its own


# --- moto's S3 server and a bucket ------------------------------------------------------


@pytest.fixture(scope="module")
def moto_server(tmp_path_factory):
    """`python -m moto.server` on a free port: an S3-compatible endpoint over HTTP."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: _answers(endpoint), 30, "moto's S3 server", lambda: proc.poll() is None)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(endpoint, timeout=2):  # noqa: S310
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@pytest.fixture
def bucket(moto_server):
    name = f"tandem-{uuid.uuid4().hex[:12]}"
    s3_client(moto_server).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    return name


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-west-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",  # noqa: S106
    )


def bucket_keys(endpoint: str, name: str) -> list[str]:
    listing = s3_client(endpoint).list_objects_v2(Bucket=name)
    return sorted(item["Key"] for item in listing.get("Contents", []))


@pytest.fixture
def s3_env(moto_server, bucket) -> dict[str, str]:
    """The S3_* variables of a deployment that uses the bucket."""
    return {
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": moto_server,
        "S3_REGION": "eu-west-1",
        "S3_ACCESS_KEY_ID": "test-key",
        "S3_SECRET_ACCESS_KEY": "test-secret",
        "S3_PREFIX": PREFIX,
    }


@pytest.fixture
def on_s3(settings, monkeypatch, s3_env):
    """This test process's default storage is the bucket, as settings make it from S3_*."""
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    # Changing STORAGES makes Django build default_storage again (django.test.signals).
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage()}
    yield s3_env
    engine.reset()


def local_files(folder: Path) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if p.is_file()] if Path(folder).exists() else []


# --- the settings -----------------------------------------------------------------------


def test_without_a_bucket_the_default_storage_is_the_filesystem(monkeypatch):
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert s3_storage() is None
    assert settings.STORAGES["default"]["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )


def test_with_a_bucket_the_default_storage_is_private_s3(monkeypatch, s3_env):
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    storage = s3_storage()
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == s3_env["S3_BUCKET"]
    assert options["endpoint_url"] == s3_env["S3_ENDPOINT_URL"]
    assert options["location"] == PREFIX
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert options["client_config"].s3 == {"addressing_style": "path"}


@pytest.mark.parametrize(
    "variables, message",
    [
        ({"S3_ENDPOINT_URL": "http://minio:9000"}, "S3_ENDPOINT_URL is set but S3_BUCKET"),
        ({"S3_BUCKET": "b", "S3_ENDPOINT_URL": "minio:9000"}, "not an http:// or https://"),
        ({"S3_BUCKET": "b", "S3_ACCESS_KEY_ID": "k"}, "together"),
        ({"S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "dns"}, "S3_ADDRESSING_STYLE"),
    ],
)
def test_a_malformed_s3_setting_stops_start_up_naming_it(monkeypatch, variables, message):
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        s3_storage()


# --- the model in the bucket, in this process ---------------------------------------------


@pytest.fixture
def siti_offer(alice):
    return factories.make_offer(alice)  # Coastal Ecosystems, Kuala Lumpur


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")


@pytest.fixture
def marine(jan):
    return european_offer(
        jan,
        title="Marine Spatial Planning",
        description="Planning seas and coasts: mangroves, reefs, estuaries and climate.",
        learning_outcomes="Draft a marine spatial plan with stakeholders.",
    )


def european_offer(owner, **text):
    """An offer of owner's European institution that Siti's course may pair with."""
    import datetime as dt

    return factories.make_offer(
        owner,
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11)), (3, dt.time(8), dt.time(11))],
        term_start=dt.date(2027, 2, 1),
        term_end=dt.date(2027, 6, 30),
        **text,
    )


@pytest.mark.django_db
def test_a_refit_stores_the_model_in_the_bucket_and_nothing_on_the_local_disk(
    on_s3, moto_server, siti_offer, marine
):
    version = engine.refit()
    bucket = on_s3["S3_BUCKET"]
    assert bucket_keys(moto_server, bucket) == [f"{PREFIX}/{version.file}"]
    assert local_files(settings.MEDIA_ROOT) == []
    # Private: no grant to everyone, and a link to it would be signed and short-lived.
    acl = s3_client(moto_server).get_object_acl(Bucket=bucket, Key=f"{PREFIX}/{version.file}")
    assert not [g for g in acl["Grants"] if "URI" in g["Grantee"]]
    assert "X-Amz-Signature=" in default_storage.url(version.file)
    # Loaded back from the bucket (no local path there), it serves suggestions.
    engine.reset()
    assert [m.partner_id for m in engine.suggestions(siti_offer)] == [marine.pk]
    assert engine.loaded_version() == version.pk
    # Pruned in the bucket too: the newest three versions, each its own object.
    for _ in range(4):
        engine.refit(force=True)
    kept = TextModelVersion.objects.values_list("file", flat=True)
    assert bucket_keys(moto_server, bucket) == sorted(f"{PREFIX}/{f}" for f in kept)
    assert local_files(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
def test_while_the_bucket_is_unreachable_a_process_keeps_its_model_then_swaps(
    settings, on_s3, caplog, siti_offer, marine
):
    first = engine.refit()
    old_model, _table = engine.current()
    coral = european_offer(ana(), title="Reef Ecology Field Course")
    newer = engine.refit()
    # The storage stops answering (connection refused), as it may for a moment.
    live = settings.STORAGES["default"]
    dead = {
        **live,
        "OPTIONS": {**live["OPTIONS"], "endpoint_url": f"http://127.0.0.1:{free_port()}"},
    }
    settings.STORAGES = {**settings.STORAGES, "default": dead}
    with caplog.at_level("ERROR", logger="matching.engine"):
        matches = engine.suggestions(siti_offer)
    assert engine.loaded_version() == first.pk
    assert [m.partner_id for m in matches][0] == marine.pk  # still served, by the old model
    assert f"matching model v{newer.pk} could not be read" in caplog.text
    assert "EndpointConnectionError" in caplog.text or "Could not connect" in caplog.text
    # Back again: the next try, LOAD_RETRY_SECONDS later, swaps the new version in.
    settings.STORAGES = {**settings.STORAGES, "default": live}
    engine._state.failed = (newer.pk, 0.0)
    assert engine.current()[0] is not old_model
    assert engine.loaded_version() == newer.pk
    assert coral.pk in [m.partner_id for m in engine.suggestions(siti_offer)]


def ana():
    """A lecturer of another European institution."""
    lisboa = factories.InstitutionFactory(
        name="Universidade de Lisboa", country=factories.country("PT")
    )
    return factories.lecturer(lisboa, email="ana@ulisboa.pt")


# --- several machines -----------------------------------------------------------------------


def machine_env(name: str, tmp_path: Path, storage_env: dict[str, str], **extra) -> dict:
    """The environment of one process on a machine of its own: production settings on the
    shared test database, and a TANDEM_VAR_DIR that no other process reads."""
    env = {k: v for k, v in os.environ.items() if k not in S3_VARIABLES}
    env.update(
        {
            "DATABASE_URL": shared_test_database_url(),
            "DATABASE_POOL_SIZE": "2",
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "METRICS_TOKEN": METRICS_TOKEN,
            "MATCHING_AUTO_REFIT": "false",
            "TANDEM_VAR_DIR": str(tmp_path / name),
            **storage_env,
            **extra,
        }
    )
    (tmp_path / name).mkdir(exist_ok=True)
    return env


def refit_on(env: dict) -> str:
    """`manage.py refit_matching` in a process of its own (the worker machine)."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "refit_matching"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def suggested(server: ServerProcess, offer_id: int, token: str) -> dict[int, float]:
    """Partner → score, as the API gives them to the offer's owner."""
    request = urllib.request.Request(  # noqa: S310
        f"{server.base}/api/v1/offers/{offer_id}/suggestions/",
        headers={"Authorization": f"Token {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = json.load(response)
    return {r["partner_id"]: r["score"] for r in body["results"]}


def metric(server: ServerProcess, name: str) -> float | None:
    request = urllib.request.Request(  # noqa: S310
        f"{server.base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        text = response.read().decode()
    found = re.search(rf"^{name} (\S+)$", text, re.M)
    return float(found.group(1)) if found else None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["s3", "filesystem"])
def test_web_processes_on_two_machines_swap_to_a_model_refitted_on_a_third_without_restart(
    request, mode, tmp_path, alice, siti_offer, marine
):
    if mode == "s3":
        storage_env = request.getfixturevalue("s3_env")
        endpoint = request.getfixturevalue("moto_server")
        machines = ("web-a", "web-b", "worker")  # three disks, one bucket
    else:
        storage_env = {}
        machines = ("shared",) * 3  # one directory that all three mount (NFS)
    web_a, web_b, worker = (machine_env(m, tmp_path, storage_env) for m in machines)
    first_fit = refit_on(worker)
    first = TextModelVersion.objects.get()
    assert f"model v{first.pk}:" in first_fit
    token = Token.objects.create(user=alice).key
    servers = [
        ServerProcess(web_a, tmp_path / "web-a.log"),
        ServerProcess(web_b, tmp_path / "web-b.log"),
    ]
    try:
        for server in servers:
            server.wait_healthy()
        pids = [server.proc.pid for server in servers]
        for server in servers:
            assert list(suggested(server, siti_offer.pk, token)) == [marine.pk]
            assert metric(server, "tandem_model_loaded_version") == first.pk
        # A new partner whose course is Siti's own. The first model has never seen its
        # text: it is suggested at once, but below Marine, with no text similarity.
        coral = european_offer(
            ana(),
            title=siti_offer.title,
            description=siti_offer.description,
            learning_outcomes=siti_offer.learning_outcomes,
        )
        before = [suggested(server, siti_offer.pk, token) for server in servers]
        for scores in before:
            assert list(scores) == [marine.pk, coral.pk]
        refit_on(worker)
        newer = TextModelVersion.objects.latest()
        assert newer.pk != first.pk
        for server, old_scores in zip(servers, before, strict=True):
            scores = suggested(server, siti_offer.pk, token)
            # What a lecturer sees: the course that matches hers now comes first.
            assert list(scores) == [coral.pk, marine.pk]
            assert scores[coral.pk] > old_scores[coral.pk] + 0.2
            # What the operator sees: every process serves the newest version.
            assert metric(server, "tandem_model_loaded_version") == newer.pk
            assert metric(server, "tandem_model_version") == newer.pk
        assert [server.proc.pid for server in servers] == pids and all(
            server.alive() for server in servers
        )
    finally:
        for server in servers:
            server.stop()
    if mode == "s3":
        stored = bucket_keys(endpoint, storage_env["S3_BUCKET"])
        assert stored == sorted(f"{PREFIX}/{v.file}" for v in TextModelVersion.objects.all())
        for name in machines:
            assert local_files(tmp_path / name / "media") == []
    else:
        assert len(local_files(tmp_path / "shared" / "media" / "matching")) == 2


def start_worker(env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference")
def test_an_import_uploaded_to_one_machine_is_imported_and_fitted_by_a_worker_on_another(
    tmp_path, s3_env, moto_server, alice, bob, asian_institution, marine
):
    broker = settings.REDIS_URL.rsplit("/", 1)[0] + f"/{BROKER_DB}"
    redis.Redis.from_url(broker).flushdb()
    shared = {**s3_env, "REDIS_URL": broker, "MATCHING_REFIT_DEBOUNCE_SECONDS": "0"}
    web_env = machine_env("web", tmp_path, shared)
    worker_env = machine_env("worker", tmp_path, shared, MATCHING_AUTO_REFIT="true")
    server = ServerProcess(web_env, tmp_path / "web.log")
    log = (tmp_path / "worker.log").open("wb")
    worker = None
    try:
        server.wait_healthy()
        worker = start_worker(worker_env, log)
        # The office uploads the file to the web machine, as its browser would.
        csrf = secrets.token_hex(16)
        rows = [good_row(title=f"Coastal Field Course {n}", status="open") for n in range(3)]
        response = requests.post(
            f"{server.base}/office/import/",
            cookies={settings.SESSION_COOKIE_NAME: session_cookie(bob), "csrftoken": csrf},
            data={"institution": asian_institution.pk, "csrfmiddlewaretoken": csrf},
            files={"file": ("offers.csv", csv_file(rows), "text/csv")},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[-2000:]
        job = ImportJob.objects.get()
        assert response.headers["Location"].endswith(f"/office/import/jobs/{job.pk}/")
        # The worker, on a machine that cannot see the web machine's disk, imports it...
        wait_until(
            lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE,
            90,
            "the worker imports the file",
            lambda: worker.poll() is None,
        )
        imported = Offer.objects.filter(institution=asian_institution)
        assert sorted(imported.values_list("title", flat=True)) == [r["title"] for r in rows]
        # ...then refits the model into the bucket, and the web machine serves from it.
        wait_until(TextModelVersion.objects.exists, 90, "the worker refits the model")
        version = TextModelVersion.objects.get()
        assert version.offers == 4
        token = Token.objects.create(user=alice).key
        assert list(suggested(server, imported.first().pk, token)) == [marine.pk]
        assert metric(server, "tandem_model_loaded_version") == version.pk
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=20)
        log.close()
        server.stop()
        redis.Redis.from_url(broker).flushdb()
    # The file itself is kept in the database (every machine reaches it); the bucket holds
    # the model; neither machine wrote anything to its own disk.
    assert bytes(ImportJob.objects.get(pk=job.pk).content) == csv_file(rows)
    assert bucket_keys(moto_server, s3_env["S3_BUCKET"]) == [f"{PREFIX}/{version.file}"]
    assert local_files(tmp_path / "web" / "media") == []
    assert local_files(tmp_path / "worker" / "media") == []
