"""Signing in to the API: tokens for scripts, the session for the browser."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.api import ACCOUNT_INACTIVE, EMAIL_NOT_VERIFIED, WRONG_CREDENTIALS
from tests import factories

pytestmark = pytest.mark.django_db

TOKEN = reverse("api:auth-token")
LIST = reverse("api:offer-list")


def test_lecturer_gets_a_token_and_reads_her_drafts_with_it(api, alice):
    factories.make_offer(alice, publish=False, title="Alice's unpublished draft")
    response = api.post(TOKEN, {"email": "alice@um.edu.my", "password": factories.PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(key=token).user == alice

    scripted = APIClient()
    scripted.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = scripted.get(LIST, {"mine": "true"}).json()["results"]
    assert [o["title"] for o in listed] == ["Alice's unpublished draft"]
    assert listed[0]["owner"] == {"name": "Alice Tan"}


def test_token_works_for_writes_without_a_csrf_token(alice, offer_json):
    token = Token.objects.create(user=alice)
    scripted = APIClient(enforce_csrf_checks=True)
    scripted.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = scripted.post(LIST, offer_json(), format="json")
    assert response.status_code == 201


def test_session_writes_need_the_csrf_token(alice, offer_json):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.post(LIST, offer_json(), format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_reads_work_like_the_pages(api, alice):
    api.force_login(alice)
    assert api.get(LIST).status_code == 200


def test_asking_twice_gives_the_same_token(api, alice):
    credentials = {"email": "alice@um.edu.my", "password": factories.PASSWORD}
    first = api.post(TOKEN, credentials).json()["token"]
    assert api.post(TOKEN, credentials).json()["token"] == first


def test_email_is_matched_without_regard_to_case(api, alice):
    response = api.post(TOKEN, {"email": " Alice@UM.edu.my ", "password": factories.PASSWORD})
    assert response.status_code == 200


def test_wrong_password_is_refused_with_a_clear_message(api, alice):
    response = api.post(TOKEN, {"email": "alice@um.edu.my", "password": "wrong"})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [str(WRONG_CREDENTIALS)]}
    assert not Token.objects.exists()


def test_unknown_address_gets_the_same_message_as_a_wrong_password(api, db):
    response = api.post(TOKEN, {"email": "nobody@um.edu.my", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [str(WRONG_CREDENTIALS)]}


def test_inactive_user_is_refused_even_with_the_right_password(api, alice):
    alice.is_active = False
    alice.save()
    response = api.post(TOKEN, {"email": "alice@um.edu.my", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [str(ACCOUNT_INACTIVE)]}
    assert not Token.objects.exists()


def test_user_who_has_not_confirmed_the_address_is_refused(api, db):
    factories.UserFactory(email="new@um.edu.my", verified_email=False)
    response = api.post(TOKEN, {"email": "new@um.edu.my", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [str(EMAIL_NOT_VERIFIED)]}


def test_missing_fields_are_named(api, db):
    response = api.post(TOKEN, {})
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_nul_in_the_credentials_is_a_400(api, alice):
    response = api.post(TOKEN, {"email": "alice@um.edu.my", "password": "pass\x00word"})
    assert response.status_code == 400
    assert set(response.json()) == {"password"}


def test_malformed_json_is_a_400(api, db):
    response = api.post(TOKEN, b'{"email": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_password_guessing_is_slowed_down_like_on_the_sign_in_page(api, alice):
    wrong = {"email": "alice@um.edu.my", "password": "guess"}
    statuses = [api.post(TOKEN, wrong).status_code for _ in range(6)]
    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429
    right = {"email": "alice@um.edu.my", "password": factories.PASSWORD}
    assert api.post(TOKEN, right).status_code == 429


def test_token_endpoint_only_takes_post(api, db):
    assert api.get(TOKEN).status_code == 405


def test_an_unknown_token_is_refused_not_treated_as_a_visitor(db):
    scripted = APIClient()
    scripted.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = scripted.get(LIST)
    # 401 with a challenge: token authentication comes first in the settings.
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid token."}


def test_visitor_writes_are_refused_and_say_why(api, alice, offer_json):
    offer = factories.make_offer(alice)
    for response in (
        api.post(LIST, offer_json()),
        api.patch(reverse("api:offer-detail", args=[offer.pk]), {"title": "x"}),
        api.post(reverse("api:offer-publish", args=[offer.pk])),
        api.post(reverse("api:offer-close", args=[offer.pk])),
    ):
        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}
