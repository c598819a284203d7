from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    """Joint sessions on real dates: the session planner, academic calendars, calendar
    exports and feeds, session reminders."""

    name = "planning"
    verbose_name = _("Session planning")

    def ready(self) -> None:
        from core import panels
        from planning.panels import planner_links

        panels.register(panels.PROPOSAL_PAGE, planner_links)
