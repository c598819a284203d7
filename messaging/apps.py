from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from core import panels
        from messaging import receivers  # noqa: F401  (connects the receivers)
        from messaging.panels import chat_api_field, chat_panel

        panels.register(panels.PROPOSAL_PAGE, chat_panel)
        panels.register(panels.PROPOSAL_API, chat_api_field)
