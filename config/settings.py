"""Tandem settings: one module, read from the environment.

Nothing set → the embedded mode (SQLite, in-memory channel layer, eager Celery,
console e-mail). DATABASE_URL → production (PostgreSQL, secrets and hosts from
the environment, HTTPS-only cookies). REDIS_URL → channels-redis layer, Celery
broker and the shared cache.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    check_redis_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    s3_storage,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TANDEM_VAR_DIR", str(BASE_DIR / "var")))

DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = check_redis_url(env_str("REDIS_URL")) if env_str("REDIS_URL") else None
PRODUCTION = env_bool("TANDEM_PRODUCTION", default=DATABASE_URL is not None)
DEBUG = env_bool("DEBUG", default=False)


def _embedded_secret_key() -> str:
    """A per-checkout key kept in var/, so sessions survive restarts of the demo."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names Tandem answers to.")
else:
    SECRET_KEY = env_str("SECRET_KEY") or _embedded_secret_key()
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
if "*" in ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("ALLOWED_HOSTS may not contain '*'.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "core",
    "accounts",
    "offers",
    "exchanges",
    "matching",
    "messaging",
    "notifications",
    "rounds",
    "balance",
    "planning",
    "dashboard",
    "privacy",
]

MIDDLEWARE = [
    "core.requestid.RequestIdMiddleware",
    "core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "notifications.context_processors.notifications",
                "dashboard.context_processors.approvals",
            ],
        },
    },
]

# --- database -------------------------------------------------------------
if DATABASE_URL:
    DATABASES = {"default": parse_database_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "tandem.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on
                # busy_timeout instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
            },
            # A file, not the in-memory default: the live ASGI server of the browser tests
            # reads it from other threads, as the real server would. One per process, so
            # two test runs on one machine never share it.
            "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, channels, celery ----------------------------------------------
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "tandem"),
        }
    }
    # Pub/sub: lower latency and no per-channel queues in Redis. Like the core layer it
    # delivers at most once; the chat persists first and clients resume from the
    # database, so a lost delivery is a late one, never a lost message.
    CHANNEL_LAYER = env_str("CHANNEL_LAYER", "pubsub")
    if CHANNEL_LAYER not in ("pubsub", "core"):
        raise ImproperlyConfigured("CHANNEL_LAYER must be 'pubsub' or 'core'")
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": (
                "channels_redis.pubsub.RedisPubSubChannelLayer"
                if CHANNEL_LAYER == "pubsub"
                else "channels_redis.core.RedisChannelLayer"
            ),
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("CHANNELS_PREFIX", "tandem")},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task a worker took but never acknowledged (the worker died) is delivered again after
# this long; longer than any task runs (a round of 10,000 × 10,000 takes about a minute).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1),
    # How often a worker looks for such tasks (every sweep scans Redis).
    "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", 30, minimum=1),
    "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"


# The beat schedule lives here, in one place; apps add entries as they need them.
def _every(task: str, **when) -> dict:
    return {"task": task, "schedule": crontab(**when)}


CELERY_BEAT_SCHEDULE: dict = {
    "matching-nightly-refit": _every("matching.tasks.refit_model", hour=2, minute=30),
    "matching-ranking-refit": _every("matching.tasks.refit_ranking", hour=4, minute=10),
    "proposals-expire-and-remind": _every("exchanges.tasks.expire_and_remind", minute="*/15"),
    "chat-unread-digest": _every("messaging.tasks.send_unread_digests", minute="*/5"),
    "chat-presence-purge": _every("messaging.tasks.purge_stale_connections", minute="*/5"),
    "offers-reap-stale-imports": _every("offers.tasks.reap_stale_import_jobs", minute="*/5"),
    "rounds-reap-stale": _every("rounds.tasks.reap_stale_rounds", minute="*/5"),
    "rounds-announce": _every("rounds.tasks.announce_rounds", minute="*"),
    "privacy-retention": _every("privacy.tasks.apply_retention", hour=3, minute=15),
    "partner-alerts": _every("notifications.tasks.send_partner_alerts", minute=7),
    "session-reminders": _every("planning.tasks.send_session_reminders", minute="*/5"),
}

# A partner alert tells its lecturer at most once in this many hours.
PARTNER_ALERT_INTERVAL_HOURS = env_int("PARTNER_ALERT_INTERVAL_HOURS", 24, minimum=1)

# --- auth and accounts ------------------------------------------------------
from config.auth import *  # noqa: E402, F403 - accounts and second-factor settings

ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION  # the embedded demo runs on http

# --- e-mail -----------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tandem <noreply@tandem.localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if PRODUCTION:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# --- security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # /healthz is probed by the load balancer over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

