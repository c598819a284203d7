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
