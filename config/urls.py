from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import views as account_views
from core import csp
from dashboard import metrics as dashboard_metrics
from dashboard import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.landing, name="landing"),
    path("healthz", dashboard_views.healthz, name="healthz"),
    path("csp-report/", csp.report, name="csp-report"),
    path("metrics", dashboard_metrics.metrics, name="metrics"),
    path("accounts/", include("allauth.urls")),
    path("", include("dashboard.urls")),
    path("", include("accounts.urls")),
    path("", include("offers.urls")),
    # Before exchanges: its "proposals/<pk>/<action>/" would take /proposals/<pk>/sessions/.
    path("", include("planning.urls")),
    path("", include("exchanges.urls")),
    path("", include("exchanges.agreement_urls")),
    path("", include("matching.urls")),
    path("office/import/", include("offers.import_urls")),
    path("secretariat/rounds/", include("rounds.urls")),
    path("", include("notifications.urls")),
    path("", include("messaging.urls")),
    path("statistics/", include("balance.urls")),
    path("", include("privacy.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# Overload (no database connection within the pool's timeout) answers 503, not 500.
handler500 = "core.overload.server_error"
