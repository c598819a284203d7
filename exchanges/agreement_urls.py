"""Routes of the signable agreement (PDF and printable page)."""

from django.urls import path  # noqa: F401

app_name = "agreement"

urlpatterns: list = []
