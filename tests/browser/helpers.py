"""Signing in through the real pages, with the second factor when the account has one."""

from __future__ import annotations

import re

from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from accounts.models import User
from tests import factories

# The server accepts the codes of the previous, current and next 30 s (MFA_TOTP_TOLERANCE)
# and each only once; a test that signs one person in several times takes the next.
_STEPS = (0, 1, -1)
_used: dict[int, int] = {}


def fresh_code(user: User) -> str:
    count = _used.get(user.pk, 0)
    _used[user.pk] = count + 1
    return factories.totp_code(user, step=_STEPS[count % len(_STEPS)])


def enter_code(page, user: User) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.locator("input[name=code]").fill(fresh_code(user))
    page.get_by_role("button", name="Sign In", exact=True).click()


def sign_in(page, base: str, email: str, *, clear: bool = False) -> None:
    """Password, then the authenticator code if the account has an authenticator app."""
    if clear:
        page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    user = User.objects.get(email=email)
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        enter_code(page, user)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
