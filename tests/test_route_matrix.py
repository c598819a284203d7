"""Every route of the code, tried by every kind of person: the permission matrix.

The routes are read from the code (the URL resolver, recursively, and the WebSocket
routing), never listed by hand: a route added without a row here fails the suite with its
name. Each row says which status each person gets, in the order of ACTORS:

- anonymous: not signed in;
- owner: alice, lecturer at Universiti Malaya, who owns the offer and made the proposal;
- partner: jan, lecturer at Wageningen, whose offer is the proposal's partner;
- outsider: erin, lecturer at a third university (Chulalongkorn);
- office: bob, the international office of alice's institution;
- other_office: dara, the international office of the third university;
- secretariat: paolo.

Objects in URLs come from one small world built for each route: alice's open offer and
her draft, jan's offer, alice's proposal to jan with its conversation, jan's notification,
a pending claim at alice's institution, an import job of bob's, a pairing round. A route
that changes something is sent as the page would send it (POST), with an empty form:
the answer then tells who may (a form error, a redirect) from who may not (403, 404).
Each request runs in a savepoint that is rolled back, so every person meets the same
world."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories

ACTORS = ("anonymous", "owner", "partner", "outsider", "office", "other_office", "secretariat")
ADMIN_PREFIX = "admin/"


@dataclass(frozen=True)
class Row:
    expect: tuple[int, ...]
    method: str = "GET"
    # Each maps a name to a world object (or, if the world has none by that name, itself):
    kwargs: tuple[tuple[str, str], ...] = ()  # of the URL
    data: tuple[tuple[str, str], ...] = ()  # of the form posted
    query: tuple[tuple[str, str], ...] = ()  # of the query string


def row(expect: str, method: str = "GET", *, data=None, query=None, **kwargs: str) -> Row:
    statuses = tuple(int(s) for s in expect.split())
    assert len(statuses) == len(ACTORS), expect
    return Row(
        statuses,
        method,
        tuple(kwargs.items()),
        tuple((data or {}).items()),
        tuple((query or {}).items()),
    )


def routes() -> dict[str, str]:
    """Every URL pattern of the project: its name (namespaced) → its route."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace if not namespace else f"{namespace}:{p.namespace}"
                walk(p.url_patterns, prefix + str(p.pattern), ns if p.namespace else namespace)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
                found.setdefault(name, route)

    walk(get_resolver().url_patterns, "", None)
    return found


