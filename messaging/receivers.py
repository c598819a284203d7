"""The chat follows the pairing workflow and the sessions: each new proposal opens its
conversation (in the same transaction); ending a session ends its chat sockets (logging
out, or a password changed, set or reset, which also ends the user's other sessions)."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from exchanges.signals import proposal_created
from messaging.chat import open_conversation
from messaging.events import close_sockets


@receiver(proposal_created, dispatch_uid="chat_open_on_proposal")
def _proposal_created(sender, proposal, **kwargs):
    open_conversation(proposal)


@receiver(user_logged_out, dispatch_uid="chat_close_on_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        close_sockets(user.pk, None, "session_ended")


@receiver(password_changed, dispatch_uid="chat_close_on_password_changed")
@receiver(password_set, dispatch_uid="chat_close_on_password_set")
@receiver(password_reset, dispatch_uid="chat_close_on_password_reset")
def _password_changed(sender, request, user, **kwargs):
    close_sockets(user.pk, None, "session_ended")
