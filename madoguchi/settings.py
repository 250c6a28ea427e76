"""Madoguchi settings: one module, every knob read from the environment.

Every variable is listed with its default in .env.example and docs/configuration.md. The embedded
default (no DATABASE_URL, no REDIS_URL) is SQLite in WAL mode under MADOGUCHI_DATA_DIR, an
in-memory channel layer and a local-memory cache; the same code runs on PostgreSQL and Redis.
"""

import os
import secrets
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true"}
_FALSE = {"0", "false"}


def env_str(name: str, default: str = "") -> str:
    """Return the variable, or the default when it is unset or empty."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 0, 1, true, false (got {raw!r})")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer (got {raw!r})") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/systemd secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name) or default


DEBUG = env_bool("DEBUG", default=False)
TESTING = env_bool("MADOGUCHI_TESTING", default=False)

DATA_DIR = Path(env_str("MADOGUCHI_DATA_DIR", str(BASE_DIR / "var"))).resolve()


def _development_secret_key() -> str:
    """Return the development key kept in the data directory, creating it on first use."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production refuses to start without one "
            "(set DEBUG=1 for development, where a key is generated in MADOGUCHI_DATA_DIR)."
        )
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set: list the host names the portal serves.")

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)

INSTALLED_APPS = [
    "daphne",
    "madoguchi.core",
    "madoguchi.branding",
    "madoguchi.accounts",
    "madoguchi.kb",
    "madoguchi.search",
    "madoguchi.tickets",
    "madoguchi.api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.microsoft",
    "channels",
    "ninja",
    "django_tasks_db",
]

MIDDLEWARE = [
    "madoguchi.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware so the refusal speaks the viewer's language; reads no body.
    "madoguchi.core.middleware.RequestSizeLimitMiddleware",
    # Before anything reads the body: the SAML ACS has a small cap of its own.
    "madoguchi.accounts.sso_guard.SsoCallbackGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "madoguchi.branding.middleware.BrandMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "madoguchi.core.middleware.TimezoneMiddleware",
    "madoguchi.accounts.staff.StaffAreaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's UserSessionsMiddleware, writing each session's row once a minute, not per page.
    "madoguchi.accounts.sessions.SessionActivityMiddleware",
    # After authentication and the brand: anonymous visitors of a sign-in-only brand, and
    # customers waiting for approval, see only the pages that let them in.
    "madoguchi.accounts.gate.AccessGateMiddleware",
    # After the gate: people who must use two-factor authentication and have not set it up see
    # only its setup page (the admin included).
    "madoguchi.accounts.mfa_requirement.MfaRequirementMiddleware",
    "madoguchi.accounts.ratelimits.CredentialRateLimitMiddleware",
]

ROOT_URLCONF = "madoguchi.urls"
# Threads per server process that run HTTP requests through the WSGI handler. Two, not more:
# pages are CPU-bound Python, and more threads in one process only fight over the GIL and keep
# a database connection each (bench/README.md: 16 threads served 20-40 % fewer pages than 2 at
# 20 connections). The second thread keeps a process answering while one request waits.
WSGI_THREADS = env_int("MADOGUCHI_WSGI_THREADS", 2)
WSGI_APPLICATION = "madoguchi.wsgi.application"
ASGI_APPLICATION = "madoguchi.asgi.application"

# Form widgets render through the project's templates (madoguchi/templates/django/forms/
# overrides Django's own where it is too slow), the commonest written in Python
# (core.form_renderer).
FORM_RENDERER = "madoguchi.core.form_renderer.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "madoguchi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "madoguchi.core.context_processors.portal",
                "madoguchi.accounts.context_processors.organisation_admin",
                "madoguchi.accounts.context_processors.notification_bell",
            ],
        },
    },
]