# Who gets what. Columns: anonymous, owner, partner, outsider, office, other_office,
# secretariat. 302 from a page to an anonymous visitor is the way to the sign-in page.
ROWS: dict[str, Row] = {
    # --- public pages and probes
    "landing": row("200 200 200 200 200 200 200"),
    "healthz": row("200 200 200 200 200 200 200"),
    "metrics": row("404 404 404 404 404 404 404"),  # off without METRICS_TOKEN
    "set_language": row("302 302 302 302 302 302 302", "POST", data={"language": "en"}),
    "offers:catalogue": row("200 200 200 200 200 200 200"),
    "offers:offer-detail": row("200 200 200 200 200 200 200", pk="offer"),
    "accounts:institution-detail": row("200 200 200 200 200 200 200", pk="institution"),
    "api-schema": row("200 200 200 200 200 200 200"),
    "api-docs": row("200 200 200 200 200 200 200"),
    # --- everyone signed in
    "dashboard:dashboard": row("302 200 200 200 200 200 200"),
    # a verified lecturer's profile (jan's), to everyone signed in
    "dashboard:lecturer-profile": row("302 200 200 200 200 200 200", pk="partner_user"),
    "accounts:preferences": row("302 200 200 200 200 200 200"),
    "accounts:institution-claim": row("302 200 200 200 200 200 200"),
    "notifications:notifications": row("302 200 200 200 200 200 200"),
    "notifications:notifications-read-all": row("302 302 302 302 302 302 302", "POST"),
    # only its recipient, jan, may mark a notification read; to anyone else it is not there
    "notifications:notification-read": row(
        "302 404 302 404 404 404 404", "POST", pk="notification"
    ),
    # partner alerts: everyone lists their own; only the offer's lecturers set one on it;
    # only its owner (alice) removes hers, to anyone else it is not there
    "notifications:alerts": row("302 200 200 200 200 200 200"),
    "notifications:alert-create": row("302 302 403 403 403 403 403", "POST", pk="offer"),
    "notifications:alert-delete": row("302 302 404 404 404 404 404", "POST", pk="alert"),
    # --- offers: the owner edits; the offer's office may close; anyone else is refused
    "offers:offer-list": row("302 200 200 200 200 200 200"),
    "offers:offer-export": row("302 200 200 200 200 200 200"),
    "offers:offer-create": row("302 200 200 200 403 403 403"),  # lecturers only
    "offers:offer-edit": row("302 200 403 403 403 403 403", pk="offer"),
    "offers:offer-co-owners": row("302 200 403 403 403 403 403", pk="offer"),
    "offers:offer-duplicate": row("302 302 403 403 403 403 403", "POST", pk="offer"),
    # a draft: the owner publishes it; to everyone but its editors and its office it is not there
    "offers:offer-publish": row("302 302 404 404 403 404 403", "POST", pk="draft"),
    "offers:offer-close": row("302 302 403 403 302 403 403", "POST", pk="offer"),
    "matching:suggestion-hide": row(
        "302 302 403 403 403 403 403", "POST", pk="offer", data={"partner": "partner_offer"}
    ),
    "matching:suggestions-unhide": row("302 302 403 403 403 403 403", "POST", pk="offer"),
    # --- the secretariat's page of the learned suggestion ranking
    "matching:ranking-model": row("302 403 403 403 403 403 200"),
    "matching:ranking-refit": row("302 403 403 403 403 403 302", "POST"),
    # --- proposals: its two lecturers, both offices and the secretariat see it
    # from alice's own offer to jan's: only the offer's editors propose from it
    "exchanges:proposal-new": row(
        "302 200 403 403 403 403 403", pk="offer", query={"partner": "partner_offer"}
    ),
    "exchanges:proposal-choose": row(
        "302 302 403 403 403 403 403", query={"offer": "offer", "partner": "partner_offer"}
    ),
    "exchanges:proposal-list": row("302 200 200 200 200 200 200"),
    "exchanges:proposal-detail": row("302 200 200 404 200 404 200", pk="proposal"),
    # jan accepts; alice, who proposed, may not (a message, back to the page)
    "exchanges:proposal-action": row(
        "302 302 302 404 403 404 403", "POST", pk="proposal", action="accept"
    ),
    "exchanges:proposal-complete": row("302 302 302 404 403 404 403", pk="proposal"),
    "exchanges:approval-queue": row("302 403 403 403 200 200 200"),
    # the shared terms: its two lecturers edit them (an empty form is a 400 with the
    # fields to fix); the thread with the offices: lecturers and both offices, not the
    # secretariat
    "exchanges:proposal-terms": row("302 400 400 404 403 404 403", "POST", pk="proposal"),
    "exchanges:proposal-comment": row("302 400 400 404 400 404 404", "POST", pk="proposal"),
    # --- the signable agreement: the parties once approved (the world's proposal is
    # still proposed: 409 with the reason), outsiders 404
    "agreement:pdf": row("302 409 409 404 409 404 409", pk="proposal"),
    "agreement:print": row("302 409 409 404 409 404 409", pk="proposal"),
    "api:proposal-agreement-pdf": row("401 409 409 404 409 404 409", pk="proposal"),
    # --- session planning: the planner for the two lecturers; the .ics also for both offices;
    # the feed answers its token only (no sign-in), a bare 404 to any other
    "planning:planner": row("302 200 200 404 404 404 404", pk="proposal"),
    "planning:proposal-ics": row("302 200 200 404 200 404 404", pk="proposal"),
    "planning:calendar": row("302 200 200 200 200 200 200"),
    "planning:feed": row("404 404 404 404 404 404 404", token="not-a-token"),
    # --- the academic calendar: each office its own institution's
    "planning:office-calendar": row("302 403 403 403 200 200 403"),
    "planning:office-calendar-remove": row("302 403 403 403 404 404 403", "POST", pk="1"),
    # --- the chat: its members only
    "messaging:conversation": row("302 200 200 404 404 404 404", pk="conversation"),
    "messaging:conversation-send": row(
        "302 302 302 404 404 404 404", "POST", pk="conversation", data={"text": "Hello"}
    ),
    "messaging:conversation-join": row("302 302 302 404 404 404 404", "POST", pk="conversation"),
    "messaging:conversation-invite": row("302 302 302 404 404 404 404", "POST", pk="conversation"),
    "messaging:conversation-leave": row("302 302 302 404 404 404 404", "POST", pk="conversation"),
    "messaging:conversation-remove": row(
        "302 302 302 404 404 404 404", "POST", pk="conversation", user_id="partner_user"
    ),
    # --- international offices (their own institution's things) and the secretariat
    "accounts:verification-queue": row("302 403 403 403 200 200 200"),
    "accounts:affiliation-verify": row("302 403 403 403 302 404 302", "POST", pk="claim"),
    "accounts:affiliation-refuse": row("302 403 403 403 200 404 200", pk="claim"),
    "imports:offer-import": row("302 403 403 403 200 200 200"),
    "imports:offer-import-example-csv": row("302 403 403 403 200 200 200"),
    "imports:offer-import-example-json": row("302 403 403 403 200 200 200"),
    "imports:job": row("302 403 403 403 200 404 200", pk="job"),
    "imports:job-progress": row("302 403 403 403 200 404 200", pk="job"),
    "imports:job-confirm": row("302 403 403 403 302 404 302", "POST", pk="job"),
    "balance:dashboard": row("302 403 403 403 200 200 200"),
    "balance:export": row("302 403 403 403 200 200 200", slug="summary", fmt="csv"),
    # --- the secretariat's pairing rounds
    "rounds:round-list": row("302 403 403 403 403 403 200"),
    "rounds:round-create": row("302 403 403 403 403 403 200"),
    "rounds:round-detail": row("302 403 403 403 403 403 200", pk="round"),
    "rounds:round-progress": row("302 403 403 403 403 403 200", pk="round"),
    "rounds:round-publish": row("302 403 403 403 403 403 302", "POST", pk="round"),
    "rounds:round-undo": row("302 403 403 403 403 403 302", "POST", pk="round"),
    # --- the REST API: 401 without a token or session; outsiders to a proposal get 404
    "api:auth-token": row("400 400 400 400 400 400 400", "POST"),
    "api:me": row("401 200 200 200 200 200 200"),
    "api:offer-list": row("200 200 200 200 200 200 200"),
    "api:offer-detail": row("200 200 200 200 200 200 200", pk="offer"),
    "api:offer-publish": row("401 200 404 404 403 404 403", "POST", pk="draft"),
    "api:offer-close": row("401 200 403 403 200 403 403", "POST", pk="offer"),
    "api:offer-suggestions": row("401 200 403 403 200 403 403", pk="offer"),
    "api:proposal-list": row("401 200 200 200 200 200 200"),
    "api:proposal-detail": row("401 200 200 404 200 404 200", pk="proposal"),
    # the proposal is waiting for jan: alice cannot accept her own (409), offices not (403)
    "api:proposal-accept": row("401 409 200 404 403 404 403", "POST", pk="proposal"),
    "api:proposal-decline": row("401 409 200 404 403 404 403", "POST", pk="proposal"),
    "api:proposal-withdraw": row("401 200 200 404 403 404 403", "POST", pk="proposal"),
    # offices decide once both lecturers accepted: not yet (409); nobody else may (403)
    "api:proposal-approve": row("401 403 403 404 409 404 403", "POST", pk="proposal"),
    "api:proposal-reject": row(
        "401 403 403 404 409 404 403", "POST", pk="proposal", data={"reason": "Exams"}
    ),
    "api:proposal-start": row("401 409 409 404 403 404 403", "POST", pk="proposal"),
    "api:proposal-complete": row("401 400 400 404 400 404 400", "POST", pk="proposal"),
    "api:proposal-agreement": row("401 409 409 404 409 404 409", pk="proposal"),
    "api:proposal-terms": row("401 200 200 404 200 404 200", pk="proposal"),
    "api:proposal-comments": row("401 200 200 404 200 404 404", pk="proposal"),
    # only an office asks for changes, and must say what (an empty comment is a 400)
    "api:proposal-request-changes": row("401 403 403 404 400 404 403", "POST", pk="proposal"),
    "api:stats": row("401 403 403 403 200 200 200"),
    "api:no-such-endpoint": row("404 404 404 404 404 404 404"),
    # --- accounts (allauth): sign-in, sign-up, passwords, e-mail addresses
    "account_login": row("200 302 302 302 302 302 302"),
    "account_logout": row("302 200 200 200 200 200 200"),
    "account_signup": row("200 302 302 302 302 302 302"),
    "account_inactive": row("200 200 200 200 200 200 200"),
    "account_reauthenticate": row("302 200 200 200 200 200 200"),
    "account_request_reauthentication_code": row("302 200 200 200 200 200 200"),
    "account_confirm_reauthentication_code": row("302 302 302 302 302 302 302"),
    "account_email": row("302 200 200 200 200 200 200"),
    "account_email_verification_sent": row("200 200 200 200 200 200 200"),
    "account_confirm_email": row("200 200 200 200 200 200 200", key="not-a-key"),
    "account_change_password": row("302 200 200 200 200 200 200"),
    "account_set_password": row("302 302 302 302 302 302 302"),
    "account_reset_password": row("200 200 200 200 200 200 200"),
    "account_reset_password_done": row("200 200 200 200 200 200 200"),
    "account_reset_password_from_key": row("200 200 200 200 200 200 200", uidb36="0", key="x"),
    "account_reset_password_from_key_done": row("200 200 200 200 200 200 200"),
    "account_confirm_login_code": row("302 302 302 302 302 302 302"),
    # --- the second factor (allauth.mfa): offices and the secretariat have an app already
    "accounts:security": row("302 200 200 200 200 200 200"),
    "mfa_index": row("302 200 200 200 200 200 200"),
    "mfa_authenticate": row("302 302 302 302 302 302 302"),
    "mfa_reauthenticate": row("302 302 302 302 200 200 200"),
    "mfa_activate_totp": row("302 302 302 302 302 302 302"),
    "mfa_deactivate_totp": row("302 404 404 404 302 302 302"),
    "mfa_view_recovery_codes": row("302 404 404 404 404 404 404"),
    "mfa_generate_recovery_codes": row("302 302 302 302 302 302 302"),
    "mfa_download_recovery_codes": row("302 404 404 404 404 404 404"),
    "mfa_list_webauthn": row("302 200 200 200 200 200 200"),
    "mfa_add_webauthn": row("302 302 302 302 302 302 302"),
    "mfa_reauthenticate_webauthn": row("302 302 302 302 302 302 302"),
    "mfa_edit_webauthn": row("302 302 302 302 302 302 302", pk="1"),
    "mfa_remove_webauthn": row("302 302 302 302 302 302 302", pk="1"),
    "mfa_login_webauthn": row("302 302 302 302 302 302 302"),
    "usersessions_list": row("302 200 200 200 200 200 200"),
    "csp-report": row("400 400 400 400 400 400 400", "POST"),
    # --- privacy: each signed-in person's own data
    "privacy:policy": row("200 200 200 200 200 200 200"),
    "privacy:export": row("302 200 200 200 200 200 200"),
    "privacy:delete-account": row("302 200 200 200 200 200 200"),
    "api:me-export": row("401 200 200 200 200 200 200"),
}

