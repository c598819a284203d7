"""The proposals API across the personas.

alice is a lecturer at Universiti Malaya (Asia) and bob its international office; jan is
a lecturer at Wageningen (Europe) and charlie its international office. Outsiders: erin,
a lecturer of a third institution (Chulalongkorn), and thai_office, that institution's
international office; plus the secretariat and visitors."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from exchanges import agreement, decisions, services, transitions
from exchanges import services as wf
from exchanges.api import OFFER_NOT_FOUND, PARTNER_NOT_FOUND
from exchanges.models import Proposal, ProposalState
from offers import services as offer_services
from offers.models import Offer, OfferStatus
from tests import factories
from tests.exchanges.conftest import REPORT

pytestmark = pytest.mark.django_db

LIST = reverse("api:proposal-list")


def detail(proposal) -> str:
    return reverse("api:proposal-detail", args=[proposal.pk])


def action(proposal, name: str) -> str:
    return reverse(f"api:proposal-{name}", args=[proposal.pk])


def ids(response) -> list[int]:
    return [p["id"] for p in response.json()["results"]]


def sign_in(api, persona: str, request):
    """Sign the client in as a persona fixture's user; "visitor" stays anonymous."""
    if persona != "visitor":
        api.force_login(request.getfixturevalue(persona))
    return api


def snapshot(proposal) -> tuple:
    """Everything a refused move must leave as it was."""
    p = Proposal.objects.get(pk=proposal.pk)
    offers = Offer.objects.filter(pk__in=[p.asian_offer_id, p.european_offer_id]).order_by("pk")
    return (
        p.state,
        p.updated_at,
        p.asian_accepted_at,
        p.european_accepted_at,
        p.terms_hash,
        p.approved_at,
        list(p.events.values_list("pk", flat=True)),
        list(p.decisions.values_list("pk", "decision", "void")),
        list(offers.values_list("approved_pairings", "status")),
    )


# --- people and offers ------------------------------------------------------------------------


@pytest.fixture
def thai_office(thai_institution):
    return factories.office(thai_institution, email="io@chula.ac.th", full_name="Somchai Office")


# --- the whole path -----------------------------------------------------------------------------


def test_alice_proposes_jan_accepts_both_offices_approve_and_the_agreement_downloads(
    api, alice, jan, bob, charlie, siti_offer, jan_offer
):
    api.force_login(alice)
    created = api.post(
        LIST, {"offer": siti_offer.pk, "partner": jan_offer.pk, "message": "Six joint sessions?"}
    )
    assert created.status_code == 201
    body = created.json()
    proposal = Proposal.objects.get(pk=body["id"])
    assert created["Location"] == detail(proposal)
    assert (body["state"], body["origin"], body["message"]) == (
        "proposed",
        "browse",
        "Six joint sessions?",
    )
    assert body["asian_offer"]["title"] == "Coastal Ecosystems and Climate Adaptation"
    assert body["european_offer"]["title"] == "Marine Spatial Planning"
    assert body["terms"] is None and body["terms_hash"] is None
    assert body["agreement_url"] is None

    api.force_login(jan)
    accepted = api.post(action(proposal, "accept"))
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "accepted"
    proposal.refresh_from_db()
    assert accepted.json()["terms_hash"] == proposal.terms_hash
    assert accepted.json()["terms"]["european_offer"]["students"] == 30

    api.force_login(charlie)
    half = api.post(action(proposal, "approve"), {"comment": "Fine with Wageningen"})
    assert half.status_code == 200
    assert half.json()["state"] == "accepted"  # one office is not enough
    assert [(d["institution"]["name"], d["decision"]) for d in half.json()["decisions"]] == [
        ("Wageningen University", "approve")
    ]

    api.force_login(bob)
    approved = api.post(action(proposal, "approve"))
    assert approved.status_code == 200
    assert approved.json()["state"] == "approved"
    assert approved.json()["approved_at"]
    assert approved.json()["agreement_url"].endswith(action(proposal, "agreement"))
    timeline = [(e["from_state"], e["to_state"], e["actor"]) for e in approved.json()["events"]]
    assert timeline[0] == ("", "proposed", {"name": "Alice Tan"})
    assert ("proposed", "accepted", {"name": "Jan de Vries"}) in timeline
    assert timeline[-1] == ("accepted", "approved", {"name": "Bob Lim"})

    proposal.refresh_from_db()
    download = api.get(action(proposal, "agreement"))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/json")
    assert download["Content-Disposition"] == (
        f'attachment; filename="tandem-agreement-{proposal.pk}-{proposal.terms_hash[:12]}.json"'
    )
    doc = json.loads(download.content)
    assert doc["terms_sha256"] == proposal.terms_hash
    assert agreement.terms_digest(doc["terms"]) == proposal.terms_hash
    assert doc["students_per_direction"] == {"asia_to_europe": 35, "europe_to_asia": 30}
    assert doc["institutions"]["asia"]["name"] == "Universiti Malaya"
    assert doc["institutions"]["europe"]["region"] == "europe"
    assert [a["institution"] for a in doc["approvals"]] == [
        "Wageningen University",
        "Universiti Malaya",
    ]
    assert doc["approved_on"] == proposal.approved_at.date().isoformat()

    api.force_login(alice)
    started = api.post(action(proposal, "start"))
    assert started.status_code == 200
    assert started.json()["state"] == "active"
    assert api.get(action(proposal, "agreement")).status_code == 200  # still there


