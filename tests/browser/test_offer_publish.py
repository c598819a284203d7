import pytest
from playwright.sync_api import expect

from offers.models import Offer, OfferStatus
from tests import factories
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


def test_lecturer_registers_and_publishes_an_offer(asgi_server, page, alice):
    factories.isced("0521")
    factories.sdg(14)
    sign_in(page, asgi_server.url, alice.email)

    page.get_by_role("link", name="Register an offer").click()
    page.get_by_label("Course title").fill("Coastal Ecosystems and Climate Adaptation")
    page.get_by_role("textbox", name="Description:", exact=True).fill(
        "Mangroves, reefs and estuaries in a changing climate."
    )
    # The filter box narrows the long field list as the lecturer types.
    page.get_by_label("Filter the fields").fill("environmental sc")
    expect(page.locator("#id_isced option:not([hidden])")).to_have_count(2)  # blank + 0521
    page.get_by_label("Field of education (ISCED-F)").select_option("0521")
    page.locator("#id_level").select_option("6")
    page.locator("#id_languages-0-language").select_option("en")
    page.locator("#id_languages-0-cefr").select_option("B2")
    page.get_by_label("Students or seats").fill("35")
    page.get_by_label("Term starts").fill("2027-02-15")
    page.get_by_label("Term ends").fill("2027-06-11")
    page.get_by_label("Duration in weeks").fill("12")
    page.get_by_label("Your time zone").select_option("Asia/Kuala_Lumpur")
    page.get_by_label("Synchronous sessions wanted").fill("6")
    page.locator("#id_windows-0-weekday").select_option("1")
    page.locator("#id_windows-0-start").fill("15:00")
    page.locator("#id_windows-0-end").fill("17:00")
    page.get_by_label("14. Life below water").check()
    page.get_by_role("button", name="Save draft and preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Coastal Ecosystems and Climate Adaptation"
    )
    expect(page.get_by_text("This is a draft")).to_be_visible()
    # Kuala Lumpur 15:00 is 09:00 in Berlin once Europe is on summer time.
    expect(page.get_by_role("cell", name="Tue 09:00–11:00").first).to_be_visible()

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Your offer is open")).to_be_visible()
    offer = Offer.objects.get()
    assert offer.status == OfferStatus.OPEN
    assert offer.owner == alice

    # A visitor finds it in the public catalogue.
    page.context.clear_cookies()
    page.goto(asgi_server.url + "/catalogue/?q=mangroves")
    expect(
        page.get_by_role("link", name="Coastal Ecosystems and Climate Adaptation")
    ).to_be_visible()
