from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("lecturers/<int:pk>/", views.lecturer_profile, name="lecturer-profile"),
]
