"""ASGI entry point: one origin for HTTP pages and WebSockets.

HTTP goes to Django's WSGI handler run in a thread pool (a2wsgi): sync Django behind Django's own
ASGI handler runs every view on one thread per process and measured 4-6x slower (BENCHMARKS.md).
WebSockets go to Channels consumers, authenticated from the session and checked for Origin.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
# Set up Django (apps, settings) before importing anything that touches models.
django_asgi = get_asgi_application()

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from madoguchi.routing import websocket_urlpatterns  # noqa: E402
from madoguchi.wsgi import application as wsgi_application  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": WSGIMiddleware(wsgi_application, workers=settings.WSGI_THREADS),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
