"""The statistics read a narrow copy of each proposal (balance.models.ProposalFact): it
follows every change of the proposals and their offers, and a rebuild gives the same."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.forms.models import model_to_dict

from balance import queries, stats
from balance.models import ProposalFact, decode, encode, sdg_bits
from exchanges.models import Proposal
from tests import factories


def snapshot():
    return {f.pk: model_to_dict(f) for f in ProposalFact.objects.all()}


def test_every_proposal_has_its_facts_and_a_rebuild_changes_nothing(world):
    before = snapshot()
    assert any(fact["sdg_mask"] for fact in before.values())
    assert set(before) == set(Proposal.objects.values_list("pk", flat=True))
    ProposalFact.objects.all().delete()
    call_command("rebuild_balance_facts", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot() == before


def test_correcting_an_offer_after_approval_moves_its_exchange_in_the_tables(world):
    """A paired offer is closed to its lecturer; an operator may still correct it."""
    e1 = world.exchanges["E1"]
    offer = e1.asian_offer
    level_before = stats.compute(stats.Filters()).table("levels")
    offer.level = "8"
    offer.save()
    offer.sdgs.set([factories.sdg(6).pk])

    fact = ProposalFact.objects.get(pk=e1.pk)
    assert fact.asian_level == encode("level", "8")
    assert decode("level", fact.asian_level) == "8"
    assert set(sdg_bits(fact.sdg_mask)) == (
        {6} | set(e1.european_offer.sdgs.values_list("number", flat=True))
    )
    level_after = stats.compute(stats.Filters()).table("levels")
    assert level_after.rows != level_before.rows


def test_changing_sdgs_alone_is_followed(world):
    e2 = world.exchanges["E2"]
    e2.european_offer.sdgs.set([factories.sdg(17).pk])
    e2.asian_offer.sdgs.clear()
    assert ProposalFact.objects.get(pk=e2.pk).sdg_mask == 1 << 16


def test_codes_round_trip():
    for name, values in (
        ("kind", ["coil", "virtual_mobility", "blended"]),
        ("level", ["4", "nonformal"]),
        ("priority", ["", "balanced_mobility"]),
        ("country", ["DE", "VN"]),
        ("field", ["00", "04", "10", ""]),
    ):
        for value in values:
            assert decode(name, encode(name, value)) == value
    assert encode("kind", "unknown") == -1


@pytest.mark.django_db(transaction=True)
def test_a_statement_in_the_background_gives_its_result():
    """On PostgreSQL outside a transaction it runs on a thread and a connection of its own."""
    import threading

    main = threading.get_ident()
    thread, count = queries.in_background(
        lambda: (threading.get_ident(), ProposalFact.objects.count())
    )()
    assert count == ProposalFact.objects.count()
    assert (thread != main) == (connection.vendor == "postgresql")
