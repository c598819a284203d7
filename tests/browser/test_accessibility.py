"""axe-core (tests/browser/vendor/axe-core, MPL-2.0) finds no serious or critical
accessibility problem on Tandem's main pages, for any role, on a desktop and on a phone.

axe is given to each page by Playwright, from the file here: the site serves no copy, and
the site's content security policy (no inline script) is bypassed for this test only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.balance.world import world  # noqa: F401  (a fixture)
from tests.browser.tour import tour, visit_all  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}


def axe_problems(page) -> list[str]:
    """Rule id, impact, help and the elements of each serious or critical violation."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations
          .filter(v => v.impact === "serious" || v.impact === "critical")
          .map(v => ({id: v.id, impact: v.impact, help: v.help,
                      targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
      }"""
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(v['targets'])}" for v in violations
    ]
    menu = page.locator(".nav-toggle")
    folded = menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
    if page.url.endswith("/dashboard/") and folded:
        menu.click()  # a phone's folded menu, opened: checked as well
        problems += [f"with the menu open: {line}" for line in axe_problems(page)]
    return problems


@pytest.mark.parametrize("size", SIZES)
def test_main_pages_have_no_serious_accessibility_problem(
    tour,  # noqa: F811
    asgi_server,
    browser,
    size,
):
    context = browser.new_context(
        locale="en-GB",
        timezone_id="Asia/Kuala_Lumpur",
        viewport=SIZES[size],
        bypass_csp=True,
    )
    context.set_default_timeout(15_000)
    try:
        problems = visit_all(context.new_page(), asgi_server.url, tour, axe_problems)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
