"""Prometheus metrics that the processes record as they work: request latency by route,
open WebSockets, chat sends, Celery task durations and failures, the text model each
process serves. What is read at scrape time (queue length, the newest model version,
health) is dashboard.metrics'.

With several processes per machine, set PROMETHEUS_MULTIPROC_DIR (an empty directory
shared by the processes of one machine): each process writes its values there and the
endpoint adds them up."""

from __future__ import annotations

import time

from celery.signals import task_failure, task_postrun, task_prerun
from prometheus_client import Counter, Gauge, Histogram

REQUEST_SECONDS = Histogram(
    "tandem_http_request_seconds",
    "Time to answer an HTTP request, by route pattern.",
    ["method", "route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10),
)
WEBSOCKETS_OPEN = Gauge(
    "tandem_websockets_open",
    "Open WebSocket connections.",
    ["kind"],
    multiprocess_mode="livesum",
)
CHAT_SENDS = Counter("tandem_chat_messages_total", "Chat messages stored and broadcast.")
CHAT_SEND_SECONDS = Histogram(
    "tandem_chat_send_seconds",
    "From a chat message's frame arriving to its broadcast (stored and acknowledged).",
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1),
)
TASK_SECONDS = Histogram(
    "tandem_celery_task_seconds",
    "Time a Celery task ran, by task.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300),
)
TASK_FAILURES = Counter("tandem_celery_task_failures_total", "Celery tasks that failed.", ["task"])
# The newest version is read at scrape time (dashboard.metrics); these say what each
# process serves, which lags it when the storage cannot be read (matching.engine).
MODEL_LOADED_VERSION = Gauge(
    "tandem_model_loaded_version",
    "The text model version this process serves suggestions from (0: none loaded yet).",
    multiprocess_mode="liveall",
)
MODEL_LOAD_FAILURES = Counter(
    "tandem_model_load_failures_total",
    "Text model versions this process could not read from the storage (it kept the one it had).",
)


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        # The pattern, never the path: one series per page, not per offer.
        route = match.route if match else "unmatched"
        REQUEST_SECONDS.labels(request.method, route, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response


_started: dict[str, float] = {}


@task_prerun.connect(dispatch_uid="tandem_metrics_task_start")
def _task_start(task_id=None, **kwargs) -> None:
    _started[task_id] = time.perf_counter()


@task_postrun.connect(dispatch_uid="tandem_metrics_task_end")
def _task_end(task_id=None, task=None, **kwargs) -> None:
    started = _started.pop(task_id, None)
    if started is not None and task is not None:
        TASK_SECONDS.labels(task.name).observe(time.perf_counter() - started)


@task_failure.connect(dispatch_uid="tandem_metrics_task_failure")
def _task_failed(sender=None, **kwargs) -> None:
    TASK_FAILURES.labels(getattr(sender, "name", "unknown")).inc()
