from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Connect the Celery signals (request ids into tasks, task metrics) in every
        # process, web and worker alike.
        from core import metrics, requestid  # noqa: F401
