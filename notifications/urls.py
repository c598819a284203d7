from django.urls import path

from notifications import alert_views, views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("alerts/", alert_views.alert_list, name="alerts"),
    path("alerts/<int:pk>/remove/", alert_views.alert_delete, name="alert-delete"),
    path("offers/<int:pk>/alert/", alert_views.alert_create, name="alert-create"),
]
