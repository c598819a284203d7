"""The API's authentication: DRF's token and session, refusing (403, code mfa_required)
an office, the secretariat or staff who has no second factor yet."""

from __future__ import annotations

from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication, exceptions

from accounts import mfa


def second_factor_required() -> exceptions.PermissionDenied:
    # The body names the code as well as the message, so a client can send the user
    # to the Security page.
    return exceptions.PermissionDenied(
        {"detail": mfa.MFA_REQUIRED, "code": mfa.MFA_REQUIRED_CODE}, code=mfa.MFA_REQUIRED_CODE
    )


def _checked(django_request, result):
    if result is not None and mfa.gate(django_request, result[0]):
        raise second_factor_required()
    return result


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request):
        # No session to remember anything in: checked on every request.
        return _checked(None, super().authenticate(request))


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        # The session remembers an enrolled user (mfa.gate).
        return _checked(request._request, super().authenticate(request))


class SecondFactorSessionScheme(SessionScheme):
    """The schema's cookie scheme for our session class (the token one matches by
    subclass already)."""

    target_class = "accounts.authentication.SessionAuthentication"
