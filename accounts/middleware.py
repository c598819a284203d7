import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation

from accounts import mfa


class UserPreferencesMiddleware:
    """Show each signed-in user pages in their language and times in their time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            if user.preferred_language:
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = translation.get_language()
        else:
            timezone.deactivate()
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """An office, the secretariat or staff without an authenticator is sent to set one up
    before any page: they act for an institution or for everyone. Allowed meanwhile:
    allauth's pages (sign out, the setup itself, sessions), the security page, static
    files and probes. The API answers 403 itself (accounts.authentication), as JSON."""

    OPEN_PREFIXES = ("/accounts/", "/security/", "/api/", "/i18n/", "/csp-report/", "/privacy/")

    def __init__(self, get_response):
        self.get_response = get_response
        self.open_prefixes = (*self.OPEN_PREFIXES, "/" + settings.STATIC_URL.lstrip("/"))

    def __call__(self, request):
        path = request.path_info
        if (
            not path.startswith(self.open_prefixes)
            and path not in ("/healthz", "/metrics")
            and mfa.gate(request)
        ):
            target = reverse("accounts:security")
            return HttpResponseRedirect(f"{target}?{urlencode({'next': path}, safe='/')}")
        return self.get_response(request)
