from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and institutions")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_removed
        from django.contrib.auth.signals import user_logged_in

        from accounts import mfa

        user_logged_in.connect(mfa.remember_on_login, dispatch_uid="accounts.mfa.remember")
        authenticator_removed.connect(mfa.forget_on_removal, dispatch_uid="accounts.mfa.forget")