# Database -------------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'madoguchi.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
_db["CONN_HEALTH_CHECKS"] = True
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait on the busy timeout
        # instead of failing with "database is locked" when they upgrade a read transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # A file, not :memory:, so worker processes started by tests see the test database.
    _db["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    _db["CONN_MAX_AGE"] = 0 if TESTING else _db["CONN_MAX_AGE"]
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Trigram and full-text search need a UTF-8 database with a UTF-8 LC_CTYPE.
    _db["ENGINE"] = "madoguchi.core.db.postgresql"
    _db["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
    _db.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: cache and channel layer. Short explicit timeouts: a blackholed Redis must not hang pages.

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and TESTING and (_worker := os.environ.get("PYTEST_XDIST_WORKER")):
    # Parallel test workers clear and count in the cache: each gets a database of its own,
    # counting down from 15, the same in the processes a worker's tests start.
    _redis = urlsplit(REDIS_URL)
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{15 - int(_worker.removeprefix('gw'))}"))
REDIS_TIMEOUT_SECONDS = float(env_str("REDIS_TIMEOUT_SECONDS", "0.5"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "madoguchi.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mdg",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                        # A consumer waits on Redis in blocking pops of up to 5 s; a shorter
                        # socket timeout would break every idle socket's receive loop.
                        "socket_timeout": 10,
                    }
                ],
                "prefix": "mdg",
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Sessions stay in the database so a Redis outage signs nobody out.
SESSION_ENGINE = "madoguchi.accounts.session_store"

# Background tasks ------------------------------------------------------------------------------

# Mail has a queue of its own: a burst of mail never waits behind long jobs (search embeddings,
# imports), and a worker may serve it alone (manage.py worker --queue-name mail).
MAIL_QUEUE = "mail"
TASK_QUEUES = ["default", MAIL_QUEUE]
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": TASK_QUEUES,
    }
}
# A RUNNING task whose worker has not sent a heartbeat for this long is re-queued by the reaper.
TASK_LEASE_SECONDS = env_int("MADOGUCHI_TASK_LEASE_SECONDS", 60)
TASK_HEARTBEAT_SECONDS = env_int("MADOGUCHI_TASK_HEARTBEAT_SECONDS", 10)
TASK_MAX_ATTEMPTS = env_int("MADOGUCHI_TASK_MAX_ATTEMPTS", 8)
TASK_RETRY_BASE_SECONDS = env_int("MADOGUCHI_TASK_RETRY_BASE_SECONDS", 10)

# Search: semantic retrieval with the bundled multilingual model (off: keyword search only).
SEARCH_SEMANTIC = env_bool("MADOGUCHI_SEARCH_SEMANTIC", default=True)
# OpenMP threads of the embedding model in each process. One: a query's vector is a small job,
# and on a busy machine its threads spun waiting for each other on cores the other requests
# needed (12 ms of CPU per query with one thread, 220-320 ms with two while the other core was
# busy). A machine that only embeds (a dedicated worker) may give it more.
EMBEDDING_THREADS = env_int("MADOGUCHI_EMBEDDING_THREADS", 1)

BRAND_NAME = env_str("MADOGUCHI_BRAND_NAME", "Madoguchi")
BRAND_LOGO_URL = env_str("MADOGUCHI_BRAND_LOGO_URL", "")

# Identity --------------------------------------------------------------------------------------

# Reverse proxies in front of the app that append to X-Forwarded-For; 0 trusts REMOTE_ADDR only.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("MADOGUCHI_TRUSTED_PROXIES", 0)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {
        "NAME": "madoguchi.accounts.validators.MaximumLengthValidator",
        "OPTIONS": {"max_length": 128},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "madoguchi.accounts.validators.BreachedPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_ADAPTER = "madoguchi.accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "madoguchi.accounts.forms.SignupForm"
