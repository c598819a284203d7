"""The agreement's JSON, format version 2: the agreed terms laid out, and the fields an
Erasmus Without Paper inter-institutional agreement (IIAs API v7) shares with it, under
EWP's element names, so a European office can carry them into its EWP system."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.urls import reverse

from exchanges import agreement
from tests import factories
from tests.exchanges.test_agreement_pdf import AGREED, with_agreed, without_agreed

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(make_proposal):
    return with_agreed(make_proposal("approved"))


def download(api, user, proposal) -> dict:
    api.force_authenticate(user)
    response = api.get(reverse("api:proposal-agreement", args=[proposal.pk]))
    assert response.status_code == 200
    return response.json()


def test_version_2_keeps_every_key_of_version_1(api, approved, bob):
    doc = download(api, bob, approved)
    assert doc["format"] == "tandem-agreement"
    assert doc["format_version"] == agreement.FORMAT_VERSION == 2
    for key in (
        "proposal_id",
        "institutions",
        "offers",
        "students_per_direction",
        "approvals",
        "approved_at",
        "approved_on",
        "terms_sha256",
        "terms",
    ):
        assert key in doc, key
    canonical = json.dumps(doc["terms"], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256(canonical.encode()).hexdigest() == doc["terms_sha256"]


def test_the_agreed_terms_are_laid_out_with_both_local_times(api, approved, jan):
    doc = download(api, jan, approved)
    # The offers hold 35 and 30 students; the lecturers agreed on 30 and 28.
    assert doc["students_per_direction"] == {"asia_to_europe": 30, "europe_to_asia": 28}
    agreed = doc["agreed"]
    assert agreed["version"] == 2
    assert agreed["session_count"] == 3
    assert agreed["mode"] == "coil"
    assert agreed["working_language"] == {"code": "en", "name": "English"}
    assert agreed["credits"] == {
        "asia": {"value": "3", "system": "local"},
        "europe": {"value": "2.5", "system": "ects"},
    }
    assert agreed["platform"] == AGREED["platform"]
    first, second = agreed["sessions"]
    assert first["start"] == "2027-03-23T07:00:00+00:00"
    assert first["end"] == "2027-03-23T08:30:00+00:00"
    assert first["local"] == {
        "asia": "2027-03-23T15:00:00+08:00",
        "europe": "2027-03-23T08:00:00+01:00",
    }
    assert second["local"]["europe"] == "2027-03-30T09:00:00+02:00"  # summer time


def test_the_ewp_block_carries_the_fields_that_coincide(api, approved, charlie):
    doc = download(api, charlie, approved)
    iia = doc["ewp_iia"]
    assert iia["in-effect"] is True
    assert iia["iia-hash"] == approved.terms_hash
    asia, europe = iia["partner"]
    assert asia["name"] == "Universiti Malaya" and europe["name"] == "Wageningen University"
    assert asia["hei-id"] is None  # Tandem knows no SCHAC code; its own id stands beside
    assert asia["tandem-institution-id"] == approved.asian_offer.institution_id
    assert asia["signing-contact"] == {"contact-name": "Bob Lim"}
    assert europe["signing-contact"] == {"contact-name": "Charlie Visser"}
    bobs = approved.decisions.get(void=False, institution=approved.asian_offer.institution_id)
    assert asia["signing-date"] == bobs.at.date().isoformat()
    a_to_e, e_to_a = iia["cooperation-conditions"]["student-studies-mobility-spec"]
    assert a_to_e["direction"] == "asia_to_europe"
    assert a_to_e["sending-tandem-institution-id"] == approved.asian_offer.institution_id
    assert a_to_e["receiving-tandem-institution-id"] == approved.european_offer.institution_id
    assert a_to_e["mobilities-per-year"] == 30
    assert e_to_a["mobilities-per-year"] == 28
    assert a_to_e["subject-area"] == [{"isced-f-code": "0521", "isced-clarification": ""}]
    assert a_to_e["recommended-language-skill"] == [{"language": "en", "cefr-level": "B2"}]
    assert a_to_e["eqf-level"] == [6]
    assert a_to_e["blended"] is False  # COIL is fully virtual


def test_blended_is_true_when_an_offer_has_a_physical_phase(api, bob, make_proposal):
    proposal = make_proposal("approved")
    terms = dict(proposal.terms)
    terms["european_offer"] = {**terms["european_offer"], "kind": "blended"}
    digest = agreement.terms_digest(terms)
    proposal.decisions.update(terms_hash=digest)
    type(proposal).objects.filter(pk=proposal.pk).update(terms=terms, terms_hash=digest)
    proposal.refresh_from_db()
    specs = download(api, bob, proposal)["ewp_iia"]["cooperation-conditions"][
        "student-studies-mobility-spec"
    ]
    assert specs and all(spec["blended"] is True for spec in specs)


def test_a_direction_without_students_has_no_mobility_spec(api, make_proposal, bob):
    proposal = with_agreed(
        make_proposal("approved"), dict(AGREED, students_europe_to_asia=0), version=4
    )
    specs = download(api, bob, proposal)["ewp_iia"]["cooperation-conditions"][
        "student-studies-mobility-spec"
    ]
    # EWP's mobilities-per-year is a positive integer: no spec says "nobody".
    assert [s["direction"] for s in specs] == ["asia_to_europe"]


def test_the_languages_and_field_are_the_receiving_courses(
    api, alice, european_institution, bob, charlie
):
    from exchanges import decisions, services

    kim = factories.lecturer(european_institution, email="kim@wageningenuniversity.nl")
    theirs = factories.make_offer(
        kim,
        title="Sociologie rurale",
        isced=factories.isced("0314").pk,
        level="7",
        languages=[("fr", "B1"), ("en", "C1")],
        time_zone="Europe/Amsterdam",
    )
    proposal = services.proposal_create(
        actor=alice, offer=factories.make_offer(alice), partner=theirs
    )
    proposal = services.proposal_accept(proposal=proposal, actor=kim)
    decisions.proposal_approve(proposal=proposal, actor=charlie)
    proposal = decisions.proposal_approve(proposal=proposal, actor=bob)
    a_to_e, e_to_a = download(api, bob, proposal)["ewp_iia"]["cooperation-conditions"][
        "student-studies-mobility-spec"
    ]
    # Asian students join the French-and-English sociology course in Wageningen.
    assert a_to_e["subject-area"][0]["isced-f-code"] == "0314"
    assert sorted(x["language"] for x in a_to_e["recommended-language-skill"]) == ["en", "fr"]
    assert a_to_e["eqf-level"] == [6]  # the Asian (sending) class is at bachelor level
    assert e_to_a["subject-area"][0]["isced-f-code"] == "0521"
    assert e_to_a["eqf-level"] == [7]


def test_a_proposal_approved_before_drafting_has_no_agreed_part(api, make_proposal, bob):
    proposal = without_agreed(make_proposal("approved"))
    doc = download(api, bob, proposal)
    assert doc["agreed"] is None
    assert doc["students_per_direction"] == {"asia_to_europe": 35, "europe_to_asia": 30}
    assert doc["ewp_iia"]["iia-hash"] == proposal.terms_hash


def test_the_flows_of_a_proposal_come_from_the_agreed_terms(make_proposal):
    proposal = with_agreed(make_proposal("approved"))
    assert agreement.proposal_flows(proposal) == (30, 28)
    assert agreement.proposal_flows(without_agreed(proposal)) == (35, 30)


def test_outsiders_get_404(api, make_proposal, erin, thai_institution):
    approved = with_agreed(make_proposal("approved"))
    api.force_authenticate(erin)
    assert api.get(reverse("api:proposal-agreement", args=[approved.pk])).status_code == 404
    dara = factories.office(thai_institution, email="dara@chula.ac.th")
    api.force_authenticate(dara)
    assert api.get(reverse("api:proposal-agreement", args=[approved.pk])).status_code == 404
