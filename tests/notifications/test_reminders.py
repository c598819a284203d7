"""The clock's part: the partner is reminded once before a proposal expires; on expiry the
proposer is told and pointed to their offer's next suggestions."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from accounts.emails import send_templated
from exchanges import services
from exchanges.models import Proposal, ProposalState
from notifications import planning as notifications
from notifications import tasks
from notifications.models import EmailState
from tests.notifications.helpers import heard, kinds, mailed_to, recipients

pytestmark = pytest.mark.django_db


def expires_in(proposal, delta: dt.timedelta) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(expires_at=timezone.now() + delta)


def tick(commit) -> None:
    """One run of the beat task, with the work it queues."""
    with commit():
        tasks.expire_and_remind.delay()


def test_the_partner_is_reminded_once_before_the_proposal_expires(
    proposal, alice, jan, commit, settings
):
    settings.PROPOSAL_REMINDER_DAYS_BEFORE = 3
    expires_in(proposal, dt.timedelta(days=2, hours=23))
    mail.outbox.clear()
    tick(commit)
    tick(commit)
    (reminder,) = heard(jan, "expiring")
    assert reminder.url == f"/proposals/{proposal.pk}/"
    assert "expires on" in reminder.text()
    (email,) = mail.outbox
    assert email.to == [jan.email]
    assert "Reminder" in email.subject
    assert f"/proposals/{proposal.pk}/" in email.body
    assert kinds(alice) == []


def test_no_reminder_before_its_time(proposal, jan, commit, settings):
    settings.PROPOSAL_REMINDER_DAYS_BEFORE = 3
    expires_in(proposal, dt.timedelta(days=3, hours=1))
    mail.outbox.clear()
    tick(commit)
    assert heard(jan, "expiring") == []
    assert mail.outbox == []


def test_no_reminder_once_the_partner_has_answered(accepted, jan, commit, settings):
    settings.PROPOSAL_REMINDER_DAYS_BEFORE = 3
    expires_in(accepted, dt.timedelta(days=1))
    mail.outbox.clear()
    tick(commit)
    assert heard(jan, "expiring") == []
    assert mail.outbox == []


def test_zero_days_switch_reminders_off(proposal, jan, commit, settings):
    settings.PROPOSAL_REMINDER_DAYS_BEFORE = 0
    expires_in(proposal, dt.timedelta(hours=1))
    tick(commit)
    assert heard(jan, "expiring") == []


def test_a_reminder_to_someone_without_emails_stays_in_the_app(proposal, jan, commit, settings):
    settings.PROPOSAL_REMINDER_DAYS_BEFORE = 3
    jan.email_notifications = False
    jan.save()
    expires_in(proposal, dt.timedelta(days=1))
    mail.outbox.clear()
    tick(commit)
    (reminder,) = heard(jan, "expiring")
    assert reminder.email_state == EmailState.SKIPPED
    assert mail.outbox == []


def test_a_reminder_the_mail_server_refused_goes_out_on_the_next_run(
    proposal, jan, settings, monkeypatch
):
    settings.PROPOSAL_REMINDER_DAYS_BEFORE = 3
    expires_in(proposal, dt.timedelta(days=1))
    mail.outbox.clear()

    def down(**kwargs):
        raise smtplib.SMTPConnectError(421, "try later")

    monkeypatch.setattr(notifications, "send_templated", down)
    with pytest.raises(smtplib.SMTPException):
        notifications.proposals_remind()
    monkeypatch.setattr(notifications, "send_templated", send_templated)
    assert notifications.proposals_remind() == 1
    assert notifications.proposals_remind() == 0
    assert recipients() == [jan.email]
    assert len(heard(jan, "expiring")) == 1


def test_expiry_tells_the_proposer_and_points_to_the_next_suggestions(
    proposal, alice, jan, siti_offer, commit
):
    expires_in(proposal, -dt.timedelta(minutes=1))
    mail.outbox.clear()
    tick(commit)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.EXPIRED
    (note,) = heard(alice)
    assert note.kind == "expired"
    assert note.url == f"/offers/{siti_offer.pk}/#suggestions"
    (email,) = mail.outbox
    assert email.to == [alice.email]
    assert "expired" in email.subject
    assert f"/offers/{siti_offer.pk}/#suggestions" in email.body
    assert kinds(jan) == ["received"]
    # The expired proposal is not reminded about afterwards.
    tick(commit)
    assert len(mail.outbox) == 1
    assert mailed_to(jan) == []


def test_the_proposers_offer_page_offers_the_next_suggestion_after_expiry(
    proposal, alice, siti_offer, commit, client
):
    expires_in(proposal, -dt.timedelta(minutes=1))
    tick(commit)
    client.force_login(alice)
    page = client.get(heard(alice)[0].url.split("#")[0])
    assert page.status_code == 200
    assert 'id="suggestions"' in page.content.decode()


def test_expiry_by_the_service_itself_tells_the_proposer_too(proposal, commit):
    """proposals_expire, called directly (as the existing service tests do), also notifies."""
    with commit():
        assert services.proposals_expire(now=proposal.expires_at + dt.timedelta(minutes=1)) == 1
    assert heard(proposal.proposed_by, "expired")
