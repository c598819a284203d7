from django.urls import path

from planning import views

app_name = "planning"

urlpatterns = [
    path("proposals/<int:pk>/sessions/", views.planner, name="planner"),
    path("proposals/<int:pk>/sessions.ics", views.proposal_ics, name="proposal-ics"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/feed/<str:token>.ics", views.feed, name="feed"),
    path("office/calendar/", views.office_calendar, name="office-calendar"),
    path(
        "office/calendar/<int:pk>/remove/",
        views.office_calendar_remove,
        name="office-calendar-remove",
    ),
]
