"""Pairing rounds as services: which offers, the run and its progress, the result within
every limit against greedy, failures that leave nothing behind, and publishing once.

The world of `build_world` makes the best pairing obvious: five Asian and five European
offers, four pairs with identical course texts, plus a trap for greedy — a Japanese-only
Asian offer whose only possible partner (the one European offer that works in Japanese
too) is also the identical twin of another Asian offer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.balance_rules import balance_index
from exchanges import services as proposal_services
from exchanges.models import Proposal, ProposalEvent, ProposalOrigin, ProposalState
from matching import engine, pairing
from matching.features import OfferFeatures
from offers import services as offer_services
from offers.models import Offer
from rounds import compute, publishing, services
from rounds.figures import pair_directions
from rounds.models import PairingRound, RoundPair, RoundStatus
from rounds.params import (
    ERROR_NO_EUROPE,
    NO_OFFERS_IN_ASIA,
    NOTE_CANDIDATES,
    NOTE_DONE,
    NOTE_EXACT,
    NOTE_EXPLAIN,
    NOTE_GREEDY,
    NOTE_LOADING,
    NOTE_MODEL,
    NOTE_STORING,
    ROUND_ALREADY_PUBLISHED,
    RoundParams,
)
from rounds.selectors import round_offer_counts, round_offers
from tests import factories

COASTAL = (
    "Coastal Ecosystems and Climate Adaptation",
    "Mangroves, coral reefs and estuaries under sea level rise: coastal ecosystems, blue "
    "carbon and the climate adaptation of coastal communities.",
    "0521",
)
ROBOTS = (
    "Machine Learning for Robotics",
    "Reinforcement learning, computer vision and motion planning for autonomous robots; "
    "neural networks that control robot arms.",
    "0714",
)
HERITAGE = (
    "Heritage Tourism Management",
    "Managing visitors at cultural heritage sites, museums and historic towns; sustainable "
    "tourism planning with local communities.",
    "1015",
)
WATER = (
    "Urban Water Systems",
    "Drainage, flood control, wastewater treatment and water supply networks in growing "
    "cities; resilient urban water infrastructure.",
    "0732",
)
WATER_JA = (
    "Urban Flood Control",
    "Flood control and drainage infrastructure for resilient growing cities; urban water "
    "networks after typhoons.",
    "0732",
)
WATER_PLANNING = (
    "Urban Water Planning",
    "Planning urban water supply networks, drainage and flood control for cities; "
    "wastewater treatment and infrastructure.",
    "0732",
)


@pytest.fixture(autouse=True)
def _isolated_matching(settings, tmp_path):
    """Fitted models go to this test's folder; no refits are queued by offer changes."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MATCHING_AUTO_REFIT = False
    engine.reset()
    yield
    engine.reset()


def lecturer_at(country_code: str, name: str):
    institution = factories.InstitutionFactory(name=name, country=factories.country(country_code))
    return factories.lecturer(institution)


def course(owner, text, *, zone: str, languages=(("en", "B2"),), **overrides) -> Offer:
    title, description, isced = text
    return factories.make_offer(
        owner,
        title=title,
        description=description,
        learning_outcomes="",
        isced=factories.isced(isced).pk,
        time_zone=zone,
        sync_sessions=0,
        windows=[],
        languages=list(languages),
        **overrides,
    )


@dataclass
class World:
    asia: dict[str, Offer]
    europe: dict[str, Offer]

    def expected(self) -> set[tuple[int, int]]:
        """The best pairing: the twins, and the trap resolved."""
        a, e = self.asia, self.europe
        return {
            (a["coastal"].pk, e["coastal"].pk),
            (a["robots"].pk, e["robots"].pk),
            (a["heritage"].pk, e["heritage"].pk),
            (a["water"].pk, e["water_planning"].pk),
            (a["water_ja"].pk, e["water"].pk),
        }


