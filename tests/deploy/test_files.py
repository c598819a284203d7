"""The deployment files hang together (the container engine itself cannot run here: the
image build and `docker compose up` are not exercised by the suite)."""

from __future__ import annotations

import re

import yaml
from django.core.management import get_commands

from tests.live import ROOT

DEPLOY = ROOT / "deploy"


def test_compose_runs_every_process_of_production_mode_on_one_image():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {
        "postgres", "redis", "migrate", "web", "worker", "beat", "proxy", "static"
    }  # fmt: skip
    for name in ("migrate", "web", "worker", "beat", "static"):
        assert services[name]["image"] == "tandem:latest"
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    template = services["proxy"]["volumes"][0].split(":")[0]
    assert (DEPLOY / template).is_file()
    assert services["proxy"]["environment"]["TANDEM_UPSTREAM"] == "web:8000"


def test_every_management_command_the_deployment_runs_exists():
    commands = get_commands()
    texts = [(DEPLOY / "compose.yaml").read_text()] + [
        p.read_text() for p in (DEPLOY / "systemd").glob("*.service")
    ]
    used = {re.match(r"\w+", rest)[0] for text in texts for rest in text.split("manage.py ")[1:]}
    assert used == {"migrate", "load_reference", "collectstatic", "compile_catalogues"}
    assert used <= set(commands)


def test_the_env_example_names_what_production_mode_requires():
    example = (DEPLOY / ".env.example").read_text()
    for name in (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "CSRF_TRUSTED_ORIGINS",
    ):
        assert f"\n{name}=" in example
