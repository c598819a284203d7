"""CPU seconds spent by the processes under test: the web processes (and their children),
the Celery worker, and the PostgreSQL backends serving one database. On a machine shared
with other work, response times say little; CPU per request still says how many requests
two cores would hold."""

from __future__ import annotations

import psutil


def _cpu(proc: psutil.Process) -> float:
    try:
        t = proc.cpu_times()
        return t.user + t.system
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0


def tree(pid: int) -> dict[int, float]:
    """CPU seconds of a process and its descendants, by pid."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    return {p.pid: _cpu(p) for p in procs}


def backends(database: str) -> dict[int, float]:
    """CPU seconds of the PostgreSQL backends connected to `database`, by pid."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        pids = [row[0] for row in cursor.fetchall()]
    out = {}
    for pid in pids:
        try:
            out[pid] = _cpu(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    return out


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two snapshots (a process new in `after` counts from zero)."""
    return sum(max(0.0, t - before.get(pid, 0.0)) for pid, t in after.items())


class Meter:
    """Snapshots of the web, worker and database CPU; `read()` gives seconds since start."""

    def __init__(self, web_pid: int, worker_pid: int, database: str) -> None:
        self.web_pid, self.worker_pid, self.database = web_pid, worker_pid, database
        self.start = self._snap()

    def _snap(self) -> dict:
        return {
            "web": tree(self.web_pid),
            "worker": tree(self.worker_pid),
            "postgres": backends(self.database),
        }

    def read(self) -> dict[str, float]:
        end = self._snap()
        return {k: round(spent(self.start[k], end[k]), 2) for k in end}