# Django's admin: every route under admin/ is behind its own sign-in, for staff only, and
# nobody of the world is staff. Tried on its index and one model's list.
ADMIN_SAMPLES = {
    "admin:index": row("302 302 302 302 302 302 302"),
    "admin:accounts_user_changelist": row("302 302 302 302 302 302 302"),
}


# --- the world -----------------------------------------------------------------------------


@dataclass
class World:
    people: dict[str, object]
    objects: dict[str, int | str]
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, actor: str) -> Client:
        """One signed-in client per actor (its session made once, outside the savepoints)."""
        if actor not in self.clients:
            self.clients[actor] = Client()
            if self.people[actor] is not None:
                self.clients[actor].force_login(self.people[actor])
        return self.clients[actor]


def build_world() -> World:
    from accounts.models import AffiliationRole
    from exchanges import services
    from offers.models import ImportJob, ImportStatus
    from rounds.models import PairingRound

    asian = factories.InstitutionFactory(name="Universiti Malaya", country=factories.country("MY"))
    european = factories.InstitutionFactory(name="Wageningen", country=factories.country("NL"))
    third = factories.InstitutionFactory(name="Chulalongkorn", country=factories.country("TH"))
    people = {
        "anonymous": None,
        "owner": factories.lecturer(asian, email="alice@um.edu.my"),
        "partner": factories.lecturer(european, email="jan@wur.nl"),
        "outsider": factories.lecturer(third, email="erin@chula.ac.th"),
        "office": factories.office(asian, email="bob@um.edu.my"),
        "other_office": factories.office(third, email="dara@chula.ac.th"),
        "secretariat": factories.UserFactory(email="paolo@tandem.example", is_secretariat=True),
    }
    alice, jan = people["owner"], people["partner"]
    offer = factories.make_offer(alice)
    draft = factories.make_offer(alice, publish=False, title="Alice's draft")
    partner_offer = factories.make_offer(jan, title="Marine Spatial Planning")
    proposal = services.proposal_create(actor=alice, offer=offer, partner=partner_offer)
    newcomer = factories.UserFactory(email="new@um.edu.my")
    claim = factories.affiliate(newcomer, asian, AffiliationRole.LECTURER, verified=False)
    # A checked file, which its office may now import for real.
    job = ImportJob.objects.create(
        institution=asian,
        created_by=people["office"],
        filename="a.csv",
        format="csv",
        content=b"",
        check_only=True,
        status=ImportStatus.DONE,
    )
    pairing_round = PairingRound.objects.create(name="Round 1", created_by=people["secretariat"])
    return World(
        people=people,
        objects={
            "offer": offer.pk,
            "draft": draft.pk,
            "partner_offer": partner_offer.pk,
            "proposal": proposal.pk,
            "partner_user": jan.pk,
            "claim": claim.pk,
            "job": job.pk,
            "round": pairing_round.pk,
            "institution": asian.pk,
        },
    )


