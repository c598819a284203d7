"""A round whose worker died never stays "running" for ever: beat fails it with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rounds import compute, tasks
from rounds.models import PairingRound, RoundStatus

pytestmark = pytest.mark.django_db


def make_round(status: str, *, minutes_ago: int) -> PairingRound:
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return PairingRound.objects.create(
        name=f"{status} {minutes_ago}",
        status=status,
        created_at=at,
        heartbeat_at=at if status == RoundStatus.RUNNING else None,
        progress=40 if status == RoundStatus.RUNNING else 0,
    )


def test_a_running_round_without_heartbeat_and_an_untaken_queued_one_end_failed(
    settings, client, secretariat
):
    settings.ROUND_STALE_MINUTES = 15
    dead = make_round(RoundStatus.RUNNING, minutes_ago=20)
    untaken = make_round(RoundStatus.QUEUED, minutes_ago=30)
    alive = make_round(RoundStatus.RUNNING, minutes_ago=2)
    waiting = make_round(RoundStatus.QUEUED, minutes_ago=1)
    done = make_round(RoundStatus.DONE, minutes_ago=600)

    assert tasks.reap_stale_rounds.delay().get() == 2

    dead.refresh_from_db()
    untaken.refresh_from_db()
    assert dead.status == untaken.status == RoundStatus.FAILED
    assert "no progress for 15 minutes" in dead.error
    assert "No worker took this round" in untaken.error
    for fine, status in ((alive, "running"), (waiting, "queued"), (done, "done")):
        fine.refresh_from_db()
        assert fine.status == status
    # The secretariat reads why on the round's page.
    client.force_login(secretariat)
    page = client.get(reverse("rounds:round-detail", args=[dead.pk])).content.decode()
    assert "no progress for 15 minutes" in page


def test_a_worker_that_comes_back_finds_its_round_failed_and_stores_nothing(settings):
    settings.ROUND_STALE_MINUTES = 15
    dead = make_round(RoundStatus.RUNNING, minutes_ago=20)
    compute.rounds_reap_stale()
    assert compute.round_run(round_id=dead.pk).status == RoundStatus.FAILED
    assert not dead.pairs.exists()


def test_progress_is_a_heartbeat(settings):
    running = make_round(RoundStatus.RUNNING, minutes_ago=20)
    compute._progress(running.pk, 60, "Computing the best pairing")
    assert compute.rounds_reap_stale() == 0
    running.refresh_from_db()
    assert running.status == RoundStatus.RUNNING and running.progress == 60
