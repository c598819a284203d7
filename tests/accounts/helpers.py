"""Small helpers shared by the accounts tests."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.utils.html import escape

from accounts.models import Affiliation, AffiliationRole, AffiliationStatus


def messages_of(response) -> list[str]:
    """The flash messages a page shows (the response must be the one that rendered them)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def shows(response, text) -> bool:
    """True when the page shows the text (a message constant, translated and HTML-escaped)."""
    return escape(str(text)) in response.content.decode()


def link_in_last_email() -> str:
    """The path of the first link in the newest e-mail of the outbox: a link to the
    configured site (TANDEM_SITE_URL), never to the host a request came in on."""
    match = re.search(re.escape(settings.TANDEM_SITE_URL) + r"(/\S+)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def pending_claim(user, institution, role: str = AffiliationRole.LECTURER, **fields) -> Affiliation:
    return Affiliation.objects.create(
        user=user, institution=institution, role=role, status=AffiliationStatus.PENDING, **fields
    )
