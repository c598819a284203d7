"""Shared fixtures: personas, service requirements, a live ASGI server and a browser.

Tests that need PostgreSQL, Redis or chromium are marked; they skip when the part
is missing on a developer's machine, and fail when CI=true.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests import factories

CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
NGINX = os.environ.get("NGINX_PATH", "/usr/sbin/nginx")


def _missing(reason: str) -> None:
    if CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def pytest_configure(config):
    """Serve static files from the source folders: a fresh checkout has not run
    collectstatic, and the manifest storage of production would refuse every page."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and (
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        _missing("this test needs PostgreSQL: set DATABASE_URL")
    if item.get_closest_marker("redis") and not redis_available():
        _missing("this test needs Redis: set REDIS_URL to a running server")
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        _missing(f"this test needs Debian's chromium at {CHROMIUM}")
    if item.get_closest_marker("nginx") and not shutil.which(NGINX):
        _missing(f"this test needs Debian's nginx at {NGINX}")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Refits after every published offer would slow every test; tests of it turn it on.
    settings.MATCHING_AUTO_REFIT = False


@pytest.fixture(autouse=True)
def _fresh_matching_state(settings, tmp_path):
    """Each test stores its fitted models in its own folder and loads them afresh."""
    from matching import engine

    settings.MEDIA_ROOT = tmp_path / "media"
    engine.reset()
    yield
    engine.reset()


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    """Pages render in the reader's language from the compiled catalogues (build output,
    not committed): compile the stale ones, as dev.py does, for a bare `pytest` too."""
    from core.catalogues import compile_all

    compile_all()


@pytest.fixture(autouse=True)
def _default_language():
    """A request by a German-speaking user leaves German active in the thread (the
    locale middleware does not reset it): every test starts and ends in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth's rate limits live in the cache; one test's sign-ups must not throttle the next.
    from django.core.cache import cache

    cache.clear()
    yield


# --- personas -----------------------------------------------------------------
# alice: a verified lecturer at an Asian institution (Universiti Malaya).
# bob:   the international office of alice's institution.
# charlie: the international office of another institution, in Europe — an outsider.


@pytest.fixture
def asian_institution(db):
    return factories.InstitutionFactory(
        name="Universiti Malaya", country=factories.country("MY"), domains=["um.edu.my"]
    )


@pytest.fixture
def european_institution(db):
    return factories.InstitutionFactory(
        name="Wageningen University",
        country=factories.country("NL"),
        domains=["wageningenuniversity.nl"],
    )


@pytest.fixture
def alice(asian_institution):
    return factories.lecturer(asian_institution, email="alice@um.edu.my", full_name="Alice Tan")


@pytest.fixture
def bob(asian_institution):
    return factories.office(asian_institution, email="bob@um.edu.my", full_name="Bob Lim")


@pytest.fixture
def charlie(european_institution):
    return factories.office(
        european_institution, email="charlie@wageningenuniversity.nl", full_name="Charlie Visser"
    )


@pytest.fixture
def secretariat(db):
    return factories.UserFactory(
        email="paolo@secretariat.example", full_name="Paolo Rossi", is_secretariat=True
    )


# --- a real ASGI server and a real browser ---------------------------------------


class LiveServer:
    def __init__(self, server, sock: socket.socket):
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.loop: asyncio.AbstractEventLoop | None = None
        self._server = server
        self._sock = sock
        self._loop_ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        async def main():
            self.loop = asyncio.get_running_loop()
            self._loop_ready.set()
            await self._server.serve(sockets=[self._sock])

        asyncio.run(main())

    def start(self) -> None:
        self._thread.start()
        self._loop_ready.wait(timeout=10)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()


@pytest.fixture(scope="session", autouse=True)
def _end_server_sessions(django_db_setup, django_db_blocker):
    """Requests served by the live ASGI server ran in asgiref's executor threads, which
    keep their own database connections. On PostgreSQL, end them once all tests are done,
    or the test database cannot be dropped."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture
def asgi_server(transactional_db):
    """Tandem's ASGI application under uvicorn in a thread, on a free port.

    The socket is bound and listening before the thread starts, so a client may
    connect at once: the kernel queues it until uvicorn accepts."""
    import uvicorn

    from config.asgi import application

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    server = uvicorn.Server(uvicorn.Config(application, lifespan="off", log_level="warning"))
    live = LiveServer(server, sock)
    live.start()
    yield live
    live.stop()


@pytest.fixture
def browser(monkeypatch):
    """Debian's chromium, driven by Playwright."""
    if not shutil.which(CHROMIUM):
        _missing(f"this test needs Debian's chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test
    # makes between browser steps are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=shutil.which(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Kuala_Lumpur")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def api() -> APIClient:
    """A REST client that sends JSON, signed in by force_login or credentials()."""
    client = APIClient()
    client.default_format = "json"
    return client


@pytest.fixture
def offer_json(db):
    """Builds a valid JSON body for POST /api/v1/offers/, changed by keyword arguments."""
    factories.isced("0521")
    factories.sdg(13)
    factories.sdg(14)

    def build(**overrides) -> dict:
        body = {
            "kind": "coil",
            "title": "Coastal Ecosystems and Climate Adaptation",
            "description": "How mangroves, reefs and estuaries respond to a changing climate.",
            "learning_outcomes": "Assess adaptation options for a coastal community.",
            "isced": "0521",
            "level": "6",
            "students": 35,
            "term_start": "2027-02-15",
            "term_end": "2027-06-11",
            "duration_weeks": 12,
            "time_zone": "Asia/Kuala_Lumpur",
            "sync_sessions": 6,
            "priority": "balanced_mobility",
            "theme_digitalisation": False,
            "theme_sustainability": True,
            "skills": ["intercultural", "teamwork"],
            "partners_sought": 1,
            "languages": [{"language": "en", "cefr": "B2"}],
            "windows": [
                {"weekday": 1, "start": "15:00", "end": "17:00"},
                {"weekday": 3, "start": "15:00", "end": "17:00"},
            ],
            "sdgs": [13, 14],
            "preferred_countries": [],
            "excluded_countries": [],
        }
        body.update(overrides)
        return body

    return build
