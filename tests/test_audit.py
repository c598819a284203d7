"""The CI's dependency audit (.ci/audit.py): what it concludes from pip-audit's report."""

import importlib.util

from tests.live import ROOT

spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def test_a_known_vulnerability_fails_the_build_and_names_the_fix():
    code, lines = audit.verdict(
        {
            "dependencies": [
                {"name": "django", "version": "4.2.0", "vulns": [
                    {"id": "PYSEC-2023-61", "fix_versions": ["4.2.1"]}]},
                {"name": "celery", "version": "5.4.0", "vulns": []},
            ]
        }
    )  # fmt: skip
    assert code == 1
    assert lines == ["✗ django 4.2.0: PYSEC-2023-61 (fixed in 4.2.1)"]


def test_clean_packages_pass():
    code, lines = audit.verdict(
        {"dependencies": [{"name": "celery", "version": "5.4", "vulns": []}]}
    )
    assert code == 0
    assert "1 of 1 locked packages" in lines[0]


def test_an_unreachable_service_is_reported_not_failed():
    report = {"dependencies": [{"name": "celery", "version": "5.4", "skip_reason": "not found"}]}
    code, lines = audit.verdict(report)
    assert code == 0
    assert "unreachable" in lines[0]
