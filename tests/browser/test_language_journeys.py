"""Tandem in Thai, Japanese and German, end to end in a real browser, with no English text
of Tandem's own on any page passed (tests/browser/english_check.py says what counts).

1. A Thai lecturer whose browser asks for Thai signs up, confirms her e-mail address from
   the link, and claims her institution.
2. For Thai, Japanese and German readers: an Asian lecturer registers an offer through the
   form and publishes it; a European lecturer finds it among his suggestions and proposes;
   the two chat live, each in their own browser; she accepts; both international offices
   sign in with their authenticator codes and approve; the secretariat reads the
   statistics. Everyone reads Tandem in the language of the run."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Affiliation, Institution, User
from exchanges.models import Proposal, ProposalState
from matching import engine
from messaging.models import ChatMessage
from offers.models import IscedField, Offer, OfferStatus, Sdg
from tests import factories
from tests.accounts.helpers import link_in_last_email
from tests.browser.english_check import Watch, t
from tests.browser.helpers import fresh_code

pytestmark = pytest.mark.browser

LOCALES = {"th": "th-TH", "ja": "ja-JP", "de": "de-DE"}


def reference_text() -> set[str]:
    """What the database holds that is not Tandem's sentence: names people gave, what they
    typed, and reference data kept in English where it has no translation (ISCED-F)."""
    allow = set(Institution.objects.values_list("name", flat=True))
    for user in User.objects.all():
        allow.update((user.full_name, user.email))
    for offer in Offer.objects.all():
        allow.update((offer.title, offer.description, offer.learning_outcomes))
    allow.update(IscedField.objects.values_list("label_en", flat=True))
    allow.update(Sdg.objects.values_list("short_en", flat=True))
    allow.update(ChatMessage.objects.values_list("text", flat=True))
    allow.update(Proposal.objects.values_list("message", flat=True))
    return {a for a in allow if a}


class Reader:
    """One person in a browser of their own, reading Tandem in the watch's language; each
    page they reach is looked at for English."""

    def __init__(self, browser, base: str, watch: Watch, user: User | None, zone: str):
        context = browser.new_context(locale=LOCALES[watch.code], timezone_id=zone)
        context.set_default_timeout(15_000)
        self.page = context.new_page()
        self.base, self.watch, self.user, self.code = base, watch, user, watch.code
        watch.follow(self.page)

    def look(self, what: str = "") -> None:
        self.watch.allow |= reference_text()
        self.watch.look(self.page, what)

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.look()

    def button(self, msgid: str, **values):
        return self.page.get_by_role("button", name=t(self.code, msgid, **values), exact=True)

    def go(self, url_name: str) -> None:
        """Follows the site menu's link (its name may carry a badge: found by address)."""
        self.page.locator(f"header nav a[href='{reverse(url_name)}']").click()
        expect(self.page).to_have_url(re.compile(re.escape(reverse(url_name)) + "$"))
        self.look()

    def link(self, msgid: str, **values):
        return self.page.get_by_role("link", name=t(self.code, msgid, **values), exact=True)

    def sign_in(self) -> None:
        """Password, then the authenticator code when the account has one."""
        page = self.page
        self.open(reverse("account_login"))
        page.locator("input[name=login]").fill(self.user.email)
        page.locator("input[name=password]").fill(factories.PASSWORD)
        self.button("Sign In").click()
        if Authenticator.objects.filter(user=self.user, type=Authenticator.Type.TOTP).exists():
            expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
            self.look()
            page.locator("input[name=code]").fill(fresh_code(self.user))
            self.button("Sign In").click()
        expect(page).to_have_url(re.compile(r"/dashboard/$"))
        self.look()


# --- 1. Sign-up in Thai -----------------------------------------------------------------


def test_a_thai_lecturer_signs_up_confirms_and_claims_her_institution_in_thai(asgi_server, browser):
    code = "th"
    chula = factories.InstitutionFactory(
        name="Chulalongkorn University", country=factories.country("TH"), domains=["chula.ac.th"]
    )
    factories.country("DE")
    watch = Watch(code)
    me = Reader(browser, asgi_server.url, watch, None, "Asia/Bangkok")
    page = me.page

    me.open("/")
    page.get_by_role("main").get_by_role(
        "link", name=t(code, "Sign up with your institutional e-mail")
    ).click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    me.look()
    page.locator("input[name=email]").fill("somchai@chula.ac.th")
    page.locator("input[name=full_name]").fill("Somchai Wongsakul")
    expect(page.locator("select[name=time_zone]")).to_have_value("Asia/Bangkok")
    page.locator("input[name=password1]").fill("tides-and-mangroves-2026")
    page.locator("input[name=password2]").fill("tides-and-mangroves-2026")
    me.button("Sign Up").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    me.look()

    # The e-mail, in Thai too; its link opens the confirmation page.
    (message,) = mail.outbox
    watch.allow |= reference_text()
    watch.read([message.subject, message.body], "the e-mail to confirm the address")
    me.open(link_in_last_email())
    me.button("Confirm").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    me.look()

    me.link("Claim an institution").click()
    expect(page).to_have_url(re.compile(r"/institutions/claim/$"))
    me.look()
    me.page.get_by_role("button", name=t(code, "Claim %(name)s", name=chula.name)).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("main .messages")).to_contain_text(chula.name)
    me.look()

    user = User.objects.get(email="somchai@chula.ac.th")
    assert user.preferred_language == "th"
    assert Affiliation.objects.get(user=user).is_verified
    watch.assert_clean()


# --- 2. Offer, proposal, chat, approvals and statistics -----------------------------------


