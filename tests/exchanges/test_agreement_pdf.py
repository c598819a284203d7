"""The signable agreement as PDF: read back with pypdf, as an office's system would.

alice (Universiti Malaya) proposed to jan (Wageningen); bob and charlie, their offices,
approved. The frozen terms carry what the two lecturers agreed: 30 students each way,
sessions on either side of Europe's change to summer time."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from exchanges import agreement
from exchanges.agreement_fonts import pdf_fonts
from exchanges.models import Proposal
from tests import factories

pytestmark = pytest.mark.django_db

# Europe/Amsterdam moves to summer time on Sunday 28 March 2027; Kuala Lumpur never does.
AGREED = {
    "students_asia_to_europe": 30,
    "students_europe_to_asia": 28,
    "session_count": 3,
    "sessions": [
        {"start": "2027-03-23T07:00:00+00:00", "minutes": 90},
        {"start": "2027-03-30T07:00:00+00:00", "minutes": 90},
    ],
    "mode": "coil",
    "working_language": "en",
    "credits_asia": "3",
    "credit_system_asia": "local",
    "credits_europe": "2.5",
    "credit_system_europe": "ects",
    "joint_assignment": "A coastal adaptation plan for one village, by mixed teams.",
    "platform": "Zoom room of Nguyễn Thị Linh",
}


def with_agreed(proposal: Proposal, agreed: dict | None = None, version: int = 2) -> Proposal:
    """The proposal's frozen terms with an "agreed" part, as the drafting workflow freezes
    them, hashed again; the standing approvals move to the new hash."""
    terms = {**proposal.terms, "agreed": dict(agreed or AGREED), "version": version}
    digest = agreement.terms_digest(terms)
    proposal.decisions.filter(void=False).update(terms_hash=digest)
    Proposal.objects.filter(pk=proposal.pk).update(terms=terms, terms_hash=digest)
    return Proposal.objects.get(pk=proposal.pk)


@pytest.fixture
def approved(make_proposal):
    return with_agreed(make_proposal("approved"))


@pytest.fixture
def dara(thai_institution):
    """The international office of a third institution."""
    return factories.office(thai_institution, email="dara@chula.ac.th", full_name="Dara Phan")


def pdf_url(proposal) -> str:
    return reverse("agreement:pdf", args=[proposal.pk])


def pdf_text(content: bytes) -> str:
    """All pages' text, each run of white space one space (lines wrap where they fit)."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_reads_back_with_everything_an_office_files(client, approved, bob):
    client.force_login(bob)
    response = client.get(pdf_url(approved))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="tandem-agreement-{approved.pk}-{approved.terms_hash[:12]}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    text = pdf_text(response.content)
    for expected in (
        "Virtual exchange agreement",
        "Universiti Malaya",
        "Wageningen University",
        "Malaysia (MY)",
        "Netherlands (NL)",
        "Coastal Ecosystems and Climate Adaptation",
        "Marine Spatial Planning",
        "0521 Environmental sciences",
        "EQF 6",
        "English (B2)",
        "Students Asia → Europe",
        "Students Europe → Asia",
        "2.5 ECTS",
        "A coastal adaptation plan for one village",
        "Nguyễn Thị Linh",  # diacritics survive: the embedded font has them
        "approved by Bob Lim",
        "approved by Charlie Visser",
        approved.terms_hash,
        "Signatures",
        "For Universiti Malaya",
        "For Wageningen University",
        "Name",
        "Position",
        "Signature",
        "Page 1 of",
    ):
        assert expected in text, expected


def test_the_session_plan_shows_both_local_times_across_the_clock_change(client, approved, jan):
    client.force_login(jan)
    text = pdf_text(client.get(pdf_url(approved)).content)
    # 07:00 UTC: 15:00 in Kuala Lumpur both weeks; 08:00 then 09:00 in Wageningen.
    assert "Tue 23 Mar 2027, 15:00 (UTC+08:00)" in text
    assert "Tue 23 Mar 2027, 08:00 (UTC+01:00)" in text
    assert "Tue 30 Mar 2027, 15:00 (UTC+08:00)" in text
    assert "Tue 30 Mar 2027, 09:00 (UTC+02:00)" in text
    assert "2 of 3 sessions have dates" in text


def test_students_per_direction_are_the_agreed_ones(client, approved, alice):
    client.force_login(alice)
    text = pdf_text(client.get(pdf_url(approved)).content)
    # The offers hold 35 and 30; the lecturers agreed on 30 and 28.
    assert re.search(r"Students Asia → Europe\s+30\b", text)
    assert re.search(r"Students Europe → Asia\s+28\b", text)


