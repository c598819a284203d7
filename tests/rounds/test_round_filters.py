"""Rounds never propose nonsense: a pair below the round's minimum score never enters it,
and a pair somebody refused (declined, rejected, withdrawn, expired) is not proposed again
until one of its offers changed. The world is `test_rounds.build_world`."""

from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse

from exchanges import services as proposal_services
from exchanges import transitions
from exchanges.models import Proposal, ProposalState
from offers import services as offer_services
from rounds import publishing, selectors
from rounds.edge_filters import filter_edges
from rounds.forms import RoundForm
from rounds.models import RoundPair, RoundStatus
from rounds.params import DEFAULT_MIN_SCORE, RoundParams
from tests.rounds.test_rounds import build_world, pairs_of, run_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def run(secretariat, django_capture_on_commit_callbacks):
    def _run(**params):
        return run_round(secretariat, capture=django_capture_on_commit_callbacks, **params)

    return _run


def publish(pairing_round, secretariat, capture):
    with capture(execute=True):
        return publishing.round_publish(pairing_round=pairing_round, actor=secretariat)


# --- the minimum score ----------------------------------------------------------------------


def test_the_default_minimum_is_kept_and_old_rounds_had_none():
    assert RoundParams().min_score == DEFAULT_MIN_SCORE == 0.35
    assert RoundParams().as_json()["min_score"] == 0.35
    # A round stored before the parameter existed ran without a floor; it says so.
    legacy = RoundParams().as_json()
    del legacy["min_score"]
    assert RoundParams.from_json(legacy).min_score == 0.0


def test_a_minimum_out_of_range_is_refused_with_what_to_fix(world):
    assert RoundParams(min_score=1.5).problems() == ["min_score must lie in 0..0.95"]
    form = RoundForm(
        {"name": "x", "institution_cap": 3, "country_slack": "0.2", "k": 10, "min_score": "-0.1"}
    )
    assert not form.is_valid()
    assert form.errors["min_score"] == ["The minimum score cannot be negative."]
    form = RoundForm(
        {"name": "x", "institution_cap": 3, "country_slack": "0.2", "k": 10, "min_score": "0.99"}
    )
    assert not form.is_valid()
    assert "would leave almost no pair" in form.errors["min_score"][0]
    # Left empty, the default.
    form = RoundForm({"name": "x", "institution_cap": 3, "country_slack": "0.2", "k": 10})
    assert form.is_valid(), form.errors
    assert form.params().min_score == DEFAULT_MIN_SCORE


def test_pairs_below_the_minimum_never_enter_the_round_nor_become_proposals(
    world, run, secretariat, django_capture_on_commit_callbacks
):
    unfiltered = run(name="No floor", min_score=0.0)
    scores = sorted(RoundPair.objects.filter(pairing_round=unfiltered).values_list("score", "pk"))
    lowest_score, lowest_pk = scores[0]
    lowest = RoundPair.objects.get(pk=lowest_pk)
    floor = round(lowest_score + 0.001, 3)
    below = sum(1 for s, _ in scores if s < floor)
    assert below >= 1

    floored = run(name="With a floor", min_score=floor)
    assert floored.status == RoundStatus.DONE
    kept = RoundPair.objects.filter(pairing_round=floored)
    assert all(score >= floor for score in kept.values_list("score", flat=True))
    assert (lowest.asian_offer_id, lowest.european_offer_id) not in pairs_of(floored)
    filters = floored.stats["filters"]
    assert filters["min_score"] == floor
    assert filters["below_min_score"] >= below
    assert floored.stats["candidates"] == filters["generated"] - filters["below_min_score"]

    publish(floored, secretariat, django_capture_on_commit_callbacks)
    made = Proposal.objects.filter(pairing_round=floored)
    assert made.count() == kept.count()
    assert all(score >= floor for score in made.values_list("score", flat=True))


def test_the_filters_count_what_each_rule_removed():
    asian = np.array([1, 1, 2, 3, 3])
    european = np.array([10, 11, 10, 12, 13])
    score = np.array([0.9, 0.2, 0.35, 0.6, 0.349999999999])
    kept = filter_edges(asian, european, score, min_score=0.35, refused={(3, 12), (1, 11)})
    # 0.2 is below; 0.349999999999 is 0.35 within float rounding; (1, 11) is below
    # already, so it counts there and not as refused.
    assert list(zip(kept.asian, kept.european, strict=True)) == [(1, 10), (2, 10), (3, 13)]
    assert (kept.generated, kept.below_min_score, kept.refused) == (5, 1, 1)
    nothing = filter_edges(asian, european, score, min_score=0.95, refused=set())
    assert (len(nothing.score), nothing.below_min_score) == (0, 5)


def test_the_round_page_shows_the_minimum_and_what_it_removed(world, run, client, secretariat):
    floored = run(min_score=0.95)
    client.force_login(secretariat)
    page = client.get(reverse("rounds:round-detail", args=[floored.pk])).content.decode()
    removed = floored.stats["filters"]["below_min_score"]
    assert 'id="round-min-score">0.95: ' in page
    assert f"{removed} candidate pairs scored below it and were left out" in page
    assert "0 candidate pairs were left out because their last proposal was declined" in page


