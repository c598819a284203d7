"""Failure drill with real processes: the Celery worker publishing a large pairing round is
killed (SIGKILL) halfway through; the task is delivered again to another worker, which
publishes the round once: one proposal per pair, one notification per lecturer."""

from __future__ import annotations

import signal
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from exchanges.models import Proposal
from notifications.models import Notification, NotificationKind
from rounds.models import PairingRound, RoundPair, RoundStatus
from rounds.params import RoundParams
from tests import factories
from tests.deploy.workers import PersistentRedis, start_worker, stop
from tests.live import wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    # send_task is used on purpose: the suite's own tasks run eagerly.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

ASIAN_OFFERS = EUROPEAN_OFFERS = 10  # every Asian offer with every European one: 100 pairs
LECTURERS_PER_SIDE = 3


def build_round(secretariat) -> PairingRound:
    """A finished round of many pairs, between offers of a few lecturers on each side."""
    sides = {}
    for code, region_offers in (("MY", ASIAN_OFFERS), ("NL", EUROPEAN_OFFERS)):
        institution = factories.InstitutionFactory(country=factories.country(code))
        owners = [factories.lecturer(institution) for _ in range(LECTURERS_PER_SIDE)]
        sides[code] = [
            factories.make_offer(owners[n % LECTURERS_PER_SIDE], title=f"Course {code} {n}")
            for n in range(region_offers)
        ]
    done = PairingRound.objects.create(
        name="Drill",
        created_by=secretariat,
        status=RoundStatus.DONE,
        params=RoundParams().as_json(),
    )
    RoundPair.objects.bulk_create(
        RoundPair(pairing_round=done, asian_offer=a, european_offer=e, score=0.5)
        for a in sides["MY"]
        for e in sides["NL"]
    )
    return done


def proposals_inserted() -> int:
    """Proposals inserted so far, committed or not: the id sequence is not transactional."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM exchanges_proposal_id_seq"
        )
        return cursor.fetchone()[0]


def test_a_round_whose_publishing_worker_is_killed_is_published_once_by_another(tmp_path):
    from config.celery import app

    # The services act for the secretariat; its second factor belongs to the sign-in.
    secretariat = factories.UserFactory(is_secretariat=True, mfa=False)
    pairing_round = build_round(secretariat)
    pairs = pairing_round.pairs.count()
    # What the secretariat's click leaves (rounds.services.round_publish_queue): the round
    # marked publishing, its task on the real broker below (the suite's tasks run eagerly).
    PairingRound.objects.filter(pk=pairing_round.pk).update(
        status=RoundStatus.PUBLISHING,
        heartbeat_at=timezone.now(),
        stats={"publishing_by": secretariat.pk},
    )
    before = proposals_inserted()  # sequences are not reset between tests
    broker = PersistentRedis(tmp_path / "redis", tmp_path / "redis.log")
    broker.start()
    log = (tmp_path / "workers.log").open("wb")
    first = second = None
    try:
        with app.connection_for_write(broker.url) as conn:
            app.send_task("rounds.tasks.publish_round", args=[pairing_round.pk], connection=conn)
        # No grace period (rounds.undo): the publishing worker also tells the lecturers.
        first = start_worker(broker.url, log, ROUND_UNDO_MINUTES="0")
        wait_until(
            lambda: proposals_inserted() - before >= pairs // 4,
            60,
            "the first worker is publishing",
            lambda: first.poll() is None,
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        # It died halfway, before committing: nothing of the round is visible.
        assert proposals_inserted() - before < pairs, "the worker finished before it was killed"
        pairing_round.refresh_from_db()
        assert pairing_round.status == RoundStatus.PUBLISHING
        assert not Proposal.objects.exists()

        second = start_worker(broker.url, log, ROUND_UNDO_MINUTES="0")
        wait_until(
            lambda: PairingRound.objects.get(pk=pairing_round.pk).status == RoundStatus.PUBLISHED,
            90,
            "the second worker publishes the round",
            lambda: second.poll() is None,
        )
        # Each proposal's lecturers on both sides are told, by the same worker.
        expected = 2 * pairs
        wait_until(
            lambda: Notification.objects.count() >= expected,
            120,
            "the lecturers are notified",
            lambda: second.poll() is None,
        )
    finally:
        stop(first)
        stop(second)
        log.close()
        broker.shutdown()

    proposals = Proposal.objects.filter(pairing_round=pairing_round)
    per_pair = Counter(proposals.values_list("asian_offer_id", "european_offer_id"))
    assert len(per_pair) == pairs and set(per_pair.values()) == {1}
    assert Proposal.objects.count() == pairs
    pairing_round.refresh_from_db()
    assert pairing_round.stats["published"]["created"] == pairs
    # One notification per lecturer and proposal, never two.
    told = Counter(Notification.objects.values_list("proposal_id", "recipient_id"))
    assert set(told.values()) == {1}
    assert Notification.objects.count() == expected
    assert set(Notification.objects.values_list("kind", flat=True)) == {NotificationKind.RECEIVED}
    for proposal in proposals.select_related("asian_offer", "european_offer")[:20]:
        recipients = set(proposal.notifications.values_list("recipient_id", flat=True))
        assert recipients == {proposal.asian_offer.owner_id, proposal.european_offer.owner_id}
