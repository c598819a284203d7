"""The statistics read a narrow copy of each proposal (balance.models.ProposalFact): it
follows every change of the proposals and their offers, and a rebuild gives the same."""

from __future__ import annotations

from django.core.management import call_command
from django.forms.models import model_to_dict

from balance import stats
from balance.models import ProposalFact, ProposalFactSdg
from exchanges.models import Proposal
from tests import factories


def snapshot():
    facts = {f.pk: model_to_dict(f) for f in ProposalFact.objects.all()}
    sdgs = sorted(ProposalFactSdg.objects.values_list("fact_id", "sdg"))
    return facts, sdgs


def test_every_proposal_has_its_facts_and_a_rebuild_changes_nothing(world):
    before = snapshot()
    assert set(before[0]) == set(Proposal.objects.values_list("pk", flat=True))
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
    assert fact.asian_level == "8"
    assert set(ProposalFactSdg.objects.filter(fact=fact).values_list("sdg", flat=True)) == (
        {6} | set(e1.european_offer.sdgs.values_list("number", flat=True))
    )
    level_after = stats.compute(stats.Filters()).table("levels")
    assert level_after.rows != level_before.rows


def test_changing_sdgs_alone_is_followed(world):
    e2 = world.exchanges["E2"]
    e2.european_offer.sdgs.set([factories.sdg(17).pk])
    e2.asian_offer.sdgs.clear()
    assert list(ProposalFactSdg.objects.filter(fact_id=e2.pk).values_list("sdg", flat=True)) == [17]
