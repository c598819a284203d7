from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class BalanceConfig(AppConfig):
    name = "balance"
    verbose_name = _("Exchange balance statistics")

    def ready(self) -> None:
        from balance import facts
        from balance.cache import data_changed
        from exchanges.models import CompletionReport, Proposal
        from offers.models import Offer

        for model in (Offer, Proposal, CompletionReport):
            post_save.connect(data_changed, sender=model, dispatch_uid=f"balance-{model.__name__}")
            post_delete.connect(
                data_changed, sender=model, dispatch_uid=f"balance-del-{model.__name__}"
            )
        # The statistics' narrow copy of the proposals, kept in the same transaction.
        post_save.connect(facts.proposal_saved, sender=Proposal, dispatch_uid="balance-fact-p")
        post_save.connect(facts.offer_saved, sender=Offer, dispatch_uid="balance-fact-o")
        m2m_changed.connect(
            facts.offer_sdgs_changed, sender=Offer.sdgs.through, dispatch_uid="balance-fact-sdg"
        )
