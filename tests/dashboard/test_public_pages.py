"""The public face (issue 15, part 4): the landing page's live figures, "Sign up to propose"
on a visitor's offer page, institution pages and lecturer profiles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from exchanges.models import Proposal, ProposalOrigin, ProposalState
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(
        european_institution, email="jan@wageningenuniversity.nl", full_name="Jan de Vries"
    )


@pytest.fixture
def offers(alice, jan):
    coastal = factories.make_offer(alice)
    marine = factories.make_offer(
        jan, title="Marine Spatial Planning", time_zone="Europe/Amsterdam"
    )
    draft = factories.make_offer(alice, publish=False, title="Unpublished Soil Course")
    return coastal, marine, draft


def agreed(coastal, marine, when):
    return Proposal.objects.create(
        asian_offer=coastal,
        european_offer=marine,
        origin=ProposalOrigin.BROWSE,
        state=ProposalState.APPROVED,
        approved_at=when,
    )


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_the_landing_page_counts_open_offers_countries_and_this_years_exchanges(client, offers):
    coastal, marine, _draft = offers
    agreed(coastal, marine, timezone.now())
    page = text(client.get("/"))
    assert "<strong>2</strong> open offers looking for a partner" in page
    assert "<strong>2</strong> countries with open offers" in page
    assert "<strong>1</strong> exchange agreed this year" in page
    assert reverse("account_signup") in page


def test_an_exchange_of_last_year_does_not_count_for_this_year(client, offers):
    coastal, marine, _draft = offers
    agreed(coastal, marine, timezone.now() - dt.timedelta(days=400))
    assert "<strong>0</strong> exchanges agreed this year" in text(client.get("/"))


def test_a_visitor_on_an_open_offer_is_invited_to_sign_up_and_come_back(client, offers):
    coastal = offers[0]
    page = text(client.get(coastal.get_absolute_url()))
    assert f'href="{reverse("account_signup")}?next=/offers/{coastal.pk}/"' in page
    assert "Sign up to propose" in page


def test_a_signed_in_lecturer_is_not_asked_to_sign_up(client, offers, jan):
    client.force_login(jan)
    page = text(client.get(offers[0].get_absolute_url()))
    assert "Sign up to propose" not in page
    assert "Propose a pairing" in page


def test_a_lecturer_profile_shows_open_offers_but_never_drafts(client, offers, alice, jan):
    client.force_login(jan)
    page = text(client.get(reverse("dashboard:lecturer-profile", args=[alice.pk])))
    assert "Alice Tan" in page and "Universiti Malaya" in page
    assert "Coastal Ecosystems and Climate Adaptation" in page
    assert "Unpublished Soil Course" not in page


def test_the_offer_page_links_its_lecturer_profile(client, offers, alice, jan):
    client.force_login(jan)
    page = text(client.get(offers[0].get_absolute_url()))
    assert f'offered by <a href="/lecturers/{alice.pk}/">Alice Tan</a>' in page


def test_profiles_are_for_signed_in_users_and_only_of_lecturers(client, offers, alice, bob, jan):
    url = reverse("dashboard:lecturer-profile", args=[alice.pk])
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(jan)
    assert client.get(reverse("dashboard:lecturer-profile", args=[bob.pk])).status_code == 404


def test_an_institution_page_lists_its_open_offers_and_exchanges(client, offers, alice):
    coastal, marine, _draft = offers
    agreed(coastal, marine, timezone.now())
    page = text(client.get(reverse("accounts:institution-detail", args=[coastal.institution_id])))
    assert "1 open offer" in page
    assert "Coastal Ecosystems and Climate Adaptation" in page
    assert "Unpublished Soil Course" not in page
    assert "Exchanges running</dt><dd>1</dd>" in page.replace("> <", "><")


def test_the_office_contact_is_shown_to_signed_in_users_only(client, offers, bob, jan):
    url = reverse("accounts:institution-detail", args=[offers[0].institution_id])
    assert "bob@um.edu.my" not in text(client.get(url))
    client.force_login(jan)
    page = text(client.get(url))
    assert "International office contact" in page and 'href="mailto:bob@um.edu.my"' in page
