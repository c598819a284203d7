from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("security/", views.security, name="security"),
    # Before the admin's own login (config/urls.py includes these first).
    path("admin/login/", views.admin_login, name="admin-login"),
    path("institutions/claim/", views.institution_claim, name="institution-claim"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution-detail"),
    path("office/verifications/", views.verification_queue, name="verification-queue"),
    path(
        "office/verifications/<int:pk>/verify/",
        views.affiliation_verify,
        name="affiliation-verify",
    ),
    path(
        "office/verifications/<int:pk>/refuse/",
        views.affiliation_refuse,
        name="affiliation-refuse",
    ),
]
