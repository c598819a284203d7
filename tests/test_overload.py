"""Under a burst, Tandem answers 503 with Retry-After, never 500, and PostgreSQL never
sees more connections than the pools hold (issue: 80 users gave 500s, "too many clients").

Real servers (two uvicorn worker processes, one connection each) on the test database.
The test holds a lock on the offers table, so the requests that got a connection wait on
it while holding it: the others find the pool empty and must be refused within its
timeout. Then the lock goes and the waiting ones are served."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection, transaction
from psycopg import OperationalError
from psycopg_pool import PoolTimeout

from core.overload import is_overload
from tests import factories
from tests.live import ServerProcess, shared_test_database_url, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS, POOL = 2, 1
BURST = 16


def fetch(url: str) -> tuple[int, str | None]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310
            return response.status, response.headers.get("Retry-After")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Retry-After")


def server_connections(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [name])
        return cursor.fetchone()[0]


def test_a_burst_beyond_the_pool_gets_503_with_retry_after_and_never_more_connections(
    alice, tmp_path
):
    factories.make_offer(alice)
    name = f"tandem-burst-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": shared_test_database_url(),
        "DATABASE_POOL_SIZE": str(POOL),
        "DATABASE_POOL_MIN_SIZE": "0",
        "DATABASE_POOL_TIMEOUT": "0.5",
        "DATABASE_APPLICATION_NAME": name,
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
    }
    server = ServerProcess(env, tmp_path / "server.log", workers=WORKERS)
    try:
        server.wait_healthy()
        url = f"{server.base}/catalogue/"
        assert fetch(url)[0] == 200
        peak = 0
        with ThreadPoolExecutor(BURST) as pool:
            with transaction.atomic():
                connection.cursor().execute("LOCK TABLE exchanges_offer IN ACCESS EXCLUSIVE MODE")
                futures = [pool.submit(fetch, url) for _ in range(BURST)]

                def refused_or_waiting() -> bool:
                    nonlocal peak
                    peak = max(peak, server_connections(name))
                    # Every request either came back (refused) or holds a connection.
                    return sum(f.done() for f in futures) >= BURST - WORKERS * POOL

                wait_until(refused_or_waiting, 30, "the requests beyond the pool are refused")
                peak = max(peak, server_connections(name))
            results = [f.result() for f in futures]
        statuses = sorted(status for status, _retry in results)
        assert set(statuses) <= {200, 503}, statuses
        assert statuses.count(503) >= BURST - WORKERS * POOL
        assert statuses.count(200) >= 1  # the ones that held a connection were served
        assert all(retry == "5" for status, retry in results if status == 503)
        assert 1 <= peak <= WORKERS * POOL
        assert fetch(url)[0] == 200  # and the servers are fine afterwards
    finally:
        server.stop()


def test_a_pool_timeout_or_a_refused_connection_counts_as_overload_other_errors_do_not():
    try:
        raise RuntimeError("wrapped") from PoolTimeout("no connection in 0.5 s")
    except RuntimeError as exc:
        assert is_overload(exc)
    assert is_overload(OperationalError("FATAL:  sorry, too many clients already"))
    assert not is_overload(OperationalError("server closed the connection unexpectedly"))
    assert not is_overload(ValueError("something else"))
