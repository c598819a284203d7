"""Background work of offers: importing an uploaded file, and failing the imports whose
worker died."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from offers.importing import jobs


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def run_import_job(self, job_id: int) -> str:
    """Import the job's file; returns the job's final status. Redelivered after a worker
    died (acks_late), it finds the job done, failed, or still to do: never twice."""
    return jobs.import_job_run(
        job_id=job_id, stale_seconds=settings.IMPORT_STALE_MINUTES * 60
    ).status


@shared_task
def reap_stale_import_jobs() -> int:
    """Run by Celery beat: imports whose worker died end failed with the reason."""
    return jobs.import_jobs_reap_stale(minutes=settings.IMPORT_STALE_MINUTES)
