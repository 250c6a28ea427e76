"""WebSocket routes, beside the HTTP ones in urls.py."""

from django.urls import path

from madoguchi.core.consumers import PingConsumer
from madoguchi.tickets.consumers import AgentRequestConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/agent/requests/<int:pk>/", AgentRequestConsumer.as_asgi()),
]
