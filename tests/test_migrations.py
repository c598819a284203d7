"""A database laid out as before offers, notifications and rounds had apps of their own
(main up to the architecture change) migrates in place and keeps every row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from exchanges import services as proposals
from messaging import chat
from tests import factories

# The newest migration of each app before the move, and the apps the move created.
BEFORE_THE_MOVE = [
    ("exchanges", "0015_offer_stats_idx"),
    ("matching", "0001_initial"),
    ("messaging", "0005_open_existing_conversations"),
    ("offers", None),
    ("notifications", None),
    ("rounds", None),
]

TABLES = [
    "exchanges_offer",
    "exchanges_offerlanguage",
    "exchanges_availabilitywindow",
    "exchanges_offer_sdgs",
    "exchanges_iscedfield",
    "exchanges_sdg",
    "exchanges_proposal",
    "exchanges_proposalevent",
    "messaging_notification",
    "messaging_conversation",
    "messaging_chatmessage",
    "matching_pairinground",
    "matching_roundpair",
    "balance_proposalfact",
]


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608  (fixed names)
            found[table] = cursor.fetchone()[0]
    return found


def build_rows(alice, charlie_lecturer, secretariat):
    from rounds.models import PairingRound, RoundPair

    factories.sdg(13), factories.sdg(14)
    asian = factories.make_offer(alice, sdgs=[13, 14])
    european = factories.make_offer(
        charlie_lecturer, title="Marine Spatial Planning", time_zone="Europe/Amsterdam"
    )
    proposal = proposals.proposal_create(actor=alice, offer=asian, partner=european)
    chat.post_message(
        user=alice,
        conversation_id=proposal.conversation.pk,
        client_id="c1",
        text="Hello Jan",
    )
    proposals.proposal_accept(proposal=proposal, actor=charlie_lecturer)
    pairing_round = PairingRound.objects.create(name="Round 1", created_by=secretariat)
    RoundPair.objects.create(
        pairing_round=pairing_round, asian_offer=asian, european_offer=european, score=0.5
    )
    return proposal


@pytest.mark.both_backends
@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_every_row(
    alice, european_institution, secretariat, django_capture_on_commit_callbacks
):
    jan = factories.lecturer(european_institution, email="jan@wur.nl", full_name="Jan")
    with django_capture_on_commit_callbacks(execute=True):
        proposal = build_rows(alice, jan, secretariat)
    before = counts()
    assert all(before[t] for t in TABLES if t not in ("exchanges_offerlanguage",)), before

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVE)
    old = executor.loader.project_state([t for t in BEFORE_THE_MOVE if t[1]]).apps
    # At the old layout, the old models read the rows where they always were.
    assert old.get_model("exchanges", "Offer").objects.count() == before["exchanges_offer"]
    assert (
        old.get_model("messaging", "Notification").objects.count()
        == (before["messaging_notification"])
    )
    assert counts() == before

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert counts() == before
    from exchanges.models import Proposal
    from notifications.models import Notification
    from offers.models import Offer
    from rounds.models import RoundPair

    moved = Proposal.objects.select_related("asian_offer", "conversation").get(pk=proposal.pk)
    assert moved.asian_offer.title == proposal.asian_offer.title
    assert sorted(moved.asian_offer.sdgs.values_list("number", flat=True)) == [13, 14]
    assert moved.conversation.messages.get().text == "Hello Jan"
    assert Notification.objects.filter(proposal=moved).exists()
    assert RoundPair.objects.get().european_offer == Offer.objects.get(pk=moved.european_offer_id)


@pytest.mark.django_db
def test_moved_models_keep_their_content_types_in_the_new_apps():
    from django.contrib.contenttypes.models import ContentType

    labels = {
        (ct.app_label, ct.model)
        for ct in ContentType.objects.filter(
            model__in=["offer", "notification", "pairinground", "sdg", "iscedfield"]
        )
    }
    assert {("offers", "offer"), ("notifications", "notification"), ("rounds", "pairinground")} <= (
        labels
    )
    assert not {label for label in labels if label[0] in ("exchanges", "messaging", "matching")}
