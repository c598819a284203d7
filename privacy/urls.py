from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.policy, name="policy"),
    path("privacy/my-data.json", views.export, name="export"),
    path("privacy/delete-account/", views.delete_account, name="delete-account"),
]