def test_the_agreement_holds_the_approved_terms_and_their_hash_verifies(
    api, make_proposal, charlie
):
    proposal = make_proposal("approved")
    api.force_login(charlie)
    doc = api.get(action(proposal, "agreement")).json()
    assert doc["format"] == "tandem-agreement"
    asia, europe = doc["offers"]["asia"], doc["offers"]["europe"]
    assert asia["isced_f"] == {"code": "0521", "label": "Environmental sciences"}
    assert asia["level"] == {"code": "6", "eqf": 6, "label": "EQF 6 — bachelor"}
    assert asia["languages"] == [{"code": "en", "name": "English", "cefr": "B2"}]
    assert (asia["term_start"], asia["term_end"]) == ("2027-02-15", "2027-06-11")
    assert (asia["duration_weeks"], asia["sync_sessions"]) == (12, 6)
    assert (asia["students"], asia["students_are"]) == (35, "class")
    assert asia["lecturer"] == "Alice Tan"
    assert europe["weekly_windows"] == [{"weekday": 1, "start": "08:00", "end": "11:00"}]
    assert doc["institutions"]["asia"] == {
        "id": proposal.asian_offer.institution_id,
        "name": "Universiti Malaya",
        "city": "",
        "country": "MY",
        "country_name": "Malaysia",
        "region": "asia",
    }
    assert {a["approved_by"] for a in doc["approvals"]} == {"Bob Lim", "Charlie Visser"}
    assert all(dt.datetime.fromisoformat(a["approved_at"]) for a in doc["approvals"])
    # Verifiable with the document alone: canonical JSON of "terms" hashes to the hash.
    canonical = json.dumps(doc["terms"], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256(canonical.encode()).hexdigest() == doc["terms_sha256"]


def test_the_agreement_counts_a_virtual_mobility_hosts_seats_for_the_other_side(
    api, alice, jan, bob, charlie, siti_offer
):
    host = factories.make_offer(
        jan,
        kind="virtual_mobility",
        title="Open seats in Marine Spatial Planning",
        students=20,
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )
    p = services.proposal_create(actor=alice, offer=siti_offer, partner=host)
    p = services.proposal_accept(proposal=p, actor=jan)
    decisions.proposal_approve(proposal=p, actor=bob)
    decisions.proposal_approve(proposal=p, actor=charlie)
    api.force_login(bob)
    doc = api.get(action(p, "agreement")).json()
    # 20 of alice's 35 students take the European seats; the host's students stay home.
    assert doc["students_per_direction"] == {"asia_to_europe": 20, "europe_to_asia": 0}
    assert doc["offers"]["europe"]["students_are"] == "seats"


@pytest.mark.parametrize(
    ("asian", "european", "expected"),
    [
        (("coil", 35), ("coil", 30), (35, 30)),
        (("blended", 35), ("coil", 30), (35, 30)),
        (("coil", 35), ("virtual_mobility", 20), (20, 0)),
        (("coil", 10), ("virtual_mobility", 20), (10, 0)),
        (("virtual_mobility", 25), ("coil", 30), (0, 25)),
        (("virtual_mobility", 25), ("virtual_mobility", 40), (25, 25)),
    ],
)
def test_students_per_direction_follow_the_documented_reading(asian, european, expected):
    assert agreement.students_per_direction(*asian, *european) == expected


@pytest.mark.parametrize("state", ["proposed", "accepted", "declined", "rejected", "withdrawn"])
def test_there_is_no_agreement_before_approval(api, make_proposal, bob, state):
    proposal = make_proposal(state)
    api.force_login(bob)
    response = api.get(action(proposal, "agreement"))
    assert response.status_code == 409
    assert response.json()["detail"] == str(
        agreement.NOT_APPROVED % {"state": proposal.get_state_display().lower()}
    )
    assert api.get(detail(proposal)).json()["agreement_url"] is None


# --- refused moves: 409, nothing changes ---------------------------------------------------------

REFUSED = [
    # (state, who, action, body, the service's message: a constant or (action word))
    ("proposed", "bob", "approve", {}, ("approved",)),
    ("proposed", "charlie", "reject", {"reason": "Too early"}, ("rejected",)),
    ("proposed", "alice", "start", {}, ("started",)),
    ("proposed", "alice", "accept", {}, wf.ALREADY_ACCEPTED),
    ("accepted", "jan", "accept", {}, ("accepted",)),
    ("accepted", "jan", "decline", {}, ("declined",)),
    ("accepted", "alice", "start", {}, ("started",)),
    ("approved", "alice", "withdraw", {}, ("withdrawn",)),
    ("approved", "bob", "approve", {}, ("approved",)),
    ("approved", "charlie", "reject", {"reason": "Changed our mind"}, ("rejected",)),
    ("approved", "jan", "decline", {}, ("declined",)),
    ("approved", "jan", "accept", {}, ("accepted",)),
    ("active", "jan", "start", {}, ("started",)),
    ("active", "alice", "withdraw", {}, ("withdrawn",)),
    ("declined", "jan", "accept", {}, ("accepted",)),
    ("declined", "alice", "withdraw", {}, ("withdrawn",)),
    ("withdrawn", "jan", "decline", {}, ("declined",)),
    ("rejected", "charlie", "approve", {}, ("approved",)),
    ("rejected", "alice", "start", {}, ("started",)),
    ("proposed", "jan", "complete", REPORT, ("completed",)),
    ("approved", "alice", "complete", REPORT, ("completed",)),
    ("completed", "alice", "complete", REPORT, ("completed",)),
    ("completed", "jan", "start", {}, ("started",)),
    ("completed", "alice", "withdraw", {}, ("withdrawn",)),
]


@pytest.mark.parametrize(("state", "persona", "name", "body", "message"), REFUSED)
def test_every_refused_move_is_a_409_with_the_services_message_and_changes_nothing(
    api, request, make_proposal, state, persona, name, body, message
):
    proposal = make_proposal(state)
    before = snapshot(proposal)
    response = sign_in(api, persona, request).post(action(proposal, name), body)
    assert response.status_code == 409
    if isinstance(message, tuple):
        message = transitions.WRONG_STATE % {
            "state": proposal.get_state_display().lower(),
            "action": message[0],
        }
    assert response.json() == {"detail": str(message)}
    assert snapshot(proposal) == before


def test_a_second_officer_of_an_institution_that_decided_gets_409(
    api, make_proposal, charlie, european_institution
):
    proposal = make_proposal("accepted")
    decisions.proposal_approve(proposal=proposal, actor=charlie)
    piet = factories.office(european_institution, email="piet@wageningenuniversity.nl")
    before = snapshot(proposal)
    api.force_login(piet)
    response = api.post(action(proposal, "approve"))
    assert response.status_code == 409
    assert response.json() == {"detail": str(decisions.ALREADY_DECIDED)}
    assert snapshot(proposal) == before


def test_proposing_the_same_pair_twice_is_a_409(api, make_proposal, alice, siti_offer, jan_offer):
    make_proposal("proposed")
    api.force_login(alice)
    response = api.post(LIST, {"offer": siti_offer.pk, "partner": jan_offer.pk})
    assert response.status_code == 409
    assert response.json() == {"detail": str(wf.ALREADY_LIVE)}
    assert Proposal.objects.count() == 1


def test_approving_beyond_an_offers_capacity_is_a_409_and_changes_nothing(
    api, alice, jan, bob, charlie, jan_offer
):
    """jan's offer seeks one partner; two Asian proposals reach the offices."""
    pending = []
    for n in range(2):
        offer = factories.make_offer(alice, title=f"Asian course {n}")
        p = services.proposal_create(actor=alice, offer=offer, partner=jan_offer)
        p = services.proposal_accept(proposal=p, actor=jan)
        decisions.proposal_approve(proposal=p, actor=charlie)
        pending.append(p)
    api.force_login(bob)
    assert api.post(action(pending[0], "approve")).status_code == 200
    before = snapshot(pending[1])
    response = api.post(action(pending[1], "approve"))
    assert response.status_code == 409
    assert response.json() == {"detail": str(decisions.NO_CAPACITY % {"title": jan_offer.title})}
    assert snapshot(pending[1]) == before


# --- who may do what: every endpoint across the personas ----------------------------------------

PERSONAS = [
    "alice",
    "jan",
    "bob",
    "charlie",
    "secretariat",
    "thai_office",
    "erin",
    "visitor",
]

MATRIX = {
    # endpoint: (state it needs, method, body, {persona: status})
    "detail": ("proposed", "get", None, dict(alice=200, jan=200, bob=200, charlie=200)),
    "agreement": ("approved", "get", None, dict(alice=200, jan=200, bob=200, charlie=200)),
    "accept": ("proposed", "post", {}, dict(alice=409, jan=200, bob=403, charlie=403)),
    # The proposer withdraws; declining is the partner's answer.
    "decline": ("proposed", "post", {}, dict(alice=409, jan=200, bob=403, charlie=403)),
    "withdraw": ("accepted", "post", {}, dict(alice=200, jan=200, bob=403, charlie=403)),
    "approve": ("accepted", "post", {}, dict(alice=403, jan=403, bob=200, charlie=200)),
    "reject": (
        "accepted",
        "post",
        {"reason": "Session dates clash with our mid-term exams"},
        dict(alice=403, jan=403, bob=200, charlie=200),
    ),
    "start": ("approved", "post", {}, dict(alice=200, jan=200, bob=403, charlie=403)),
    "complete": ("active", "post", REPORT, dict(alice=200, jan=200, bob=403, charlie=403)),
}
# The secretariat sees everything but acts in no one's name; outsiders never learn that
# the proposal exists; visitors must sign in.
OTHERS = {"thai_office": 404, "erin": 404, "visitor": 401}


def _expected(endpoint: str, persona: str) -> int:
    _state, method, _body, part = MATRIX[endpoint]
    if persona in part:
        return part[persona]
    if persona == "secretariat":
        return 200 if method == "get" else 403
    return OTHERS[persona]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_permission_matrix(api, request, make_proposal, endpoint, persona):
    state, method, body, _part = MATRIX[endpoint]
    proposal = make_proposal(state)
    url = detail(proposal) if endpoint == "detail" else action(proposal, endpoint)
    sign_in(api, persona, request)
    response = api.get(url) if method == "get" else api.post(url, body)
    expected = _expected(endpoint, persona)
    assert response.status_code == expected, response.content
    if expected == 404:
        assert "Shall we?" not in response.content.decode()
        assert "Coastal" not in response.content.decode()
    if expected == 403:
        assert response.json()["detail"] in {
            str(wf.NOT_YOUR_SIDE),
            str(decisions.NOT_INVOLVED_OFFICE),
        }


@pytest.mark.parametrize("persona", ["thai_office", "erin", "visitor"])
def test_outsiders_cannot_move_a_proposal_either(api, request, make_proposal, persona):
    proposal = make_proposal("accepted")
    before = snapshot(proposal)
    sign_in(api, persona, request)
    for name in ("accept", "decline", "withdraw", "approve", "start", "complete"):
        assert api.post(action(proposal, name)).status_code in (401, 404)
    assert api.post(action(proposal, "reject"), {"reason": "x"}).status_code in (401, 404)
    assert snapshot(proposal) == before


def test_an_unverified_office_claim_sees_nothing(api, make_proposal, european_institution):
    proposal = make_proposal("accepted")
    claimant = factories.UserFactory(email="mallory@wageningenuniversity.nl")
    factories.affiliate(claimant, european_institution, "office", verified=False)
    api.force_login(claimant)
    assert api.get(detail(proposal)).status_code == 404
    assert api.post(action(proposal, "approve")).status_code == 404
    assert api.get(LIST).json()["count"] == 0


def test_a_co_owner_of_an_offer_sees_and_answers_the_proposal(
    api, make_proposal, jan_offer, european_institution
):
    proposal = make_proposal("proposed")
    co_teacher = factories.lecturer(european_institution, email="co@wageningenuniversity.nl")
    jan_offer.co_owners.add(co_teacher)
    api.force_login(co_teacher)
    assert api.get(detail(proposal)).status_code == 200
    assert ids(api.get(LIST, {"role": "incoming"})) == [proposal.pk]
    assert api.post(action(proposal, "accept")).json()["state"] == "accepted"


def test_unknown_proposal_is_404(api, alice):
    api.force_login(alice)
    assert api.get("/api/v1/proposals/999999/").status_code == 404
    assert api.post("/api/v1/proposals/999999/accept/").status_code == 404


def test_visitors_must_sign_in_to_list_or_propose(api, siti_offer, jan_offer):
    assert api.get(LIST).status_code == 401
    response = api.post(LIST, {"offer": siti_offer.pk, "partner": jan_offer.pk})
    assert response.status_code == 401
    assert not Proposal.objects.exists()


def test_wrong_methods_are_405(api, make_proposal, alice):
    proposal = make_proposal("proposed")
    api.force_login(alice)
    assert api.get(action(proposal, "accept")).status_code == 405
    assert api.delete(detail(proposal)).status_code == 405
    assert api.post(action(proposal, "agreement")).status_code == 405


def test_a_token_works_for_actions_without_a_csrf_token(make_proposal, jan):
    proposal = make_proposal("proposed")
    scripted = APIClient(enforce_csrf_checks=True)
    scripted.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=jan).key}")
    response = scripted.post(action(proposal, "accept"), {}, format="json")
    assert response.status_code == 200


