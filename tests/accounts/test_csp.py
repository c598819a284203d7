"""The Content-Security-Policy: on every page, no inline script or style, and a
report endpoint that logs what a browser refused."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize(
    "path", ["/", "/offers/catalogue/", "/accounts/login/", "/accounts/signup/", "/nowhere/"]
)
def test_every_page_has_a_strict_policy(client, path):
    policy = directives(client.get(path))
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert "report-uri" in policy
    for name in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in policy.get(name, [])


def test_the_socket_of_the_same_host_is_allowed(client):
    policy = directives(client.get("/", HTTP_HOST="localhost"))
    assert "ws://localhost" in policy["connect-src"]
    assert "wss://localhost" in policy["connect-src"]


def test_signed_in_pages_have_the_policy(client, bob):
    client.force_login(bob)
    response = client.get(reverse("exchanges:approval-queue"))
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_a_violation_report_is_logged(client, caplog):
    report = {
        "csp-report": {
            "document-uri": "http://testserver/",
            "violated-directive": "script-src-elem",
            "blocked-uri": "inline",
        }
    }
    with caplog.at_level(logging.WARNING, logger="tandem.csp"):
        response = client.post(
            reverse("csp-report"), json.dumps(report), content_type="application/csp-report"
        )
    assert response.status_code == 204
    assert "script-src-elem" in caplog.text


def test_a_broken_report_is_a_400_not_a_500(client):
    response = client.post(reverse("csp-report"), "{not json", content_type="application/json")
    assert response.status_code == 400


INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|\sstyle=\"|<style")


def test_no_page_template_carries_inline_script_or_style():
    """E-mails are not pages: mail readers need their inline styles."""
    offenders = []
    for template in Path(settings.BASE_DIR / "templates").rglob("*.html"):
        if "emails" in template.parts:
            continue
        if INLINE.search(template.read_text()):
            offenders.append(str(template))
    assert offenders == []