@pytest.fixture
def world(db, django_capture_on_commit_callbacks) -> World:
    from messaging.models import Conversation
    from notifications.models import Notification, PartnerAlert

    # The proposal's conversation and notifications are made on commit.
    with django_capture_on_commit_callbacks(execute=True):
        built = build_world()
    jan = built.people["partner"]
    built.objects["conversation"] = Conversation.objects.get(proposal=built.objects["proposal"]).pk
    built.objects["notification"] = Notification.objects.filter(recipient=jan).first().pk
    alice = built.people["owner"]
    built.objects["alert"] = PartnerAlert.objects.create(
        offer_id=built.objects["offer"], user=alice
    ).pk
    return built


def url_for(name: str, spec: Row, world: World) -> str:
    kwargs = {key: world.objects.get(value, value) for key, value in spec.kwargs}
    return reverse(name, kwargs=kwargs or None)


def statuses(name: str, spec: Row, world: World) -> tuple[int, ...]:
    """The status each actor gets, each request in a savepoint rolled back after."""
    url = url_for(name, spec, world)
    data = {key: world.objects.get(value, value) for key, value in spec.data}
    query = {key: world.objects.get(value, value) for key, value in spec.query}
    found = []
    for actor in ACTORS:
        client = world.client(actor)
        with transaction.atomic():
            if spec.method == "GET":
                response = client.get(url, query)
            elif name.startswith("api:"):
                response = client.post(url, data, content_type="application/json")
            else:
                response = client.post(url, data)
            transaction.set_rollback(True)
        found.append(response.status_code)
    return tuple(found)