def test_no_email_address_is_ever_shown(api, make_proposal, bob):
    proposal = make_proposal("approved")
    api.force_login(bob)
    shown = [
        api.get(detail(proposal)).content.decode(),
        api.get(LIST).content.decode(),
        api.get(action(proposal, "agreement")).content.decode(),
    ]
    assert not any("@" in text for text in shown)


# --- lists -------------------------------------------------------------------------------------


@pytest.fixture
def strangers_proposal(erin, thai_office):
    """A pairing between Chulalongkorn and a French school: none of alice's people in it."""
    french = factories.InstitutionFactory(name="Sorbonne", country=factories.country("FR"))
    pierre = factories.lecturer(french, email="pierre@example.fr")
    theirs = factories.make_offer(erin, title="Thai course")
    partner = factories.make_offer(
        pierre,
        title="French course",
        time_zone="Europe/Paris",
        windows=[(1, dt.time(8), dt.time(11))],
    )
    return services.proposal_create(actor=erin, offer=theirs, partner=partner)


@pytest.mark.parametrize(
    ("persona", "sees_ours", "sees_theirs"),
    [
        ("alice", True, False),
        ("jan", True, False),
        ("bob", True, False),
        ("charlie", True, False),
        ("erin", False, True),
        ("thai_office", False, True),
        ("secretariat", True, True),
    ],
)
def test_lists_never_show_proposals_the_user_is_not_part_of(
    api, request, make_proposal, strangers_proposal, persona, sees_ours, sees_theirs
):
    ours = make_proposal("proposed")
    listed = ids(sign_in(api, persona, request).get(LIST))
    assert (ours.pk in listed) is sees_ours
    assert (strangers_proposal.pk in listed) is sees_theirs


