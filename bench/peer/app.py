"""The peer served the way Madoguchi is: Django's WSGI handler in a2wsgi's thread pool, uvicorn.

uvicorn --app-dir bench/peer app:asgi_a2wsgi --workers W   (bench/run.py does it)
"""

import os

from a2wsgi import WSGIMiddleware
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
WSGI_THREADS = int(os.environ.get("MADOGUCHI_WSGI_THREADS", "2"))  # as in madoguchi/settings.py

application = get_wsgi_application()
asgi_a2wsgi = WSGIMiddleware(application, workers=WSGI_THREADS)
