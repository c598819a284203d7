"""Sign-up, e-mail confirmation, sign-in and password reset through allauth's real pages."""

from __future__ import annotations

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests import factories
from tests.accounts.helpers import link_in_last_email, shows

pytestmark = pytest.mark.django_db

PASSWORD = "tides-and-mangroves-2026"
TOO_MANY_ATTEMPTS = DefaultAccountAdapter.error_messages["too_many_login_attempts"]
DASHBOARD = reverse("dashboard:dashboard")


def sign_up(client, email: str = "siti@um.edu.my", **fields):
    data = {
        "email": email,
        "full_name": "Siti Rahman",
        "time_zone": "Asia/Kuala_Lumpur",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **fields,
    }
    return client.post(reverse("account_signup"), data)


def sign_in(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_up_page_asks_for_name_and_time_zone(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("email", "full_name", "time_zone", "password1", "password2"):
        assert f'name="{field}"' in html


def test_sign_up_sends_a_verification_email_with_a_link(client):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["siti@um.edu.my"]
    assert mail.outbox[0].subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
    assert link_in_last_email().startswith("/accounts/confirm-email/")


def test_person_who_has_not_confirmed_cannot_sign_in(client):
    sign_up(client)
    client.logout()
    response = sign_in(client, "siti@um.edu.my", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_signed_in(client)
    assert client.get(DASHBOARD)["Location"].startswith(reverse("account_login"))


def test_opening_the_link_alone_does_not_confirm_the_address(client):
    # Mail scanners fetch links; only the person's click on the page's button counts.
    sign_up(client)
    response = client.get(link_in_last_email())
    assert response.status_code == 200
    assert "siti@um.edu.my" in response.content.decode()
    assert not EmailAddress.objects.get(email="siti@um.edu.my").verified


def test_confirming_the_link_signs_in_and_lands_on_the_dashboard(client):
    sign_up(client)
    link = link_in_last_email()
    client.get(link)
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert EmailAddress.objects.get(email="siti@um.edu.my").verified
    dashboard = client.get(DASHBOARD)
    assert dashboard.status_code == 200
    assert "Welcome, Siti Rahman" in dashboard.content.decode()


def test_confirmed_person_can_sign_in_with_their_password(client):
    sign_up(client)
    link = link_in_last_email()
    client.post(link)
    client.logout()
    response = sign_in(client, "siti@um.edu.my", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert is_signed_in(client)


def test_sign_up_stores_full_name_time_zone_and_a_lower_case_email(client):
    sign_up(client, email="Siti.Rahman@UM.edu.MY", full_name="  Siti Rahman ")
    user = User.objects.get()
    assert user.email == "siti.rahman@um.edu.my"
    assert user.full_name == "Siti Rahman"
    assert user.time_zone == "Asia/Kuala_Lumpur"
    assert mail.outbox[0].to == ["siti.rahman@um.edu.my"]


def test_sign_up_with_an_unknown_time_zone_is_refused(client):
    response = sign_up(client, time_zone="Asia/Atlantis")
    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    assert not User.objects.exists()
    assert mail.outbox == []


def test_second_account_for_the_same_address_in_another_case_is_refused(client):
    factories.UserFactory(email="siti@um.edu.my", full_name="Siti Rahman")
    # allauth does not reveal that the address is taken; it e-mails its owner instead.
    response = sign_up(client, email="SITI@um.edu.my", full_name="Someone Else")
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="siti@um.edu.my").count() == 1
    assert User.objects.get().full_name == "Siti Rahman"
    assert [m.to for m in mail.outbox] == [["siti@um.edu.my"]]
    assert "confirm-email" not in mail.outbox[0].body
    assert not is_signed_in(client)


def test_password_reset_emails_a_link_that_sets_a_new_password(client):
    factories.UserFactory(email="siti@um.edu.my", full_name="Siti Rahman")
    response = client.post(reverse("account_reset_password"), {"email": "Siti@UM.edu.my"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["siti@um.edu.my"]]

    link = link_in_last_email()
    assert link.startswith("/accounts/password/reset/key/")
    # allauth moves the key out of the address into the session before showing the form.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    (set_password_url, _), *_ = form_page.redirect_chain
    assert 'name="password1"' in form_page.content.decode()
    new_password = "monsoon-season-rewrite-9"
    done = client.post(set_password_url, {"password1": new_password, "password2": new_password})
    assert done.status_code == 302

    assert sign_in(client, "siti@um.edu.my", factories.PASSWORD).status_code == 200
    assert sign_in(client, "siti@um.edu.my", new_password)["Location"] == DASHBOARD


def test_wrong_password_is_refused_with_a_message(client):
    factories.UserFactory(email="siti@um.edu.my")
    response = sign_in(client, "siti@um.edu.my", "not-the-password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not is_signed_in(client)


def failed_attempts_allowed() -> int:
    """The per-address limit of ACCOUNT_RATE_LIMITS["login_failed"], e.g. 5 of "5/5m/key"."""
    rules = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    (per_key,) = [rule for rule in rules if rule.endswith("/key")]
    return int(per_key.split("/")[0])


def test_after_too_many_failed_sign_ins_even_the_right_password_is_refused(client):
    factories.UserFactory(email="siti@um.edu.my")
    for _ in range(failed_attempts_allowed()):
        response = sign_in(client, "siti@um.edu.my", "guess")
        assert not shows(response, TOO_MANY_ATTEMPTS)

    response = sign_in(client, "siti@um.edu.my", factories.PASSWORD)
    assert response.status_code == 200
    assert shows(response, TOO_MANY_ATTEMPTS)
    assert not is_signed_in(client)


def test_a_correct_password_before_the_limit_still_signs_in(client):
    factories.UserFactory(email="siti@um.edu.my")
    for _ in range(failed_attempts_allowed() - 1):
        sign_in(client, "siti@um.edu.my", "guess")
    assert sign_in(client, "siti@um.edu.my", factories.PASSWORD)["Location"] == DASHBOARD


def test_lock_out_of_one_address_does_not_lock_out_another_person(client):
    factories.UserFactory(email="siti@um.edu.my")
    factories.UserFactory(email="meiling@um.edu.my")
    for _ in range(failed_attempts_allowed() + 1):
        sign_in(client, "siti@um.edu.my", "guess")
    assert sign_in(client, "meiling@um.edu.my", factories.PASSWORD)["Location"] == DASHBOARD


def test_account_emails_carry_tandems_name_and_the_configured_address(client, settings):
    settings.TANDEM_SITE_URL = "https://tandem.example.org"
    sign_up(client)
    message = mail.outbox[-1]
    assert message.subject.startswith("[Tandem] ")
    assert "Hello from Tandem!" in message.body
    assert "tandem.example.org" in message.body
    assert "testserver" not in message.body and "127.0.0.1" not in message.body
    assert "https://tandem.example.org/accounts/confirm-email/" in message.body


def test_a_sign_up_in_thai_is_confirmed_in_thai(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    sign_up(client, preferred_language="th")
    body = mail.outbox[-1].body
    assert "สวัสดีจาก Tandem" in body
    assert "Hello from" not in body


def test_a_password_reset_speaks_the_users_saved_language(client):
    user = factories.UserFactory(email="jan@wur.example", preferred_language="de")
    client.post(reverse("account_reset_password"), {"email": user.email})
    message = mail.outbox[-1]
    assert message.subject.startswith("[Tandem] ")
    assert "Guten Tag von Tandem!" in message.body
    assert settings.TANDEM_SITE_URL + "/accounts/password/reset/key/" in message.body
