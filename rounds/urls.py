from django.urls import path

from rounds import views as round_views

app_name = "rounds"

urlpatterns = [
    path("", round_views.round_list, name="round-list"),
    path("new/", round_views.round_create, name="round-create"),
    path("<int:pk>/", round_views.round_detail, name="round-detail"),
    path("<int:pk>/progress/", round_views.round_progress, name="round-progress"),
    path("<int:pk>/publish/", round_views.round_publish, name="round-publish"),
    path("<int:pk>/undo/", round_views.round_undo, name="round-undo"),
]
