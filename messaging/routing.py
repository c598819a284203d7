"""WebSocket routes (config.asgi wraps them in the origin check and session auth)."""

from django.urls import path

from messaging.consumers import ConversationConsumer, InboxConsumer

websocket_urlpatterns = [
    path("ws/conversations/<int:conversation_id>/", ConversationConsumer.as_asgi()),
    path("ws/inbox/", InboxConsumer.as_asgi()),
]
