"""GET /metrics for Prometheus: what the processes recorded (core.metrics), plus what is
read when scraped: the Celery queue's length, the text model's version and age, and the
health of each part (the probes of /healthz).

Off unless METRICS_TOKEN is set; the scraper sends `Authorization: Bearer <token>` (and a
network rule should keep the path internal too)."""

from __future__ import annotations

import os

import redis
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY

from dashboard import health
from matching.models import TextModelVersion


class ScrapeTimeCollector:
    def collect(self):
        queue = GaugeMetricFamily(
            "tandem_celery_queue_length", "Tasks waiting in the Celery queue (Redis broker)."
        )
        queue.add_metric([], _queue_length())
        yield queue
        latest = TextModelVersion.objects.order_by("-pk").first()
        version = GaugeMetricFamily("tandem_model_version", "The newest text model's number.")
        age = GaugeMetricFamily("tandem_model_age_seconds", "Seconds since it was fitted.")
        if latest is not None:
            version.add_metric([], latest.pk)
            age.add_metric([], (timezone.now() - latest.fitted_at).total_seconds())
        yield version
        yield age
        _healthy, results = health.run_checks()
        up = GaugeMetricFamily("tandem_part_up", "1 when the part answers.", labels=["part"])
        for part, result in results.items():
            up.add_metric([part], 0.0 if result.startswith("down") else 1.0)
        yield up


def _queue_length() -> float:
    if not settings.REDIS_URL:
        return 0.0
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2)
    return float(client.llen("celery"))


_SCRAPE = CollectorRegistry()
_SCRAPE.register(ScrapeTimeCollector())


def _exposition() -> bytes:
    """This process's metrics (or, with PROMETHEUS_MULTIPROC_DIR, every process's of the
    machine), then the ones read now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        recorded = CollectorRegistry()
        MultiProcessCollector(recorded)
    else:
        recorded = REGISTRY
    return generate_latest(recorded) + generate_latest(_SCRAPE)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not constant_time_compare(given, token):
        return HttpResponse("Send the metrics token as a bearer token.\n", status=401)
    return HttpResponse(_exposition(), content_type=CONTENT_TYPE_LATEST)