def test_every_page_carries_its_number_and_the_hash(client, approved, bob):
    long_plan = dict(
        AGREED,
        session_count=40,
        sessions=[
            {"start": f"2027-03-{day:02d}T07:00:00+00:00", "minutes": 60} for day in range(1, 29)
        ]
        + [{"start": f"2027-04-{day:02d}T07:00:00+00:00", "minutes": 60} for day in range(1, 13)],
    )
    proposal = with_agreed(approved, long_plan, version=3)
    client.force_login(bob)
    reader = PdfReader(io.BytesIO(client.get(pdf_url(proposal)).content))
    total = len(reader.pages)
    assert total >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {total}" in text
        assert proposal.terms_hash in text


def without_agreed(proposal: Proposal) -> Proposal:
    """The proposal as approved before the terms were drafted together: the two offers
    frozen, nothing agreed beside them."""
    terms = {k: v for k, v in proposal.terms.items() if k not in ("agreed", "version")}
    digest = agreement.terms_digest(terms)
    proposal.decisions.filter(void=False).update(terms_hash=digest)
    Proposal.objects.filter(pk=proposal.pk).update(terms=terms, terms_hash=digest)
    return Proposal.objects.get(pk=proposal.pk)


def test_an_agreement_approved_before_drafting_shows_what_it_has(client, make_proposal, charlie):
    proposal = without_agreed(make_proposal("approved"))
    client.force_login(charlie)
    text = pdf_text(client.get(pdf_url(proposal)).content)
    assert re.search(r"Students Asia → Europe\s+35\b", text)  # the offers, by Tandem's rule
    assert "No session plan is part of these terms." in text
    assert proposal.terms_hash in text


def test_a_cjk_title_falls_back_on_an_asian_font(client, approved, alice):
    terms = dict(approved.terms)
    terms["asian_offer"] = {**terms["asian_offer"], "title": "海洋生态与气候适应"}
    digest = agreement.terms_digest(terms)
    approved.decisions.update(terms_hash=digest)
    Proposal.objects.filter(pk=approved.pk).update(terms=terms, terms_hash=digest)
    client.force_login(alice)
    response = client.get(pdf_url(approved))
    assert response.status_code == 200
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(io.BytesIO(response.content)).pages
        for font in page["/Resources"]["/Font"].values()
        if "/BaseFont" in font.get_object()
    }
    assert any("STSong-Light" in name for name in fonts)


@pytest.mark.parametrize("language", ["ja", "vi", "th"])
def test_the_pdf_follows_the_readers_language(client, approved, alice, language):
    alice.preferred_language = language
    alice.save(update_fields=["preferred_language"])
    client.force_login(alice)
    response = client.get(pdf_url(approved))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert approved.terms_hash in text
    assert "Universiti Malaya" in text


def test_the_embedded_font_covers_latin_diacritics():
    fonts = pdf_fonts()
    assert "DejaVuSans" in fonts.source
    assert all(ord(c) in fonts.covered for c in "ễăđłśžřőÅæ")


@pytest.mark.parametrize("who", ["erin", "dara"])
def test_outsiders_get_404(client, approved, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(pdf_url(approved)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, approved):
    response = client.get(pdf_url(approved))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("state", ["proposed", "accepted", "rejected"])
def test_no_pdf_before_approval(client, make_proposal, bob, state):
    proposal = make_proposal(state)
    client.force_login(bob)
    response = client.get(pdf_url(proposal))
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "No agreement yet" in page
    assert "once both international offices have approved the proposal" in page


def test_the_pdf_stays_once_the_exchange_runs(client, make_proposal, jan):
    proposal = with_agreed(make_proposal("active"))
    client.force_login(jan)
    assert client.get(pdf_url(proposal)).status_code == 200


# --- through the API: exchanges.agreement_api (its route is the lead's to add) ---------------


def api_pdf(user, proposal):
    from rest_framework.test import APIRequestFactory, force_authenticate

    from exchanges.agreement_api import ProposalAgreementPdfView

    request = APIRequestFactory().get(
        f"/api/v1/proposals/{proposal.pk}/agreement.pdf", HTTP_ACCEPT="application/json"
    )
    if user is not None:
        force_authenticate(request, user=user)
    response = ProposalAgreementPdfView.as_view()(request, pk=proposal.pk)
    response.render()
    return response


def test_the_api_sends_the_same_pdf(approved, charlie):
    response = api_pdf(charlie, approved)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f'{approved.terms_hash[:12]}.pdf"')
    text = pdf_text(response.content)
    assert "For Wageningen University" in text and approved.terms_hash in text


def test_the_api_answers_errors_in_json(approved, erin):
    anonymous = api_pdf(None, approved)
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"].startswith("application/json")
    outsider = api_pdf(erin, approved)
    assert outsider.status_code == 404
    assert outsider["Content-Type"].startswith("application/json")


def test_the_api_has_no_pdf_before_approval(make_proposal, bob):
    response = api_pdf(bob, make_proposal("accepted"))
    assert response.status_code == 409
    assert "once both international offices have approved" in json.loads(response.content)["detail"]
