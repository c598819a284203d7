"""The privacy page: open to all, linked from every page's footer and from the account
page, saying what is kept, why and how long, with the download and delete links."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

POLICY = reverse("privacy:policy")


def test_anyone_reads_what_is_kept_why_and_for_how_long(client, settings):
    settings.PRIVACY_NOTIFICATION_DAYS = 180
    settings.PRIVACY_UNVERIFIED_DAYS = 10

    response = client.get(POLICY)

    assert response.status_code == 200
    html = response.content.decode()
    for words in (
        "What is stored, why, and for how long",
        "180 days, or until you delete your account.",
        "Removed 10 days after signing up",
        "shown as from “a former member”",
        "Sign in to download your data",
    ):
        assert words in html, words
    assert reverse("privacy:export") not in html
    assert reverse("privacy:delete-account") not in html


def test_a_signed_in_person_finds_the_download_and_delete_links(client, alice):
    client.force_login(alice)
    html = client.get(POLICY).content.decode()

    assert f'href="{reverse("privacy:export")}" download' in html
    assert f'href="{reverse("privacy:delete-account")}"' in html
    preferences = client.get(reverse("accounts:preferences")).content.decode()
    assert f'href="{POLICY}"' in preferences


@pytest.mark.parametrize(
    "name", ["landing", "account_login", "account_signup", "offers:catalogue", "privacy:policy"]
)
def test_every_page_links_to_it_from_the_footer(client, name):
    html = client.get(reverse(name)).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert f'<a href="{POLICY}">' in footer


def test_signed_in_pages_link_to_it_too(client, alice):
    client.force_login(alice)
    html = client.get(reverse("dashboard:dashboard")).content.decode()
    assert f'<a href="{POLICY}">' in html[html.index('<footer class="site-footer">') :]