def build_world() -> World:
    um = lecturer_at("MY", "Universiti Malaya")
    chula = lecturer_at("TH", "Chulalongkorn University")
    kyoto = lecturer_at("JP", "Kyoto University")
    tohoku = lecturer_at("JP", "Tohoku University")
    wur = lecturer_at("NL", "Wageningen University")
    tum = lecturer_at("DE", "Technical University of Munich")
    sorbonne = lecturer_at("FR", "Sorbonne University")
    polimi = lecturer_at("IT", "Politecnico di Milano")
    upc = lecturer_at("ES", "Universitat Politècnica de Catalunya")
    kl, tokyo, bkk = "Asia/Kuala_Lumpur", "Asia/Tokyo", "Asia/Bangkok"
    asia = {
        "coastal": course(um, COASTAL, zone=kl),
        "robots": course(um, ROBOTS, zone=kl),
        "heritage": course(chula, HERITAGE, zone=bkk),
        "water": course(kyoto, WATER, zone=tokyo),
        "water_ja": course(tohoku, WATER_JA, zone=tokyo, languages=[("ja", "B2")]),
    }
    europe = {
        "coastal": course(wur, COASTAL, zone="Europe/Amsterdam"),
        "robots": course(tum, ROBOTS, zone="Europe/Berlin"),
        "heritage": course(sorbonne, HERITAGE, zone="Europe/Paris"),
        "water": course(polimi, WATER, zone="Europe/Rome", languages=[("en", "B2"), ("ja", "B2")]),
        "water_planning": course(upc, WATER_PLANNING, zone="Europe/Madrid"),
    }
    return World(asia, europe)


def run_round(actor, *, name: str = "Spring 2027", capture=None, **params) -> PairingRound:
    """Create a round and run its task (queued on commit) at once."""
    with capture(execute=True):
        created = services.round_create(name=name, params=RoundParams(**params), actor=actor)
    created.refresh_from_db()
    return created


def pairs_of(pairing_round: PairingRound) -> set[tuple[int, int]]:
    return set(
        RoundPair.objects.filter(pairing_round=pairing_round).values_list(
            "asian_offer_id", "european_offer_id"
        )
    )


def round_offers_of(pairing_round: PairingRound) -> dict[int, pairing.RoundOffer]:
    params = RoundParams.from_json(pairing_round.params)
    return {
        o.pk: pairing.RoundOffer(o.region, o.country_id, o.institution_id, o.partners_sought)
        for o in round_offers(params)
    }


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def done_round(world, secretariat, django_capture_on_commit_callbacks) -> PairingRound:
    return run_round(secretariat, capture=django_capture_on_commit_callbacks)


# --- which offers ---------------------------------------------------------------------------


def test_a_round_takes_open_offers_without_a_live_proposal(world, secretariat):
    taken = world.asia["coastal"]
    Proposal.objects.create(
        asian_offer=taken, european_offer=world.europe["robots"], origin=ProposalOrigin.BROWSE
    )
    ended = Proposal.objects.create(
        asian_offer=world.asia["heritage"],
        european_offer=world.europe["heritage"],
        origin=ProposalOrigin.BROWSE,
        state=ProposalState.DECLINED,
    )
    draft = factories.make_offer(taken.owner, publish=False, title="Still a draft")
    chosen = set(round_offers(RoundParams()).values_list("pk", flat=True))
    assert taken.pk not in chosen
    assert world.europe["robots"].pk not in chosen
    assert ended.asian_offer_id in chosen  # a declined proposal is not live
    assert draft.pk not in chosen
    assert len(chosen) == 8


def test_a_country_filter_narrows_its_own_region_only(world):
    params = RoundParams(asian_countries=("JP",))
    chosen = list(round_offers(params))
    assert {o.country_id for o in chosen if o.region == "asia"} == {"JP"}
    assert sum(o.region == "europe" for o in chosen) == 5


