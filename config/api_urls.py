"""Every REST endpoint under /api/v1/; each app contributes its own routes."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("accounts.api")),
    path("", include("offers.api")),
    path("", include("exchanges.api")),
    path("", include("matching.api")),
    path("stats/", include("balance.api")),
]
