"""Account e-mails (sign-up confirmation, password reset, …) that carry Tandem's name and
the site's configured address, in the recipient's language.

allauth names the site and builds its links from the request's host (no sites framework
here), so a confirmation read "Hello from 127.0.0.1:8000!". Here the site is Tandem at
TANDEM_SITE_URL, and every link in an account e-mail points there."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


@dataclass(frozen=True)
class Site:
    name: str
    domain: str


def site() -> Site:
    return Site("Tandem", urlsplit(settings.TANDEM_SITE_URL).netloc)


def on_site(url: str) -> str:
    """The same path and query on the configured site."""
    base, parts = urlsplit(settings.TANDEM_SITE_URL), urlsplit(url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))


def _language_of(email: str, context: dict) -> str | None:
    """The recipient's saved language, when the address belongs to an account that has
    one; else the page's (a sign-up is confirmed in the language it was made in)."""
    user = context.get("user")
    if user is None or getattr(user, "email", None) != email:
        from accounts.models import User

        user = User.objects.filter(email__iexact=email).first()
    language = getattr(user, "preferred_language", "") if user is not None else ""
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else None


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {**context, "current_site": site()}
        language = _language_of(email, context) or translation.get_language()
        with translation.override(language):
            msg = self.render_mail(template_prefix, email, context)
        msg.send()

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return on_site(super().get_email_confirmation_url(request, emailconfirmation))

    def get_reset_password_from_key_url(self, key: str) -> str:
        return on_site(super().get_reset_password_from_key_url(key))
