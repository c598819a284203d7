"""Background work of privacy: the nightly retention sweep (privacy.retention)."""

from __future__ import annotations

import dataclasses

from celery import shared_task

from privacy import retention


@shared_task(name="privacy.tasks.apply_retention", acks_late=True)
def apply_retention() -> dict:
    """Run by Celery beat; idempotent, so a second delivery only finds less to remove."""
    return dataclasses.asdict(retention.apply_retention())
