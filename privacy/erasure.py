"""Deleting one's account: the person goes, what they built with others stays.

The user row is kept, anonymised: exchanges, decisions and chat messages point at it
(the chat's author is protected), and the statistics count the exchanges, not the people.
What identifies the person is erased: name, address (replaced by one nobody can own,
accounts.models.erased_email, which makes them "a former member" wherever they are
named), password, sessions, tokens, second factors, affiliations, notifications, the
calendar feed and session reminders.

Their offers: a co-owner takes over an offer that has one. Otherwise drafts are deleted,
open offers closed, and proposals still waiting for an answer withdrawn, so no partner
waits on someone who left; approved and running exchanges go on untouched.

One transaction: a failure anywhere leaves everything as it was.
"""

from __future__ import annotations

import logging
from importlib import import_module

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from accounts.models import User, erased_email
from exchanges import services as proposal_services
from exchanges.models import Proposal, ProposalState
from messaging.models import ChatConnection, ConversationMember
from notifications.models import Notification, PartnerAlert
from offers import services as offer_services
from offers.models import Offer, OfferStatus
from planning.models import CalendarFeed, PlanningPreference, SessionReminder

logger = logging.getLogger(__name__)

LEFT_TANDEM = _("The lecturer has left Tandem.")
WAITING = (ProposalState.PROPOSED, ProposalState.ACCEPTED, ProposalState.CHANGES)
# Second factors and the session list, when those allauth apps are installed.
OPTIONAL_PERSONAL_MODELS = (("mfa", "Authenticator"), ("usersessions", "UserSession"))


def _hand_over_or_wind_down(user: User, offer: Offer) -> None:
    co_owner = offer.co_owners.order_by("pk").first()
    if co_owner is not None:
        offer.co_owners.remove(co_owner)
        Offer.objects.filter(pk=offer.pk).update(owner=co_owner, updated_at=timezone.now())
        return
    proposals = Proposal.objects.filter(Q(asian_offer=offer) | Q(european_offer=offer))
    for proposal in proposals.filter(state__in=WAITING):
        proposal_services.proposal_withdraw(proposal=proposal, actor=user, note=str(LEFT_TANDEM))
    if offer.status == OfferStatus.DRAFT:
        if not proposals.exists():
            offer.delete()
    elif offer.status == OfferStatus.OPEN:
        offer_services.offer_close(offer=offer, actor=user)


def _wind_down_offers(user: User) -> None:
    for offer in Offer.objects.filter(owner=user).order_by("pk"):
        _hand_over_or_wind_down(user, offer)
    Offer.co_owners.through.objects.filter(user_id=user.pk).delete()


def session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def end_sessions(user_id: int) -> int:
    """Delete every stored session of the user (database-backed session engines)."""
    store = session_store()
    if not hasattr(store, "get_model_class"):
        # Other engines cannot be listed; the changed password hash still ends them.
        return 0
    ended = 0
    sessions = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for session in sessions.iterator(chunk_size=500):
        if session.get_decoded().get(SESSION_KEY) == str(user_id):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


def _erase_personal_rows(user: User) -> None:
    user.affiliations.all().delete()
    EmailAddress.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    PartnerAlert.objects.filter(user=user).delete()
    # The calendar feed goes (its address stops working), with the reminder switch and
    # the record of reminders sent.
    CalendarFeed.objects.filter(user=user).delete()
    PlanningPreference.objects.filter(user=user).delete()
    SessionReminder.objects.filter(recipient=user).delete()
    ChatConnection.objects.filter(user=user).delete()
    ConversationMember.objects.filter(user=user, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    for app_label, model_name in OPTIONAL_PERSONAL_MODELS:
        if apps.is_installed(f"allauth.{app_label}"):
            apps.get_model(app_label, model_name).objects.filter(user=user).delete()
    end_sessions(user.pk)


def _anonymise(user: User) -> None:
    user.email = erased_email(user.pk)
    user.full_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = user.is_superuser = user.is_secretariat = False
    user.email_notifications = False
    user.preferred_language = settings.LANGUAGE_CODE
    user.time_zone = "UTC"
    user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


@transaction.atomic
def account_erase(*, user: User) -> None:
    """Erase the person behind `user` (see the module's note). Cannot be undone."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_erased:
        return
    _wind_down_offers(user)
    _erase_personal_rows(user)
    _anonymise(user)
    logger.info("account %s erased at its owner's request", user.pk)