def test_kind_and_level_filters_narrow_both_regions(world):
    Offer.objects.filter(pk=world.europe["coastal"].pk).update(level="7")
    assert round_offer_counts(RoundParams(levels=("7",))) == {"asia": 0, "europe": 1}
    assert round_offer_counts(RoundParams(kinds=("virtual_mobility",))) == {
        "asia": 0,
        "europe": 0,
    }


def test_a_round_without_offers_on_one_side_is_refused(world, secretariat):
    with pytest.raises(ValidationError) as caught:
        services.round_create(
            name="Only Laos",
            params=RoundParams(asian_countries=("LA",)),
            actor=secretariat,
        )
    assert str(NO_OFFERS_IN_ASIA) in caught.value.messages
    assert not PairingRound.objects.exists()


def test_invalid_limits_are_refused_by_the_service(world, secretariat):
    with pytest.raises(ValidationError):
        services.round_create(name="Bad", params=RoundParams(institution_cap=0), actor=secretariat)
    assert not PairingRound.objects.exists()


# --- the result -----------------------------------------------------------------------------


def test_a_round_finds_the_obvious_pairs(world, done_round):
    assert done_round.status == RoundStatus.DONE
    assert pairs_of(done_round) == world.expected()


def test_a_round_never_pairs_two_offers_of_one_region(done_round):
    for pair in RoundPair.objects.filter(pairing_round=done_round).select_related(
        "asian_offer", "european_offer"
    ):
        assert pair.asian_offer.region == "asia"
        assert pair.european_offer.region == "europe"


def test_a_round_beats_greedy_on_the_trap(done_round):
    exact, greedy = done_round.stats["exact"], done_round.stats["greedy"]
    assert exact["total_score"] >= greedy["total_score"]
    assert (exact["pairs"], greedy["pairs"]) == (5, 4)
    assert done_round.stats["gain"]["pairs_percent"] == 25.0
    assert done_round.stats["gain"]["score_percent"] > 0


def test_a_round_keeps_every_cap(done_round):
    offers = round_offers_of(done_round)
    caps = pairing.Caps(
        offer={i: o.capacity for i, o in offers.items()},
        institution=3,
        country=pairing.country_caps(offers, 0.2),
    )
    pairs = [(a, b, 1.0) for a, b in pairs_of(done_round)]
    assert pairing.cap_violations(pairs, offers, caps) == []
    assert done_round.stats["exact"]["caps_kept"] is True


def test_the_institution_cap_limits_each_institution(
    world, secretariat, django_capture_on_commit_callbacks
):
    capped = run_round(secretariat, capture=django_capture_on_commit_callbacks, institution_cap=1)
    um = world.asia["coastal"].institution_id
    per_um = [a for a, _b in pairs_of(capped) if Offer.objects.get(pk=a).institution_id == um]
    assert len(per_um) == 1
    assert capped.stats["exact"]["caps_kept"] is True


def test_no_country_takes_more_than_its_fair_share(
    db, secretariat, django_capture_on_commit_callbacks
):
    # Both Asian offers would rather pair with the Dutch offer, which seeks two partners;
    # but the Netherlands hold a quarter of Europe's offers: cap ceil(1.2 × ¼ × 2) = 1.
    zone = "Asia/Kuala_Lumpur"
    course(lecturer_at("MY", "Universiti Malaya"), COASTAL, zone=zone)
    course(lecturer_at("TH", "Chulalongkorn University"), COASTAL, zone="Asia/Bangkok")
    dutch = course(lecturer_at("NL", "Wageningen University"), COASTAL, zone="Europe/Amsterdam")
    Offer.objects.filter(pk=dutch.pk).update(partners_sought=2)
    for i, text in enumerate((ROBOTS, HERITAGE, WATER)):
        course(lecturer_at("DE", f"German university {i}"), text, zone="Europe/Berlin")

    fair = run_round(secretariat, capture=django_capture_on_commit_callbacks)
    loose = run_round(
        secretariat, capture=django_capture_on_commit_callbacks, name="loose", country_slack=5
    )
    nl = {row["code"]: row for row in fair.stats["countries"]}["NL"]
    assert (nl["pairs"], nl["cap"]) == (1, 1)
    assert sum(b == dutch.pk for _a, b in pairs_of(fair)) == 1
    assert sum(b == dutch.pk for _a, b in pairs_of(loose)) == 2