ACCOUNT_FORMS = {
    "login": "madoguchi.accounts.reset_forms.LoginForm",
    "reset_password": "madoguchi.accounts.reset_forms.ResetPasswordForm",
}
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# Only completes the sign-in begun in the same browser session; elsewhere the link just verifies.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_SESSION_REMEMBER = None
# Counted in the cache (Redis when REDIS_URL is set, so every node shares the counts). Failed
# sign-ins lock the address out for a while: 5 failures per 5 minutes per address.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
    "change_email": "1/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    # Each invitation sends a mail: an organisation admin's account must not become a mail cannon.
    "organisation_invite": "30/h/user",
    # Building an export is heavy; a person rarely needs more than one a day.
    "data_export": "3/d/user",
    # Each guest request mails a confirmation link: per address of the visitor, per address mailed.
    "guest_request": env_str("MADOGUCHI_GUEST_REQUEST_RATE_LIMIT", "10/h/ip,3/h/key"),
    # Returns from an identity provider (SAML ACS, OpenID Connect callbacks), per address.
    "sso_callback": env_str("MADOGUCHI_SSO_RATE_LIMIT", "30/m/ip"),
    # Searches written to the knowledge-gap log (beyond this they are answered, not logged) and
    # "Was this helpful?" votes, which can mail the article's owner: visitors may do both.
    "search_log": "60/m/ip",
    "kb_vote": "10/h/ip",
}
# Single sign-on: identity providers are SocialApps an admin adds in the admin (docs/sso.md).
SOCIALACCOUNT_ADAPTER = "madoguchi.accounts.sso_adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
# Only through a provider trusted for the address's domain (SsoTrustedDomain), see the adapter.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"OAUTH_PKCE_ENABLED": True},
    "google": {"OAUTH_PKCE_ENABLED": True},
    "microsoft": {"OAUTH_PKCE_ENABLED": True},
}
# The SAML ACS parses XML: a larger POST body is refused before it is read.
SAML_ACS_MAX_BYTES = env_int("MADOGUCHI_SAML_ACS_MAX_BYTES", 256 * 1024)
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = BRAND_NAME
# Accept the codes of the neighbouring 30 s periods too: phone clocks drift. Codes stay single-use.
MFA_TOTP_TOLERANCE = 1
# Browsers allow WebAuthn over plain HTTP on localhost only; production is HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING
# The sessions page shows "last seen"; SessionActivityMiddleware records it (not allauth's).
USERSESSIONS_TRACK_ACTIVITY = True
# A session's row is written again after this long (at once when its address or browser changes).
USERSESSIONS_ACTIVITY_SECONDS = env_int("MADOGUCHI_SESSION_ACTIVITY_SECONDS", 60)
USERSESSIONS_ADAPTER = "madoguchi.accounts.revocation.UserSessionsAdapter"

# Internationalisation --------------------------------------------------------------------------

