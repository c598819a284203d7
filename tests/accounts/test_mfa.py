"""Second factor: offices, the secretariat and staff act only with an authenticator;
lecturers may add one. The admin signs in through the same rate-limited flow."""

from __future__ import annotations

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.models import Authenticator
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests import factories
from tests.accounts.helpers import shows

pytestmark = pytest.mark.django_db

SECURITY = reverse("accounts:security")
TOO_MANY_ATTEMPTS = DefaultAccountAdapter.error_messages["too_many_login_attempts"]


@pytest.fixture
def bare_office(asian_institution):
    """An office that has not set up a second factor yet."""
    return factories.office(asian_institution, email="nadia@um.edu.my", mfa=False)


@pytest.fixture
def bare_secretariat(db):
    return factories.UserFactory(email="sec@secretariat.example", is_secretariat=True, mfa=False)


# --- pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        reverse("exchanges:approval-queue"),
        reverse("accounts:verification-queue"),
        reverse("balance:dashboard"),
        reverse("dashboard:dashboard"),
    ],
)
def test_office_without_second_factor_is_sent_to_set_one_up(client, bare_office, path):
    client.force_login(bare_office)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{SECURITY}?next={path}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "two-factor authentication" in page.content.decode()
    assert reverse("mfa_activate_totp") in page.content.decode()


def test_office_cannot_act_by_post_without_second_factor(client, bare_office, dans_claim):
    client.force_login(bare_office)
    response = client.post(reverse("accounts:affiliation-verify", args=[dans_claim.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(SECURITY)
    dans_claim.refresh_from_db()
    assert dans_claim.status == "pending"


def test_secretariat_without_second_factor_cannot_open_rounds(client, bare_secretariat):
    client.force_login(bare_secretariat)
    response = client.get(reverse("rounds:round-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(SECURITY)


def test_office_with_an_authenticator_reaches_its_pages(client, bob):
    client.force_login(bob)
    assert client.get(reverse("exchanges:approval-queue")).status_code == 200


def test_lecturer_without_second_factor_works_and_may_add_one(client, alice):
    client.force_login(alice)
    assert client.get(reverse("dashboard:dashboard")).status_code == 200
    preferences = client.get(reverse("accounts:preferences")).content.decode()
    assert SECURITY in preferences
    security = client.get(SECURITY).content.decode()
    assert reverse("mfa_activate_totp") in security
    assert reverse("usersessions_list") in security


def test_lecturer_who_becomes_an_office_is_gated_on_the_next_page(
    client, alice, european_institution
):
    client.force_login(alice)
    assert client.get(reverse("dashboard:dashboard")).status_code == 200
    factories.affiliate(alice, european_institution, "office")
    response = client.get(reverse("dashboard:dashboard"))
    assert response["Location"].startswith(SECURITY)


def test_office_may_still_reach_sign_out_and_the_setup(client, bare_office):
    client.force_login(bare_office)
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_office_cannot_remove_its_last_authenticator(client, bob):
    client.force_login(bob)
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=bob, type=Authenticator.Type.TOTP).exists()


def test_sign_in_of_an_office_asks_for_the_code(client, bob):
    response = client.post(
        reverse("account_login"), {"login": bob.email, "password": factories.PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": factories.totp_code(bob)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


# --- API --------------------------------------------------------------------------


def test_api_session_of_an_office_without_second_factor_is_refused(api, bare_office):
    api.force_login(bare_office)
    response = api.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_api_token_of_an_office_without_second_factor_is_refused(api, bare_office):
    token = Token.objects.create(user=bare_office)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_token_request_of_an_office_without_second_factor_is_refused(api, bare_office):
    response = api.post(
        "/api/v1/auth/token/", {"email": bare_office.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"
    assert not Token.objects.filter(user=bare_office).exists()


def test_token_request_with_a_second_factor_needs_the_code(api, bob):
    body = {"email": bob.email, "password": factories.PASSWORD}
    response = api.post("/api/v1/auth/token/", body)
    assert response.status_code == 400
    assert "code" in response.json()
    response = api.post("/api/v1/auth/token/", {**body, "code": "000000"})
    assert response.status_code == 400
    assert not Token.objects.filter(user=bob).exists()
    response = api.post("/api/v1/auth/token/", {**body, "code": factories.totp_code(bob)})
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me/").json()["email"] == bob.email


def test_lecturer_token_needs_no_code(api, alice):
    response = api.post(
        "/api/v1/auth/token/", {"email": alice.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 200


# --- the admin --------------------------------------------------------------------


@pytest.fixture
def staff(db):
    return factories.UserFactory(email="root@tandem.example", is_staff=True, is_superuser=True)


def admin_sign_in(client, email: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": email, "password": password})


def test_admin_login_is_the_rate_limited_sign_in(client, staff):
    """30 wrong passwords, then the right one: the admin's door is locked like the
    sign-in page (before, /admin/login/ had its own form without any limit)."""
    for _ in range(30):
        response = admin_sign_in(client, staff.email, "guess")
        assert "_auth_user_id" not in client.session
        # The only way on is the sign-in page, which counts the failures.
        client.post(response["Location"], {"login": staff.email, "password": "guess"})
    admin_sign_in(client, staff.email, factories.PASSWORD)
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    response = client.post(
        f"{reverse('account_login')}?next=/admin/",
        {"login": staff.email, "password": factories.PASSWORD},
    )
    # Locked: allauth's per-address message, or its per-IP 429 page.
    assert response.status_code == 429 or shows(response, TOO_MANY_ATTEMPTS)
    assert "_auth_user_id" not in client.session


def test_admin_login_leads_to_the_sign_in_page_and_asks_for_the_code(client, staff):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/admin/"
    response = client.post(
        response["Location"], {"login": staff.email, "password": factories.PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": factories.totp_code(staff)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_staff_without_second_factor_cannot_use_the_admin(client, db):
    root = factories.UserFactory(email="root2@tandem.example", is_staff=True, mfa=False)
    client.force_login(root)
    response = client.get("/admin/")
    assert response["Location"].startswith(SECURITY)


# --- sessions ---------------------------------------------------------------------


def test_user_sees_their_sessions_and_ends_the_others(client, alice, django_user_model):
    from django.test import Client

    other = Client()
    for each in (client, other):
        each.post(reverse("account_login"), {"login": alice.email, "password": factories.PASSWORD})
    assert other.get(reverse("dashboard:dashboard")).status_code == 200

    listing = client.get(reverse("usersessions_list"))
    assert listing.status_code == 200
    assert len(listing.context["sessions"]) == 2

    client.post(reverse("usersessions_list"))
    assert other.get(reverse("dashboard:dashboard")).status_code == 302
    assert client.get(reverse("dashboard:dashboard")).status_code == 200
