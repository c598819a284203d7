"""Delete my account: export, delete, and what everyone else then sees. The person is
gone (cannot sign in, the address is free, every session ended); the exchanges, the
statistics and the conversation stay, the messages from "a former member"."""

from __future__ import annotations

import dataclasses
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.db import DatabaseError, connection
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import Affiliation, User
from balance import stats
from exchanges.models import Proposal, ProposalEvent
from messaging import chat
from messaging.models import ChatMessage, ConversationMember
from notifications.models import Notification
from offers.models import Offer
from privacy import erasure
from tests import factories

pytestmark = pytest.mark.django_db

DELETE = reverse("privacy:delete-account")
DASHBOARD = reverse("dashboard:dashboard")
POLICY = reverse("privacy:policy")


def figures(scope: frozenset[int] | None = None) -> dict:
    """Every figure of the statistics: the summary, each table's rows and the charts."""
    computed = stats.compute(stats.Filters(institutions=scope))
    return {
        "summary": computed.summary,
        "tables": {slug: dataclasses.asdict(t)["rows"] for slug, t in computed.tables.items()},
        "charts": (computed.country_chart, computed.index_chart, computed.funnel_chart),
    }


def delete(client, password=factories.PASSWORD, word="DELETE"):
    return client.post(DELETE, {"password": password, "confirm": word})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _exchange_rows() -> list[tuple]:
    return sorted(
        Proposal.objects.values_list(
            "pk", "state", "asian_offer_id", "european_offer_id", "flow_a_to_e", "flow_e_to_a"
        )
    )


def test_export_then_delete_keeps_exchanges_and_figures_and_frees_the_address(client, world):
    jan, alice, e1 = world.jan, world.alice, world.exchanges["E1"]
    conversation = e1.conversation.pk
    chat.post_message(user=jan, conversation_id=conversation, client_id="j1", text="Week 3 is ok")
    chat.post_message(user=alice, conversation_id=conversation, client_id="a1", text="Great!")
    Token.objects.create(user=jan)
    elsewhere = Client()
    elsewhere.force_login(jan)
    before = {"all": figures(), "wur": figures(frozenset({world.wur.pk}))}
    exchanges_before = _exchange_rows()
    offers_before = sorted(Offer.objects.values_list("pk", "status", "owner_id"))

    client.force_login(jan)
    archive = json.loads(client.get(reverse("privacy:export")).content)
    assert [m["text"] for m in archive["chat_messages"]] == ["Week 3 is ok"]
    response = delete(client)

    assert response.status_code == 302 and response["Location"] == reverse("landing")
    assert not signed_in(client)
    # Signed out everywhere, and the old password opens nothing.
    assert elsewhere.get(DASHBOARD)["Location"].startswith(reverse("account_login"))
    login = client.post(reverse("account_login"), {"login": "jan@wur.example", "password": "x"})
    assert not signed_in(client) and login.status_code == 200
    client.post(
        reverse("account_login"), {"login": "jan@wur.example", "password": factories.PASSWORD}
    )
    assert not signed_in(client)
    # The exchanges, their offers and every figure are as they were.
    assert _exchange_rows() == exchanges_before
    assert sorted(Offer.objects.values_list("pk", "status", "owner_id")) == offers_before
    assert {"all": figures(), "wur": figures(frozenset({world.wur.pk}))} == before
    # Nothing that names him is left.
    former = User.objects.get(pk=jan.pk)
    assert former.full_name == "" and "jan" not in former.email and not former.is_active
    assert not former.has_usable_password()
    assert str(former) == "a former member"
    assert not EmailAddress.objects.filter(user=former).exists()
    assert not Affiliation.objects.filter(user=former).exists()
    assert not Token.objects.filter(user=former).exists()
    assert not Notification.objects.filter(recipient=former).exists()
    # His message is still in the conversation, from a former member.
    client.force_login(alice)
    page = client.get(reverse("exchanges:proposal-detail", args=[e1.pk])).content.decode()
    assert "Week 3 is ok" in page and "a former member" in page
    # His steps in the timeline are his still, under the same name.
    assert "— a former member:" in page
    assert "Jan de Vries" not in page and "jan@wur.example" not in page
    assert ChatMessage.objects.filter(author=former, text="Week 3 is ok").exists()
    # The address is free: someone may sign up with it again.
    client.logout()
    signup = client.post(
        reverse("account_signup"),
        {
            "email": "jan@wur.example",
            "full_name": "Jan de Vries",
            "time_zone": "Europe/Amsterdam",
            "password1": "tides-and-mangroves-2026",
            "password2": "tides-and-mangroves-2026",
        },
    )
    assert signup.status_code == 302
    assert signup["Location"] == reverse("account_email_verification_sent")
    assert User.objects.get(email="jan@wur.example").pk != jan.pk


