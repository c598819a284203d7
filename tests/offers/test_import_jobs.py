"""Imports run as background jobs: the page follows their progress and keeps the report;
a check imports nothing and offers to import; a job whose worker died ends failed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from offers.importing import jobs as worker
from offers.models import ImportJob, ImportStatus, Offer
from tests.offers.test_import import IMPORT, csv_file, good_row, reference, upload  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks):
    def post(data: dict) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(IMPORT, data)
        assert response.status_code == 302, response.content.decode()[:500]
        return ImportJob.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))

    return post


def test_a_check_imports_nothing_then_imports_the_same_file_on_request(
    client, submit, django_capture_on_commit_callbacks, alice, bob, asian_institution
):
    client.force_login(bob)
    content = csv_file([good_row(title="Coastal A"), good_row(title="Coastal B")])
    check = submit(
        {"institution": asian_institution.pk, "file": upload(content), "check_only": "on"}
    )

    assert check.status == ImportStatus.DONE
    assert Offer.objects.count() == 0
    page = client.get(reverse("imports:job", args=[check.pk])).content.decode()
    assert "Checked only: nothing was imported yet." in page
    assert "2 offers that can be imported" in page
    assert "Import these 2 offers now" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:job-confirm", args=[check.pk]))
    real = ImportJob.objects.exclude(pk=check.pk).get()
    assert response.url == reverse("imports:job", args=[real.pk])
    assert real.status == ImportStatus.DONE and not real.check_only
    assert sorted(Offer.objects.values_list("title", flat=True)) == ["Coastal A", "Coastal B"]
    page = client.get(response.url).content.decode()
    assert "All 2 offers imported." in page


def test_a_done_import_keeps_its_report_and_a_redelivered_task_imports_nothing_twice(
    client, submit, alice, bob, asian_institution
):
    client.force_login(bob)
    job = submit({"institution": asian_institution.pk, "file": upload(csv_file([good_row()]))})
    assert Offer.objects.count() == 1
    assert worker.import_job_run(job_id=job.pk, stale_seconds=60).status == ImportStatus.DONE
    assert Offer.objects.count() == 1
    job.refresh_from_db()
    assert job.report["rows"] == 1 and len(job.report["imported"]) == 1
    assert (job.rows_done, job.rows_total) == (1, 1)
    # The upload page lists it.
    assert reverse("imports:job", args=[job.pk]) in client.get(IMPORT).content.decode()


def test_the_progress_of_a_running_job_comes_from_the_cache(client, bob, asian_institution):
    job = ImportJob.objects.create(
        institution=asian_institution,
        filename="big.csv",
        format="csv",
        content=b"",
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
    )
    cache.set(worker.progress_key(job.pk), (250, 2000))
    client.force_login(bob)
    data = client.get(reverse("imports:job-progress", args=[job.pk])).json()
    assert data == {"status": "running", "label": "Importing", "done": 250, "total": 2000}
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "250 of 2000 rows done." in page
    assert 'data-progress-url="{}"'.format(reverse("imports:job-progress", args=[job.pk])) in page


@pytest.mark.parametrize("who", ["charlie", "alice"])
def test_only_the_institutions_office_sees_its_jobs(client, who, request, asian_institution):
    job = ImportJob.objects.create(
        institution=asian_institution, filename="x.csv", format="csv", content=b""
    )
    client.force_login(request.getfixturevalue(who))
    expected = 404 if who == "charlie" else 403  # another office: 404; a lecturer: 403
    for name in ("imports:job", "imports:job-progress"):
        assert client.get(reverse(name, args=[job.pk])).status_code == expected
    assert client.post(reverse("imports:job-confirm", args=[job.pk])).status_code == expected


def test_a_job_whose_worker_died_ends_failed_with_the_reason(client, bob, asian_institution):
    long_ago = timezone.now() - dt.timedelta(minutes=30)

    def make(status, **fields):
        return ImportJob.objects.create(
            institution=asian_institution,
            filename=f"{status}.csv",
            format="csv",
            content=b"",
            status=status,
            **fields,
        )

    dead = make(ImportStatus.RUNNING, started_at=long_ago)
    slow = make(ImportStatus.RUNNING, started_at=long_ago)
    cache.set(worker.progress_key(slow.pk), (900, 2000))
    untaken = make(ImportStatus.QUEUED, created_at=long_ago)

    assert worker.import_jobs_reap_stale(minutes=10) == 2

    for job in (dead, slow, untaken):
        job.refresh_from_db()
    assert dead.status == untaken.status == ImportStatus.FAILED
    assert "no progress for 10 minutes" in dead.error
    assert "No worker took this import" in untaken.error
    assert slow.status == ImportStatus.RUNNING
    client.force_login(bob)
    page = client.get(reverse("imports:job", args=[dead.pk])).content.decode()
    assert "Nothing was imported." in page and "no progress for 10 minutes" in page
    # The worker coming back finds it failed and imports nothing.
    assert worker.import_job_run(job_id=dead.pk, stale_seconds=60).status == "failed"
