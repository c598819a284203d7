"""Each transition of a proposal tells the right people, in the app and by e-mail, in their
language — and nobody else."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

from exchanges import decisions, services
from notifications.models import EmailState, Notification
from offers import services as offer_services
from tests import factories
from tests.notifications.helpers import heard, kinds, mailed_to, recipients

pytestmark = pytest.mark.django_db


def test_a_new_proposal_reaches_the_partner_lecturer_in_the_app_and_by_email(
    alice, jan, siti_offer, jan_offer, commit
):
    with commit():
        proposal = services.proposal_create(
            actor=alice, offer=siti_offer, partner=jan_offer, message="Shall we?"
        )
    (note,) = heard(jan)
    assert note.kind == "received"
    assert note.url == f"/proposals/{proposal.pk}/"
    assert note.text() == (
        "Alice Tan proposes pairing your course “Marine Spatial Planning” with "
        "“Coastal Ecosystems and Climate Adaptation” (Universiti Malaya)."
    )
    assert recipients() == [jan.email]
    (email,) = mail.outbox
    assert "New proposal" in email.subject
    assert f"/proposals/{proposal.pk}/" in email.body
    assert "Shall we?" in email.body
    assert heard(alice) == []


def test_co_owners_of_the_partner_offer_hear_of_the_proposal_too(
    alice, jan, siti_offer, jan_offer, european_institution, commit
):
    maria = factories.lecturer(european_institution, email="maria@wageningenuniversity.nl")
    jan_offer.co_owners.add(maria)
    with commit():
        services.proposal_create(actor=alice, offer=siti_offer, partner=jan_offer)
    assert kinds(jan) == kinds(maria) == ["received"]
    assert sorted(recipients()) == sorted([jan.email, maria.email])


def test_acceptance_tells_the_proposer_and_asks_both_offices_to_approve(
    proposal, alice, jan, bob, anna, commit
):
    mail.outbox.clear()
    with commit():
        services.proposal_accept(proposal=proposal, actor=jan)
    assert kinds(alice) == ["accepted"]
    assert "Jan de Vries accepted" in heard(alice)[0].text()
    assert kinds(bob) == kinds(anna) == ["approval_needed"]
    assert kinds(jan) == ["received"]  # nothing new for the one who accepted
    assert sorted(recipients()) == sorted([alice.email, bob.email, anna.email])
    assert "Approval needed" in mailed_to(anna)[0].subject
    assert f"/proposals/{proposal.pk}/" in mailed_to(bob)[0].body


def test_one_office_approving_tells_nobody_yet(accepted, anna, commit):
    mail.outbox.clear()
    before = Notification.objects.count()
    with commit():
        decisions.proposal_approve(proposal=accepted, actor=anna, comment="Fine with us")
    assert Notification.objects.count() == before
    assert mail.outbox == []


def test_changed_terms_ask_both_offices_again(accepted, alice, jan, bob, anna, siti_offer, commit):
    with commit():
        decisions.proposal_approve(proposal=accepted, actor=anna)
    mail.outbox.clear()
    data = offer_services.offer_data(siti_offer)
    data.fields["term_end"] = dt.date(2027, 6, 20)
    with commit():
        offer_services.offer_update(offer=siti_offer, data=data)
    assert kinds(bob) == kinds(anna) == ["approval_needed", "approval_needed"]
    again = heard(anna)[-1]
    assert again.params["again"] is True
    assert "changed" in again.text()
    assert sorted(recipients()) == sorted([bob.email, anna.email])
    assert "again" in mailed_to(anna)[0].subject
    assert kinds(alice) == ["accepted"] and kinds(jan) == ["received"]


def test_final_approval_tells_both_lecturers(accepted, alice, jan, bob, anna, commit):
    with commit():
        decisions.proposal_approve(proposal=accepted, actor=anna)
    mail.outbox.clear()
    with commit():
        decisions.proposal_approve(proposal=accepted, actor=bob)
    assert heard(alice, "approved") and heard(jan, "approved")
    assert sorted(recipients()) == sorted([alice.email, jan.email])
    assert "Approved" in mailed_to(jan)[0].subject
    assert kinds(bob) == kinds(anna) == ["approval_needed"]


def test_rejection_tells_both_lecturers_the_reason(accepted, alice, jan, bob, anna, commit):
    mail.outbox.clear()
    with commit():
        decisions.proposal_reject(
            proposal=accepted, actor=bob, reason="Session dates clash with our mid-term exams"
        )
    for lecturer in (alice, jan):
        (note,) = heard(lecturer, "rejected")
        assert note.text().endswith(": Session dates clash with our mid-term exams")
        (email,) = mailed_to(lecturer)
        assert "Rejected" in email.subject
        assert "Session dates clash with our mid-term exams" in email.body
    assert sorted(recipients()) == sorted([alice.email, jan.email])
    assert kinds(anna) == ["approval_needed"]


def test_nobody_outside_the_pairing_hears_anything(
    accepted, alice, jan, bob, anna, outsiders, commit
):
    with commit():
        decisions.proposal_approve(proposal=accepted, actor=anna)
        decisions.proposal_approve(proposal=accepted, actor=bob)
    for outsider in outsiders:
        assert heard(outsider) == []
        assert mailed_to(outsider) == []
    assert set(recipients()) == {alice.email, jan.email, bob.email, anna.email}


def test_unverified_offices_are_not_asked_to_approve(proposal, jan, european_institution, commit):
    pending = factories.UserFactory(email="pending@wageningenuniversity.nl")
    factories.affiliate(pending, european_institution, "office", verified=False)
    with commit():
        services.proposal_accept(proposal=proposal, actor=jan)
    assert heard(pending) == []


def test_switched_off_emails_are_not_sent_but_the_app_still_tells(
    alice, jan, siti_offer, jan_offer, commit
):
    jan.email_notifications = False
    jan.save()
    with commit():
        services.proposal_create(actor=alice, offer=siti_offer, partner=jan_offer)
    (note,) = heard(jan)
    assert note.email_state == EmailState.SKIPPED
    assert mail.outbox == []


def test_emails_are_written_in_the_recipients_language_and_time_zone(
    alice, jan, siti_offer, jan_offer, commit
):
    jan.preferred_language = "de"
    jan.save()
    with commit():
        proposal = services.proposal_create(actor=alice, offer=siti_offer, partner=jan_offer)
    (email,) = mailed_to(jan)
    html = email.alternatives[0][0]
    assert '<html lang="de">' in html
    with translation.override("de"):
        expiry = formats.date_format(
            timezone.localtime(proposal.expires_at, zoneinfo.ZoneInfo("Europe/Amsterdam")),
            "DATETIME_FORMAT",
        )
    assert expiry in email.body  # German month name, Amsterdam time
    assert expiry in html


def test_a_pairing_rounds_proposal_reaches_both_lecturers(
    alice, jan, siti_offer, jan_offer, secretariat, commit
):
    with commit():
        services.proposals_create_bulk(
            actor=secretariat, pairs=[(siti_offer.pk, jan_offer.pk, 0.5, [])], note="round"
        )
    assert kinds(alice) == kinds(jan) == ["received"]
    assert heard(jan)[0].text().startswith("A pairing round proposes")
    assert sorted(recipients()) == sorted([alice.email, jan.email])


def test_titles_keep_their_characters_in_plain_text_emails(alice, jan, siti_offer, commit):
    partner = factories.make_offer(
        jan,
        title="Oceans & “Coasts” <in> Europe",
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )
    with commit():
        services.proposal_create(actor=alice, offer=siti_offer, partner=partner)
    (email,) = mailed_to(jan)
    assert "Oceans & “Coasts” <in> Europe" in email.subject
    assert "Oceans & “Coasts” <in> Europe" in email.body
    assert "Oceans &amp; “Coasts” &lt;in&gt; Europe" in email.alternatives[0][0]


def test_completion_reaches_the_other_lecturer_and_both_offices(
    accepted, alice, jan, bob, anna, commit
):
    from django.core import mail

    from notifications.models import Notification, NotificationKind

    decisions.proposal_approve(proposal=accepted, actor=bob)
    decisions.proposal_approve(proposal=accepted, actor=anna)
    services.proposal_start(proposal=accepted, actor=alice)
    mail.outbox.clear()
    with commit():
        services.proposal_complete(
            proposal=accepted,
            actor=jan,
            report={"participants_asia": 30, "participants_europe": 25, "sync_hours": 12},
        )
    told = set(
        Notification.objects.filter(kind=NotificationKind.COMPLETED).values_list(
            "recipient__email", flat=True
        )
    )
    assert told == {alice.email, bob.email, anna.email}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(told)
    assert all("Completed:" in m.subject for m in mail.outbox)


def test_a_decline_tells_the_proposer_and_points_to_the_next_suggestions(
    proposal, alice, jan, commit
):
    from notifications.models import NotificationKind

    mail.outbox.clear()
    with commit():
        services.proposal_decline(proposal=proposal, actor=jan, note="Not this term")
    note = Notification.objects.get(kind=NotificationKind.DECLINED)
    assert note.recipient == alice
    assert note.url.endswith("#suggestions")
    assert [m.to for m in mail.outbox] == [[alice.email]]


def test_a_withdrawal_tells_the_partner(proposal, alice, jan, commit):
    from notifications.models import NotificationKind

    with commit():
        services.proposal_withdraw(proposal=proposal, actor=alice)
    assert list(
        Notification.objects.filter(kind=NotificationKind.WITHDRAWN).values_list(
            "recipient", flat=True
        )
    ) == [jan.pk]