def test_incoming_is_what_my_side_has_not_accepted_and_outgoing_what_we_proposed(
    api, make_proposal, alice, jan
):
    proposal = make_proposal("proposed")
    api.force_login(jan)
    assert ids(api.get(LIST, {"role": "incoming"})) == [proposal.pk]
    assert ids(api.get(LIST, {"role": "outgoing"})) == []
    api.force_login(alice)
    assert ids(api.get(LIST, {"role": "incoming"})) == []
    assert ids(api.get(LIST, {"role": "outgoing"})) == [proposal.pk]
    services.proposal_accept(proposal=proposal, actor=jan)
    api.force_login(jan)
    assert ids(api.get(LIST, {"role": "incoming"})) == []


def test_a_rounds_proposal_is_incoming_for_both_lecturers(
    api, alice, jan, secretariat, siti_offer, jan_offer
):
    (proposal,) = services.proposals_create_bulk(
        actor=secretariat, pairs=[(siti_offer.pk, jan_offer.pk, 0.5, [])], note="round"
    ).created
    for lecturer in (alice, jan):
        api.force_login(lecturer)
        assert ids(api.get(LIST, {"role": "incoming"})) == [proposal.pk]
        assert ids(api.get(LIST, {"role": "outgoing"})) == []
    assert api.get(detail(proposal)).json()["origin"] == "round"


