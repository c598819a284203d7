"""Claiming a role at an institution: the picker, the claim and what the dashboard shows."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.forms import ClaimForm
from accounts.models import Affiliation, AffiliationRole, AffiliationStatus
from tests import factories
from tests.accounts.helpers import shows

pytestmark = pytest.mark.django_db

CLAIM = reverse("accounts:institution-claim")
DASHBOARD = reverse("dashboard:dashboard")
LECTURER = AffiliationRole.LECTURER
OFFICE = AffiliationRole.OFFICE


def claim(client, institution, role: str = LECTURER):
    return client.post(CLAIM, {"institution": institution.pk, "role": role}, follow=True)


def signed_in(client, email: str, **fields):
    user = factories.UserFactory(email=email, **fields)
    client.force_login(user)
    return user


# --- verified at once, or waiting ------------------------------------------------------


def test_lecturer_with_an_address_at_the_institution_is_verified_at_once(client, asian_institution):
    siti = signed_in(client, "siti@um.edu.my")
    response = claim(client, asian_institution)
    assert response.redirect_chain == [(DASHBOARD, 302)]
    affiliation = Affiliation.objects.get(user=siti)
    assert affiliation.status == AffiliationStatus.VERIFIED
    assert affiliation.verified_by_domain
    assert affiliation.decided_at is not None
    assert "You are now a verified lecturer or trainer at Universiti Malaya." in (
        response.content.decode()
    )


def test_lecturer_at_a_subdomain_of_the_institution_is_verified_at_once(client, asian_institution):
    signed_in(client, "x@fsktm.um.edu.my")
    claim(client, asian_institution)
    assert Affiliation.objects.get().status == AffiliationStatus.VERIFIED


@pytest.mark.parametrize("email", ["x@notum.edu.my", "x@um.edu.my.example.com", "x@edu.my"])
def test_lookalike_domain_is_not_taken_for_the_institutions(client, asian_institution, email):
    signed_in(client, email)
    claim(client, asian_institution)
    assert Affiliation.objects.get().status == AffiliationStatus.PENDING


def test_lecturer_with_another_domain_waits_for_the_office(client, asian_institution):
    signed_in(client, "dan@gmail.com")
    response = claim(client, asian_institution)
    affiliation = Affiliation.objects.get()
    assert affiliation.status == AffiliationStatus.PENDING
    assert not affiliation.verified_by_domain
    assert affiliation.decided_at is None
    assert "Your claim is waiting for the international office of Universiti Malaya." in (
        response.content.decode()
    )


def test_international_office_claim_waits_even_with_a_matching_domain(client, asian_institution):
    signed_in(client, "meiling@um.edu.my")
    claim(client, asian_institution, role=OFFICE)
    affiliation = Affiliation.objects.get()
    assert affiliation.role == OFFICE
    assert affiliation.status == AffiliationStatus.PENDING
    assert not affiliation.verified_by_domain


def test_only_a_verified_address_counts_for_the_domain(asian_institution):
    # Registered with gmail, and added an unconfirmed university address later.
    user = factories.UserFactory(email="dan@gmail.com")
    user.emailaddress_set.create(email="dan@um.edu.my", verified=False, primary=False)
    affiliation = services.affiliation_claim(
        user=user, institution=asian_institution, role=LECTURER
    )
    assert affiliation.status == AffiliationStatus.PENDING


def test_secondary_verified_address_at_the_domain_verifies_the_claim(asian_institution):
    user = factories.UserFactory(email="dan@gmail.com")
    user.emailaddress_set.create(email="dan@um.edu.my", verified=True, primary=False)
    affiliation = services.affiliation_claim(
        user=user, institution=asian_institution, role=LECTURER
    )
    assert affiliation.status == AffiliationStatus.VERIFIED


# --- refused claims --------------------------------------------------------------------


def test_person_with_an_unverified_address_cannot_claim(client, asian_institution):
    signed_in(client, "siti@um.edu.my", verified_email=False)
    response = claim(client, asian_institution)
    assert response.status_code == 200
    assert shows(response, services.EMAIL_NOT_VERIFIED)
    assert not Affiliation.objects.exists()


def test_dashboard_asks_an_unverified_person_to_confirm_first(client):
    signed_in(client, "siti@um.edu.my", verified_email=False)
    response = client.get(DASHBOARD)
    assert "Verify your e-mail address first" in response.content.decode()
    assert CLAIM not in response.content.decode()


def test_second_live_claim_of_the_same_role_is_refused(client, asian_institution):
    signed_in(client, "dan@gmail.com")
    claim(client, asian_institution)
    response = claim(client, asian_institution)
    assert response.status_code == 200
    assert shows(response, services.ALREADY_CLAIMED)
    assert Affiliation.objects.count() == 1


def test_verified_lecturer_cannot_claim_the_same_role_again(alice, asian_institution):
    with pytest.raises(ValidationError) as excinfo:
        services.affiliation_claim(user=alice, institution=asian_institution, role=LECTURER)
    assert excinfo.value.messages == [str(services.ALREADY_CLAIMED)]
    assert Affiliation.objects.filter(user=alice).count() == 1


def test_the_other_role_at_the_same_institution_can_still_be_claimed(client, asian_institution):
    signed_in(client, "siti@um.edu.my")
    claim(client, asian_institution, role=LECTURER)
    claim(client, asian_institution, role=OFFICE)
    assert sorted(Affiliation.objects.values_list("role", "status")) == [
        (LECTURER, AffiliationStatus.VERIFIED),
        (OFFICE, AffiliationStatus.PENDING),
    ]


def test_after_a_refusal_the_person_can_claim_again(client, asian_institution, bob):
    dan = signed_in(client, "dan@gmail.com")
    claim(client, asian_institution)
    services.affiliation_refuse(
        affiliation=Affiliation.objects.get(user=dan), actor=bob, reason="Not on our staff list."
    )
    response = claim(client, asian_institution)
    assert response.redirect_chain == [(DASHBOARD, 302)]
    assert sorted(Affiliation.objects.filter(user=dan).values_list("status", flat=True)) == [
        AffiliationStatus.PENDING,
        AffiliationStatus.REFUSED,
    ]


def test_claim_of_an_unknown_institution_asks_to_pick_from_the_list(client):
    signed_in(client, "dan@gmail.com")
    response = client.post(CLAIM, {"institution": 999999, "role": LECTURER})
    assert response.status_code == 200
    assert shows(response, ClaimForm.base_fields["institution"].error_messages["invalid_choice"])
    assert not Affiliation.objects.exists()


# --- the picker --------------------------------------------------------------------------


@pytest.fixture
def picker(client, asian_institution, european_institution):
    factories.InstitutionFactory(
        name="Universiti Putra Malaysia", country=factories.country("MY"), domains=["upm.edu.my"]
    )
    signed_in(client, "dan@gmail.com")
    return client


def results(client, **query) -> list[str]:
    response = client.get(CLAIM, query)
    assert response.status_code == 200
    return [institution.name for institution in response.context["results"]]


def test_picker_finds_an_institution_by_part_of_its_name(picker):
    assert results(picker, q="malaya") == ["Universiti Malaya"]
    assert results(picker, q="universiti") == ["Universiti Malaya", "Universiti Putra Malaysia"]


def test_picker_finds_an_institution_by_its_email_domain(picker):
    assert results(picker, q="um.edu.my") == ["Universiti Malaya"]
    assert results(picker, q="wageningenuniversity.nl") == ["Wageningen University"]


def test_picker_filters_by_country(picker):
    assert results(picker, country="NL") == ["Wageningen University"]
    assert results(picker, q="university", country="MY") == []
    assert results(picker, q="university", country="NL") == ["Wageningen University"]


def test_picker_says_when_nothing_matches(picker):
    response = picker.get(CLAIM, {"q": "Sorbonne"})
    assert "No institution matches." in response.content.decode()


def test_picker_offers_each_result_with_a_claim_button(picker, asian_institution):
    html = picker.get(CLAIM, {"q": "malaya"}).content.decode()
    assert f'name="institution" value="{asian_institution.pk}"' in html
    assert 'aria-label="Claim Universiti Malaya"' in html


def test_claim_page_suggests_the_institution_of_the_persons_address(
    client, asian_institution, european_institution
):
    signed_in(client, "x@fsktm.um.edu.my")
    response = client.get(CLAIM)
    assert [i.name for i in response.context["suggested"]] == ["Universiti Malaya"]
    assert "Matching your e-mail address" in response.content.decode()


# --- the dashboard and anonymous visitors ------------------------------------------------------


def test_dashboard_shows_the_claim_and_that_it_waits(client, asian_institution):
    signed_in(client, "dan@gmail.com")
    response = claim(client, asian_institution)
    assert response.request["PATH_INFO"] == DASHBOARD
    html = response.content.decode()
    assert "Universiti Malaya" in html
    assert str(AffiliationRole.LECTURER.label) in html
    assert 'class="status status-pending"' in html
    assert shows(response, AffiliationStatus.PENDING.label)


def test_dashboard_shows_a_verified_claim_as_verified(client, asian_institution):
    signed_in(client, "siti@um.edu.my")
    response = claim(client, asian_institution)
    assert 'class="status status-verified"' in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_is_sent_to_sign_in_before_claiming(client, asian_institution, method):
    response = getattr(client, method)(CLAIM, {"institution": asian_institution.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert not Affiliation.objects.exists()


def test_anonymous_visitor_is_sent_to_sign_in_from_the_dashboard(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={DASHBOARD}"