# --- the tests -----------------------------------------------------------------------------


def test_every_route_of_the_code_has_a_row():
    in_code = routes()
    covered = {name for name, route in in_code.items() if route.startswith(ADMIN_PREFIX)}
    missing = sorted(set(in_code) - covered - set(ROWS))
    assert not missing, (
        "routes without a row in tests/test_route_matrix.py ROWS (say who may use them): "
        + ", ".join(f"{name} ({in_code[name]})" for name in missing)
    )
    gone = sorted(set(ROWS) - set(in_code))
    assert not gone, f"rows for routes the code no longer has: {', '.join(gone)}"
    assert set(ADMIN_SAMPLES) <= covered


def test_every_route_answers_each_person_as_its_row_says(world):
    wrong = []
    for name, spec in {**ROWS, **ADMIN_SAMPLES}.items():
        got = statuses(name, spec, world)
        if got != spec.expect:
            diff = ", ".join(
                f"{actor} {want}→{have}"
                for actor, want, have in zip(ACTORS, spec.expect, got, strict=True)
                if want != have
            )
            wrong.append(f"{name} ({spec.method} {url_for(name, spec, world)}): {diff}")
    assert not wrong, "routes answering otherwise than their row says:\n" + "\n".join(wrong)


# --- WebSocket routes ----------------------------------------------------------------------

