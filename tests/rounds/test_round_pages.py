"""Pairing-round pages: the secretariat starts, follows, reads and publishes a round; alice
(a lecturer) and bob (an office) get 403 everywhere; visitors are sent to sign in."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from exchanges.models import Proposal
from rounds import services, tasks
from rounds.models import PairingRound, RoundStatus
from rounds.params import (
    NO_OFFERS_IN_ASIA,
    NO_OFFERS_IN_EUROPE,
    NOTE_CANDIDATES,
    NOTE_EXACT,
    ROUND_ALREADY_PUBLISHED,
    RoundParams,
)
from tests.rounds.test_rounds import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated_matching(settings, tmp_path):
    from matching import engine

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MATCHING_AUTO_REFIT = False
    engine.reset()
    yield
    engine.reset()


@pytest.fixture
def world(db):
    return build_world()


def form_post(**overrides) -> dict:
    data = {
        "name": "Spring 2027",
        "institution_cap": "3",
        "country_slack": "0.2",
        "k": "10",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def done_round(world, client, secretariat, django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rounds:round-create"), form_post())
    assert response.status_code == 302
    client.logout()
    return PairingRound.objects.get()


@pytest.fixture
def queued_round(secretariat):
    return PairingRound.objects.create(
        name="Waiting round",
        created_by=secretariat,
        params=RoundParams().as_json(),
        status=RoundStatus.RUNNING,
        progress=42,
        progress_note=NOTE_CANDIDATES,
    )


def shows(response, text) -> bool:
    return escape(str(text)) in response.content.decode()


# --- the permission matrix ------------------------------------------------------------------

PAGES = [
    ("round-list", False, "get"),
    ("round-create", False, "get"),
    ("round-create", False, "post"),
    ("round-detail", True, "get"),
    ("round-progress", True, "get"),
    ("round-publish", True, "post"),
    ("round-publish", True, "get"),
    ("round-undo", True, "post"),
]


def page_url(name: str, with_pk: bool, pk: int) -> str:
    return reverse(f"rounds:{name}", args=[pk] if with_pk else [])


@pytest.mark.parametrize(("name", "with_pk", "method"), PAGES)
def test_the_secretariat_opens_every_round_page(
    client, secretariat, queued_round, name, with_pk, method
):
    client.force_login(secretariat)
    response = getattr(client, method)(page_url(name, with_pk, queued_round.pk))
    # The form re-renders with errors; publishing (or confirming it) or undoing a running
    # round is refused with a message.
    assert response.status_code == (302 if name in ("round-publish", "round-undo") else 200)


@pytest.mark.parametrize(("name", "with_pk", "method"), PAGES)
@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_lecturers_and_offices_are_forbidden_every_round_page(
    client, request, queued_round, persona, name, with_pk, method
):
    client.force_login(request.getfixturevalue(persona))
    response = getattr(client, method)(page_url(name, with_pk, queued_round.pk))
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "with_pk", "method"), PAGES)
def test_visitors_are_sent_to_sign_in_from_every_round_page(
    client, queued_round, name, with_pk, method
):
    url = page_url(name, with_pk, queued_round.pk)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


@pytest.mark.parametrize(
    ("name", "with_pk", "method"),
    [
        ("round-list", False, "post"),
        ("round-create", False, "put"),
        ("round-detail", True, "post"),
        ("round-progress", True, "post"),
        ("round-publish", True, "put"),
        ("round-undo", True, "get"),
    ],
)
def test_a_wrong_method_gets_405(client, secretariat, queued_round, name, with_pk, method):
    client.force_login(secretariat)
    response = getattr(client, method)(page_url(name, with_pk, queued_round.pk))
    assert response.status_code == 405


def test_an_unknown_round_is_not_found(client, secretariat):
    client.force_login(secretariat)
    assert client.get(reverse("rounds:round-detail", args=[999])).status_code == 404
    assert client.post(reverse("rounds:round-publish", args=[999])).status_code == 404


# --- starting a round -----------------------------------------------------------------------


def test_the_form_offers_the_defaults_and_the_offers_at_hand(client, secretariat, world):
    client.force_login(secretariat)
    response = client.get(reverse("rounds:round-create"))
    form = response.context["form"]
    assert form["institution_cap"].value() == 3
    assert str(form["country_slack"].value()) == "0.2"
    assert form["k"].value() == 10
    assert response.context["counts"] == {"asia": 5, "europe": 5}
    # The country lists hold each region's countries only.
    assert dict(form.fields["asian_countries"].choices).keys() == {"MY", "TH", "JP"}
    assert "NL" in dict(form.fields["european_countries"].choices)


def test_the_secretariat_starts_a_round_and_lands_on_its_result(
    client, secretariat, world, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("rounds:round-create"), form_post(asian_countries=["MY", "JP"])
        )
    created = PairingRound.objects.get()
    assert response["Location"] == reverse("rounds:round-detail", args=[created.pk])
    assert created.created_by == secretariat
    assert created.params["asian_countries"] == ["JP", "MY"]
    assert created.status == RoundStatus.DONE
    page = client.get(response["Location"]).content.decode()
    assert "The round is started." in page
    assert "Coastal Ecosystems and Climate Adaptation" in page
    assert 'role="progressbar"' not in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "  ", "Give the round a name"),
        ("institution_cap", "0", "Each institution must be allowed at least one proposal."),
        ("institution_cap", "three", "Enter a whole number of proposals."),
        ("country_slack", "-0.1", "The slack cannot be negative."),
        ("country_slack", "0.125", "Use at most two decimals"),
        ("k", "0", "Each offer needs at least one candidate."),
        ("k", "500", "At most 50 candidates per offer."),
        ("asian_countries", ["XX"], "Select a valid choice."),
    ],
)
def test_invalid_settings_are_explained_and_start_nothing(
    client, secretariat, world, field, value, message
):
    client.force_login(secretariat)
    response = client.post(reverse("rounds:round-create"), form_post(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors[field]
    assert not PairingRound.objects.exists()


def test_filters_that_leave_one_region_empty_are_refused(client, secretariat, world):
    client.force_login(secretariat)
    response = client.post(reverse("rounds:round-create"), form_post(levels=["8"]))
    assert response.status_code == 200
    assert shows(response, NO_OFFERS_IN_ASIA)
    assert shows(response, NO_OFFERS_IN_EUROPE)
    assert not PairingRound.objects.exists()


def test_a_failed_round_can_be_started_again_with_its_settings(client, secretariat, world):
    failed = PairingRound.objects.create(
        name="Autumn",
        created_by=secretariat,
        status=RoundStatus.FAILED,
        error="pairing LP failed: infeasible",
        progress_note=NOTE_EXACT,
        params=RoundParams(institution_cap=2, kinds=("coil",), k=7).as_json(),
    )
    client.force_login(secretariat)
    page = client.get(reverse("rounds:round-detail", args=[failed.pk]))
    assert "pairing LP failed: infeasible" in page.content.decode()
    assert shows(page, NOTE_EXACT)
    assert "Kinds: COIL — two classes work together" in page.content.decode()
    form = client.get(reverse("rounds:round-create") + f"?from={failed.pk}").context["form"]
    assert form["institution_cap"].value() == 2
    assert form["kinds"].value() == ["coil"]
    assert form["k"].value() == 7


# --- following a running round --------------------------------------------------------------


def test_a_running_round_shows_an_accessible_progress_bar_that_refreshes(
    client, secretariat, queued_round
):
    client.force_login(secretariat)
    response = client.get(reverse("rounds:round-detail", args=[queued_round.pk]))
    page = response.content.decode()
    assert 'role="progressbar"' in page
    assert 'aria-valuenow="42"' in page
    assert 'aria-valuemin="0"' in page and 'aria-valuemax="100"' in page
    assert "Finding candidate partners" in page
    assert reverse("rounds:round-progress", args=[queued_round.pk]) in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert "no-cache" in response["Cache-Control"]


def test_the_progress_of_a_round_is_polled_as_json(client, secretariat, queued_round):
    client.force_login(secretariat)
    response = client.get(reverse("rounds:round-progress", args=[queued_round.pk]))
    assert json.loads(response.content) == {
        "status": "running",
        "status_display": "Running",
        "progress": 42,
        "note": "Finding candidate partners",
        "url": reverse("rounds:round-detail", args=[queued_round.pk]),
    }


# --- reading the result ---------------------------------------------------------------------


def test_the_result_page_shows_pairs_figures_and_tables_with_captions(
    client, secretariat, done_round
):
    client.force_login(secretariat)
    response = client.get(reverse("rounds:round-detail", args=[done_round.pk]))
    page = response.content.decode()
    # The pairs, with institutions, countries, score and why.
    assert "Universiti Malaya, Malaysia" in page
    assert "Wageningen University, Netherlands" in page
    assert "same detailed field 0521" in page
    assert 'id="figure-pairs">5<' in page
    # Every figure is a table with a caption.
    for table in ("comparison", "balance", "coverage-regions", "coverage-countries", "pairs"):
        start = page.index(f'<table id="{table}">')
        assert page.index("<caption>", start) < page.index("</table>", start)
    report = response.context["report"]
    assert report["exact"]["pairs"] == 5
    assert report["greedy"]["pairs"] == 4
    assert report["gain"]["pairs_percent_display"] == "+25.0 %"
    assert report["exact"]["balance"]["index_display"] == "±0.00"
    # Within ±0.05 the index reads "balanced", on the round page as on the statistics.
    assert report["exact"]["balance"]["reading"] == "balanced"
    assert "±0.00</strong>\n      balanced</li>" in page
    assert {row["name"] for row in report["countries"]} >= {"Malaysia", "Netherlands"}
    # Publishing starts with its confirmation page (a link, not a form).
    assert 'href="{}"'.format(reverse("rounds:round-publish", args=[done_round.pk])) in page


def test_times_are_shown_in_the_viewers_time_zone(client, secretariat, queued_round):
    secretariat.time_zone = "Asia/Tokyo"
    secretariat.save()
    PairingRound.objects.filter(pk=queued_round.pk).update(
        created_at=dt.datetime(2027, 3, 1, 0, 30, tzinfo=dt.UTC)
    )
    client.force_login(secretariat)
    page = client.get(reverse("rounds:round-detail", args=[queued_round.pk])).content.decode()
    assert "1 March 2027, 09:30" in page
    assert "Asia/Tokyo" in page
    listing = client.get(reverse("rounds:round-list")).content.decode()
    assert "1 March 2027, 09:30" in listing


def test_the_round_list_costs_the_same_queries_for_many_rounds(
    client, secretariat, queued_round, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(secretariat)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("rounds:round-list"))
    for i in range(5):
        PairingRound.objects.create(name=f"Round {i}", created_by=secretariat)
    with django_assert_max_num_queries(len(one)):
        response = client.get(reverse("rounds:round-list"))
    assert response.content.decode().count('href="/secretariat/rounds/') >= 6


# --- publishing -----------------------------------------------------------------------------


def test_publishing_from_the_page_creates_the_proposals_once(
    client, secretariat, done_round, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    url = reverse("rounds:round-publish", args=[done_round.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the eager task runs on commit
        client.post(url)
    first = client.get(reverse("rounds:round-detail", args=[done_round.pk]))
    assert "5 proposals were created." in first.content.decode()
    assert Proposal.objects.filter(pairing_round=done_round).count() == 5

    second = client.post(url, follow=True)
    assert shows(second, ROUND_ALREADY_PUBLISHED)
    assert Proposal.objects.count() == 5
    page = second.content.decode()
    assert "5 proposals were created." in page
    assert "Publish the round" not in page


def test_publishing_a_round_that_is_still_running_is_refused(client, secretariat, queued_round):
    client.force_login(secretariat)
    response = client.post(reverse("rounds:round-publish", args=[queued_round.pk]), follow=True)
    assert "Only a finished round can be published" in response.content.decode()
    queued_round.refresh_from_db()
    assert queued_round.status == RoundStatus.RUNNING
    assert not Proposal.objects.exists()


def test_a_worker_publishes_the_round_and_the_page_follows_it(client, secretariat, done_round):
    """Outside the eager mode the request only queues the publication."""
    client.force_login(secretariat)
    response = client.post(reverse("rounds:round-publish", args=[done_round.pk]), follow=True)
    page = response.content.decode()
    assert "Publishing: the proposals are being created." in page
    assert "Publishing the round: its proposals are being created" in page
    assert 'id="round-progress"' not in page  # the computing bar is over
    assert reverse("rounds:round-progress", args=[done_round.pk]) in page
    assert Proposal.objects.count() == 0
    progress = client.get(reverse("rounds:round-progress", args=[done_round.pk])).json()
    assert progress["status"] == "publishing"

    assert tasks.publish_round(done_round.pk) == "published"
    assert tasks.publish_round(done_round.pk) == "published"  # delivered twice: once
    assert Proposal.objects.filter(pairing_round=done_round).count() == 5
    page = client.get(reverse("rounds:round-detail", args=[done_round.pk])).content.decode()
    assert "5 proposals were created." in page


def test_a_round_whose_publishing_worker_died_is_published_again_by_beat(
    settings, secretariat, done_round, django_capture_on_commit_callbacks
):
    settings.ROUND_STALE_MINUTES = 15
    services.round_publish_queue(pairing_round=done_round, actor=secretariat)
    PairingRound.objects.filter(pk=done_round.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=20)
    )
    tasks.reap_stale_rounds()  # eager: publishes at once
    done_round.refresh_from_db()
    assert done_round.status == RoundStatus.PUBLISHED
    assert Proposal.objects.filter(pairing_round=done_round).count() == 5


@pytest.mark.postgres
def test_two_deliveries_of_the_publishing_task_at_once_publish_once(
    transactional_db, secretariat, django_capture_on_commit_callbacks
):
    """Beat re-queued a slow publication: the second delivery waits on the round's lock
    and finds it published, without failing."""
    from tests.concurrency import race
    from tests.rounds.test_rounds import build_world, run_round

    build_world()
    done = run_round(secretariat, capture=django_capture_on_commit_callbacks)
    PairingRound.objects.filter(pk=done.pk).update(
        status=RoundStatus.PUBLISHING, stats={**done.stats, "publishing_by": secretariat.pk}
    )
    outcomes = race(lambda: tasks.publish_round(done.pk), lambda: tasks.publish_round(done.pk))
    assert outcomes == ["published", "published"]
    assert Proposal.objects.filter(pairing_round=done).count() == done.pairs.count()
