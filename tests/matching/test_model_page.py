"""The learned ranking end to end: the daily task on recorded outcomes, the weights the
engine then uses, and the secretariat's page of it (403 for everyone else)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from matching import engine, tasks
from matching.features import Weights
from matching.models import RankingModel, SuggestionEvent
from tests import factories
from tests.matching.outcome_data import FIXED, KNOWN, store, synthetic_events

pytestmark = pytest.mark.django_db

PAGE = "/secretariat/matching-model/"


@pytest.fixture
def offer_ids(alice, european_institution):
    """Forty offers for the outcomes to point at (their own features do not matter: an
    event carries the components the pair had)."""
    jan = factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")
    mine = [factories.make_offer(alice, publish=False, title=f"Asia {n}") for n in range(20)]
    theirs = [factories.make_offer(jan, publish=False, title=f"Europe {n}") for n in range(20)]
    return [o.pk for o in mine + theirs]


def test_outcomes_of_known_weights_make_the_engine_use_them(offer_ids, django_assert_num_queries):
    store(synthetic_events(KNOWN, offer_ids))
    pk = tasks.refit_ranking.delay().get()
    fit = RankingModel.objects.get(pk=pk)
    assert fit.active
    assert fit.metrics["learned_auc"] > fit.metrics["fixed_auc"]
    assert fit.metrics["learned_ndcg"] > fit.metrics["fixed_ndcg"]
    with django_assert_num_queries(1):
        w = engine.weights()
    assert w.isced > w.text > w.level > max(w.overlap, w.size, w.priority)
    # The hard thresholds stay the settings'.
    assert (w.min_overlap_hours, w.min_text_without_field) == (
        1.0,
        Weights().min_text_without_field,
    )


def test_outcomes_of_the_fixed_weights_leave_them_in_use(offer_ids):
    store(synthetic_events(FIXED, offer_ids, seed=3))
    fit = RankingModel.objects.get(pk=tasks.refit_ranking())
    assert not fit.active
    assert engine.weights() == Weights()


def test_a_losing_fit_retires_the_winner_before_it(offer_ids):
    store(synthetic_events(KNOWN, offer_ids))
    first = RankingModel.objects.get(pk=tasks.refit_ranking())
    assert first.active
    # Lecturers' habits change: the newest fit no longer wins, the fixed weights serve.
    SuggestionEvent.objects.all().delete()
    store(synthetic_events(KNOWN, offer_ids, seed=5, noise=True))
    second = RankingModel.objects.get(pk=tasks.refit_ranking())
    assert not second.active
    assert not RankingModel.objects.filter(active=True).exists()
    assert engine.weights() == Weights()


def test_the_task_skips_with_too_few_outcomes(settings, offer_ids):
    store(synthetic_events(KNOWN, offer_ids[:8]))  # 56 pairs, about half with an outcome
    settings.RANKING_MIN_OUTCOMES = 200
    assert tasks.refit_ranking() is None
    assert not RankingModel.objects.exists()
    assert engine.weights() == Weights()


def test_the_settings_schedule_the_refit_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["matching-ranking-refit"]
    assert entry["task"] == "matching.tasks.refit_ranking"
    assert tasks.refit_ranking.name == entry["task"]


def test_only_the_secretariat_sees_the_page(client, alice, bob, secretariat):
    assert client.get(PAGE).status_code == 302
    assert "/accounts/login/" in client.get(PAGE)["Location"]
    for person in (alice, bob):
        client.force_login(person)
        assert client.get(PAGE).status_code == 403
        assert client.post(reverse("matching:ranking-refit")).status_code == 403
    assert not RankingModel.objects.exists()


def test_the_page_shows_the_weights_the_evaluation_and_the_date(client, secretariat, offer_ids):
    store(synthetic_events(KNOWN, offer_ids))
    client.force_login(secretariat)
    body = client.get(PAGE).content.decode()
    assert "The fixed weights are in use." in body
    assert "No fit yet." in body
    # Refit now: queued (run at once here) and shown.
    response = client.post(reverse("matching:ranking-refit"), follow=True)
    body = response.content.decode()
    fit = RankingModel.objects.get()
    assert f"The learned weights of fit {fit.pk} are in use." in body
    assert str(fit.metrics["learned_auc"]) in body and str(fit.metrics["fixed_ndcg"]) in body
    assert "A refit is queued." in body
    # The date in the viewer's zone.
    secretariat.time_zone = "Asia/Tokyo"
    secretariat.save()
    body = client.get(PAGE).content.decode()
    tokyo = localtime(fit.fitted_at, ZoneInfo("Asia/Tokyo"))
    assert f"Fitted {date_format(tokyo, 'DATETIME_FORMAT')} (Asia/Tokyo)." in body


def test_one_refit_at_a_time(settings, offer_ids):
    from django.core.cache import cache

    store(synthetic_events(KNOWN, offer_ids[:12]))
    settings.RANKING_MIN_OUTCOMES = 10
    cache.add(tasks.RANKING_REFIT_KEY, 1)  # another worker's refit is running
    assert tasks.refit_ranking() is None
    cache.delete(tasks.RANKING_REFIT_KEY)
    assert RankingModel.objects.filter(pk=tasks.refit_ranking()).exists()
