"""The international office's queue: verifying and refusing claims, and who may do it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, services
from accounts.models import Affiliation, AffiliationRole, AffiliationStatus
from tests import factories
from tests.accounts.helpers import messages_of, pending_claim, shows

pytestmark = pytest.mark.django_db

QUEUE = reverse("accounts:verification-queue")
DASHBOARD = reverse("dashboard:dashboard")


def verify_url(affiliation) -> str:
    return reverse("accounts:affiliation-verify", args=[affiliation.pk])


def refuse_url(affiliation) -> str:
    return reverse("accounts:affiliation-refuse", args=[affiliation.pk])


def as_user(client, user):
    client.force_login(user)
    return client


def unchanged(claim) -> bool:
    fresh = Affiliation.objects.get(pk=claim.pk)
    return (fresh.status, fresh.reason, fresh.decided_by_id, fresh.decided_at) == (
        AffiliationStatus.PENDING,
        "",
        None,
        None,
    )


# --- the queue -------------------------------------------------------------------------


def test_office_sees_its_institutions_pending_claims_oldest_first(
    client, bob, asian_institution, european_institution
):
    now = timezone.now()
    # Created newest first, so the order on the page cannot come from the primary keys.
    newer = factories.UserFactory(email="erin@gmail.com", full_name="Erin Newer")
    older = factories.UserFactory(email="dan@gmail.com", full_name="Dan Older")
    elsewhere = factories.UserFactory(email="frank@gmail.com", full_name="Frank Elsewhere")
    pending_claim(newer, asian_institution, created_at=now - timedelta(days=1))
    pending_claim(older, asian_institution, created_at=now - timedelta(days=3))
    pending_claim(elsewhere, european_institution, created_at=now - timedelta(days=5))

    html = as_user(client, bob).get(QUEUE).content.decode()
    assert html.index("Dan Older") < html.index("Erin Newer")
    assert "Frank Elsewhere" not in html


def test_queue_leaves_out_decided_claims(client, bob, alice, asian_institution):
    # alice is a verified lecturer of bob's institution: nothing to decide about her.
    html = as_user(client, bob).get(QUEUE).content.decode()
    assert "Alice Tan" not in html
    assert "Nobody is waiting for verification." in html


def test_office_dashboard_shows_the_waiting_claims(client, bob, dans_claim):
    html = as_user(client, bob).get(DASHBOARD).content.decode()
    assert "Waiting for your verification" in html
    assert "Dan Ng" in html
    assert QUEUE in html


def test_navigation_counts_the_waiting_claims_for_the_office(client, bob, dans_claim):
    html = as_user(client, bob).get(DASHBOARD).content.decode()
    assert 'aria-label="1 waiting">1</span>' in html


# --- verifying and refusing --------------------------------------------------------------------


def test_office_verifies_a_claim(client, bob, dans_claim):
    response = as_user(client, bob).post(verify_url(dans_claim), follow=True)
    assert response.redirect_chain == [(QUEUE, 302)]
    assert messages_of(response) == ["Dan Ng is verified as lecturer or trainer."]
    dans_claim.refresh_from_db()
    assert dans_claim.status == AffiliationStatus.VERIFIED
    assert dans_claim.decided_by == bob
    assert timezone.now() - dans_claim.decided_at < timedelta(minutes=1)
    assert verify_url(dans_claim) not in response.content.decode()


def test_verified_claimant_sees_it_on_the_dashboard(client, bob, dan, dans_claim):
    services.affiliation_verify(affiliation=dans_claim, actor=bob)
    html = as_user(client, dan).get(DASHBOARD).content.decode()
    assert 'class="status status-verified"' in html


def test_refuse_page_names_the_claimant(client, bob, dans_claim):
    response = as_user(client, bob).get(refuse_url(dans_claim))
    assert response.status_code == 200
    assert "Refuse the claim of Dan Ng" in response.content.decode()
    assert "dan@gmail.com" in response.content.decode()


def test_office_refuses_a_claim_with_a_reason_the_claimant_then_reads(client, bob, dan, dans_claim):
    response = as_user(client, bob).post(
        refuse_url(dans_claim), {"reason": "  Not on our staff list.  "}
    )
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    dans_claim.refresh_from_db()
    assert dans_claim.status == AffiliationStatus.REFUSED
    assert dans_claim.reason == "Not on our staff list."
    assert dans_claim.decided_by == bob

    html = as_user(client, dan).get(DASHBOARD).content.decode()
    assert 'class="status status-refused"' in html
    assert "Not on our staff list." in html


@pytest.mark.parametrize("reason", ["", "   "])
def test_refusing_without_a_reason_asks_for_one_and_changes_nothing(
    client, bob, dans_claim, reason
):
    response = as_user(client, bob).post(refuse_url(dans_claim), {"reason": reason})
    assert response.status_code == 200
    assert shows(response, services.REASON_REQUIRED)
    assert unchanged(dans_claim)


def test_refusal_without_a_reason_is_refused_by_the_service_too(bob, dans_claim):
    with pytest.raises(ValidationError) as excinfo:
        services.affiliation_refuse(affiliation=dans_claim, actor=bob, reason=" ")
    assert excinfo.value.message_dict == {"reason": [str(services.REASON_REQUIRED)]}
    assert unchanged(dans_claim)


def test_verifying_a_claim_twice_says_it_is_decided(client, bob, dans_claim):
    as_user(client, bob).post(verify_url(dans_claim), follow=True)
    first_decision = Affiliation.objects.get(pk=dans_claim.pk).decided_at
    response = client.post(verify_url(dans_claim), follow=True)
    assert messages_of(response) == [str(services.NOT_PENDING)]
    assert Affiliation.objects.get(pk=dans_claim.pk).decided_at == first_decision


def test_refusing_a_verified_claim_says_it_is_decided(client, bob, dans_claim):
    services.affiliation_verify(affiliation=dans_claim, actor=bob)
    response = as_user(client, bob).post(refuse_url(dans_claim), {"reason": "Changed my mind."})
    assert response.status_code == 200
    assert shows(response, services.NOT_PENDING)
    dans_claim.refresh_from_db()
    assert dans_claim.status == AffiliationStatus.VERIFIED
    assert dans_claim.reason == ""


def test_second_officer_cannot_overturn_the_first_decision(asian_institution, bob, dans_claim):
    colleague = factories.office(asian_institution, email="meiling@um.edu.my")
    services.affiliation_refuse(affiliation=dans_claim, actor=bob, reason="Unknown to us.")
    with pytest.raises(ValidationError) as excinfo:
        services.affiliation_verify(affiliation=dans_claim, actor=colleague)
    assert excinfo.value.messages == [str(services.NOT_PENDING)]
    dans_claim.refresh_from_db()
    assert (dans_claim.status, dans_claim.decided_by) == (AffiliationStatus.REFUSED, bob)


# --- who may decide ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_office_cannot_refuse_claim(client, charlie, dans_claim, method):
    response = getattr(as_user(client, charlie), method)(
        refuse_url(dans_claim), {"reason": "Not ours."}
    )
    assert response.status_code == 404
    assert unchanged(dans_claim)


def test_outsider_office_cannot_verify_claim(client, charlie, dans_claim):
    response = as_user(client, charlie).post(verify_url(dans_claim))
    assert response.status_code == 404
    assert unchanged(dans_claim)


def test_outsider_office_does_not_see_the_claim_in_its_queue(client, charlie, dans_claim):
    assert "Dan Ng" not in as_user(client, charlie).get(QUEUE).content.decode()


def test_outsider_office_is_refused_by_the_service_too(charlie, dans_claim):
    with pytest.raises(PermissionDenied):
        services.affiliation_verify(affiliation=dans_claim, actor=charlie)
    assert unchanged(dans_claim)


@pytest.mark.parametrize(
    "url", [lambda c: QUEUE, verify_url, refuse_url], ids=["queue", "verify", "refuse"]
)
def test_lecturer_is_not_allowed_in_the_office_pages(client, alice, dans_claim, url):
    response = as_user(client, alice).post(url(dans_claim), {"reason": "x"})
    assert response.status_code == 403
    assert unchanged(dans_claim)


def test_lecturer_gets_403_on_the_queue_page(client, alice):
    response = as_user(client, alice).get(QUEUE)
    assert response.status_code == 403
    assert "You are not allowed to do this" in response.content.decode()


def test_pending_office_claim_does_not_open_the_queue(client, asian_institution):
    hopeful = factories.UserFactory(email="meiling@um.edu.my")
    pending_claim(hopeful, asian_institution, role=AffiliationRole.OFFICE)
    assert as_user(client, hopeful).get(QUEUE).status_code == 403


@pytest.mark.parametrize(
    "url", [lambda c: QUEUE, verify_url, refuse_url], ids=["queue", "verify", "refuse"]
)
def test_anonymous_visitor_is_sent_to_sign_in(client, dans_claim, url):
    response = client.get(url(dans_claim))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert unchanged(dans_claim)


def test_verify_url_does_not_answer_get(client, bob, dans_claim):
    assert as_user(client, bob).get(verify_url(dans_claim)).status_code == 405
    assert unchanged(dans_claim)


def test_office_cannot_verify_its_own_claim(client, asian_institution):
    # Erin runs the office and claims to teach too, from a private address.
    erin = factories.office(asian_institution, email="erin@gmail.com", full_name="Erin Ho")
    own = pending_claim(erin, asian_institution)
    as_user(client, erin)
    assert verify_url(own) not in client.get(QUEUE).content.decode()
    assert client.post(verify_url(own)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.affiliation_verify(affiliation=own, actor=erin)
    assert unchanged(own)


def test_secretariat_cannot_verify_its_own_claim(client, secretariat, asian_institution):
    own = pending_claim(secretariat, asian_institution, role=AffiliationRole.OFFICE)
    as_user(client, secretariat)
    assert own not in selectors.verification_queue(secretariat)
    assert client.post(verify_url(own)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.affiliation_verify(affiliation=own, actor=secretariat)
    assert unchanged(own)


def test_secretariat_can_decide_any_claim(client, secretariat, dans_claim, european_institution):
    # Wageningen has no office on Tandem yet; the secretariat decides in its place.
    frank = factories.UserFactory(email="frank@gmail.com", full_name="Frank de Boer")
    franks_claim = pending_claim(frank, european_institution, role=AffiliationRole.OFFICE)
    as_user(client, secretariat)
    html = client.get(QUEUE).content.decode()
    assert "Dan Ng" in html and "Frank de Boer" in html

    client.post(verify_url(franks_claim))
    client.post(refuse_url(dans_claim), {"reason": "Unknown at Universiti Malaya."})
    franks_claim.refresh_from_db()
    dans_claim.refresh_from_db()
    assert (franks_claim.status, franks_claim.decided_by) == (
        AffiliationStatus.VERIFIED,
        secretariat,
    )
    assert (dans_claim.status, dans_claim.decided_by) == (AffiliationStatus.REFUSED, secretariat)


# --- two officers at the same second --------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_give_exactly_one_decision(asian_institution, bob):
    colleague = factories.office(asian_institution, email="meiling@um.edu.my")
    decisions = {
        bob.pk: lambda claim: services.affiliation_verify(affiliation=claim, actor=bob),
        colleague.pk: lambda claim: services.affiliation_refuse(
            affiliation=claim, actor=colleague, reason="Not on our staff list."
        ),
    }
    for trial in range(6):
        claimant = factories.UserFactory(email=f"claimant{trial}@gmail.com")
        claim = pending_claim(claimant, asian_institution)
        barrier = threading.Barrier(len(decisions))
        outcomes: dict[int, str] = {}

        def decide(officer_id, act, claim=claim, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait(timeout=10)
                act(claim)
                outcomes[officer_id] = "decided"
            except ValidationError as exc:
                outcomes[officer_id] = " ".join(exc.messages)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=decide, args=(officer_id, act))
            for officer_id, act in decisions.items()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert len(outcomes) == 2, trial
        assert set(outcomes.values()) == {"decided", str(services.NOT_PENDING)}, trial
        (winner,) = [officer for officer, outcome in outcomes.items() if outcome == "decided"]
        claim.refresh_from_db()
        assert claim.decided_by_id == winner
        expected = AffiliationStatus.VERIFIED if winner == bob.pk else AffiliationStatus.REFUSED
        assert claim.status == expected
        # The claimant hears about the one decision, once.
        assert [m.to for m in mail.outbox] == [[claimant.email]], trial
        mail.outbox.clear()
