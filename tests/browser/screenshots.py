"""The screenshots of docs/screenshots/, taken over the tour's pages (tests/browser/tour.py)
at desktop and phone sizes. Not part of the suite (not a test_*.py module): run it with

    python3 dev.py screenshots

which writes the PNG files into docs/screenshots/ (SCREENSHOTS_DIR)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.balance.world import world  # noqa: F401  (a fixture the tour builds on)
from tests.browser.tour import Visit, tour, visit_all  # noqa: F401  (tour: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
# The pages the README shows: (the tour's name for the page, the file's name).
PAGES = {
    "landing": "landing",
    "lecturer dashboard": "lecturer-dashboard",
    "an offer": "offer",
    "the offer form": "offer-form",
    "approvals queue": "office-approvals",
    "statistics": "statistics",
}


@pytest.mark.parametrize("size", SIZES)
def test_screenshots(asgi_server, page, tour, size):  # noqa: F811  (tour: the fixture)
    folder = Path(os.environ.get("SCREENSHOTS_DIR", "docs/screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    wanted: list[Visit] = [v for v in tour if v.what in PAGES]
    assert {v.what for v in wanted} == set(PAGES), "the tour lost a page of the README"
    by_path = {v.path: v.what for v in wanted}

    def shoot(p) -> list[str]:
        name = PAGES[by_path[p.url.removeprefix(asgi_server.url)]]
        p.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
        return []

    assert visit_all(page, asgi_server.url, wanted, shoot) == []
