"""The pages around the accounts: landing, institution, dashboard, preferences, language,
health check and the /api/v1/me/ endpoint."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.forms import PreferencesForm
from accounts.models import AffiliationRole
from accounts.validators import INVALID_TIME_ZONE
from tests import factories
from tests.accounts.helpers import messages_of, pending_claim, shows

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard:dashboard")
PREFERENCES = reverse("accounts:preferences")
ME = reverse("api:me")


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def preferences(**changes) -> dict:
    data = {
        "full_name": "Alice Tan",
        "preferred_language": "en",
        "time_zone": "Asia/Kuala_Lumpur",
        "email_notifications": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- landing page ----------------------------------------------------------------------


def test_landing_page_says_what_tandem_is_and_invites_to_sign_up(client):
    response = client.get(reverse("landing"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tandem pairs lecturers in Asia and in Europe for COIL and virtual mobility" in html
    assert f'href="{reverse("account_signup")}"' in html
    assert f'href="{reverse("account_login")}"' in html


def test_landing_page_counts_countries_and_institutions(client, asian_institution):
    html = client.get(reverse("landing")).content.decode()
    assert "Tandem covers the 1 ASEM partner countries and 1 of their institutions." in html


def test_landing_page_sends_a_signed_in_person_to_the_dashboard(client, alice):
    client.force_login(alice)
    html = client.get(reverse("landing")).content.decode()
    assert "Go to your dashboard" in html
    assert "Sign up with your institutional e-mail" not in html


# --- institution page ------------------------------------------------------------------


def test_institution_page_is_public_and_shows_country_region_domains_and_members(
    client, alice, bob, asian_institution
):
    # alice and bob are verified; a waiting claim does not count yet.
    pending_claim(factories.UserFactory(), asian_institution)
    asian_institution.city = "Kuala Lumpur"
    asian_institution.save()

    response = client.get(asian_institution.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Universiti Malaya</h1>" in html
    assert "<dd>Malaysia, Kuala Lumpur</dd>" in html
    assert '<dd class="region-asia">Asia</dd>' in html
    assert "<dd>um.edu.my</dd>" in html
    assert "<dt>Verified lecturers on Tandem</dt><dd>1</dd>" in html
    assert "<dt>International office on Tandem</dt><dd>yes</dd>" in html
    assert "I work here" not in html  # claiming needs an account


def test_institution_page_of_a_new_institution_says_nobody_is_there_yet(client):
    institution = factories.InstitutionFactory(name="Hochschule Bremen")
    html = client.get(institution.get_absolute_url()).content.decode()
    assert "<dd>Germany</dd>" in html
    assert '<dd class="region-europe">Europe</dd>' in html
    assert "<dd>none known</dd>" in html
    assert "<dt>Verified lecturers on Tandem</dt><dd>0</dd>" in html
    assert "<dt>International office on Tandem</dt><dd>not yet</dd>" in html


def test_institution_page_offers_a_signed_in_person_to_claim_it(client, dan, asian_institution):
    client.force_login(dan)
    html = client.get(asian_institution.get_absolute_url()).content.decode()
    assert f"{reverse('accounts:institution-claim')}?q=Universiti%20Malaya" in html


def test_unknown_institution_is_not_found(client):
    response = client.get(reverse("accounts:institution-detail", args=[987654]))
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


# --- dashboard per role --------------------------------------------------------------------


def test_lecturer_dashboard_lists_the_affiliations(client, alice):
    client.force_login(alice)
    response = client.get(DASHBOARD)
    html = response.content.decode()
    assert "Welcome, Alice Tan" in html
    assert "Universiti Malaya" in html
    assert "Malaysia" in html
    assert str(AffiliationRole.LECTURER.label) in html
    assert 'class="status status-verified"' in html
    assert "Waiting for your verification" not in html
    assert "ASEM partner countries" not in html


def test_office_dashboard_has_the_queue_section(client, bob):
    client.force_login(bob)
    html = client.get(DASHBOARD).content.decode()
    assert "Waiting for your verification" in html
    assert "Nobody is waiting. Well done." in html
    assert str(AffiliationRole.OFFICE.label) in html


def test_secretariat_dashboard_shows_its_figures(
    client, secretariat, asian_institution, european_institution, dans_claim
):
    client.force_login(secretariat)
    html = client.get(DASHBOARD).content.decode()
    # Its own work is the offices' claims; the lecturers' wait for their office, and the
    # secretariat sees them in the queue of every institution (tests/dashboard too).
    assert "No international office is waiting for verification." in html
    assert "1 lecturer's claim waits for its institution's office" in html
    assert reverse("accounts:verification-queue") in html
    assert "Balance index" in html


@pytest.mark.parametrize(
    # The office's and the secretariat's first view computes their balance figures (eight
    # queries, cached until the data changes: dashboard/sections/balance.py). Each reads
    # the ids of the user's own offers once (offers.access.editor_offer_ids).
    ("persona", "max_queries"),
    [("alice", 13), ("bob", 26), ("secretariat", 25)],
)
def test_dashboard_needs_few_queries_however_many_rows(
    client, request, django_assert_max_num_queries, persona, max_queries, asian_institution
):
    user = request.getfixturevalue(persona)
    for n in range(8):
        # Many affiliations of the user and many waiting claims: the count must not grow.
        factories.affiliate(
            user, factories.InstitutionFactory(name=f"College {n}"), AffiliationRole.LECTURER
        )
        pending_claim(factories.UserFactory(), asian_institution)
    client.force_login(user)
    with django_assert_max_num_queries(max_queries):
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert "College 7" in response.content.decode()


# --- preferences, time zone and language ---------------------------------------------------------


def test_preferences_page_shows_the_current_choices(client, alice):
    client.force_login(alice)
    response = client.get(PREFERENCES)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Alice Tan"' in html
    assert '<option value="UTC" selected>' in html


def test_preferences_update_name_language_and_time_zone(client, alice):
    client.force_login(alice)
    response = client.post(
        PREFERENCES,
        preferences(full_name="Dr. Alice Tan", time_zone="Asia/Tokyo", email_notifications=None),
    )
    assert response.status_code == 302
    assert response["Location"] == PREFERENCES
    alice.refresh_from_db()
    assert alice.full_name == "Dr. Alice Tan"
    assert alice.time_zone == "Asia/Tokyo"
    assert alice.email_notifications is False

    page = client.get(PREFERENCES)
    assert messages_of(page) == ["Your preferences are saved."]
    assert "Times are shown in Japan Time." in page.content.decode()


def test_times_are_shown_in_the_chosen_time_zone(client, alice):
    alice.affiliations.update(created_at=dt.datetime(2026, 3, 1, 0, 30, tzinfo=dt.UTC))
    client.force_login(alice)
    html = client.get(DASHBOARD).content.decode()
    assert "Times are shown in Coordinated Universal Time (UTC)." in html
    assert "1 March 2026, 00:30" in html

    client.post(PREFERENCES, preferences(time_zone="Asia/Tokyo"))
    html = client.get(DASHBOARD).content.decode()
    assert "Times are shown in Japan Time." in html
    assert 'datetime="2026-03-01T09:30:00+09:00"' in html
    assert "1 March 2026, 09:30" in html


def test_pages_are_shown_in_the_chosen_language(client, alice):
    client.force_login(alice)
    client.post(PREFERENCES, preferences(preferred_language="de"))
    alice.refresh_from_db()
    assert alice.preferred_language == "de"

    page = client.get(PREFERENCES)
    assert html_lang(page) == "de"
    assert '<option value="en">Englisch</option>' in page.content.decode()  # Django's German
    assert "E-Mail-Adressen" in client.get(reverse("account_email")).content.decode()  # allauth


def test_unknown_time_zone_is_refused_with_a_message(client, alice):
    client.force_login(alice)
    response = client.post(PREFERENCES, preferences(time_zone="Mars/Olympus"))
    assert response.status_code == 200
    message = PreferencesForm.base_fields["time_zone"].error_messages["invalid_choice"]
    assert shows(response, message % {"value": "Mars/Olympus"})
    alice.refresh_from_db()
    assert alice.time_zone == "UTC"


def test_unknown_time_zone_is_refused_by_the_service_too(alice):
    with pytest.raises(ValidationError) as excinfo:
        services.user_update_preferences(user=alice, time_zone="Mars/Olympus")
    assert excinfo.value.message_dict["time_zone"] == [
        INVALID_TIME_ZONE % {"value": "Mars/Olympus"}
    ]
    alice.refresh_from_db()
    assert alice.time_zone == "UTC"


def test_preferences_need_a_signed_in_person(client):
    response = client.post(PREFERENCES, preferences())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_language_switcher_remembers_the_choice_of_a_signed_in_person(client, alice):
    client.force_login(alice)
    response = client.post(reverse("set_language"), {"language": "de", "next": DASHBOARD})
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    alice.refresh_from_db()
    assert alice.preferred_language == "de"
    # The saved preference wins on a new device too, where no cookie is set.
    client.cookies.clear()
    client.force_login(alice)
    assert html_lang(client.get(DASHBOARD)) == "de"


def test_language_switcher_ignores_an_unknown_language(client, alice):
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "xx", "next": DASHBOARD})
    alice.refresh_from_db()
    assert alice.preferred_language == "en"


def test_language_switcher_works_for_an_anonymous_visitor(client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert html_lang(client.get(reverse("landing"))) == "fr"


# --- health and API -----------------------------------------------------------------------------


def test_health_check_reports_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "broker"}
    assert body["checks"]["database"] == "ok"


def test_me_endpoint_needs_authentication(client):
    response = client.get(ME)
    assert response.status_code in (401, 403)
    assert "email" not in response.json()


def test_me_endpoint_returns_the_person_and_their_affiliations(client, alice):
    client.force_login(alice)
    response = client.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "alice@um.edu.my"
    assert body["full_name"] == "Alice Tan"
    assert body["is_secretariat"] is False
    assert [{k: v for k, v in a.items() if k != "id"} for a in body["affiliations"]] == [
        {
            "institution": "Universiti Malaya",
            "country": "MY",
            "region": "asia",
            "role": "lecturer",
            "status": "verified",
        }
    ]


def test_me_endpoint_accepts_an_api_token(client, bob):
    token = Token.objects.create(user=bob)
    response = client.get(ME, headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200
    assert response.json()["affiliations"][0]["role"] == "office"


def test_me_endpoint_is_read_only(client, alice):
    client.force_login(alice)
    assert client.post(ME, {"full_name": "Mallory"}).status_code == 405
    alice.refresh_from_db()
    assert alice.full_name == "Alice Tan"