def test_waiting_proposals_are_withdrawn_open_offers_closed_drafts_deleted(world):
    alice, e5 = world.alice, world.exchanges["E5"]
    draft = factories.make_offer(alice, publish=False, title="Unfinished idea")
    open_offer = (
        Offer.objects.filter(owner=alice, status="open").exclude(pk=e5.asian_offer_id).get()
    )
    summary_before = figures()["summary"]

    erasure.account_erase(user=alice)

    e5.refresh_from_db()
    assert e5.state == "withdrawn"
    last = ProposalEvent.objects.filter(proposal=e5).last()
    assert last.to_state == "withdrawn" and last.note == "The lecturer has left Tandem."
    assert Offer.objects.get(pk=e5.asian_offer_id).status == "closed"
    assert Offer.objects.get(pk=open_offer.pk).status == "closed"
    assert not Offer.objects.filter(pk=draft.pk).exists()
    # Her approved and completed exchanges go on; the exchange figures are unchanged.
    assert Proposal.objects.get(pk=world.exchanges["E1"].pk).state == "approved"
    assert Proposal.objects.get(pk=world.exchanges["E2"].pk).state == "completed"
    after = figures()["summary"]
    for key in ("exchanges", "completed", "a_to_e", "e_to_a", "index"):
        assert after[key] == summary_before[key], key


def test_an_offer_with_a_co_owner_passes_to_them(alice, proposal):
    offer = proposal.asian_offer
    colleague = factories.lecturer(offer.institution, email="co@um.edu.my")
    offer.co_owners.add(colleague)

    erasure.account_erase(user=alice)

    offer.refresh_from_db()
    proposal.refresh_from_db()
    assert offer.owner == colleague and offer.status == "open"
    assert not offer.co_owners.exists()
    assert proposal.state == "proposed"


def test_a_co_owner_who_leaves_is_taken_off_the_offer(jan, proposal):
    colleague = factories.lecturer(proposal.european_offer.institution, email="co@wur.example")
    proposal.european_offer.co_owners.add(colleague)

    erasure.account_erase(user=colleague)

    assert not proposal.european_offer.co_owners.exists()
    assert Offer.objects.get(pk=proposal.european_offer_id).status == "open"


def test_the_page_asks_for_the_password_and_the_word(client, alice, proposal):
    client.force_login(alice)
    page = client.get(DELETE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="password"' in html and 'name="confirm"' in html and "DELETE" in html

    wrong_password = delete(client, password="not-my-password")
    wrong_word = delete(client, word="delete it")

    assert wrong_password.status_code == 400
    assert "The password is wrong." in wrong_password.content.decode()
    assert wrong_word.status_code == 400
    assert "Type the word DELETE" in wrong_word.content.decode()
    alice.refresh_from_db()
    assert alice.is_active and alice.email == "alice@um.edu.my" and signed_in(client)
    assert Proposal.objects.get(pk=proposal.pk).state == "proposed"


def test_guessing_the_password_is_stopped(client, alice):
    client.force_login(alice)
    for _ in range(10):
        assert delete(client, password="guess").status_code == 400

    refused = delete(client)

    assert refused.status_code == 400
    assert "Too many attempts" in refused.content.decode()
    assert User.objects.get(pk=alice.pk).is_active


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for method in (client.get, client.post):
        response = method(DELETE)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def _refuse_erasing_users():
    """A trigger that fails the last step (the user row's update), as a crash would."""
    if connection.vendor == "postgresql":
        statements = [
            "CREATE FUNCTION refuse_erasure() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'refused for the test'; END $$",
            "CREATE TRIGGER refuse_erasure BEFORE UPDATE ON accounts_user FOR EACH ROW "
            "WHEN (NEW.email LIKE '%@erased.invalid') EXECUTE FUNCTION refuse_erasure()",
        ]
    else:
        statements = [
            "CREATE TRIGGER refuse_erasure BEFORE UPDATE ON accounts_user "
            "WHEN NEW.email LIKE '%@erased.invalid' "
            "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
        ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.mark.both_backends
def test_a_failure_halfway_changes_nothing(alice, jan, proposal):
    chat.post_message(
        user=alice, conversation_id=proposal.conversation.pk, client_id="a1", text="Hello"
    )
    Notification.objects.create(recipient=alice, kind="accepted", proposal=proposal, url="/x/")
    Token.objects.create(user=alice)
    _refuse_erasing_users()

    with pytest.raises(DatabaseError):
        erasure.account_erase(user=alice)

    alice = User.objects.get(pk=alice.pk)
    assert alice.email == "alice@um.edu.my" and alice.full_name == "Alice Tan"
    assert alice.is_active and alice.check_password(factories.PASSWORD)
    assert Proposal.objects.get(pk=proposal.pk).state == "proposed"
    assert Offer.objects.get(pk=proposal.asian_offer_id).status == "open"
    assert Affiliation.objects.filter(user=alice).count() == 1
    assert EmailAddress.objects.filter(user=alice).count() == 1
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert Token.objects.filter(user=alice).exists()
    member = ConversationMember.objects.get(user=alice, conversation=proposal.conversation)
    assert member.left_at is None


def test_second_factors_and_listed_sessions_go_too(client, alice):
    client.post(reverse("account_login"), {"login": alice.email, "password": factories.PASSWORD})
    assert signed_in(client)
    factories.with_totp(alice)
    assert Authenticator.objects.filter(user=alice).exists()
    assert UserSession.objects.filter(user=alice).exists()

    erasure.account_erase(user=alice)

    assert not Authenticator.objects.filter(user=alice).exists()
    assert not UserSession.objects.filter(user=alice).exists()
    assert client.get(POLICY).status_code == 200 and not signed_in(client)
