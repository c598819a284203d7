"""Journeys 2 and 3 end to end, in the browser, with two lecturers and two offices.

Siti (Hanoi) proposed to Jan (Aarhus). Jan sets 30 students each way and accepts; Siti
plans the six sessions from the planner's suggestions (Tết skipped, the European switch to
summer time crossed) and both accept. Anna (Aarhus' office, "lars" here) approves from her
queue; Mei Ling (Hanoi's office) asks for changes, Siti adds the platform, and Anna's
approval of the older terms is void. Anna approves again; Mei Ling records her mid-term
exams in the academic calendar and rejects with the reason; Siti re-plans around them;
both offices approve. The sessions' .ics is parsed back and the agreement PDF read back."""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from exchanges.drafting import session_plan
from exchanges.models import Proposal
from tests.browser.helpers import sign_in
from tests.planning.conftest import world  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser]

COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")
SUMMER_TIME = dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC)  # Europe switches
TET = (dt.date(2027, 2, 5), dt.date(2027, 2, 10))  # Vietnam's Lunar New Year holidays


class Windows:
    """One browser window per person, each signed in once, as four people would work."""

    def __init__(self, browser, base: str) -> None:
        self.browser, self.base, self.pages = browser, base, {}

    def of(self, user, proposal=None):
        page = self.pages.get(user.pk)
        if page is None:
            context = self.browser.new_context(locale="en-GB", timezone_id="UTC")
            context.set_default_timeout(15_000)
            page = self.pages[user.pk] = context.new_page()
            sign_in(page, self.base, user.email)
        if proposal is not None:
            page.goto(f"{self.base}/proposals/{proposal.pk}/")
        return page


def accept(page, version: int) -> None:
    page.get_by_role("button", name=f"Accept version {version} of the terms").click()


def plan_from_suggestions(page, base, proposal) -> list[dt.datetime]:
    page.goto(f"{base}/proposals/{proposal.pk}/sessions/")
    page.get_by_role("button", name="Use the picked dates").click()
    expect(page.get_by_text("The session plan is saved.")).to_be_visible()
    return [s.start for s in session_plan(Proposal.objects.get(pk=proposal.pk))]


