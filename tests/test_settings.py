"""The settings module in both modes, loaded in a fresh interpreter with a clean environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PROD = {
    "DATABASE_URL": "postgres://tandem:s%40cret@db.internal:6543/tandem?sslmode=require",
    "REDIS_URL": "redis://cache.internal:6379/2",
    "SECRET_KEY": "prod-like-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ",
    "ALLOWED_HOSTS": "tandem.example.org",
    "EMAIL_HOST": "smtp.example.org",
}
PROBE = """
import json
from django.conf import settings
import django
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db": {k: settings.DATABASES["default"].get(k)
           for k in ("NAME", "USER", "PASSWORD", "HOST", "PORT")},
    "options": settings.DATABASES["default"].get("OPTIONS", {}),
    "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "email": settings.EMAIL_BACKEND,
    "hosts": settings.ALLOWED_HOSTS,
    "debug": settings.DEBUG,
    "production": settings.PRODUCTION,
    "ssl_redirect": getattr(settings, "SECURE_SSL_REDIRECT", False),
}))
"""


def run_python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(ROOT)),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TANDEM_VAR_DIR": os.environ.get("TANDEM_VAR_DIR", str(ROOT / "var")),
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def load(env: dict[str, str]) -> dict:
    result = run_python(env, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_mode_needs_nothing_set():
    s = load({})
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in s["options"]["init_command"]
    assert s["layer"] == "channels.layers.InMemoryChannelLayer"
    assert s["cache"].endswith("LocMemCache")
    assert s["eager"] is True
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["hosts"] == ["127.0.0.1", "localhost"]
    assert s["debug"] is False
    assert s["production"] is False


def test_production_mode_reads_database_redis_and_secrets_from_environment():
    s = load(PROD)
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["db"] == {
        "NAME": "tandem",
        "USER": "tandem",
        "PASSWORD": "s@cret",
        "HOST": "db.internal",
        "PORT": "6543",
    }
    # One bounded pool per process; persistent per-thread connections are off.
    assert s["options"] == {
        "sslmode": "require",
        "application_name": "tandem",
        "pool": {"min_size": 1, "max_size": 8, "timeout": 3.0, "max_idle": 300},
    }
    assert s["conn_max_age"] == 0
    sized = load({**PROD, "DATABASE_POOL_SIZE": "20", "DATABASE_POOL_TIMEOUT": "1.5"})
    assert sized["options"]["pool"]["max_size"] == 20
    assert sized["options"]["pool"]["timeout"] == 1.5
    assert "pool" not in load({**PROD, "DATABASE_POOL_SIZE": "0"})["options"]
    # Pub/sub by default (docs/chat_protocol.md: the layer is best effort either way).
    assert s["layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert (
        load({**PROD, "CHANNEL_LAYER": "core"})["layer"] == "channels_redis.core.RedisChannelLayer"
    )
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["broker"] == PROD["REDIS_URL"]
    assert s["eager"] is False
    assert s["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["hosts"] == ["tandem.example.org"]
    assert s["ssl_redirect"] is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "at least 50 characters"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must list"),
        ({"ALLOWED_HOSTS": "*"}, "may not contain '*'"),
        ({"ALLOWED_HOSTS": "a.org,,b.org"}, "empty item"),
        ({"DEBUG": "maybe"}, "is not a boolean"),
        ({"EMAIL_PORT": "twenty-five"}, "is not a whole number"),
        ({"DATABASE_URL": "mysql://db/tandem"}, "scheme 'mysql' is not supported"),
        ({"DATABASE_URL": "postgres://db.internal/"}, "has no database name"),
        ({"REDIS_URL": "http://cache"}, "REDIS_URL scheme 'http'"),
        ({"CHANNEL_LAYER": "fast"}, "CHANNEL_LAYER must be 'pubsub' or 'core'"),
        ({"DATABASE_POOL_SIZE": "-1"}, "DATABASE_POOL_SIZE=-1 must be at least 0"),
        ({"DATABASE_POOL_TIMEOUT": "soon"}, "DATABASE_POOL_TIMEOUT='soon' is not a number"),
    ],
)
def test_malformed_environment_fails_loudly_with_what_to_fix(change, message):
    result = run_python({**PROD, **change}, "-c", PROBE)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = run_python(PROD, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_embedded_secret_key_is_kept_between_starts(tmp_path):
    first = run_python({"TANDEM_VAR_DIR": str(tmp_path)}, "-c", PROBE)
    key_file = tmp_path / "secret_key"
    assert first.returncode == 0, first.stderr
    key = key_file.read_text()
    assert len(key) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    run_python({"TANDEM_VAR_DIR": str(tmp_path)}, "-c", PROBE)
    assert key_file.read_text() == key


@pytest.mark.both_backends
@pytest.mark.django_db
def test_database_runs_with_the_mode_settings():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
        else:
            assert connection.vendor == "postgresql"
            cursor.execute("SHOW server_encoding")
            assert cursor.fetchone()[0] == "UTF8"


def test_migrations_match_the_models():
    result = run_python({}, "manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
