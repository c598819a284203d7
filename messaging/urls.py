from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("read-all/", views.notification_read_all, name="notifications-read-all"),
    path("<int:pk>/read/", views.notification_read, name="notification-read"),
]