def test_two_lecturers_and_two_offices_agree_plan_and_sign(asgi_server, browser, world):  # noqa: F811
    w, base = world, asgi_server.url
    windows = Windows(browser, base)
    siti, jan, mei, anna = w.siti, w.jan, w.mei, w.lars

    # Journey 2: Jan records what they agreed, 30 students each way, and accepts (v2).
    page = windows.of(jan, w.proposal)
    page.locator("summary", has_text="Change the terms").click()
    page.get_by_label("Students Asia → Europe").fill("30")
    page.get_by_label("Students Europe → Asia").fill("30")
    page.get_by_label("Number of joint sessions").fill("6")
    page.get_by_role("button", name="Save and accept").click()
    expect(page.get_by_text("You saved and accepted version 2 of the terms.")).to_be_visible()

    # Siti plans the sessions from the suggestions (v3): Tết is skipped, with its reason.
    page = windows.of(siti)
    page.goto(f"{base}/proposals/{w.proposal.pk}/sessions/")
    expect(
        page.get_by_text(re.compile(r"Lunar New Year \(public holiday, Vietnam\)"))
    ).to_be_visible()
    starts = plan_from_suggestions(page, base, w.proposal)
    assert len(starts) == 6
    assert not any(TET[0] <= (s + dt.timedelta(hours=7)).date() <= TET[1] for s in starts)
    # The plan crosses Europe's change to summer time: Hanoi keeps 15:00, Aarhus moves.
    assert starts[0] < SUMMER_TIME < starts[-1]
    local = {s.astimezone(COPENHAGEN).utcoffset() for s in starts}
    assert local == {dt.timedelta(hours=1), dt.timedelta(hours=2)}
    plan = page.get_by_role("region", name="The session plan")
    expect(plan.get_by_text(re.compile(r"Denmark:.*\b09:00–10:30")).first).to_be_visible()
    expect(plan.get_by_text(re.compile(r"Denmark:.*\b10:00–11:30")).first).to_be_visible()
    expect(plan.get_by_text(re.compile(r"Vietnam:.*\b15:00–16:30"))).to_have_count(6)
    page.get_by_role("link", name="Back to the proposal").click()
    accept(page, 3)
    page = windows.of(jan, w.proposal)
    accept(page, 3)
    expect(page.locator(".situation")).to_have_text("Both sides accepted version 3 of the terms.")

    # Journey 3: Anna approves from her queue, which shows the students per direction.
    page = windows.of(anna)
    page.get_by_role("link", name="Approvals").click()
    expect(page.locator("td.students")).to_have_text("Asia → Europe 30 · Europe → Asia 30")
    page.get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.get_by_text("You approved the agreed terms")).to_be_visible()

    # Mei Ling asks a question; Siti answers it with the platform (v4), Jan accepts.
    page = windows.of(mei, w.proposal)
    page.get_by_label("What should change, or your question").fill(
        "On which platform will the students meet?"
    )
    page.get_by_role("button", name="Request changes").click()
    page = windows.of(siti, w.proposal)
    expect(page.locator("#thread")).to_contain_text("On which platform will the students meet?")
    page.locator("summary", has_text="Change the terms").click()
    page.get_by_label("Meeting platform").fill("Zoom, the university's licence")
    page.get_by_role("button", name="Save and accept").click()
    page = windows.of(jan, w.proposal)
    accept(page, 4)
    # Anna's approval was of version 3: void now, and she is asked again.
    expect(page.get_by_role("cell", name="Approved (void: the terms changed)")).to_be_visible()

    # Anna approves v4. Mei Ling enters her mid-term exams, which hit the third session,
    # and rejects with the reason.
    page = windows.of(anna, w.proposal)
    page.get_by_role("button", name="Approve", exact=True).click()
    exams = (starts[2] + dt.timedelta(hours=7)).date()
    exam_week = (exams - dt.timedelta(days=exams.weekday()), exams + dt.timedelta(days=4))
    page = windows.of(mei)
    page.goto(f"{base}/office/calendar/")
    page.get_by_label("Kind").select_option(label="Exam weeks")
    page.get_by_label("Name").fill("Mid-term exams")
    page.get_by_label("First day").fill(exam_week[0].isoformat())
    page.get_by_label("Last day").fill(exam_week[1].isoformat())
    page.get_by_role("button", name="Add the period").click()
    expect(page.get_by_text("The period is added.")).to_be_visible()
    page.goto(f"{base}/proposals/{w.proposal.pk}/")
    page.get_by_label("Reason").fill("Session dates clash with our mid-term exams.")
    page.get_by_role("button", name="Reject with this reason").click()
    expect(page.locator(".status")).to_have_text("Rejected by an office")

    # Siti re-plans: the suggestions now skip the exam week (v5); both accept.
    page = windows.of(siti, w.proposal)
    expect(page.get_by_text("Session dates clash with our mid-term exams.").first).to_be_visible()
    page.goto(f"{base}/proposals/{w.proposal.pk}/sessions/")
    expect(page.get_by_text(re.compile(r"Mid-term exams")).first).to_be_visible()
    new_starts = plan_from_suggestions(page, base, w.proposal)
    assert len(new_starts) == 6 and new_starts != starts
    in_exams = [
        s for s in new_starts if exam_week[0] <= (s + dt.timedelta(hours=7)).date() <= exam_week[1]
    ]
    assert not in_exams
    page.get_by_role("link", name="Back to the proposal").click()
    accept(page, 5)
    page = windows.of(jan, w.proposal)
    accept(page, 5)

    # Both offices approve version 5.
    for office in (anna, mei):
        page = windows.of(office, w.proposal)
        page.get_by_role("button", name="Approve", exact=True).click()
        expect(page.get_by_text("You approved the agreed terms")).to_be_visible()
    expect(page.locator(".status")).to_have_text("Approved by both offices")
    proposal = Proposal.objects.get(pk=w.proposal.pk)
    assert proposal.state == "approved" and proposal.terms["version"] == 5

    # The sessions as .ics, parsed back: the six approved dates.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the sessions (.ics)").click()
    events = list(icalendar.Calendar.from_ical(Path(info.value.path()).read_bytes()).walk("VEVENT"))
    assert sorted(e.decoded("dtstart") for e in events) == new_starts

    # The agreement PDF, read back.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the agreement (PDF)").click()
    reader = PdfReader(io.BytesIO(Path(info.value.path()).read_bytes()))
    text = " ".join(p.extract_text() for p in reader.pages)
    text = " ".join(text.split())
    for expected in (
        "Coastal Ecosystems",
        "Marine Spatial Planning",
        "Hanoi University",
        "Aarhus University",
        "Zoom, the university's licence",
        proposal.terms_hash[:16],
    ):
        assert expected in text, expected
    for office in (anna, mei):
        assert office.full_name in text
