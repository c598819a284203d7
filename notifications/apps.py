from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core import panels
        from notifications import live, receivers  # noqa: F401  (connects the receivers)
        from notifications.panels import alert_panel

        panels.register(panels.OFFER_PAGE, alert_panel)
        # The badge and the notifications page follow the user's inbox socket.
        panels.register(live.INBOX_FEEDS, live.inbox_feed)