# --- pairs refused before -------------------------------------------------------------------


def refuse(proposal: Proposal, how: str) -> None:
    """End a live proposal the way each refusal happens."""
    if how == "declined":
        owner = proposal.european_offer.owner
        proposal_services.proposal_decline(proposal=proposal, actor=owner, note="not for us")
    else:  # rejected by an office, withdrawn, expired: the same transition, another state
        transitions.move(transitions.locked(proposal), how, None, "test")
    proposal.refresh_from_db()
    assert proposal.state == how


@pytest.mark.parametrize(
    "how",
    [
        ProposalState.DECLINED,
        ProposalState.REJECTED,
        ProposalState.WITHDRAWN,
        ProposalState.EXPIRED,
    ],
)
def test_a_refused_pair_is_not_proposed_again(
    world, run, secretariat, django_capture_on_commit_callbacks, how
):
    first = run(name="First", min_score=0.0)
    publish(first, secretariat, django_capture_on_commit_callbacks)
    coastal = (world.asia["coastal"].pk, world.europe["coastal"].pk)
    assert coastal in pairs_of(first)
    with django_capture_on_commit_callbacks(execute=True):
        refuse(Proposal.objects.get(pairing_round=first, asian_offer_id=coastal[0]), how)
    # Only the two coastal offers are free again; their one pair was refused.
    assert selectors.refused_pairs() == {coastal}

    second = run(name="Second", min_score=0.0)
    assert second.status == RoundStatus.DONE
    assert pairs_of(second) == set()
    assert second.stats["filters"]["refused"] == 1
    assert Proposal.objects.filter(asian_offer_id=coastal[0]).count() == 1


def test_a_refused_pair_is_proposed_again_once_an_offer_changed(
    world, run, secretariat, django_capture_on_commit_callbacks
):
    first = run(name="First", min_score=0.0)
    publish(first, secretariat, django_capture_on_commit_callbacks)
    coastal = world.europe["coastal"]
    with django_capture_on_commit_callbacks(execute=True):
        refuse(
            Proposal.objects.get(pairing_round=first, european_offer=coastal),
            ProposalState.DECLINED,
        )
        # The European lecturer rewrites the course after the refusal.
        data = offer_services.offer_data(coastal)
        data.fields["description"] += " Now with a field trip to the Wadden Sea."
        offer_services.offer_update(offer=coastal, data=data)
    assert selectors.refused_pairs() == set()

    second = run(name="Second", min_score=0.0)
    assert pairs_of(second) == {(world.asia["coastal"].pk, coastal.pk)}
    assert second.stats["filters"]["refused"] == 0
    report = publish(second, secretariat, django_capture_on_commit_callbacks)
    assert report.created == 1
    states = Proposal.objects.filter(european_offer=coastal).values_list("state", flat=True)
    assert sorted(states) == ["declined", "proposed"]


def test_a_pair_refused_after_the_round_was_computed_is_skipped_at_publishing(
    world, run, secretariat, django_capture_on_commit_callbacks
):
    """The issue's case: a lecturer proposes a pair after the round ran, the office rejects
    it, and then the round is published: the pair is not proposed again."""
    done = run(min_score=0.0)
    coastal_a, coastal_e = world.asia["coastal"], world.europe["coastal"]
    assert (coastal_a.pk, coastal_e.pk) in pairs_of(done)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_services.proposal_create(
            actor=coastal_a.owner, offer=coastal_a, partner=coastal_e
        )
        refuse(proposal, ProposalState.REJECTED)
    preview = selectors.round_publish_preview(done)
    assert preview.skipped_refused == 1
    report = publish(done, secretariat, django_capture_on_commit_callbacks)
    assert report.skipped_refused == 1
    assert report.created == done.pairs.count() - 1
    assert not Proposal.objects.filter(pairing_round=done, asian_offer=coastal_a).exists()
    done.refresh_from_db()
    assert done.stats["published"]["skipped_refused"] == 1


def test_only_the_latest_proposal_of_a_pair_counts(
    world, run, secretariat, django_capture_on_commit_callbacks
):
    """A pair declined once, then proposed again and accepted by one side, then withdrawn
    by it: withdrawn counts. A pair whose latest proposal is live is out of the round
    anyway (its offers have a live proposal)."""
    a, e = world.asia["robots"], world.europe["robots"]
    with django_capture_on_commit_callbacks(execute=True):
        old = proposal_services.proposal_create(actor=a.owner, offer=a, partner=e)
        refuse(old, ProposalState.DECLINED)
        new = proposal_services.proposal_create(actor=a.owner, offer=a, partner=e)
    assert selectors.refused_pairs() == set()  # the latest is live
    assert a.pk not in {o.pk for o in selectors.round_offers(RoundParams())}
    with django_capture_on_commit_callbacks(execute=True):
        refuse(new, ProposalState.WITHDRAWN)
    assert selectors.refused_pairs() == {(a.pk, e.pk)}