# --- i18n and time ------------------------------------------------------------
LANGUAGE_CODE = "en"
# The languages with a complete catalogue of Tandem's own text (locale/); the test
# tests/test_catalogues.py keeps every one of them complete.
LANGUAGES = [
    ("en", _("English")),
    ("de", _("German")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("zh-hans", _("Simplified Chinese")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("th", _("Thai")),
    ("vi", _("Vietnamese")),
    ("id", _("Indonesian")),
    ("ms", _("Malay")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Tandem's English formats (config/formats/en): day first, 24-hour clock.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"

# --- static files -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Until collectstatic has written its manifest, serve from the apps' folders.
WHITENOISE_USE_FINDERS = not (STATIC_ROOT / "staticfiles.json").exists()
STATICFILES_DIRS = [BASE_DIR / "static"]
# The text model's versions (matching.store), read by every process: an S3-compatible
# bucket when S3_BUCKET is set (config.env.s3_storage), else MEDIA_ROOT, shared (NFS).
STORAGES = {
    "default": s3_storage() or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "core.staticfiles.StaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- API ----------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: a bad token then gets 401 with WWW-Authenticate, as clients expect.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "accounts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "core.api.TandemAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tandem API",
    "DESCRIPTION": "Asia–Europe virtual-exchange matchmaking.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's scripts come from the sidecar package, served by the app: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The agreed terms' two credit systems (Asian and European course) share one enum.
    "ENUM_NAME_OVERRIDES": {"CreditSystemEnum": "exchanges.drafting.CREDIT_SYSTEMS"},
}

# --- logging ------------------------------------------------------------------
# Errors (with their request id) to a Sentry-compatible service when set (core.apps).
SENTRY_DSN = env_str("SENTRY_DSN", "")
# GET /metrics (Prometheus) answers only with this bearer token; unset, it is off.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# JSON lines in production (one object a line, with the request id), plain text otherwise.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'plain'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.requestid.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Tandem -------------------------------------------------------------------
TANDEM_DEMO_PASSWORD = "tandem-demo-2026"  # noqa: S105 - public demo password, embedded mode only
TANDEM_DATA_DIR = BASE_DIR / "data"
# Absolute links in e-mails sent from background tasks, where no request is at hand.
TANDEM_SITE_URL = env_str(
    "TANDEM_SITE_URL",
    f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000",
)

# Soft-score weights and thresholds of the matcher (matching.features.Weights); only the
# ratios between weights matter.
MATCHING_WEIGHTS = {
    "text": 0.50,
    "isced": 0.15,
    "level": 0.10,
    "overlap": 0.10,
    "size": 0.05,
    "sdg": 0.05,
    "priority": 0.05,
    "min_overlap_hours": 1.0,
    "overlap_saturation_hours": 4.0,
}
# After offers change, refit the text model once this many seconds later (debounced);
# a nightly refit runs as well (CELERY_BEAT_SCHEDULE).
MATCHING_AUTO_REFIT = env_bool("MATCHING_AUTO_REFIT", True)
MATCHING_REFIT_DEBOUNCE_SECONDS = env_int("MATCHING_REFIT_DEBOUNCE_SECONDS", 120, minimum=0)
# The suggestion ranking is learned from outcomes (daily, Celery beat) once this many
# suggested pairs have one (proposed, hidden, accepted, declined, completed).
RANKING_MIN_OUTCOMES = env_int("RANKING_MIN_OUTCOMES", 200, minimum=10)
# A pairing round without progress (or still queued) this long is failed with the reason:
# its worker died (rounds.tasks.reap_stale_rounds, every 5 minutes).
ROUND_STALE_MINUTES = env_int("ROUND_STALE_MINUTES", 15, minimum=1)
# A published round can be undone this long; nobody is notified of its proposals before
# (rounds.tasks.announce_rounds, every minute, notifies them after).
ROUND_UNDO_MINUTES = env_int("ROUND_UNDO_MINUTES", 10, minimum=0)
# An offer import without progress this long is failed likewise (offers.tasks).
IMPORT_STALE_MINUTES = env_int("IMPORT_STALE_MINUTES", 10, minimum=1)
# Days before the nightly retention sweep removes them (privacy.retention, docs/privacy.md).
PRIVACY_UNVERIFIED_DAYS = env_int("PRIVACY_UNVERIFIED_DAYS", 14, minimum=1)
PRIVACY_NOTIFICATION_DAYS = env_int("PRIVACY_NOTIFICATION_DAYS", 365, minimum=1)
# A proposal nobody answers expires after this many days (checked by Celery beat).
PROPOSAL_EXPIRY_DAYS = env_int("PROPOSAL_EXPIRY_DAYS", 14, minimum=1)
# A reminder goes to the partner this many days before an unanswered proposal expires.
PROPOSAL_REMINDER_DAYS_BEFORE = env_int("PROPOSAL_REMINDER_DAYS_BEFORE", 3, minimum=0)

# Chat limits (messaging.consumers). Each user may send a burst, then a steady rate; beyond
# it the socket answers with an error frame and drops the message.
CHAT_RATE_BURST = env_int("CHAT_RATE_BURST", 10, minimum=1)
CHAT_RATE_PER_MINUTE = env_int("CHAT_RATE_PER_MINUTE", 60, minimum=1)
CHAT_MAX_CONNECTIONS_PER_USER = env_int("CHAT_MAX_CONNECTIONS_PER_USER", 10, minimum=1)
# A socket without a heartbeat for this long no longer counts as online.
CHAT_PRESENCE_TIMEOUT_SECONDS = env_int("CHAT_PRESENCE_TIMEOUT_SECONDS", 90, minimum=10)
# An offline member with unread messages gets at most one e-mail digest per conversation
# per this many minutes (messaging.tasks, run by Celery beat every 5 minutes).
CHAT_DIGEST_INTERVAL_MINUTES = env_int("CHAT_DIGEST_INTERVAL_MINUTES", 60, minimum=1)
# Messages younger than this are left to be read live before a digest tells of them.
CHAT_DIGEST_WAIT_MINUTES = env_int("CHAT_DIGEST_WAIT_MINUTES", 10, minimum=0)
