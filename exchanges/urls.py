from django.urls import path

from exchanges import views

app_name = "exchanges"

urlpatterns = [
    path("offers/<int:pk>/propose/", views.proposal_new, name="proposal-new"),
    path("proposals/", views.proposal_list, name="proposal-list"),
    path("proposals/choose/", views.proposal_choose, name="proposal-choose"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path(
        "proposals/<int:pk>/complete/",
        views.proposal_complete,
        name="proposal-complete",
    ),
    path("proposals/<int:pk>/terms/", views.proposal_terms, name="proposal-terms"),
    path("proposals/<int:pk>/comments/", views.proposal_comment, name="proposal-comment"),
    path(
        "proposals/<int:pk>/<slug:action>/",
        views.proposal_action,
        name="proposal-action",
    ),
    path("office/approvals/", views.approval_queue, name="approval-queue"),
]
