from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("offers/<int:pk>/suggestions/hide/", views.suggestion_hide, name="suggestion-hide"),
    path(
        "offers/<int:pk>/suggestions/unhide/", views.suggestions_unhide, name="suggestions-unhide"
    ),
]
