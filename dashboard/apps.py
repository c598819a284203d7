from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from core import panels
        from dashboard.profiles import institution_panel

        panels.register(panels.INSTITUTION_PAGE, institution_panel)