# Route → (URL argument → world object, what each actor's socket does: "open" is greeted
# (hello, unread), a number is the close code of a refusal (docs/chat_protocol.md):
# 4401 not signed in, 4404 not a member (or no such conversation)).
WS_ROWS: dict[str, tuple[dict[str, str], str]] = {
    # the chat of a proposal: its members, the two lecturers, and nobody else
    "ws/conversations/<int:conversation_id>/": (
        {"conversation_id": "conversation"},
        "4401 open open 4404 4404 4404 4404",
    ),
    # each signed-in person's unread counters
    "ws/inbox/": ({}, "4401 open open open open open open"),
}


def websocket_routes() -> list[str]:
    from messaging.routing import websocket_urlpatterns

    return [str(p.pattern) for p in websocket_urlpatterns]


def test_every_websocket_route_has_a_row():
    missing = sorted(set(websocket_routes()) - set(WS_ROWS))
    assert not missing, f"WebSocket routes without a row in WS_ROWS: {', '.join(missing)}"
    assert not set(WS_ROWS) - set(websocket_routes()), "rows for WebSocket routes now gone"


@pytest.mark.django_db(transaction=True)
def test_every_websocket_route_accepts_exactly_its_row(settings):
    from asgiref.sync import async_to_sync

    from tests.messaging.chat_helpers import open_socket, session_cookie

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    world = build_world()  # autocommit: the conversation is opened at once
    from messaging.models import Conversation

    world.objects["conversation"] = Conversation.objects.get(proposal=world.objects["proposal"]).pk
    keys = {a: session_cookie(u) if u is not None else None for a, u in world.people.items()}

    async def outcome(path: str, key: str | None) -> str:
        communicator, accepted = await open_socket(path, key)
        if not accepted:
            return "handshake refused"
        while True:
            event = await communicator.receive_output(timeout=10)
            if event["type"] == "websocket.close":
                return str(event.get("code", 1000))
            if json.loads(event["text"])["type"] in ("hello", "unread"):
                await communicator.disconnect()
                return "open"

    wrong = []
    for route, (args, expect) in WS_ROWS.items():
        path = "/" + route
        for name, obj in args.items():
            path = path.replace(f"<int:{name}>", str(world.objects[obj]))
        for actor, want in zip(ACTORS, expect.split(), strict=True):
            got = async_to_sync(outcome)(path, keys[actor])
            if got != want:
                wrong.append(f"{route} {actor}: {want}→{got}")
    assert not wrong, "WebSocket routes answering otherwise:\n" + "\n".join(wrong)
