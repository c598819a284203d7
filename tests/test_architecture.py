"""The layout the next engineer relies on (docs/architecture.md): checked, not hoped for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_apps_keep_their_layers_and_the_matching_core_stays_pure():
    """The import-linter contracts of pyproject.toml: each app imports only the layers
    below it, views stay home, and the pure matching modules import no Django."""
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_models_choices_and_the_matching_core_speak_the_one_vocabulary():
    from core import vocabulary
    from matching import features, overlap
    from offers import importing, validation
    from offers.models import WEEKDAY_CHOICES, AvailabilityWindow, Cefr, OfferKind, OfferLevel

    assert tuple(OfferKind.values) == vocabulary.KINDS
    assert tuple(OfferLevel.values) == vocabulary.LEVELS
    assert tuple(Cefr.values) == vocabulary.CEFR_LEVELS == validation.CEFR
    assert set(vocabulary.LEVEL_POSITION) == set(vocabulary.LEVELS)
    assert set(vocabulary.TVET_AND_LIFELONG_LEVELS) <= set(vocabulary.LEVELS)
    assert [day for day, _label in WEEKDAY_CHOICES] == list(range(len(vocabulary.WEEKDAYS)))
    field = AvailabilityWindow._meta.get_field("weekday")
    assert [day for day, _label in field.choices] == list(range(7))
    assert tuple(d.lower() for d in vocabulary.WEEKDAYS) == importing.WEEKDAY_NAMES
    # The pure core checks offers against the same tuples, not copies of them.
    assert features.KINDS is vocabulary.KINDS and features.LEVELS is vocabulary.LEVELS
    assert features.CEFR_LEVELS is vocabulary.CEFR_LEVELS
    assert overlap.WEEKDAYS is vocabulary.WEEKDAYS


APPS = [
    "core",
    "accounts",
    "offers",
    "matching",
    "exchanges",
    "messaging",
    "notifications",
    "rounds",
    "balance",
    "dashboard",
    "privacy",
    "config",
]
MAX_MODULE_LINES = 420  # "about 400": a module past it is two modules
MAX_FUNCTION_LINES = 60


def _app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_modules_and_functions_stay_small():
    import ast

    too_long = []
    for path in _app_modules():
        source = path.read_text()
        name = path.relative_to(ROOT)
        if source.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{name}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{name}:{node.lineno} {node.name}(): {length} lines")
    assert not too_long, "\n".join(too_long)


def test_every_scheduled_task_is_a_registered_task():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
