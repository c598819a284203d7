from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class BalanceConfig(AppConfig):
    name = "balance"
    verbose_name = _("Exchange balance statistics")

    def ready(self) -> None:
        from balance.cache import data_changed
        from exchanges.models import CompletionReport, Offer, Proposal

        for model in (Offer, Proposal, CompletionReport):
            post_save.connect(data_changed, sender=model, dispatch_uid=f"balance-{model.__name__}")
            post_delete.connect(
                data_changed, sender=model, dispatch_uid=f"balance-del-{model.__name__}"
            )