def test_the_office_queue_holds_what_waits_for_my_institution_oldest_first(
    api, alice, jan, bob, charlie, siti_offer, jan_offer
):
    later_offer = factories.make_offer(
        jan, title="Later", time_zone="Europe/Amsterdam", windows=[(1, dt.time(8), dt.time(11))]
    )
    first = services.proposal_create(actor=alice, offer=siti_offer, partner=jan_offer)
    second = services.proposal_create(actor=alice, offer=siti_offer, partner=later_offer)
    api.force_login(bob)
    assert ids(api.get(LIST, {"role": "office"})) == []  # nobody accepted yet
    services.proposal_accept(proposal=second, actor=jan)
    services.proposal_accept(proposal=first, actor=jan)
    Proposal.objects.filter(pk=second.pk).update(
        updated_at=Proposal.objects.get(pk=first.pk).updated_at - dt.timedelta(hours=1)
    )
    assert ids(api.get(LIST, {"role": "office"})) == [second.pk, first.pk]
    api.force_login(charlie)
    decisions.proposal_approve(proposal=first, actor=charlie)
    assert ids(api.get(LIST, {"role": "office"})) == [second.pk]  # decided on first
    api.force_login(bob)
    assert ids(api.get(LIST, {"role": "office"})) == [second.pk, first.pk]
    api.force_login(alice)
    assert ids(api.get(LIST, {"role": "office"})) == []  # a lecturer has no queue


