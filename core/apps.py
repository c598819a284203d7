import sentry_sdk
from django.apps import AppConfig
from django.conf import settings

from core.requestid import current


def _with_request_id(event, hint):
    if current.get():
        event.setdefault("tags", {})["request_id"] = current.get()
    return event


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Connect the Celery signals (request ids into tasks, task metrics) in every
        # process, web and worker alike.
        from core import metrics  # noqa: F401

        if settings.SENTRY_DSN:
            sentry_sdk.init(
                dsn=settings.SENTRY_DSN,
                environment="production" if settings.PRODUCTION else "embedded",
                send_default_pii=False,  # no e-mail addresses or cookies leave Tandem
                traces_sample_rate=0.0,
                before_send=_with_request_id,
            )
