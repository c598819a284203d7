"""Issue #12's Chulalongkorn lecturer in the browser: no relevant partner yet, so the page
says so and offers an alert; when a related course is published she is told, and it is
suggested."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from matching import engine
from tests import factories
from tests.browser.helpers import sign_in
from tests.matching.test_relevance_pages import AMSTERDAM, make_background

pytestmark = pytest.mark.browser


def test_honest_empty_state_then_the_alert_brings_a_partner(
    asgi_server, page, european_institution
):
    make_background()
    chula = factories.InstitutionFactory(
        name="Chulalongkorn University", country=factories.country("TH")
    )
    mali = factories.lecturer(chula, email="mali@chula.ac.th", time_zone="Asia/Bangkok")
    jan = factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")
    course = factories.make_offer(
        mali,
        title="Environmental Science and Tropical Ecosystems",
        description="Air and water quality, biodiversity loss and pollution control in "
        "tropical cities and rivers, with field measurements.",
        time_zone="Asia/Bangkok",
        windows=[(1, dt.time(14), dt.time(17)), (3, dt.time(14), dt.time(17))],
    )
    factories.make_offer(
        jan,
        title="Preistoria e protostoria II",
        description="Bronze and iron age societies of the Italian peninsula.",
        isced=factories.isced("0222").pk,
        **AMSTERDAM,
    )
    engine.refit(force=True)

    sign_in(page, asgi_server.url, mali.email)
    page.goto(asgi_server.url + course.get_absolute_url())
    empty = page.locator("#no-partner")
    expect(empty.get_by_role("heading", name="No strong partner yet")).to_be_visible()
    expect(empty.get_by_role("link", name=re.compile(r"^0222 "))).to_be_visible()
    expect(page.locator(".suggestion")).to_have_count(0)
    empty.get_by_role("button", name="Tell me when one appears").click()
    expect(page.get_by_text("Tandem will tell you when a partner course fitting")).to_be_visible()

    # A related course (town planning, 0731) is published in Europe.
    factories.make_offer(
        jan,
        title="Urban Climate Planning",
        description="Heat islands, green space and flood plans for growing cities.",
        isced=factories.isced("0731").pk,
        **AMSTERDAM,
    )
    engine.refit(force=True)

    page.goto(asgi_server.url + "/notifications/")
    expect(
        page.get_by_text(re.compile("A new partner course for .Environmental Science"))
    ).to_be_visible()
    page.get_by_role("button", name="See suggestions").click()
    card = page.locator(".suggestion", has_text="Urban Climate Planning")
    expect(card).to_be_visible()
    expect(card.get_by_text("related fields 0521 and 0731")).to_be_visible()
    expect(page.locator(".suggestion", has_text="Preistoria")).to_have_count(0)