def test_coverage_per_region_and_country_is_the_share_of_offers_paired(
    world, secretariat, django_capture_on_commit_callbacks
):
    capped = run_round(secretariat, capture=django_capture_on_commit_callbacks, institution_cap=1)
    regions = {row["region"]: row for row in capped.stats["regions"]}
    assert regions["asia"]["offers"] == 5
    assert regions["asia"]["paired_offers"] == 4
    assert regions["asia"]["coverage"] == 0.8
    countries = {row["code"]: row for row in capped.stats["countries"]}
    assert (countries["MY"]["offers"], countries["MY"]["paired_offers"]) == (2, 1)
    assert countries["MY"]["coverage"] == 0.5
    assert countries["JP"]["coverage"] == 1.0


def test_each_pair_carries_its_explanation(world, done_round):
    pair = RoundPair.objects.get(pairing_round=done_round, asian_offer=world.asia["coastal"])
    texts = [r["text"] for r in pair.explanation]
    codes = [r["code"] for r in pair.explanation]
    assert {"text", "isced", "level", "language", "term"} <= set(codes)
    assert "same detailed field 0521" in texts
    assert "both English B2" in texts
    assert pair.score == pytest.approx(1.0, abs=1e-3)


def test_the_round_is_scored_with_the_stored_model(done_round):
    assert done_round.stats["model"]["source"] == "stored"
    assert done_round.stats["model"]["version"] is not None


def test_a_round_fits_its_own_model_when_the_stored_one_misses_offers(
    world, secretariat, django_capture_on_commit_callbacks, monkeypatch
):
    from matching.similarity import TextModel

    stale = TextModel().fit([(10_000_001, "an old offer"), (10_000_002, "another old offer")])
    monkeypatch.setattr(engine, "refit", lambda **kw: None)
    monkeypatch.setattr(engine, "current", lambda: (stale, None))
    fitted = run_round(secretariat, capture=django_capture_on_commit_callbacks)
    assert fitted.status == RoundStatus.DONE
    assert fitted.stats["model"]["source"] == "round"
    assert pairs_of(fitted) == world.expected()


# --- balance --------------------------------------------------------------------------------


def features(kind: str, region: str, students: int) -> OfferFeatures:
    import datetime as dt

    return OfferFeatures(
        id=students,
        region=region,
        country="MY" if region == "asia" else "NL",
        institution_id=1,
        kind=kind,
        isced="0521",
        level="6",
        languages=(("en", "B2"),),
        students=students,
        term_start=dt.date(2027, 2, 1),
        term_end=dt.date(2027, 6, 1),
        duration_weeks=10,
        time_zone="UTC",
    )


def test_in_coil_each_side_counts_in_its_own_direction():
    assert pair_directions(features("coil", "asia", 30), features("coil", "europe", 20)) == (
        30,
        20,
    )
    assert pair_directions(features("blended", "asia", 30), features("coil", "europe", 20)) == (
        30,
        20,
    )


def test_in_virtual_mobility_the_home_students_count_towards_the_host_up_to_its_seats():
    # A European host course with 15 seats; 30 Asian students at home.
    assert pair_directions(
        features("coil", "asia", 30), features("virtual_mobility", "europe", 15)
    ) == (15, 0)
    # An Asian host with 40 seats; 25 European students at home.
    assert pair_directions(
        features("virtual_mobility", "asia", 40), features("coil", "europe", 25)
    ) == (0, 25)
    # Two hosts open seats to each other.
    assert pair_directions(
        features("virtual_mobility", "asia", 10), features("virtual_mobility", "europe", 12)
    ) == (10, 10)


