"""The printable agreement page: the same content as the PDF, for the same people, with a
print stylesheet served by Tandem itself; in a browser, its print media leave the site's
header and menus out."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories
from tests.exchanges.test_agreement_pdf import with_agreed, without_agreed
from tests.messaging.chat_helpers import session_cookie

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(make_proposal):
    return with_agreed(make_proposal("approved"))


@pytest.fixture
def dara(thai_institution):
    return factories.office(thai_institution, email="dara@chula.ac.th", full_name="Dara Phan")


def print_url(proposal) -> str:
    return reverse("agreement:print", args=[proposal.pk])


def flat(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_shows_the_whole_agreement(client, approved, charlie):
    charlie.time_zone = "Europe/Amsterdam"
    charlie.save(update_fields=["time_zone"])
    client.force_login(charlie)
    response = client.get(print_url(approved))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    text = flat(html)
    for expected in (
        "Virtual exchange agreement",
        "Universiti Malaya",
        "Wageningen University",
        "Coastal Ecosystems and Climate Adaptation ↔ Marine Spatial Planning",
        "0521 Environmental sciences",
        "EQF 6 — bachelor",
        "English (B2)",
        "Students Asia → Europe 30",
        "Students Europe → Asia 28",
        "2.5 ECTS",
        "Nguyễn Thị Linh",
        # each session in both local times, across Europe's change to summer time
        "Tue 23 Mar 2027, 15:00 (UTC+08:00) Tue 23 Mar 2027, 08:00 (UTC+01:00)",
        "Tue 30 Mar 2027, 15:00 (UTC+08:00) Tue 30 Mar 2027, 09:00 (UTC+02:00)",
        "Bob Lim",
        "Charlie Visser",
        "Times in Europe/Amsterdam.",  # the viewer's zone for the approvals
        approved.terms_hash,
        "For Universiti Malaya",
        "For Wageningen University",
        "Signature",
    ):
        assert expected in text, expected
    # Served by Tandem, no CDN; the links to the other formats.
    assert re.search(r'<link rel="stylesheet" href="/static/css/print\.css"', html)
    assert reverse("agreement:pdf", args=[approved.pk]) in html
    assert reverse("api:proposal-agreement", args=[approved.pk]) in html
    assert all(
        href.startswith("/static/")
        for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    )


def test_the_print_stylesheet_leaves_the_site_out_and_keeps_signatures_whole():
    path = finders.find("css/print.css")
    assert path
    with open(path, encoding="utf-8") as f:
        css = f.read()
    print_rules = css.split("@media print", 1)[1]
    assert ".site-header" in print_rules and ".site-footer" in print_rules
    assert ".no-print" in print_rules
    assert re.search(r"\.agreement-signatures\s*{[^}]*break-inside:\s*avoid", print_rules)
    assert "size: A4" in css


def test_a_proposal_approved_before_drafting_shows_what_it_has(client, make_proposal, alice):
    proposal = without_agreed(make_proposal("approved"))
    client.force_login(alice)
    text = flat(client.get(print_url(proposal)).content.decode())
    assert "Students Asia → Europe 35" in text
    assert "No session plan is part of these terms." in text
    assert "Credits at" not in text  # nothing invented


@pytest.mark.parametrize("who", ["erin", "dara"])
def test_outsiders_get_404(client, approved, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(print_url(approved)).status_code == 404


@pytest.mark.parametrize("who", ["alice", "jan", "bob", "charlie"])
def test_both_lecturers_and_both_offices_see_it(client, approved, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(print_url(approved)).status_code == 200


def test_before_approval_the_page_says_why(client, make_proposal, jan):
    proposal = make_proposal("accepted")
    client.force_login(jan)
    response = client.get(print_url(proposal))
    assert response.status_code == 409
    text = flat(response.content.decode())
    assert "No agreement yet" in text
    assert "The agreement exists once both international offices have approved" in text
    assert reverse("exchanges:proposal-detail", args=[proposal.pk]) in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_printed_the_page_is_only_the_document(asgi_server, page, approved, alice):
    """In print media the site's header, menus and tool links are gone; the signature
    blocks and the hash stay."""
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session_cookie(alice),
                "url": asgi_server.url,
            }
        ]
    )
    page.goto(asgi_server.url + print_url(approved))
    download = page.get_by_role("link", name="Download the agreement (PDF)")
    expect(download).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(download).to_be_hidden()
    expect(page.get_by_role("heading", name="For Universiti Malaya")).to_be_visible()
    expect(page.locator(".agreement-footer")).to_contain_text(approved.terms_hash)
    assert page.pdf(format="A4").startswith(b"%PDF")