@pytest.fixture
def people(alice, bob, charlie, secretariat, european_institution):
    """Siti's partner Jan with an open offer that fits hers; everyone's time zone set."""
    jan = factories.lecturer(
        european_institution,
        email="jan@wageningenuniversity.nl",
        full_name="Jan de Vries",
        time_zone="Europe/Amsterdam",
    )
    factories.make_offer(
        jan,
        title="Marine Spatial Planning",
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
        isced=factories.isced("0522").pk,
    )
    factories.isced("0521")
    factories.sdg(14)
    return {"siti": alice, "mei": bob, "anna": charlie, "paolo": secretariat, "jan": jan}


def register_offer(siti: Reader) -> Offer:
    """Siti registers her course through the form, previews the draft and publishes it."""
    page = siti.page
    siti.link("Register an offer").click()
    expect(page).to_have_url(re.compile(r"/offers/new/$"))
    siti.look()
    page.locator("#id_title").fill("Coastal Ecosystems and Climate Adaptation")
    page.locator("#id_description").fill("Mangroves, reefs and estuaries in a changing climate.")
    page.locator("#id_learning_outcomes").fill("Assess adaptation options for a coast.")
    page.locator("#id_isced").select_option("0521")
    page.locator("#id_level").select_option("6")
    page.locator("#id_languages-0-language").select_option("en")
    page.locator("#id_languages-0-cefr").select_option("B2")
    page.locator("#id_students").fill("35")
    page.locator("#id_term_start").fill("2027-02-15")
    page.locator("#id_term_end").fill("2027-06-11")
    page.locator("#id_duration_weeks").fill("12")
    page.locator("#id_time_zone").select_option("Asia/Kuala_Lumpur")
    page.locator("#id_sync_sessions").fill("6")
    page.locator("#id_windows-0-weekday").select_option("1")
    page.locator("#id_windows-0-start").fill("15:00")
    page.locator("#id_windows-0-end").fill("17:00")
    page.locator(f"input[name=sdgs][value='{Sdg.objects.get(number=14).pk}']").check()
    siti.button("Save draft and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Coastal Ecosystems and Climate Adaptation"
    )
    siti.look("draft")
    siti.button("Publish").click()
    expect(page.locator("main .messages")).to_be_visible()
    siti.look("published")
    offer = Offer.objects.get(owner=siti.user)
    assert offer.status == OfferStatus.OPEN
    return offer


def propose(jan: Reader, offer: Offer) -> Proposal:
    """Jan finds Siti's course among his offer's suggestions and proposes."""
    page = jan.page
    jan.open(Offer.objects.get(owner=jan.user).get_absolute_url())
    card = page.locator(".suggestion", has_text=offer.title)
    card.get_by_role(
        "link", name=t(jan.code, "Propose a pairing with “%(title)s”", title=offer.title)
    ).click()
    expect(page).to_have_url(re.compile(r"/offers/\d+/propose/"))
    jan.look()
    page.locator("#id_message").fill("Our classes fit well!")
    jan.button("Send the proposal").click()
    expect(page).to_have_url(re.compile(r"/proposals/\d+/$"))
    jan.look()
    return Proposal.objects.get()


def chat(siti: Reader, jan: Reader, proposal: Proposal) -> None:
    """Both on the proposal's page, connected; each writes, the other reads it live."""
    siti.go("exchanges:proposal-list")
    siti.page.locator(f"main a[href='/proposals/{proposal.pk}/']").click()
    expect(siti.page).to_have_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    for reader in (siti, jan):
        expect(reader.page.locator("[data-chat-status]")).to_have_text(
            t(reader.code, "Connected: new messages appear as they arrive.")
        )
    for writer, other, text in ((siti, jan, "Six sessions on Tuesdays?"), (jan, siti, "Yes!")):
        box = writer.page.locator("[data-chat-form] textarea")
        box.fill(text)
        box.press("Enter")
        expect(other.page.locator("[data-chat-log] li").last).to_contain_text(text)
    expect(siti.page.locator("[data-chat-receipt]")).not_to_be_empty()
    siti.look("chat")
    jan.look("chat")


def approve(office: Reader, proposal: Proposal) -> None:
    office.sign_in()
    office.go("exchanges:approval-queue")
    office.page.locator(f"main a[href='/proposals/{proposal.pk}/']").click()
    expect(office.page).to_have_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    office.look()
    office.button("Approve").click()
    expect(office.page.locator("main .messages")).to_be_visible()
    office.look("approved")


@pytest.mark.parametrize("code", ["th", "ja", "de"])
def test_offer_proposal_chat_approval_and_statistics_without_english(
    asgi_server, browser, people, code
):
    User.objects.update(preferred_language=code)
    watch = Watch(code)
    base = asgi_server.url
    siti, jan, mei, anna, paolo = (
        Reader(browser, base, watch, people[name], zone)
        for name, zone in (
            ("siti", "Asia/Kuala_Lumpur"),
            ("jan", "Europe/Amsterdam"),
            ("mei", "Asia/Kuala_Lumpur"),
            ("anna", "Europe/Amsterdam"),
            ("paolo", "Europe/Brussels"),
        )
    )

    siti.sign_in()
    offer = register_offer(siti)
    engine.refit(force=True)  # as a running Tandem's refit task does after publishing

    jan.sign_in()
    proposal = propose(jan, offer)
    chat(siti, jan, proposal)
    siti.page.locator("form[action$='/accept/'] button").click()
    expect(siti.page.locator("main .messages")).to_be_visible()
    siti.look("accepted")

    approve(anna, proposal)
    approve(mei, proposal)
    assert Proposal.objects.get().state == ProposalState.APPROVED

    paolo.sign_in()
    paolo.go("balance:dashboard")
    watch.assert_clean()
