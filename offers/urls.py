from django.urls import path

from offers import views

app_name = "offers"

urlpatterns = [
    path("offers/", views.offer_list, name="offer-list"),
    path("offers/new/", views.offer_create, name="offer-create"),
    path("offers/export.csv", views.offer_export, name="offer-export"),
    path("offers/<int:pk>/", views.offer_detail, name="offer-detail"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer-edit"),
    path("offers/<int:pk>/publish/", views.offer_publish, name="offer-publish"),
    path("offers/<int:pk>/close/", views.offer_close, name="offer-close"),
    path("offers/<int:pk>/duplicate/", views.offer_duplicate, name="offer-duplicate"),
    path("offers/<int:pk>/co-owners/", views.offer_co_owners, name="offer-co-owners"),
    path("catalogue/", views.catalogue, name="catalogue"),
]