def test_lists_filter_by_state(api, make_proposal, alice, jan):
    proposal = make_proposal("proposed")
    api.force_login(alice)
    assert ids(api.get(LIST, {"state": "proposed"})) == [proposal.pk]
    assert ids(api.get(LIST, {"state": "accepted"})) == []
    services.proposal_decline(proposal=proposal, actor=jan)
    assert ids(api.get(LIST, {"state": "declined", "role": "outgoing"})) == [proposal.pk]


def test_list_filters_that_cannot_be_read_are_named(api, alice):
    api.force_login(alice)
    response = api.get(LIST, {"role": "everything", "state": "done"})
    assert response.status_code == 400
    assert set(response.json()) == {"role", "state"}


def test_lists_come_in_pages_of_20_newest_first(api, alice, jan, siti_offer):
    made = []
    for n in range(21):
        partner = factories.make_offer(
            jan,
            title=f"European {n}",
            time_zone="Europe/Amsterdam",
            windows=[(1, dt.time(8), dt.time(11))],
        )
        made.append(services.proposal_create(actor=alice, offer=siti_offer, partner=partner))
    api.force_login(alice)
    first = api.get(LIST).json()
    assert first["count"] == 21
    assert len(first["results"]) == 20
    assert first["results"][0]["id"] == made[-1].pk
    assert first["next"]
    assert ids(api.get(LIST, {"page": 2})) == [made[0].pk]


def test_the_list_takes_the_same_number_of_queries_for_one_proposal_or_many(
    api, alice, jan, siti_offer, jan_offer
):
    services.proposal_create(actor=alice, offer=siti_offer, partner=jan_offer)
    api.force_login(alice)
    api.get(LIST)  # warm up the session

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(LIST).status_code == 200
        return len(queries)

    one = count()
    for n in range(3):
        partner = factories.make_offer(
            jan,
            title=f"More {n}",
            time_zone="Europe/Amsterdam",
            windows=[(1, dt.time(8), dt.time(11))],
        )
        services.proposal_create(actor=alice, offer=siti_offer, partner=partner)
    assert count() == one


# --- the detail --------------------------------------------------------------------------------


def test_the_detail_shows_both_offers_the_match_the_decisions_and_the_timeline(
    api, make_proposal, charlie, alice
):
    proposal = make_proposal("accepted")
    Proposal.objects.filter(pk=proposal.pk).update(
        score=0.82,
        explanation=[{"code": "isced", "value": 1.0, "weight": 0.2, "text": "same field 0521"}],
    )
    decisions.proposal_approve(proposal=proposal, actor=charlie, comment="Fine with us")
    api.force_login(alice)
    body = api.get(detail(proposal)).json()
    assert body["asian_offer"]["institution"]["name"] == "Universiti Malaya"
    assert body["asian_offer"]["isced"] == "0521"
    assert body["asian_offer"]["languages"] == [{"language": "en", "cefr": "B2", "name": "English"}]
    assert (body["european_offer"]["students"], body["european_offer"]["sync_sessions"]) == (30, 6)
    assert body["european_offer"]["time_zone"] == "Europe/Amsterdam"
    assert body["score"] == 0.82
    assert body["explanation"][0]["text"] == "same field 0521"
    assert body["proposed_by"] == {"name": "Alice Tan"}
    [decision] = body["decisions"]
    assert decision["decided_by"] == {"name": "Charlie Visser"}
    assert decision["comment"] == "Fine with us"
    assert decision["terms_hash"] == body["terms_hash"]
    for event in body["events"]:
        assert dt.datetime.fromisoformat(event["at"].replace("Z", "+00:00")).tzinfo is not None
    assert body["events"][0]["note"] == "Shall we?"