def test_the_balance_index_is_signed_towards_europe():
    assert balance_index(5310, 4120) == pytest.approx(0.1262, abs=1e-4)
    assert balance_index(10, 30) == -0.5
    assert balance_index(0, 0) is None


def test_the_round_reports_its_balance(world, done_round):
    # All COIL with 35 students a side: perfectly balanced.
    balance = done_round.stats["exact"]["balance"]
    assert balance == {"a_to_e": 5 * 35, "e_to_a": 5 * 35, "index": 0.0}


# --- lifecycle ------------------------------------------------------------------------------


def test_a_round_is_queued_on_commit_then_runs_through_its_steps(
    world, secretariat, django_capture_on_commit_callbacks, monkeypatch
):
    seen = []
    real = compute._progress

    def spy(round_id, percent, note):
        real(round_id, percent, note)
        current = PairingRound.objects.get(pk=round_id)
        seen.append((current.status, current.progress, current.progress_note))

    monkeypatch.setattr(compute, "_progress", spy)
    with django_capture_on_commit_callbacks() as callbacks:
        created = services.round_create(name="Spring 2027", params=RoundParams(), actor=secretariat)
    assert len(callbacks) == 1
    created.refresh_from_db()
    assert (created.status, created.progress, created.started_at) == ("queued", 0, None)

    callbacks[0]()

    assert [note for _s, _p, note in seen] == [
        NOTE_LOADING,
        NOTE_MODEL,
        NOTE_CANDIDATES,
        NOTE_EXACT,
        NOTE_GREEDY,
        NOTE_EXPLAIN,
        NOTE_STORING,
    ]
    assert {status for status, _p, _n in seen} == {RoundStatus.RUNNING}
    progress = [p for _s, p, _n in seen]
    assert progress == sorted(progress) and progress[0] > 0 and progress[-1] < 100
    created.refresh_from_db()
    assert (created.status, created.progress, created.progress_note) == (
        RoundStatus.DONE,
        100,
        NOTE_DONE,
    )
    assert created.started_at <= created.finished_at
    assert created.error == ""


def test_running_a_finished_round_again_changes_nothing(done_round):
    before = pairs_of(done_round)
    again = compute.round_run(round_id=done_round.pk)
    assert again.status == RoundStatus.DONE
    assert pairs_of(done_round) == before
    assert RoundPair.objects.filter(pairing_round=done_round).count() == len(before)


