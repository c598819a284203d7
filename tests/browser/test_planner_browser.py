"""A lecturer opens the session planner, uses the suggested dates, saves them and downloads
the sessions as .ics."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import expect

from exchanges.drafting import session_plan
from tests.browser.helpers import sign_in
from tests.planning.conftest import world  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.planning.urls")]


def test_lecturer_plans_the_suggested_sessions_and_downloads_them(asgi_server, page, world):  # noqa: F811
    sign_in(page, asgi_server.url, world.jan.email)
    page.goto(f"{asgi_server.url}/proposals/{world.proposal.pk}/sessions/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Joint sessions")
    suggestions = page.get_by_role("group", name="Pick the dates to use")
    expect(suggestions.get_by_role("checkbox")).to_have_count(6)
    # Each suggestion in both local times; a date skipped for Tết, with its reason.
    expect(suggestions.get_by_text("Vietnam Time").first).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Lunar New Year \(public holiday, Vietnam\)"))
    ).to_be_visible()

    # From the keyboard: the button takes the focus, Enter presses it.
    button = page.get_by_role("button", name="Use the picked dates")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("The session plan is saved.")).to_be_visible()
    expect(page.get_by_text("6 sessions planned.")).to_be_visible()
    assert len(session_plan(world.proposal)) == 6

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the sessions (.ics)").click()
    body = Path(info.value.path()).read_bytes()
    events = list(icalendar.Calendar.from_ical(body).walk("VEVENT"))
    assert len(events) == 6
    starts = [e.decoded("dtstart") for e in events]
    assert starts == [s.start for s in session_plan(world.proposal)]
    assert all(s.tzinfo == dt.UTC or s.utcoffset() == dt.timedelta(0) for s in starts)
    assert "Marine Spatial Planning" in str(events[0]["summary"])
