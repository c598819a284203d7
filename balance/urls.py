"""Statistics pages: the secretariat's dashboard and each office's own."""

from django.urls import path

from balance import views

app_name = "balance"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:slug>.<str:fmt>", views.export, name="export"),
]
