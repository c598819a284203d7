"""WebSocket routes; the conversation consumer joins here when the chat is built."""

websocket_urlpatterns: list = []
