"""The participants by direction that the statistics sum in the database are those of
core.balance_rules.students_per_direction, for every combination of kinds."""

from __future__ import annotations

import itertools

import pytest

from balance import stats
from core.balance_rules import students_per_direction
from exchanges import decisions, services
from exchanges.models import Proposal
from tests import factories

pytestmark = pytest.mark.django_db

KINDS = ["coil", "virtual_mobility", "blended"]


def test_stamped_flows_follow_the_one_direction_rule_for_every_kind_pair(
    alice, bob, charlie, european_institution
):
    jan = factories.lecturer(european_institution, email="jan@wur.example")
    expected_agreed, expected_done = {}, {}
    for i, (asian_kind, european_kind) in enumerate(itertools.product(KINDS, KINDS)):
        asian_students, european_students = 30 + i, 12 + 2 * i
        a = factories.make_offer(alice, kind=asian_kind, students=asian_students)
        e = factories.make_offer(jan, kind=european_kind, students=european_students)
        proposal = services.proposal_create(actor=alice, offer=a, partner=e)
        services.proposal_accept(proposal=proposal, actor=jan)
        proposal.refresh_from_db()
        rule = students_per_direction(asian_kind, asian_students, european_kind, european_students)
        assert (proposal.flow_a_to_e, proposal.flow_e_to_a) == rule, (asian_kind, european_kind)
        decisions.proposal_approve(proposal=proposal, actor=bob)
        decisions.proposal_approve(proposal=proposal, actor=charlie)
        expected_agreed[(asian_kind, european_kind)] = rule
        if i % 2:
            # Completed: the report's participants travel, the host's seats still cap.
            services.proposal_start(proposal=proposal, actor=alice)
            report = {"participants_asia": 20, "participants_europe": 40, "sync_hours": 6}
            services.proposal_complete(proposal=proposal, actor=jan, report=report)
            proposal.refresh_from_db()
            done = (
                students_per_direction(asian_kind, 20, european_kind, european_students)[0],
                students_per_direction(asian_kind, asian_students, european_kind, 40)[1],
            )
            assert (proposal.flow_a_to_e, proposal.flow_e_to_a) == done
            expected_agreed[(asian_kind, european_kind)] = done
            expected_done[(asian_kind, european_kind)] = done

    # The database's sums per kind pair are the rule's figures, exchange by exchange.
    figures = stats.compute(stats.Filters())
    summed = {
        (r["asian_kind"], r["european_kind"]): (r["a_to_e"], r["e_to_a"])
        for r in figures.tables["kinds"].rows
    }
    labels = {"coil": "COIL", "virtual_mobility": "Virtual mobility", "blended": "Blended"}
    assert summed == {(labels[a], labels[e]): v for (a, e), v in expected_agreed.items()}
    assert figures.summary["a_to_e"] == sum(v[0] for v in expected_agreed.values())
    assert figures.summary["e_to_a"] == sum(v[1] for v in expected_agreed.values())
    assert figures.summary["completed"] == len(expected_done) == 4
    assert Proposal.objects.count() == 9


def test_the_data_migration_stamps_existing_proposals(world):
    """Rows from before the columns: the migration's function gives the same figures."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("exchanges.migrations.0014_proposal_flows")
    Proposal.objects.update(flow_a_to_e=0, flow_e_to_a=0)
    migration.stamp_flows(apps, None)
    got = {
        name: (p.flow_a_to_e, p.flow_e_to_a)
        for name, p in ((n, Proposal.objects.get(pk=x.pk)) for n, x in world.exchanges.items())
    }
    assert got == {"E1": (30, 20), "E2": (0, 18), "E3": (10, 0), "E4": (8, 8), "E5": (35, 22)}
