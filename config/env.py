"""Small, strict readers for settings from the environment.

Each helper raises ImproperlyConfigured on a malformed value, so a typo in a
deployment fails at start-up instead of silently falling back to a default.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={raw!r} has an empty item; separate values by commas.")
    return items


def parse_database_url(url: str) -> dict:
    """Turn postgres://user:pass@host:port/name?sslmode=require into DATABASES["default"]."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {parts.scheme!r} is not supported; use postgres://."
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL has no database name (postgres://host/NAME).")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("DATABASE_URL has a malformed port.") from None
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    options.setdefault("application_name", env_str("DATABASE_APPLICATION_NAME", "tandem"))
    pool_size = env_int("DATABASE_POOL_SIZE", 8, minimum=0)
    if pool_size:
        # One bounded pool per process. Under ASGI every request's sync code runs in a
        # thread of its own, so per-thread persistent connections would grow without
        # limit (the 80-user burst exhausted PostgreSQL's max_connections); a request
        # that finds the pool empty waits DATABASE_POOL_TIMEOUT seconds, then gets 503.
        options["pool"] = {
            "min_size": min(env_int("DATABASE_POOL_MIN_SIZE", 1, minimum=0), pool_size),
            "max_size": pool_size,
            "timeout": env_float("DATABASE_POOL_TIMEOUT", 3.0, minimum=0.01),
            "max_idle": 300,
        }
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        # The pool keeps the connections; without one, each request opens and closes its own.
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": not pool_size,
        "OPTIONS": options,
    }


def check_redis_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"REDIS_URL scheme {parts.scheme!r} is not supported; use redis://."
        )
    return url


_S3_OPTIONAL = (
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_PREFIX",
    "S3_ADDRESSING_STYLE",
)


def s3_storage() -> dict | None:
    """STORAGES["default"] on S3-compatible object storage when S3_BUCKET is set (None
    otherwise): django-storages' S3Storage, private, every machine reading the same bucket.

    Objects are sent without an ACL, so they take the bucket's (private unless the bucket
    says otherwise; buckets with ACLs turned off accept them too), and any URL made for one
    is signed and short-lived: nothing in it is served to the public. Without
    S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, boto3 finds credentials its own way (the
    AWS_* variables, an instance role)."""
    bucket = env_str("S3_BUCKET")
    if not bucket:
        stray = [name for name in _S3_OPTIONAL if env_str(name)]
        if stray:
            raise ImproperlyConfigured(f"{stray[0]} is set but S3_BUCKET is not.")
        return None
    endpoint = env_str("S3_ENDPOINT_URL")
    if endpoint and urlsplit(endpoint).scheme not in {"http", "https"}:
        raise ImproperlyConfigured(
            f"S3_ENDPOINT_URL={endpoint!r} is not an http:// or https:// address."
        )
    access_key, secret_key = env_str("S3_ACCESS_KEY_ID"), env_str("S3_SECRET_ACCESS_KEY")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together (or neither, to use "
            "the machine's own credentials)."
        )
    # Path style (https://host/bucket/key) is what S3-compatible servers (MinIO, Ceph,
    # Garage…) answer without wildcard DNS; AWS itself prefers virtual-hosted style.
    style = env_str("S3_ADDRESSING_STYLE", "path" if endpoint else "auto")
    if style not in {"auto", "path", "virtual"}:
        raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE={style!r}: use path, virtual or auto.")
    from botocore.config import Config  # only where S3 is used

    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": env_str("S3_REGION"),
        "location": env_str("S3_PREFIX", "").strip("/"),
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        # Never replace an object under the same name: a new file gets a new name.
        "file_overwrite": False,
        "client_config": Config(
            s3={"addressing_style": style},
            signature_version="s3v4",
            # Fail fast when the storage is unreachable: a web process then keeps the
            # model it has (matching.engine) instead of holding a request for minutes.
            connect_timeout=3,
            read_timeout=20,
            retries={"max_attempts": 3, "mode": "standard"},
        ),
    }
    if access_key:
        options["access_key"], options["secret_key"] = access_key, secret_key
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
