"""Outgoing e-mail: each message is a subject, a text and an HTML template, rendered in
the recipient's language and time zone."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User


def site_url(path: str) -> str:
    return settings.TANDEM_SITE_URL.rstrip("/") + path


def send_templated(*, to: User, template: str, context: dict) -> None:
    """Render templates/emails/<template>_{subject,body}.txt and _body.html and send."""
    language = to.preferred_language or settings.LANGUAGE_CODE
    zone = zoneinfo.ZoneInfo(to.time_zone or "UTC")
    with translation.override(language), timezone.override(zone):
        ctx = {"recipient": to, "site_url": settings.TANDEM_SITE_URL, **context}
        subject = render_to_string(f"emails/{template}_subject.txt", ctx)
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
        text = render_to_string(f"emails/{template}_body.txt", ctx)
        html = render_to_string(f"emails/{template}_body.html", ctx)
    message = EmailMultiAlternatives(subject, text, to=[to.email])
    message.attach_alternative(html, "text/html")
    message.send()
