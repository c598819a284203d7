"""Every REST endpoint under /api/v1/; each app contributes its own routes."""

from django.urls import include, path, re_path

from core.api import no_such_endpoint

app_name = "api"

urlpatterns = [
    path("", include("accounts.api")),
    path("", include("offers.api")),
    path("", include("exchanges.api")),
    path("", include("matching.api")),
    path("stats/", include("balance.api")),
    path("", include("privacy.api")),
]

# Last: any other path under /api/v1/ is a JSON 404, not the site's HTML page.
urlpatterns += [re_path(r"^", no_such_endpoint, name="no-such-endpoint")]
