"""How long Tandem keeps what it no longer needs (docs/privacy.md), applied nightly by
privacy.tasks.apply_retention:

- an account whose address was never confirmed, after PRIVACY_UNVERIFIED_DAYS: the person
  never signed in, so nothing else points at it;
- notifications, PRIVACY_NOTIFICATION_DAYS after they were created;
- expired sessions and e-mail confirmation keys, and the API tokens of switched-off or
  erased accounts (a password reset link is signed, not stored: nothing to remove).

Each step deletes in batches of its own transaction, so a long backlog neither holds
locks for long nor loses what an earlier batch did.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from allauth.account.models import EmailAddress, EmailConfirmation
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, ProtectedError, QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User
from notifications.models import Notification
from privacy.erasure import session_store

logger = logging.getLogger(__name__)

BATCH = 500
UNVERIFIED_DAYS_DEFAULT = 14
NOTIFICATION_DAYS_DEFAULT = 365


@dataclass
class Removed:
    unverified_accounts: int = 0
    notifications: int = 0
    sessions: int = 0
    confirmation_keys: int = 0
    tokens: int = 0


def _days(name: str, default: int) -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, name, default))


def stale_unverified_accounts(now: dt.datetime) -> QuerySet[User]:
    """Accounts signed up (an address row exists) but never confirmed nor signed in.
    Accounts made by an administrator have no address row and are never touched."""
    before = now - _days("PRIVACY_UNVERIFIED_DAYS", UNVERIFIED_DAYS_DEFAULT)
    addresses = EmailAddress.objects.filter(user=OuterRef("pk"))
    return User.objects.filter(
        Exists(addresses),
        ~Exists(addresses.filter(verified=True)),
        date_joined__lt=before,
        last_login__isnull=True,
        is_staff=False,
        is_superuser=False,
        is_secretariat=False,
    )


def _delete_in_batches(qs: QuerySet) -> int:
    removed = 0
    while True:
        ids = list(qs.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return removed
        with transaction.atomic():
            removed += qs.model.objects.filter(pk__in=ids).delete()[1].get(qs.model._meta.label, 0)


def _remove_unverified(now: dt.datetime) -> int:
    removed = 0
    for pk in list(stale_unverified_accounts(now).values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                removed += User.objects.filter(pk=pk).delete()[1].get(User._meta.label, 0)
        except ProtectedError:
            # Something points at it after all (an administrator's doing): keep it, say so.
            logger.warning("retention: unverified account %s is referenced; kept", pk)
    return removed


def _clear_expired_sessions() -> int:
    store = session_store()
    if not hasattr(store, "get_model_class"):
        store.clear_expired()
        return 0
    expired = store.get_model_class().objects.filter(expire_date__lt=timezone.now())
    return _delete_in_batches(expired)


def apply_retention(now: dt.datetime | None = None) -> Removed:
    now = now or timezone.now()
    removed = Removed()
    removed.unverified_accounts = _remove_unverified(now)
    old = now - _days("PRIVACY_NOTIFICATION_DAYS", NOTIFICATION_DAYS_DEFAULT)
    removed.notifications = _delete_in_batches(Notification.objects.filter(created_at__lt=old))
    removed.sessions = _clear_expired_sessions()
    expired_keys = EmailConfirmation.objects.filter(EmailConfirmation.objects.expired_q())
    removed.confirmation_keys = _delete_in_batches(expired_keys)
    removed.tokens = _delete_in_batches(Token.objects.filter(user__is_active=False))
    logger.info("retention applied: %s", removed)
    return removed
