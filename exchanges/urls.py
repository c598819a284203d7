from django.urls import path

from exchanges import proposal_views, views

app_name = "exchanges"

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
    path("offers/<int:pk>/propose/", proposal_views.proposal_new, name="proposal-new"),
    path("proposals/", proposal_views.proposal_list, name="proposal-list"),
    path("proposals/choose/", proposal_views.proposal_choose, name="proposal-choose"),
    path("proposals/<int:pk>/", proposal_views.proposal_detail, name="proposal-detail"),
    path(
        "proposals/<int:pk>/complete/",
        proposal_views.proposal_complete,
        name="proposal-complete",
    ),
    path(
        "proposals/<int:pk>/<slug:action>/",
        proposal_views.proposal_action,
        name="proposal-action",
    ),
    path("office/approvals/", proposal_views.approval_queue, name="approval-queue"),
]
