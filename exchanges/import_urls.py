from django.urls import path

from exchanges import import_views

app_name = "imports"

urlpatterns = [
    path("", import_views.offer_import, name="offer-import"),
]