def test_the_detail_names_the_chat_for_its_members_only(api, make_proposal, alice, charlie):
    proposal = make_proposal("proposed")
    api.force_login(alice)
    chat = api.get(detail(proposal)).json()["chat"]
    assert chat == {
        "conversation": proposal.conversation.pk,
        "websocket": f"/ws/conversations/{proposal.conversation.pk}/",
    }
    api.force_login(charlie)  # Wageningen's office sees the proposal, not the chat
    assert api.get(detail(proposal)).json()["chat"] is None


def test_changed_terms_void_the_decisions_shown(api, make_proposal, charlie, alice, siti_offer):
    proposal = make_proposal("accepted")
    decisions.proposal_approve(proposal=proposal, actor=charlie)
    old = proposal.terms_hash
    data = offer_services.offer_data(siti_offer)
    data.fields["term_end"] = dt.date(2027, 6, 20)
    offer_services.offer_update(offer=siti_offer, data=data)
    api.force_login(alice)
    body = api.get(detail(proposal)).json()
    assert body["decisions"] == []
    assert body["terms_hash"] != old
    assert body["terms"]["asian_offer"]["term_end"] == "2027-06-20"


# --- input and its messages ------------------------------------------------------------------


def test_a_proposal_from_a_suggestion_says_so(api, alice, siti_offer, jan_offer):
    api.force_login(alice)
    body = {"offer": siti_offer.pk, "partner": jan_offer.pk, "origin": "suggestion"}
    assert api.post(LIST, body).json()["origin"] == "suggestion"


def test_only_suggestion_or_browse_may_be_given_as_origin(api, alice, siti_offer, jan_offer):
    api.force_login(alice)
    response = api.post(LIST, {"offer": siti_offer.pk, "partner": jan_offer.pk, "origin": "round"})
    assert response.status_code == 400
    assert list(response.json()) == ["origin"]
    assert not Proposal.objects.exists()


def test_proposing_needs_both_offers(api, alice):
    api.force_login(alice)
    response = api.post(LIST, {"message": "Hello"})
    assert response.status_code == 400
    assert response.json() == {
        "offer": ["This field is required."],
        "partner": ["This field is required."],
    }


def test_a_partner_offer_the_user_cannot_see_is_404(api, alice, jan, siti_offer):
    draft = factories.make_offer(jan, publish=False, title="Jan's draft")
    api.force_login(alice)
    for partner in (draft.pk, 999999):
        response = api.post(LIST, {"offer": siti_offer.pk, "partner": partner})
        assert response.status_code == 404
        assert response.json() == {"detail": str(PARTNER_NOT_FOUND % {"id": partner})}
    response = api.post(LIST, {"offer": 999999, "partner": draft.pk})
    assert response.json() == {"detail": str(OFFER_NOT_FOUND % {"id": 999999})}
    assert not Proposal.objects.exists()


def test_one_proposes_only_from_ones_own_offer(api, erin, siti_offer, jan_offer):
    api.force_login(erin)
    response = api.post(LIST, {"offer": siti_offer.pk, "partner": jan_offer.pk})
    assert response.status_code == 403
    assert response.json() == {"detail": str(wf.NOT_YOURS)}


def test_two_offers_of_one_region_are_refused(api, alice, siti_offer):
    other = factories.make_offer(alice, title="Another Asian course")
    api.force_login(alice)
    response = api.post(LIST, {"offer": siti_offer.pk, "partner": other.pk})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [str(wf.SAME_REGION)]}


def test_a_partner_offer_that_is_not_open_is_refused(api, alice, jan, siti_offer, jan_offer):
    offer_services.offer_close(offer=jan_offer, actor=jan)
    api.force_login(alice)
    response = api.post(LIST, {"offer": siti_offer.pk, "partner": jan_offer.pk})
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [str(wf.NOT_OPEN % {"title": "Marine Spatial Planning"})]
    }
    assert Offer.objects.get(pk=jan_offer.pk).status == OfferStatus.CLOSED


