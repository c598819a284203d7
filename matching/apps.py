from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from core import panels
        from matching import receivers  # noqa: F401  (connects the receivers)
        from matching.outcome_panels import opened_from_suggestion
        from matching.panels import suggestions_panel

        panels.register(panels.OFFER_PAGE, suggestions_panel)
        panels.register(panels.OFFER_PAGE, opened_from_suggestion)
