from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("offers/<int:pk>/suggestions/hide/", views.suggestion_hide, name="suggestion-hide"),
    path(
        "offers/<int:pk>/suggestions/unhide/", views.suggestions_unhide, name="suggestions-unhide"
    ),
    path("secretariat/matching-model/", views.ranking_model, name="ranking-model"),
    path("secretariat/matching-model/refit/", views.ranking_refit, name="ranking-refit"),
]
