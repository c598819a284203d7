"""Vulnerability audit of requirements.lock with pip-audit, tolerant of a closed network.

Fails when a locked package has a known vulnerability. When the vulnerability service
cannot be reached (no package could be audited), it says so and does not fail: CI here
may run without access to PyPI's JSON API, and a red build for a network outage would
teach people to ignore it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    run = subprocess.run(  # noqa: S603
        [
            sys.executable, "-m", "pip_audit", "-r", str(ROOT / "requirements.lock"),
            "--require-hashes", "--disable-pip", "--progress-spinner", "off",
            "--format", "json", "--timeout", "10",
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print("· audit: pip-audit gave no report (network unreachable?); not audited")
        print(run.stderr.strip().splitlines()[-1:] and run.stderr.strip().splitlines()[-1])
        return 0
    code, lines = verdict(report)
    print("\n".join(lines))
    return code


def verdict(report: dict) -> tuple[int, list[str]]:
    """(exit code, lines to print) for a pip-audit JSON report."""
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    lines = [
        f"✗ {dep['name']} {dep['version']}: {vuln['id']} "
        f"(fixed in {', '.join(vuln.get('fix_versions', [])) or 'no release yet'})"
        for dep in audited
        for vuln in dep.get("vulns", [])
    ]
    if lines:
        return 1, lines
    if not audited:
        return 0, [f"· audit: vulnerability service unreachable; {len(deps)} packages not audited"]
    return 0, [f"· audit: {len(audited)} of {len(deps)} locked packages, no known vulnerability"]


if __name__ == "__main__":
    sys.exit(main())
