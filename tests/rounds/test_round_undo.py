"""Publishing asks first and can be taken back: the confirmation page says whom the round
reaches (and GET publishes nothing); for ROUND_UNDO_MINUTES nobody is told and Undo removes
the proposals; after that the lecturers are notified exactly once and Undo is refused.

Celery runs eagerly here, as in the embedded mode: the grace period must hold there too.
The clock is moved by writing the round's `announce_at`, never by waiting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from exchanges import services as proposal_services
from exchanges.models import Proposal, ProposalEvent
from messaging import chat
from notifications.models import Notification
from rounds import selectors, services, tasks, undo
from rounds.models import PairingRound, RoundStatus
from rounds.params import UNDO_TOO_LATE
from tests import factories
from tests.rounds.test_rounds import build_world, run_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def done_round(world, secretariat, django_capture_on_commit_callbacks):
    return run_round(secretariat, capture=django_capture_on_commit_callbacks, min_score=0.0)


@pytest.fixture
def published(done_round, client, secretariat, django_capture_on_commit_callbacks):
    """Published from the page, as the secretariat does; the eager task runs on commit."""
    mail.outbox.clear()
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rounds:round-publish", args=[done_round.pk]))
    assert response.status_code == 302
    done_round.refresh_from_db()
    assert done_round.status == RoundStatus.PUBLISHED
    return done_round


def end_grace(pairing_round: PairingRound) -> None:
    """As if ROUND_UNDO_MINUTES had passed."""
    PairingRound.objects.filter(pk=pairing_round.pk).update(
        announce_at=timezone.now() - dt.timedelta(seconds=1)
    )
    pairing_round.refresh_from_db()


def lecturer_institution(world):
    return world.asia["coastal"].institution


def lecturers_of(pairing_round: PairingRound) -> set[int]:
    ids = set()
    for p in Proposal.objects.filter(pairing_round=pairing_round).select_related(
        "asian_offer", "european_offer"
    ):
        ids |= {p.asian_offer.owner_id, p.european_offer.owner_id}
    return ids


# --- the confirmation -------------------------------------------------------------------------


def test_the_confirmation_shows_whom_it_reaches_and_get_publishes_nothing(
    client, secretariat, done_round, world, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    url = reverse("rounds:round-publish", args=[done_round.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(url)
    assert response.status_code == 200
    assert callbacks == []  # nothing queued
    preview = response.context["preview"]
    pairs = list(done_round.pairs.all())
    offers = {p.asian_offer_id for p in pairs} | {p.european_offer_id for p in pairs}
    owners = {o.owner_id for o in [*world.asia.values(), *world.europe.values()] if o.pk in offers}
    institutions = {
        o.institution_id for o in [*world.asia.values(), *world.europe.values()] if o.pk in offers
    }
    assert (preview.proposals, preview.lecturers, preview.institutions) == (
        len(pairs),
        len(owners),
        len(institutions),
    )
    page = response.content.decode()
    assert f'id="preview-proposals">{len(pairs)}<' in page
    assert f'id="preview-lecturers">{len(owners)}<' in page
    assert f'id="preview-institutions">{len(institutions)}<' in page
    assert f"Publish {len(pairs)} proposals" in page
    assert "Nobody is told for 10 minutes after publishing" in page
    assert f'method="post" action="{url}"' in page
    done_round.refresh_from_db()
    assert done_round.status == RoundStatus.DONE
    assert not Proposal.objects.exists()
    assert mail.outbox == []


def test_the_confirmation_counts_a_co_owner_once_and_the_pairs_it_would_skip(
    client, secretariat, done_round, world
):
    from offers import services as offer_services

    # A co-owner of two offers of the round is one more lecturer, counted once.
    co_owner = world.asia["heritage"].owner
    world.asia["coastal"].co_owners.add(co_owner)
    world.europe["robots"].co_owners.add(co_owner)
    # An offer closed since the round ran: its pair is skipped, its lecturer not reached.
    heritage = world.europe["heritage"]
    offer_services.offer_close(offer=heritage, actor=heritage.owner)
    preview = selectors.round_publish_preview(done_round)
    assert preview.skipped_not_open == 1
    assert preview.proposals == done_round.pairs.count() - 1
    # 9 owners (Universiti Malaya's lecturer owns two offers), less the two of the skipped
    # heritage pair; Chulalongkorn's lecturer still counts, once, as co-owner of two.
    assert preview.lecturers == 8
    assert preview.institutions == 7  # of the offers; Universiti Malaya has two


def test_a_round_that_is_not_done_has_no_confirmation(client, secretariat, published):
    client.force_login(secretariat)
    response = client.get(reverse("rounds:round-publish", args=[published.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("rounds:round-detail", args=[published.pk])


# --- the grace period -------------------------------------------------------------------------


def test_nobody_is_told_during_the_grace_period(client, secretariat, published):
    made = Proposal.objects.filter(pairing_round=published)
    assert made.count() == published.pairs.count() > 0
    assert mail.outbox == []
    assert not Notification.objects.exists()
    assert published.announce_at == published.published_at + dt.timedelta(minutes=10)
    assert published.announced_at is None
    # The beat sweep before the end changes nothing.
    assert tasks.announce_rounds() == 0
    page = client.get(reverse("rounds:round-detail", args=[published.pk])).content.decode()
    assert "Nobody has been told yet." in page
    assert reverse("rounds:round-undo", args=[published.pk]) in page
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_undo_within_the_grace_period_removes_the_proposals_and_nothing_was_sent(
    client, secretariat, published, django_capture_on_commit_callbacks
):
    proposal_ids = list(Proposal.objects.filter(pairing_round=published).values_list("pk"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rounds:round-undo", args=[published.pk]), follow=True)
    assert escape(f"Undone: {len(proposal_ids)} proposals were removed") in (
        response.content.decode()
    )
    published.refresh_from_db()
    assert published.status == RoundStatus.DONE
    assert published.published_at is None and published.announce_at is None
    assert "published" not in published.stats
    assert published.stats["undone"][0]["removed"] == len(proposal_ids)
    assert not Proposal.objects.exists()
    assert not ProposalEvent.objects.exists()
    assert mail.outbox == []
    assert not Notification.objects.exists()
    # Ready to publish again; nothing is announced for the undone publication.
    end_grace(published)
    assert tasks.announce_rounds() == 0
    assert mail.outbox == []
    assert "Publish the round…" in client.get(
        reverse("rounds:round-detail", args=[published.pk])
    ).content.decode("utf-8")


def test_after_the_grace_period_the_lecturers_are_told_exactly_once(
    published, django_capture_on_commit_callbacks
):
    end_grace(published)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.announce_rounds() == published.pairs.count()
    published.refresh_from_db()
    assert published.announced_at is not None
    lecturers = lecturers_of(published)
    told = Notification.objects.filter(proposal__pairing_round=published)
    # Each lecturer of each proposal: one in-app notification and one e-mail.
    assert told.count() == 2 * published.pairs.count()
    assert set(told.values_list("recipient_id", flat=True)) == lecturers
    sent = len(mail.outbox)
    assert sent == told.count()

    # Beat again, and a crash that re-queued them: nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.announce_rounds() == 0
        proposal_services.proposals_announce(
            list(Proposal.objects.filter(pairing_round=published).values_list("pk", flat=True))
        )
    assert Notification.objects.count() == told.count()
    assert len(mail.outbox) == sent


def test_undo_after_the_grace_period_is_refused(
    client, secretariat, published, django_capture_on_commit_callbacks
):
    end_grace(published)
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(reverse("rounds:round-detail", args=[published.pk])).content.decode()
    # The page no longer offers Undo. (Eager, as embedded: opening it announced the round.)
    assert reverse("rounds:round-undo", args=[published.pk]) not in page
    assert "The lecturers were notified at" in page
    response = client.post(reverse("rounds:round-undo", args=[published.pk]), follow=True)
    assert escape(str(UNDO_TOO_LATE)) in response.content.decode()
    published.refresh_from_db()
    assert published.status == RoundStatus.PUBLISHED
    assert Proposal.objects.filter(pairing_round=published).count() == published.pairs.count()


def test_undo_is_refused_once_the_grace_period_is_over_even_before_beat_ran(published, secretariat):
    end_grace(published)
    with pytest.raises(ValidationError) as caught:
        undo.round_undo(pairing_round=published, actor=secretariat)
    assert caught.value.code == "undo_too_late"
    assert Proposal.objects.filter(pairing_round=published).count() == published.pairs.count()


@pytest.mark.parametrize("act", ["accept", "chat"])
def test_undo_is_refused_when_a_lecturer_already_acted(
    published, secretariat, client, act, django_capture_on_commit_callbacks
):
    proposal = Proposal.objects.filter(pairing_round=published).first()
    lecturer = proposal.asian_offer.owner
    with django_capture_on_commit_callbacks(execute=True):
        if act == "accept":
            proposal_services.proposal_accept(proposal=proposal, actor=lecturer)
        else:
            chat.send_message(
                user=lecturer,
                conversation_id=proposal.conversation.pk,
                client_id="c1",
                text="Hello, shall we talk?",
            )
    count = Proposal.objects.filter(pairing_round=published).count()
    client.force_login(secretariat)
    response = client.post(reverse("rounds:round-undo", args=[published.pk]), follow=True)
    assert "A lecturer has already acted on 1 of this round" in response.content.decode()
    published.refresh_from_db()
    assert published.status == RoundStatus.PUBLISHED
    assert Proposal.objects.filter(pairing_round=published).count() == count


@pytest.mark.parametrize("persona", ["lecturer", "office"])
def test_only_the_secretariat_confirms_publishes_or_undoes(
    client, world, persona, done_round, secretariat, django_capture_on_commit_callbacks
):
    """A lecturer of the round's offers, and their international office, get 403."""
    lecturer = world.asia["coastal"].owner
    user = lecturer if persona == "lecturer" else factories.office(lecturer_institution(world))
    client.force_login(user)
    assert client.get(reverse("rounds:round-publish", args=[done_round.pk])).status_code == 403
    assert client.post(reverse("rounds:round-publish", args=[done_round.pk])).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        services.round_publish_queue(pairing_round=done_round, actor=secretariat)
    assert client.post(reverse("rounds:round-undo", args=[done_round.pk])).status_code == 403
    done_round.refresh_from_db()
    assert done_round.status == RoundStatus.PUBLISHED
    assert Proposal.objects.filter(pairing_round=done_round).count() == done_round.pairs.count()


def test_a_lecturer_of_the_round_cannot_undo_it(client, published):
    lecturer = Proposal.objects.filter(pairing_round=published).first().asian_offer.owner
    client.force_login(lecturer)
    assert client.post(reverse("rounds:round-undo", args=[published.pk])).status_code == 403
    assert Proposal.objects.filter(pairing_round=published).exists()


def test_without_a_grace_period_the_lecturers_are_told_at_publishing(
    settings, done_round, secretariat, django_capture_on_commit_callbacks
):
    settings.ROUND_UNDO_MINUTES = 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.round_publish_queue(pairing_round=done_round, actor=secretariat)
    done_round.refresh_from_db()
    assert done_round.announced_at is not None
    assert Notification.objects.count() == 2 * done_round.pairs.count() == len(mail.outbox)
    with pytest.raises(ValidationError):
        undo.round_undo(pairing_round=done_round, actor=secretariat)
