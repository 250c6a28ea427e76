"""Settings of the small Django project that serves django-helpdesk for bench/run.py.

Our own file: it only wires the peer up the way its documentation describes, in production mode
(DEBUG off), on the database bench/run.py gives it (DATABASE_URL: `helpdesk_bench` on PostgreSQL,
or a SQLite file in bench/results/data/). MADOGUCHI_DATABASE_URL is the seeded Madoguchi bench
database that bench/peer/seed.py copies from.
"""

import os
from pathlib import Path

import dj_database_url

DATA = Path(
    os.environ.get("PEER_DATA_DIR", Path(__file__).resolve().parents[1] / "results" / "data")
)

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "bench-peer-not-a-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = ["https://localhost"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
ROOT_URLCONF = "urls"
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA / 'helpdesk.sqlite3'}"), conn_max_age=60
    )
}
if os.environ.get("MADOGUCHI_DATABASE_URL"):
    DATABASES["madoguchi"] = dj_database_url.parse(os.environ["MADOGUCHI_DATABASE_URL"])
for database in DATABASES.values():
    database["CONN_HEALTH_CHECKS"] = True
    if database["ENGINE"].endswith("sqlite3"):
        # As Madoguchi: writers wait for the lock rather than fail at once.
        database["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
MEDIA_ROOT = str(DATA / "helpdesk-media")
LOGIN_URL = "helpdesk:login"
LOGIN_REDIRECT_URL = "helpdesk:home"
# The peer renders its mail in the request and sends none of it; Madoguchi's is written and sent by
# its task worker, which the bench runs beside it and counts as Madoguchi's CPU.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
SESSION_ENGINE = "django.contrib.sessions.backends.db"  # as Madoguchi

HELPDESK_TEAMS_MODE_ENABLED = False  # needs pinax-teams, not installed
HELPDESK_KB_ENABLED = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
