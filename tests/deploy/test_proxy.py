"""deploy/nginx/tandem.conf.template for real: Debian's nginx in front of uvicorn passes a
page, serves a static file from disk, and carries a chat WebSocket (the upgrade on /ws/).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import urllib.request

import pytest
from django.conf import settings
from websockets.asyncio.client import connect

from tests.conftest import NGINX
from tests.live import ROOT, ServerProcess, free_port, shared_test_database_url, wait_until
from tests.messaging.chat_helpers import session_cookie

pytestmark = [pytest.mark.nginx, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TEMPLATE = ROOT / "deploy" / "nginx" / "tandem.conf.template"


def render(values: dict[str, str]) -> str:
    """What the nginx image's envsubst does with TANDEM_* (and only those)."""
    return re.sub(r"\$\{(TANDEM_\w+)\}", lambda m: values[m.group(1)], TEMPLATE.read_text())


@pytest.fixture
def proxied(tmp_path, transactional_db):
    env = {
        **os.environ,
        "DATABASE_URL": shared_test_database_url(),
        "DATABASE_POOL_SIZE": "2",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
    }
    server = ServerProcess(env, tmp_path / "server.log")
    port = free_port()
    site = render(
        {
            "TANDEM_UPSTREAM": f"127.0.0.1:{server.port}",
            "TANDEM_LISTEN": f"127.0.0.1:{port}",
            "TANDEM_STATIC_ROOT": str(ROOT / "static"),
        }
    )
    (tmp_path / "logs").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        "worker_processes 1;\nerror_log logs/error.log;\npid logs/nginx.pid;\n"
        "events { worker_connections 64; }\n"
        "http {\n  access_log off;\n  include /etc/nginx/mime.types;\n"
        f"  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"{site}\n}}\n"
    )
    check = subprocess.run(  # noqa: S603
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    nginx = subprocess.Popen(  # noqa: S603
        [NGINX, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        server.wait_healthy()
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(base), 20, "nginx answers", lambda: nginx.poll() is None)
        yield base
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        server.stop()


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def get(url: str):
    """(status, headers: case-insensitive as HTTP's, body)."""
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        return response.status, response.headers, response.read()


def test_nginx_passes_a_page_serves_static_files_and_carries_the_chat(proxied, proposal, alice):
    status, headers, body = get(f"{proxied}/catalogue/")
    assert status == 200
    assert "Catalogue" in body.decode()
    assert len(headers.get("X-Request-ID", "")) == 32  # nginx's $request_id, kept by Tandem

    status, headers, body = get(f"{proxied}/static/css/tandem.css")
    assert status == 200
    assert body == (ROOT / "static" / "css" / "tandem.css").read_bytes()
    assert headers.get("Cache-Control") == "max-age=604800"  # from nginx, not the app

    cookie = session_cookie(alice)
    conversation = proposal.conversation.pk

    async def hello() -> dict:
        async with connect(
            proxied.replace("http", "ws") + f"/ws/conversations/{conversation}/",
            origin=proxied,
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
        ) as ws:
            return json.loads(await asyncio.wait_for(ws.recv(), 10))

    frame = asyncio.run(hello())
    assert frame["type"] == "hello"
    assert frame["conversation"] == conversation
    assert frame["user"]["id"] == alice.pk
