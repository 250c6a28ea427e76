"""WSGI entry point: every HTTP page is served through Django's WSGI handler."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")

application = get_wsgi_application()

from madoguchi.core import heap  # noqa: E402  (needs the apps loaded above)

heap.tune_for_serving()
