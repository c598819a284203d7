"""Content-Security-Policy on every answer, and the endpoint browsers report
violations to. Scripts and styles come only from our own static files: no inline
script or style anywhere (values reach scripts through data- attributes)."""

from __future__ import annotations

import json
import logging

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("tandem.csp")

# A report is a few hundred bytes; anything far larger is not a browser's report.
MAX_REPORT_BYTES = 16_384

BASE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
}


def build_policy(request: HttpRequest) -> str:
    policy = dict(BASE_POLICY)
    connect = ["'self'"]
    try:
        host = request.get_host()
    except DisallowedHost:
        host = ""
    if host:
        # The chat's sockets (static/js/chat.js) on the page's own host.
        connect += [f"ws://{host}", f"wss://{host}"]
    policy["connect-src"] = connect
    policy["report-uri"] = [reverse("csp-report")]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in policy.items())


class ContentSecurityPolicyMiddleware:
    """Sets the policy unless the view set its own (none does today)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = build_policy(request)
        return response


@csrf_exempt  # browsers send reports without a CSRF token
@require_POST
def report(request: HttpRequest) -> HttpResponse:
    """Log what a browser refused (report-uri format, or the Reporting API's list)."""
    body = request.body[: MAX_REPORT_BYTES + 1]
    if len(body) > MAX_REPORT_BYTES:
        return HttpResponseBadRequest("The report is too large.")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return HttpResponseBadRequest("The report is not JSON.")
    reports = data if isinstance(data, list) else [data]
    for item in reports:
        if not isinstance(item, dict):
            return HttpResponseBadRequest("A report is a JSON object.")
        detail = item.get("csp-report") or item.get("body") or item
        logger.warning("CSP violation: %s", json.dumps(detail, sort_keys=True)[:2000])
    return HttpResponse(status=204)
