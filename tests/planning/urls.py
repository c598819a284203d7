"""The site's routes with planning's first: until config/urls.py includes planning.urls
before exchanges.urls, exchanges' "proposals/<pk>/<action>/" answers /proposals/<pk>/sessions/.
Tests of the pages use this (pytest.mark.urls); test_routes.py checks the real order."""

from django.urls import include, path

from config.urls import handler500  # noqa: F401
from config.urls import urlpatterns as site

urlpatterns = [path("", include("planning.urls")), *site]
