"""Download my data: the page's JSON file and GET /api/v1/me/export/ hold the person's
own data, all of it, and nobody else's."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from exchanges import services
from messaging import chat
from notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db

EXPORT = reverse("privacy:export")
API = "/api/v1/me/export/"


def _say(user, proposal, text: str, client_id: str):
    chat.post_message(
        user=user, conversation_id=proposal.conversation.pk, client_id=client_id, text=text
    )


@pytest.fixture
def history(world):
    """Alice (Universiti Malaya) and the people around her, each with things of their own."""
    e1, e5 = world.exchanges["E1"], world.exchanges["E5"]
    _say(world.alice, e1, "Alice's plan: week 3 on mangroves", "a1")
    _say(world.jan, e1, "Jan's private reply about his sabbatical", "j1")
    services.proposal_decline(proposal=e5, actor=world.vera, note="Vera's own reason")
    Notification.objects.create(
        recipient=world.alice, kind="received", proposal=e1, url="/proposals/1/"
    )
    Notification.objects.create(recipient=world.jan, kind="accepted", proposal=e1, url="/x/")
    Token.objects.create(user=world.jan)
    return world


def download(client, user) -> dict:
    client.force_login(user)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="tandem-my-data-')
    assert response["Cache-Control"] == "no-store"
    return json.loads(response.content)


def test_the_download_holds_the_profile_affiliations_offers_proposals_messages(client, history):
    alice = history.alice
    data = download(client, alice)

    assert data["format"] == "tandem-personal-data/1"
    assert data["profile"]["email"] == "alice@um.edu.my"
    assert data["profile"]["full_name"] == "Alice Tan"
    assert data["profile"]["email_addresses"] == [
        {"email": "alice@um.edu.my", "verified": True, "primary": True}
    ]
    assert [(a["institution"], a["role"], a["status"]) for a in data["affiliations"]] == [
        ("Universiti Malaya", "lecturer", "verified")
    ]
    # Her four offers (those of E1, E2, E5, and one still open), with their parts.
    assert len(data["offers"]) == 4
    assert {o["role"] for o in data["offers"]} == {"owner"}
    first = data["offers"][0]
    assert first["languages"] == [{"language": "en", "cefr": "B2"}]
    assert first["windows"][0] == {"weekday": 1, "start": "15:00", "end": "17:00"}
    assert first["sdgs"] == [13, 14]
    # The proposals of her offers, each with its timeline.
    by_id = {p["id"]: p for p in data["proposals"]}
    e1 = by_id[history.exchanges["E1"].pk]
    assert set(by_id) == {history.exchanges[k].pk for k in ("E1", "E2", "E5")}
    assert e1["state"] == "approved" and e1["proposed_by_me"] is True
    steps = [(step["to_state"], step["by_me"]) for step in e1["timeline"]]
    assert steps[:2] == [("proposed", True), ("accepted", False)]
    assert steps[-1][0] == "approved"
    assert e1["terms"]["asian_offer"]["students"] == 30
    assert [m["text"] for m in data["chat_messages"]] == ["Alice's plan: week 3 on mangroves"]
    assert data["chat_messages"][0]["proposal"] == e1["id"]
    assert [(n["kind"], n["proposal"]) for n in data["notifications"]] == [("received", e1["id"])]
    assert data["notifications"][0]["text"]


def test_nobody_elses_messages_addresses_notes_or_secrets_are_in_it(client, history):
    text = json.dumps(download(client, history.alice), ensure_ascii=False)

    assert "Jan's private reply" not in text
    assert "Vera's own reason" not in text
    for other in (history.jan, history.bob, history.charlie, history.vera):
        assert other.email not in text
        assert other.full_name not in text
    assert Token.objects.get(user=history.jan).key not in text
    assert history.alice.password not in text
    assert "md5$" not in text and "pbkdf2" not in text
    # The decline is in her timeline, without Vera's note.
    e5 = [p for p in json.loads(text)["proposals"] if p["id"] == history.exchanges["E5"].pk][0]
    assert e5["timeline"][-1]["to_state"] == "declined"
    assert e5["timeline"][-1]["by_me"] is False and e5["timeline"][-1]["note"] == ""


def test_the_partner_gets_his_own_data_not_alices(client, history):
    data = download(client, history.jan)

    assert data["profile"]["email"] == history.jan.email
    assert [m["text"] for m in data["chat_messages"]] == [
        "Jan's private reply about his sabbatical"
    ]
    assert [n["kind"] for n in data["notifications"]] == ["accepted"]
    text = json.dumps(data, ensure_ascii=False)
    assert "Alice's plan" not in text and "alice@um.edu.my" not in text
    # E1 was Alice's proposal: its message is hers, so Jan's copy leaves it out.
    e1 = [p for p in data["proposals"] if p["id"] == history.exchanges["E1"].pk][0]
    assert e1["proposed_by_me"] is False and e1["message"] == ""


def test_the_api_gives_the_same_archive(client, api, history):
    page = download(client, history.alice)
    api.force_login(history.alice)
    response = api.get(API)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    # Each sign-in moved last_login; the rest is the same, field for field.
    for archive in (page, body):
        archive.pop("exported_at"), archive["profile"].pop("last_login")
    assert body == page


def test_an_office_sees_the_decisions_it_took(client, history):
    data = download(client, history.bob)

    assert data["offers"] == [] and data["chat_messages"] == []
    decisions = [(d["proposal"], d["decision"]) for d in data["office_decisions"]]
    assert decisions == [
        (history.exchanges["E1"].pk, "approve"),
        (history.exchanges["E2"].pk, "approve"),
    ]


def test_a_co_owner_finds_the_offer_and_its_proposals(client, alice, proposal):
    colleague = factories.lecturer(proposal.asian_offer.institution, email="co@um.edu.my")
    proposal.asian_offer.co_owners.add(colleague)

    data = download(client, colleague)

    assert [(o["id"], o["role"]) for o in data["offers"]] == [(proposal.asian_offer_id, "co-owner")]
    assert [p["id"] for p in data["proposals"]] == [proposal.pk]


def test_anonymous_visitors_are_sent_to_sign_in_and_the_api_refuses(client, api, db):
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    refused = api.get(API)
    assert refused.status_code == 401
    assert "alice" not in refused.content.decode()


def test_the_export_is_documented_in_the_schema(client, db):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/me/export/"]["get"]
    archive = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    name = archive.rsplit("/", 1)[-1]
    fields = schema["components"]["schemas"][name]["properties"]
    assert set(fields) >= {"profile", "offers", "proposals", "chat_messages", "notifications"}
