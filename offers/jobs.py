"""Imports as background jobs: the upload page stores the file and queues the job; a
Celery worker imports it (offers.importing.jobs), and the page follows its progress and
keeps its report."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Institution, User
from offers import tasks
from offers.models import ImportJob


def import_job_create(
    *,
    actor: User,
    institution: Institution,
    filename: str,
    format: str,
    content: bytes,
    atomic: bool = False,
    check_only: bool = False,
) -> ImportJob:
    """Store the file and queue its import once committed. The caller has checked that
    the actor may import for the institution, and the file's size and type."""
    job = ImportJob.objects.create(
        institution=institution,
        created_by=actor,
        filename=filename[:255],
        format=format,
        content=content,
        atomic=atomic,
        check_only=check_only,
    )
    transaction.on_commit(lambda: tasks.run_import_job.delay(job.pk), robust=True)
    return job
