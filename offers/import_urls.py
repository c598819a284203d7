from django.urls import path

from offers import import_views

app_name = "imports"

urlpatterns = [
    path("", import_views.offer_import, name="offer-import"),
    path("jobs/<int:pk>/", import_views.import_job, name="job"),
    path("jobs/<int:pk>/progress/", import_views.import_job_progress, name="job-progress"),
    path("jobs/<int:pk>/import/", import_views.import_job_confirm, name="job-confirm"),
    path(
        "example.csv", import_views.example_file, {"format": "csv"}, name="offer-import-example-csv"
    ),
    path(
        "example.json",
        import_views.example_file,
        {"format": "json"},
        name="offer-import-example-json",
    ),
]
