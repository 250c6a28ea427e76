"""The reference pages for bench/run.py: a bare Django page and the "ceiling" page, in one file.

`/` renders a tiny template: no database, no middleware, no installed apps. `/ceiling` adds one
indexed primary-key SELECT (raw SQL on the `bench_ceiling` table of DATABASE_URL, the same
database Madoguchi is benchmarked on): the cheapest possible database-backed Django page.

Served the way Madoguchi is (bench/run.py starts these; nothing to do by hand):

    uvicorn --app-dir bench/bare app:asgi_a2wsgi   # WSGI handler in a2wsgi's thread pool (ours)
    gunicorn --pythonpath bench/bare app:application  # WSGI server workers
    uvicorn --app-dir bench/bare app:asgi_django   # Django's own ASGI handler

`python bench/bare/app.py setup` creates and fills the ceiling table (bench/run.py runs it).
"""

import os
import random
import sys
from pathlib import Path

import dj_database_url
import django
from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

HERE = Path(__file__).resolve().parent
CEILING_ROWS = 10_000
WSGI_THREADS = int(os.environ.get("MADOGUCHI_WSGI_THREADS", "2"))  # as in madoguchi/settings.py


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{HERE / 'bare.sqlite3'}")
    database = dj_database_url.parse(url, conn_max_age=60)
    database["CONN_HEALTH_CHECKS"] = True
    return dict(database)


settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-bare-not-a-secret"),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [HERE]}],
    DATABASES={"default": _database()},
    USE_I18N=False,
    USE_TZ=True,
)
django.setup()


def page(request: HttpRequest) -> HttpResponse:
    return render(request, "page.html", {"title": "Bare Django page"})


def ceiling(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, title, body FROM bench_ceiling WHERE id = %s",
            [random.randint(1, CEILING_ROWS)],
        )
        item_id, title, body = cursor.fetchone()
    return render(request, "ceiling.html", {"item_id": item_id, "title": title, "body": body})


urlpatterns = [path("", page), path("ceiling", ceiling)]

application = get_wsgi_application()
asgi_a2wsgi = WSGIMiddleware(application, workers=WSGI_THREADS)
asgi_django = get_asgi_application()


def setup_ceiling() -> None:
    """Create the ceiling table with CEILING_ROWS rows unless it is there already."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_ceiling "
            "(id integer PRIMARY KEY, title varchar(200) NOT NULL, body text NOT NULL)"
        )
        cursor.execute("SELECT COUNT(*) FROM bench_ceiling")
        if cursor.fetchone()[0] == CEILING_ROWS:
            return
        cursor.execute("DELETE FROM bench_ceiling")
        rows = [(i, f"Item {i}", f"The body of item {i}. " * 8) for i in range(1, CEILING_ROWS + 1)]
        cursor.executemany("INSERT INTO bench_ceiling (id, title, body) VALUES (%s, %s, %s)", rows)


if __name__ == "__main__" and sys.argv[1:] == ["setup"]:
    setup_ceiling()
