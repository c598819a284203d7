#!/usr/bin/env python3
"""Set up and run Tandem with nothing but Python 3.11.

    python3 dev.py serve   install, migrate, load reference and demo data, serve :8000
    python3 dev.py test    install, then run the whole test suite
    python3 dev.py screenshots   retake docs/screenshots/ (needs Debian's chromium)

Both are safe to run again: the install is skipped while requirements.lock is
unchanged, migrations and data loads are idempotent.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".tandem-lock-sha256"


def run(*args: str, env: dict | None = None) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


def check(*args: str, env: dict | None = None) -> None:
    code = run(*args, env=env)
    if code:
        sys.exit(code)


def install() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Tandem needs Python 3.11; this is {sys.version.split()[0]}.")
    if not PY.exists():
        print("· creating .venv")
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    print("· installing locked dependencies (requirements.lock)")
    check(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    check(PY, "-m", "pip", "install", "--quiet", "--require-hashes", "-r", LOCK)
    STAMP.write_text(digest)


def serve() -> None:
    install()
    check(PY, "manage.py", "compile_catalogues", "-v", "0")
    check(PY, "manage.py", "migrate", "--no-input", "-v", "0")
    check(PY, "manage.py", "load_demo")
    check(PY, "manage.py", "refit_matching")
    check(PY, "manage.py", "collectstatic", "--no-input", "-v", "0")
    print(f"· Tandem on http://127.0.0.1:{os.environ.get('PORT', '8000')}  (Ctrl+C stops it)")
    os.execv(
        PY,
        [
            str(PY),
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            os.environ.get("PORT", "8000"),
            "--lifespan",
            "off",
        ],
    )


def test(extra: list[str]) -> None:
    install()
    env = dict(os.environ)
    if env.get("DATABASE_URL"):
        # The suite runs in production mode; give it the secrets a deployment would have.
        env.setdefault("SECRET_KEY", "test-only-" + "x" * 50)
        env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
        env.setdefault("SECURE_SSL_REDIRECT", "false")
        # The suite's own process opens a connection per thread and closes it after each
        # request (its race tests hold more threads than a pool would); the servers the
        # tests start (chat, overload) run with the production pool.
        env.setdefault("DATABASE_POOL_SIZE", "0")
    check(PY, "manage.py", "compile_catalogues", "-v", "0", env=env)
    code = run(PY, "-m", "pytest", *extra, env=env)
    if code == 0 and env.get("DATABASE_URL") and not extra:
        # What differs between PostgreSQL and SQLite runs once more on SQLite.
        print("· again on SQLite: the tests marked both_backends")
        sqlite_env = {k: v for k, v in env.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        code = run(
            PY, "-m", "pytest", "-m", "both_backends", "-p", "no:cacheprovider", env=sqlite_env
        )
    sys.exit(code)


def screenshots() -> None:
    """The README's screenshots, over the browser tests' tour of the main pages."""
    install()
    check(PY, "manage.py", "compile_catalogues", "-v", "0")
    env = {**os.environ, "SCREENSHOTS_DIR": str(ROOT / "docs" / "screenshots")}
    check(
        PY, "-m", "pytest", "tests/browser/screenshots.py", "-q", "-p", "no:cacheprovider", env=env
    )


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test", "install", "screenshots"}:
        sys.exit(__doc__)
    command, extra = sys.argv[1], sys.argv[2:]
    if command == "serve":
        serve()
    elif command == "install":
        install()
    elif command == "screenshots":
        screenshots()
    else:
        test(extra)


if __name__ == "__main__":
    main()
