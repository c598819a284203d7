"""What the PostgreSQL benchmarks do first: a database of their own (created when missing,
kept between runs) and Tandem's production settings pointed at it."""

from __future__ import annotations

import os


def use_database(database_url: str, hosts: str = "testserver,127.0.0.1") -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", hosts)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.pop("REDIS_URL", None)  # the benchmark process itself only reads and writes rows
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
