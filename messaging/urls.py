from django.urls import path

from messaging import chat_views

app_name = "messaging"

urlpatterns = [
    path("conversations/<int:pk>/", chat_views.conversation_page, name="conversation"),
    path("conversations/<int:pk>/messages/", chat_views.send, name="conversation-send"),
    path("conversations/<int:pk>/join/", chat_views.join, name="conversation-join"),
    path("conversations/<int:pk>/invite/", chat_views.invite, name="conversation-invite"),
    path("conversations/<int:pk>/leave/", chat_views.leave, name="conversation-leave"),
    path(
        "conversations/<int:pk>/members/<int:user_id>/remove/",
        chat_views.remove,
        name="conversation-remove",
    ),
]
