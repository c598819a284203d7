"""The statistics read the students per direction both lecturers agreed, not the offers'
class sizes (issue 13, part 1)."""

from __future__ import annotations

from balance import queries, stats
from exchanges import decisions, drafting, services


def test_agreed_students_per_direction_reach_the_statistics(
    make_proposal, alice, jan, bob, charlie
):
    p = make_proposal("proposed")  # the offers: 35 students in Asia, 30 in Europe
    drafting.draft_save(
        proposal=p,
        actor=jan,
        changes={"students_asia_to_europe": 25, "students_europe_to_asia": 20},
        accept=True,
    )
    services.proposal_accept(proposal=p, actor=alice, version=2)
    decisions.proposal_approve(proposal=p, actor=bob)
    decisions.proposal_approve(proposal=p, actor=charlie)
    totals = queries.proposal_totals(stats.Filters())
    assert (totals["a_agreed"], totals["e_agreed"]) == (25, 20)
    assert (totals["a"], totals["e"]) == (25, 20)
