"""Failure drills with real processes: a Celery worker killed (SIGKILL) in the middle of
an offer import; another worker takes the job up again and it is imported once."""

from __future__ import annotations

import signal

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from offers.models import ImportJob, ImportStatus, Offer
from tests.deploy.workers import start_worker
from tests.live import wait_until
from tests.offers.test_import import csv_file, good_row, reference  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    # send_task is used on purpose: the suite's own tasks run eagerly.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

BROKER_DB = 11  # a Redis database of its own, emptied before and after


def test_an_import_whose_worker_is_killed_is_imported_once_by_another(
    alice, asian_institution, tmp_path
):
    from config.celery import app

    broker = settings.REDIS_URL.rsplit("/", 1)[0] + f"/{BROKER_DB}"
    redis.Redis.from_url(broker).flushdb()
    rows = [good_row(title=f"Course {n}") for n in range(30)]
    job = ImportJob.objects.create(
        institution=asian_institution, filename="drill.csv", format="csv", content=csv_file(rows)
    )
    log = (tmp_path / "workers.log").open("wb")
    first = second = None
    try:
        with app.connection_for_write(broker) as conn:
            # send_task, not delay: the suite's own tasks run eagerly.
            app.send_task("offers.tasks.run_import_job", args=[job.pk], connection=conn)
        with transaction.atomic():
            # The import blocks on the offers table, in the middle of its rows' transaction.
            connection.cursor().execute("LOCK TABLE exchanges_offer IN ACCESS EXCLUSIVE MODE")
            first = start_worker(broker, log)
            wait_until(
                lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.RUNNING,
                60,
                "the first worker takes the job",
                lambda: first.poll() is None,
            )
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert Offer.objects.count() == 0  # the killed import left nothing
        second = start_worker(broker, log)
        wait_until(
            lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE,
            90,
            "the second worker imports the job again",
            lambda: second.poll() is None,
        )
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=20)
        log.close()
        redis.Redis.from_url(broker).flushdb()
    job.refresh_from_db()
    assert len(job.report["imported"]) == 30 and not job.report["rejected"]
    assert Offer.objects.filter(institution=asian_institution).count() == 30
