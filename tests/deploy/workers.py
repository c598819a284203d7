"""Real background processes for the failure drills: Celery workers, a redis-server of the
test's own (persistent, restartable on the same port and data) and a PostgreSQL cluster of
the test's own. Nothing here touches the machine's shared Redis or PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import redis
from django.conf import settings

from tests.live import ROOT, free_port, wait_until

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def http_get(url: str, session: str = ""):
    """(status, headers) of a GET, signed in with this session key if given."""
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def worker_env(broker: str, database_url: str, **extra: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATABASE_POOL_SIZE": "2",
        "REDIS_URL": broker,
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        # A task whose worker died is delivered again after this long.
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "CELERY_RESTORE_INTERVAL": "1",
        # Outgoing e-mail stays in the worker (the one part the tests may fake).
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        **extra,
    }


def start_worker(broker: str, log, database_url: str | None = None, **extra) -> subprocess.Popen:
    """`celery worker --pool solo` on this broker and (by default) the test database."""
    from tests.live import shared_test_database_url

    env = worker_env(broker, database_url or shared_test_database_url(), **extra)
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def stop(proc: subprocess.Popen | None, timeout: float = 20) -> None:
    """End a process this test started (terminate, then kill)."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


class PersistentRedis:
    """A redis-server of the test's own with the production persistence (append-only
    file, fsync on every write), stopped and started again on the same port and data."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = data_dir
        self.log = log
        self.proc: subprocess.Popen | None = None
        data_dir.mkdir(parents=True, exist_ok=True)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603
                [
                    shutil.which("redis-server") or "redis-server",
                    "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                    "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                ],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        client = self.client()

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.BusyLoadingError:
                return False
            except redis.RedisError:
                return False

        try:
            wait_until(answers, 15, f"redis-server on {self.port}", self.alive)
        finally:
            client.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def shutdown(self) -> None:
        """SIGTERM, as systemd stops it: Redis syncs its append-only file and exits."""
        stop(self.proc, timeout=20)


class PrivateCluster:
    """A PostgreSQL cluster of the test's own: initdb, start and stop (fast), as the
    postgres user when the tests run as root."""

    def __init__(self) -> None:
        # Not under pytest's tmp_path: the postgres user may not enter root's 0700 folders.
        self.base = Path(tempfile.mkdtemp(prefix="tandem-drill-pg-"))
        self.base.chmod(0o755)
        self.dir = self.base / "pgdata"
        self.port = free_port()

    @staticmethod
    def available() -> bool:
        return (PG_BIN / "initdb").exists() and (os.geteuid() != 0 or bool(shutil.which("runuser")))

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _as_postgres(self, *args: str, timeout: float = 60) -> None:
        # PostgreSQL refuses to run as root; anyone else runs it as themselves.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(  # noqa: S603
            [*prefix, *args], check=True, capture_output=True, timeout=timeout
        )

    def init(self) -> None:
        self.dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.dir), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-o", options,
            "-l", str(self.dir / "server.log"), "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.dir / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
