"""The second factor: who must have one, checking a code outside allauth's pages (the
token API), and allauth.mfa's adapter (site name, WebAuthn's relying party, and no
removing the last authenticator of someone who must have one)."""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import selectors
from accounts.models import User

MFA_REQUIRED_CODE = "mfa_required"
MFA_REQUIRED = _(
    "Your account acts for an institution or the Tandem secretariat, so it needs "
    "two-factor authentication. Set up an authenticator app or a security key on the "
    "Security page of the website, then try again."
)
CODE_NEEDED = _(
    "This account uses two-factor authentication: send the 6-digit code of your "
    "authenticator app (or a recovery code) as “code”."
)
CODE_WRONG = _("The authenticator code is wrong or was already used; send the current one.")

# Kinds that count as a second factor (recovery codes alone are only a fallback).
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def must_use_mfa(user: User) -> bool:
    """Offices, the secretariat and staff act for others: they need a second factor."""
    if not user.is_authenticated:
        return False
    return bool(user.is_secretariat or user.is_staff or selectors.remember_office_ids(user))


def has_mfa(user: User) -> bool:
    return is_mfa_enabled(user, types=SECOND_FACTORS)


def lacks_required_mfa(user: User) -> bool:
    return must_use_mfa(user) and not has_mfa(user)


# Set in the session once the signed-in user is known to have a second factor: the check
# then costs no query. Removing one's last authenticator is refused (MFAAdapter) and
# signing out ends the session.
SESSION_KEY = "tandem.mfa_enrolled"


def gate(request, user: User | None = None) -> bool:
    """True when the user must set up a second factor before going on. Costs no query
    for an enrolled user's session; otherwise the offices are read once per request
    (selectors.remember_office_ids), and the authenticators if they are needed."""
    user = user if user is not None else request.user
    if not user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) == user.pk:
        return False
    if not must_use_mfa(user):
        return False
    if not has_mfa(user):
        return True
    if session is not None:
        session[SESSION_KEY] = user.pk
    return False


def remember_on_login(sender, request, user, **kwargs) -> None:
    """user_logged_in: note an enrolled user in the new session at once."""
    if request is not None and hasattr(request, "session") and has_mfa(user):
        request.session[SESSION_KEY] = user.pk


def forget_on_removal(sender, request, user, **kwargs) -> None:
    """authenticator_removed: check again on the next request."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)


def verify_code(user: User, code: str) -> None:
    """Check a TOTP or recovery code for the token API, under the sign-in's rate limit.

    Raises ValidationError (too many attempts, or a wrong code)."""
    clear_limit = check_rate_limit(user)
    kinds = [Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    for authenticator in Authenticator.objects.filter(user=user, type__in=kinds):
        if authenticator.wrap().validate_code(code.strip()):
            clear_limit()
            return
    raise ValidationError(CODE_WRONG, code="incorrect_code")


class MFAAdapter(DefaultMFAAdapter):
    def _get_site_name(self) -> str:
        return "Tandem"

    def get_totp_issuer(self) -> str:
        return "Tandem"

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        # Keys are bound to the site's own host name, not whatever Host a request names.
        return {"id": urlsplit(settings.TANDEM_SITE_URL).hostname or "", "name": "Tandem"}

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        user = authenticator.user
        if authenticator.type == Authenticator.Type.RECOVERY_CODES or not must_use_mfa(user):
            return True
        others = Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exclude(
            pk=authenticator.pk
        )
        return others.exists()
