"""What the worker does with an import job (offers.tasks.run_import_job): import the
stored file row by row, telling its progress through the cache, and keep the report."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from offers.importing.files import FileRefused
from offers.importing.runner import offers_import
from offers.models import ImportJob, ImportStatus


def progress_key(job_id: int) -> str:
    return f"offers:import-job:{job_id}:progress"


def live_progress(job: ImportJob) -> tuple[int, int]:
    """(rows done, rows in the file) of a running job; the final counts once it ended."""
    if job.status == ImportStatus.RUNNING:
        done, total = cache.get(progress_key(job.pk)) or (0, 0)
        return done, total
    return job.rows_done, job.rows_total


def import_job_run(*, job_id: int, stale_seconds: int) -> ImportJob:
    """Import a queued job's file; the job ends done with its report, or failed with the
    reason. Idempotent: a job that is done or failed is left alone. The rows commit
    together at the end, so a worker that dies leaves nothing of the job behind."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return job
        job.status, job.started_at = ImportStatus.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    cache.set(progress_key(job_id), (0, 0), timeout=stale_seconds)

    def progress(done: int, total: int) -> None:
        cache.set(progress_key(job_id), (done, total), timeout=stale_seconds)

    try:
        report = offers_import(
            institution=job.institution,
            content=bytes(job.content),
            format=job.format,
            atomic=job.atomic,
            check_only=job.check_only,
            progress=progress,
        )
    except FileRefused as exc:
        return _finish(job_id, error=" ".join(str(m) for m in exc.messages))
    return _finish(job_id, report=report.to_json())


def _finish(job_id: int, *, report: dict | None = None, error: str = "") -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportStatus.RUNNING:
            return job  # failed meanwhile: its progress had stopped
        job.status = ImportStatus.FAILED if error else ImportStatus.DONE
        job.report, job.error, job.finished_at = report, error[:4000], timezone.now()
        if report is not None:
            job.rows_done = job.rows_total = report["rows"]
        job.save()
    cache.delete(progress_key(job_id))
    return job


STALE_RUNNING = _(
    "The worker importing this file stopped: no progress for %(minutes)d minutes. Nothing "
    "of this file was imported (its rows are saved together at the end); upload it again."
)
STALE_QUEUED = _(
    "No worker took this import within %(minutes)d minutes. Check that the Celery workers "
    "run, then upload the file again."
)


def import_jobs_reap_stale(*, minutes: int, now: dt.datetime | None = None) -> int:
    """Fail the jobs whose worker died: running with no progress in the cache, or queued,
    for `minutes`. Run by Celery beat; returns how many."""
    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=minutes)
    failed = 0
    candidates = ImportJob.objects.filter(
        Q(status=ImportStatus.RUNNING, started_at__lt=limit)
        | Q(status=ImportStatus.QUEUED, created_at__lt=limit)
    ).values_list("pk", "status")
    for job_id, status in candidates:
        if status == ImportStatus.RUNNING and cache.get(progress_key(job_id)) is not None:
            continue  # a long import, still telling its progress
        reason = STALE_RUNNING if status == ImportStatus.RUNNING else STALE_QUEUED
        failed += ImportJob.objects.filter(pk=job_id, status=status).update(
            status=ImportStatus.FAILED, error=str(reason % {"minutes": minutes}), finished_at=now
        )
    return failed