def test_a_failing_round_ends_failed_with_its_error_and_no_pairs(
    world, secretariat, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("pairing LP failed: the solver ran out of memory")

    monkeypatch.setattr(pairing, "solve_exact", broken)
    failed = run_round(secretariat, capture=django_capture_on_commit_callbacks)
    assert failed.status == RoundStatus.FAILED
    assert failed.error == "pairing LP failed: the solver ran out of memory"
    assert failed.progress_note == NOTE_EXACT
    assert failed.finished_at is not None
    assert not RoundPair.objects.filter(pairing_round=failed).exists()


def test_a_round_that_fails_while_storing_keeps_no_pairs(
    world, secretariat, django_capture_on_commit_callbacks, monkeypatch
):
    real = PairingRound.full_clean

    def refuse_done(self, *args, **kwargs):
        if self.status == RoundStatus.DONE:
            raise ValidationError("the disk is full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(PairingRound, "full_clean", refuse_done)
    failed = run_round(secretariat, capture=django_capture_on_commit_callbacks)
    assert failed.status == RoundStatus.FAILED
    assert "the disk is full" in failed.error
    assert not RoundPair.objects.filter(pairing_round=failed).exists()
    assert "exact" not in failed.stats


def test_a_round_whose_offers_vanished_before_it_ran_fails_readably(
    world, secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        created = services.round_create(name="Too late", params=RoundParams(), actor=secretariat)
    Offer.objects.filter(region="europe").update(status="closed")
    callbacks[0]()
    created.refresh_from_db()
    assert created.status == RoundStatus.FAILED
    assert created.error == ERROR_NO_EUROPE


# --- publishing -----------------------------------------------------------------------------


def test_publishing_turns_every_pair_into_a_proposal(done_round, secretariat):
    report = publishing.round_publish(pairing_round=done_round, actor=secretariat)
    assert (report.created, report.skipped) == (5, 0)
    done_round.refresh_from_db()
    assert done_round.status == RoundStatus.PUBLISHED
    assert done_round.published_at is not None
    for pair in RoundPair.objects.filter(pairing_round=done_round):
        proposal = Proposal.objects.get(
            asian_offer_id=pair.asian_offer_id, european_offer_id=pair.european_offer_id
        )
        assert proposal.origin == ProposalOrigin.ROUND
        assert proposal.state == ProposalState.PROPOSED
        assert proposal.pairing_round == done_round
        assert proposal.proposed_by == secretariat
        assert proposal.score == pair.score
        assert proposal.explanation == pair.explanation
        (event,) = proposal.events.all()
        assert (event.from_state, event.to_state) == ("", ProposalState.PROPOSED)
        assert event.actor == secretariat
        assert event.note == "pairing round Spring 2027"
        # Its conversation is open, with both lecturers in it (not the secretariat).
        members = set(proposal.conversation.members.values_list("user_id", flat=True))
        offers = (proposal.asian_offer, proposal.european_offer)
        assert members == {o.owner_id for o in offers}


def test_publishing_twice_creates_one_set_of_proposals(done_round, secretariat):
    publishing.round_publish(pairing_round=done_round, actor=secretariat)
    with pytest.raises(ValidationError) as caught:
        publishing.round_publish(pairing_round=done_round, actor=secretariat)
    assert caught.value.messages == [str(ROUND_ALREADY_PUBLISHED)]
    assert Proposal.objects.count() == 5
    assert ProposalEvent.objects.count() == 5


def test_a_round_that_is_not_done_cannot_be_published(world, secretariat):
    queued = PairingRound.objects.create(name="Waiting", created_by=secretariat)
    with pytest.raises(ValidationError) as caught:
        publishing.round_publish(pairing_round=queued, actor=secretariat)
    assert caught.value.code == "not_done"
    queued.refresh_from_db()
    assert queued.status == RoundStatus.QUEUED
    assert not Proposal.objects.exists()


def test_publishing_skips_pairs_that_meanwhile_got_a_live_proposal(world, done_round, secretariat):
    Proposal.objects.create(
        asian_offer=world.asia["coastal"],
        european_offer=world.europe["coastal"],
        origin=ProposalOrigin.SUGGESTION,
    )
    report = publishing.round_publish(pairing_round=done_round, actor=secretariat)
    assert (report.created, report.skipped_live, report.skipped_not_open) == (4, 1, 0)
    assert Proposal.objects.filter(pairing_round=done_round).count() == 4
    assert (
        Proposal.objects.filter(
            asian_offer=world.asia["coastal"], european_offer=world.europe["coastal"]
        ).count()
        == 1
    )
    done_round.refresh_from_db()
    assert done_round.stats["published"]["skipped_live"] == 1


def test_publishing_skips_pairs_whose_offer_is_no_longer_open(world, done_round, secretariat):
    heritage = world.europe["heritage"]
    offer_services.offer_close(offer=heritage, actor=heritage.owner)
    report = publishing.round_publish(pairing_round=done_round, actor=secretariat)
    assert (report.created, report.skipped_live, report.skipped_not_open) == (4, 0, 1)
    assert not Proposal.objects.filter(european_offer=heritage).exists()


def test_a_proposal_created_between_the_check_and_the_insert_is_skipped(
    world, done_round, secretariat, monkeypatch
):
    # As if a lecturer proposed the pair just after publishing read the live proposals:
    # the partial unique constraint refuses the second live proposal, the pair is skipped.
    Proposal.objects.create(
        asian_offer=world.asia["robots"],
        european_offer=world.europe["robots"],
        origin=ProposalOrigin.BROWSE,
    )
    monkeypatch.setattr(proposal_services, "_live_pairs", lambda asian, european: set())
    report = publishing.round_publish(pairing_round=done_round, actor=secretariat)
    assert (report.created, report.skipped_live) == (4, 1)
    assert (
        Proposal.objects.filter(
            asian_offer=world.asia["robots"], european_offer=world.europe["robots"]
        ).count()
        == 1
    )


@pytest.mark.postgres
def test_two_rounds_published_at_once_never_make_two_live_proposals_for_a_pair(
    transactional_db, secretariat, monkeypatch
):
    world = build_world()
    a, b = world.asia["coastal"], world.europe["coastal"]
    both = []
    for name in ("North", "South"):
        r = PairingRound.objects.create(
            name=name,
            created_by=secretariat,
            status=RoundStatus.DONE,
            params=RoundParams().as_json(),
        )
        RoundPair.objects.create(pairing_round=r, asian_offer=a, european_offer=b, score=0.9)
        both.append(r)
    # Both publishes read "no live proposal" before either inserts.
    barrier = threading.Barrier(2, timeout=20)
    real = proposal_services._live_pairs

    def live_then_wait(asian_ids, european_ids):
        found = real(asian_ids, european_ids)
        barrier.wait()
        return found

    monkeypatch.setattr(proposal_services, "_live_pairs", live_then_wait)
    reports, errors = [], []

    def publish(r):
        try:
            reports.append(publishing.round_publish(pairing_round=r, actor=secretariat))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(r,)) for r in both]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted((r.created, r.skipped_live) for r in reports) == [(0, 1), (1, 0)]
    assert Proposal.objects.filter(asian_offer=a, european_offer=b).count() == 1


def test_a_transient_database_error_fails_an_eager_round_at_once(
    world, secretariat, django_capture_on_commit_callbacks, monkeypatch
):
    from django.db import OperationalError

    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(compute, "_compute", flaky)
    failed = run_round(secretariat, capture=django_capture_on_commit_callbacks)
    assert len(calls) == 1
    assert failed.status == RoundStatus.FAILED
    assert failed.error == "server closed the connection unexpectedly"


def test_a_worker_retries_a_transient_database_error_then_fails_the_round(
    world, secretariat, monkeypatch
):
    from django.db import OperationalError

    from rounds.tasks import run_pairing_round

    def flaky(*args, **kwargs):
        raise OperationalError("could not connect to server")

    class Retried(Exception):
        pass

    retries = []

    def retry(exc=None, countdown=None, **kwargs):
        retries.append(countdown)
        return Retried()

    monkeypatch.setattr(compute, "_compute", flaky)
    monkeypatch.setattr(run_pairing_round, "retry", retry)
    created = PairingRound.objects.create(
        name="Worker", created_by=secretariat, params=RoundParams().as_json()
    )
    run_pairing_round.push_request(retries=1, is_eager=False)
    try:
        with pytest.raises(Retried):
            run_pairing_round.run(created.pk)
    finally:
        run_pairing_round.pop_request()
    created.refresh_from_db()
    assert created.status == RoundStatus.RUNNING  # left for the retry
    assert retries == [20]

    run_pairing_round.push_request(retries=3, is_eager=False)
    try:
        assert run_pairing_round.run(created.pk) == RoundStatus.FAILED
    finally:
        run_pairing_round.pop_request()
    created.refresh_from_db()
    assert created.error == "could not connect to server"
