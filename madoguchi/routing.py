"""WebSocket routes, beside the HTTP ones in urls.py."""

from django.urls import path

from madoguchi.core.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
]
