"""Failure drill with real processes: PostgreSQL restarts under a running web process.

A PostgreSQL cluster of the test's own (never the machine's shared one) serves a real
uvicorn process with the production connection pool. PostgreSQL stops: /healthz and the
pages answer 503 (with Retry-After), never 500. It starts again: the same process, not
restarted, answers /healthz 200 and serves a signed-in page again."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.conf import settings

from tests.conftest import _missing
from tests.deploy.workers import PrivateCluster, http_get
from tests.live import ROOT, ServerProcess, wait_until

# django_db: the session fixtures of tests/conftest.py expect the test database to exist.
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db]

# Signs a user in, as the sign-in page would: a user and its session, in the database.
SIGN_IN = """
from django.conf import settings
from django.test import Client
from accounts.models import User
user = User.objects.create_user(email="drill@um.edu.my", password=None, full_name="Drill")
client = Client()
client.force_login(user)
print(client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


@pytest.fixture
def cluster():
    if not PrivateCluster.available():
        _missing("this test runs a PostgreSQL cluster of its own: install postgresql (initdb)")
    own = PrivateCluster()
    try:
        own.init()
        own.start()
        yield own
    finally:
        own.remove()


def test_the_web_process_answers_503_while_postgresql_is_down_and_recovers(cluster, tmp_path):
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE tandem")
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url("tandem"),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CACHE_KEY_PREFIX": f"drill-{uuid.uuid4().hex[:8]}",
        "CHANNELS_PREFIX": f"drill-{uuid.uuid4().hex[:8]}",
    }
    env.pop("DATABASE_POOL_SIZE", None)  # the production pool
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, timeout=240)  # noqa: S603
    cookie = subprocess.run(  # noqa: S603
        [*manage, "shell", "-c", SIGN_IN],
        cwd=ROOT, env=env, check=True, timeout=60, capture_output=True, text=True,
    ).stdout.split()[-1]  # fmt: skip
    server = ServerProcess(env, tmp_path / "server.log")
    try:
        server.wait_healthy()
        dashboard = f"{server.base}/dashboard/"
        assert http_get(dashboard, cookie)[0] == 200

        cluster.stop()
        # Down: the load balancer and the users are told to come back, not shown an error.
        assert http_get(f"{server.base}/healthz")[0] == 503
        status, headers = http_get(dashboard, cookie)
        assert status == 503, server.tail()
        assert headers["Retry-After"] == "5"
        assert http_get(f"{server.base}/api/v1/offers/", cookie)[0] == 503

        cluster.start()
        wait_until(lambda: http_get(f"{server.base}/healthz")[0] == 200, 30, "healthy again")
        assert http_get(dashboard, cookie)[0] == 200
        assert server.alive(), "the web process was restarted"
    finally:
        server.stop()
