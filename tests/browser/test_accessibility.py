"""axe-core (tests/browser/vendor/axe-core, MPL-2.0) finds no serious or critical
accessibility problem on Tandem's main pages, for any role, on a desktop and on a phone,
and on a desktop in dark mode (the colour contrast of static/css/tandem.css's dark palette).

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
# (size, colour scheme) pairs the tour is audited in.
VIEWS = {
    "desktop": ("desktop", "light"),
    "phone": ("phone", "light"),
    "desktop-dark": ("desktop", "dark"),
}


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


def relative_luminance(css_colour: str) -> float:
    """WCAG's relative luminance of a computed "rgb(r, g, b)" or "rgba(...)" colour."""
    channels = [float(c) for c in css_colour[css_colour.index("(") + 1 : -1].split(",")[:3]]
    linear = [
        c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
        for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def dark_mode_problems(page) -> list[str]:
    """axe's findings, and whether the page is light text on a dark ground."""
    colours = page.evaluate(
        """() => {
        const body = getComputedStyle(document.body);
        const root = getComputedStyle(document.documentElement);
        const ground = body.backgroundColor === "rgba(0, 0, 0, 0)"
          ? root.backgroundColor : body.backgroundColor;
        return {ground, text: body.color};
      }"""
    )
    problems = axe_problems(page)
    if relative_luminance(colours["ground"]) > 0.05:
        problems.append(f"the page's background is not dark in dark mode: {colours['ground']}")
    if relative_luminance(colours["text"]) < 0.5:
        problems.append(f"the text is not light in dark mode: {colours['text']}")
    return problems


@pytest.mark.parametrize("view", VIEWS)
def test_main_pages_have_no_serious_accessibility_problem(
    tour,  # noqa: F811
    asgi_server,
    browser,
    view,
):
    size, scheme = VIEWS[view]
    context = browser.new_context(
        locale="en-GB",
        timezone_id="Asia/Kuala_Lumpur",
        viewport=SIZES[size],
        color_scheme=scheme,
        bypass_csp=True,
    )
    context.set_default_timeout(15_000)
    check = dark_mode_problems if scheme == "dark" else axe_problems
    try:
        problems = visit_all(context.new_page(), asgi_server.url, tour, check)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