def test_messages_that_are_too_long_or_hold_a_nul_are_refused(api, alice, siti_offer, jan_offer):
    api.force_login(alice)
    base = {"offer": siti_offer.pk, "partner": jan_offer.pk}
    too_long = api.post(LIST, {**base, "message": "x" * 2001})
    assert too_long.status_code == 400
    assert list(too_long.json()) == ["message"]
    nul = api.post(LIST, {**base, "message": "a\x00b"})
    assert nul.status_code == 400
    assert list(nul.json()) == ["message"]
    khmer = api.post(LIST, {**base, "message": "សួស្តី 🌊"})
    assert khmer.status_code == 201
    assert khmer.json()["message"] == "សួស្តី 🌊"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_rejecting_needs_a_reason_and_says_so(api, make_proposal, bob, body):
    proposal = make_proposal("accepted")
    before = snapshot(proposal)
    api.force_login(bob)
    response = api.post(action(proposal, "reject"), body)
    assert response.status_code == 400
    assert response.json() == {"reason": [str(decisions.REASON_NEEDED)]}
    assert snapshot(proposal) == before


def test_a_rejection_with_its_reason_ends_the_proposal(api, make_proposal, bob):
    proposal = make_proposal("accepted")
    api.force_login(bob)
    reason = "Session dates clash with our mid-term exams"
    body = api.post(action(proposal, "reject"), {"reason": reason}).json()
    assert body["state"] == "rejected"
    assert body["decisions"][0]["decision"] == "reject"
    assert body["decisions"][0]["comment"] == reason
    assert body["events"][-1]["note"] == reason


def test_notes_and_comments_are_kept_and_bounded(api, make_proposal, jan, charlie):
    proposal = make_proposal("proposed")
    api.force_login(jan)
    assert api.post(action(proposal, "decline"), {"note": "x" * 2001}).status_code == 400
    declined = api.post(action(proposal, "decline"), {"note": "Not this term"}).json()
    assert declined["state"] == "declined"
    assert declined["events"][-1]["note"] == "Not this term"
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.DECLINED


def test_a_proposal_made_through_the_api_records_the_match_as_the_pages_do(
    api, alice, siti_offer, jan_offer
):
    from matching import engine

    engine.refit()
    api.force_login(alice)
    body = api.post(LIST, {"offer": siti_offer.pk, "partner": jan_offer.pk}).json()
    assert body["score"] is not None
    assert {"code", "value", "weight", "text"} <= set(body["explanation"][0])
    assert Proposal.objects.get(pk=body["id"]).score == body["score"]


# --- completing ----------------------------------------------------------------------------------


def test_a_lecturer_completes_the_exchange_with_its_report(api, make_proposal, jan, bob):
    proposal = make_proposal("active")
    api.force_login(jan)
    body = api.post(
        action(proposal, "complete"),
        {**REPORT, "first_international": 12, "outcomes": "Joint adaptation plans"},
    ).json()
    assert body["state"] == "completed"
    report = body["completion_report"]
    assert (report["participants_asia"], report["participants_europe"]) == (30, 28)
    assert report["sync_hours"] == "12.0"
    assert (report["first_international"], report["fewer_opportunities"]) == (12, None)
    assert report["filed_by"] == {"name": "Jan de Vries"}
    assert body["events"][-1]["to_state"] == "completed"
    api.force_login(bob)
    assert api.get(action(proposal, "agreement")).status_code == 200


def test_the_detail_has_no_completion_report_before_one_is_filed(api, make_proposal, alice):
    proposal = make_proposal("active")
    api.force_login(alice)
    assert api.get(detail(proposal)).json()["completion_report"] is None


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "participants_asia", "This field is required."),
        ({**REPORT, "sync_hours": "-1"}, "sync_hours", None),
        ({**REPORT, "participants_asia": 6000}, "participants_asia", None),
        (
            {**REPORT, "participants_asia": 0, "participants_europe": 0},
            "non_field_errors",
            "An exchange that ran has participants.",
        ),
        (
            {**REPORT, "fewer_opportunities": 59},
            "fewer_opportunities",
            str(
                wf.COUNT_TOO_HIGH % {"field": "Participants with fewer opportunities", "total": 58}
            ),
        ),
    ],
)
def test_a_report_that_cannot_be_filed_is_refused_by_field_and_changes_nothing(
    api, make_proposal, alice, body, field, message
):
    proposal = make_proposal("active")
    before = snapshot(proposal)
    api.force_login(alice)
    response = api.post(action(proposal, "complete"), body)
    assert response.status_code == 400
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]
    assert snapshot(proposal) == before