LANGUAGE_CODE = env_str("MADOGUCHI_LANGUAGE", "en")
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "madoguchi" / "locale"]
TIME_ZONE = env_str("MADOGUCHI_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Static and media files ------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "madoguchi" / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
# Files only their owners (and people allowed by a view's check) may read: avatars, data exports.
# Never under MEDIA_ROOT or STATIC_ROOT, so no web server can serve them past the checks.
PRIVATE_ROOT = Path(env_str("MADOGUCHI_PRIVATE_ROOT", str(DATA_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# Request size limits: refuse early, before reading a body that could fill memory or disk.
MAX_REQUEST_BYTES = env_int("MADOGUCHI_MAX_REQUEST_BYTES", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MADOGUCHI_MAX_FORM_BYTES", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The agent queue's tab counts stay cached this long unless a request changes (tickets.selectors).
QUEUE_COUNTS_SECONDS = env_int("MADOGUCHI_QUEUE_COUNTS_SECONDS", 30)
# Help-centre pages shared by visitors and readers alike (core/page_cache.py); 0 renders each.
PAGE_CACHE_SECONDS = env_int("MADOGUCHI_PAGE_CACHE_SECONDS", 300)
SOLVED_CLOSE_DAYS = env_int("MADOGUCHI_SOLVED_CLOSE_DAYS", 4)
GUEST_REQUEST_HOURS = env_int("MADOGUCHI_GUEST_REQUEST_HOURS", 48)
NOTIFICATION_KEEP_DAYS = env_int("MADOGUCHI_NOTIFICATION_KEEP_DAYS", 90)
ATTACHMENT_MAX_BYTES = env_int("MADOGUCHI_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# Upload quotas (R10): bytes of request files each customer, and each organisation's customers
# together, may keep; 0 turns a quota off.
ATTACHMENT_USER_QUOTA_BYTES = env_int("MADOGUCHI_ATTACHMENT_USER_QUOTA_BYTES", 1024**3)
ATTACHMENT_ORGANISATION_QUOTA_BYTES = env_int(
    "MADOGUCHI_ATTACHMENT_ORGANISATION_QUOTA_BYTES", 10 * 1024**3
)

# Mail -----------------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Madoguchi <support@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Replies by mail come back to this address with a request's token: support+TOKEN@example.com.
REPLY_ADDRESS = env_str("MADOGUCHI_REPLY_ADDRESS", parseaddr(DEFAULT_FROM_EMAIL)[1])
# Inbound mail (docs/requests.md): the LMTP/SMTP receiver, IMAP polling and their limits.
INBOUND_MAX_BYTES = env_int("MADOGUCHI_INBOUND_MAX_BYTES", 100 * 1024 * 1024)
INBOUND_SENDER_LIMIT_PER_HOUR = env_int("MADOGUCHI_INBOUND_SENDER_LIMIT", 30)
INBOUND_LMTP_HOST = env_str("MADOGUCHI_LMTP_HOST", "127.0.0.1")
INBOUND_LMTP_PORT = env_int("MADOGUCHI_LMTP_PORT", 2424)
# `manage.py serve` also runs the LMTP receiver when the port is set explicitly.
INBOUND_LMTP_WITH_SERVE = bool(env_str("MADOGUCHI_LMTP_PORT"))
IMAP_HOST = env_str("MADOGUCHI_IMAP_HOST")
IMAP_SECURITY = env_str("MADOGUCHI_IMAP_SECURITY", "ssl")
IMAP_PORT = env_int("MADOGUCHI_IMAP_PORT", 993 if IMAP_SECURITY == "ssl" else 143)
IMAP_USER = env_str("MADOGUCHI_IMAP_USER")
IMAP_PASSWORD = env_secret("MADOGUCHI_IMAP_PASSWORD")
IMAP_FOLDER = env_str("MADOGUCHI_IMAP_FOLDER", "INBOX")
# Processed mail is moved here when set; otherwise it is only marked as read.
IMAP_DONE_FOLDER = env_str("MADOGUCHI_IMAP_DONE_FOLDER")
IMAP_POLL_MINUTES = env_int("MADOGUCHI_IMAP_POLL_MINUTES", 1)
IMAP_TIMEOUT = env_int("MADOGUCHI_IMAP_TIMEOUT", 30)
if IMAP_SECURITY not in {"ssl", "starttls", "plain"}:
    raise ImproperlyConfigured("MADOGUCHI_IMAP_SECURITY must be ssl, starttls or plain.")
_email_host = env_str("EMAIL_HOST")
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_secret("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", default=False),
                "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
elif DEBUG or TESTING:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    raise ImproperlyConfigured("EMAIL_HOST is not set: production needs an SMTP server for mail.")

# Security -------------------------------------------------------------------------------------

# Tests run over plain HTTP like development; test_settings checks the production values.
_SECURE = not (DEBUG or TESTING)
SECURE_SSL_REDIRECT = env_bool("MADOGUCHI_SSL_REDIRECT", default=_SECURE)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("MADOGUCHI_HSTS_SECONDS", 31536000 if _SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _SECURE
SECURE_HSTS_PRELOAD = env_bool("MADOGUCHI_HSTS_PRELOAD", default=_SECURE)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = _SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 60 * 60
CSRF_COOKIE_SECURE = _SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = _SECURE
LANGUAGE_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "madoguchi.core.views.csrf_failure"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Where the page that starts a single sign-on may send its form (see accounts.sso_guard): any
# HTTPS identity provider, and loopback ones in development and tests.
SSO_FORM_ACTION = ["https:"] + (
    ["http://127.0.0.1:*", "http://localhost:*"] if DEBUG or TESTING else []
)
SILENCED_SYSTEM_CHECKS: list[str] = []

# Portal ---------------------------------------------------------------------------------------

# Bulk import of users from CSV: larger files and longer files are refused before any row is kept.
USER_IMPORT_MAX_BYTES = env_int("MADOGUCHI_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
USER_IMPORT_MAX_ROWS = env_int("MADOGUCHI_IMPORT_MAX_ROWS", 20_000)

# Self-service account: profile pictures, the personal data export (R34), account deletion.
AVATAR_MAX_BYTES = env_int("MADOGUCHI_AVATAR_MAX_BYTES", 2 * 1024 * 1024)
AVATAR_MAX_PIXELS = env_int("MADOGUCHI_AVATAR_MAX_PIXELS", 16_000_000)
DATA_EXPORT_VALID_DAYS = env_int("MADOGUCHI_DATA_EXPORT_VALID_DAYS", 7)
ACCOUNT_DELETION_GRACE_DAYS = env_int("MADOGUCHI_ACCOUNT_DELETION_GRACE_DAYS", 14)


# Logging: JSON lines in production, readable lines in development; every line has a request id.

LOG_LEVEL = env_str("MADOGUCHI_LOG_LEVEL", "INFO")
LOG_FORMAT = env_str("MADOGUCHI_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "madoguchi.core.logging.RequestIdFilter"},
        "as_warning": {"()": "madoguchi.core.logging.AsWarningFilter"},
    },
    "formatters": {
        "json": {"()": "madoguchi.core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handler would print its lines a second time beside ours.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # Django logs a bad Host header as an error; it is the client's mistake, not ours.
        "django.security.DisallowedHost": {"filters": ["as_warning"]},
        "django.request": {"level": "WARNING", "propagate": True},
    },
}
