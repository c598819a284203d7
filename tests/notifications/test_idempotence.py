"""The notification task may run twice, fail half-way or race a copy of itself: each person
still gets one notification and one e-mail."""

import datetime as dt
import smtplib

import pytest
from django.core import mail

from accounts.emails import send_templated
from exchanges import decisions, services
from exchanges.models import ProposalEvent, ProposalState
from notifications import planning as notifications
from notifications import tasks
from notifications.models import EmailState, Notification
from tests import factories
from tests.concurrency import race
from tests.notifications.helpers import heard, kinds, mailed_to, recipients


@pytest.mark.django_db
def test_a_task_run_twice_sends_one_email(proposal, jan):
    event = proposal.events.get()
    assert len(mail.outbox) == 1
    assert tasks.notify_proposal_event.delay(event.pk).get() == 0
    assert notifications.notify_event(event.pk) == 0
    assert len(mail.outbox) == 1
    assert len(heard(jan)) == 1


@pytest.mark.django_db
def test_nothing_is_sent_inside_the_transaction_only_after_commit(
    alice, jan, siti_offer, jan_offer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.proposal_create(actor=alice, offer=siti_offer, partner=jan_offer)
        assert mail.outbox == []
    # The notification task, and the push that tells the lecturers' open dashboards
    # about the new conversation.
    assert len(callbacks) == 2
    assert Notification.objects.count() == 0
    for callback in callbacks:
        callback()
    assert recipients() == [jan.email]


@pytest.mark.django_db
def test_a_failed_send_is_retried_without_emailing_anyone_twice(
    proposal, alice, jan, bob, anna, monkeypatch, commit
):
    """Accepting e-mails three people; the SMTP server refuses the second once."""
    attempts = []

    def flaky(*, to, template, context):
        attempts.append(to.email)
        if to == bob and attempts.count(bob.email) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        send_templated(to=to, template=template, context=context)

    monkeypatch.setattr(notifications, "send_templated", flaky)
    # As a worker does: a failed attempt is retried (eagerly here, at once) instead of raised.
    monkeypatch.setitem(tasks.notify_proposal_event.app.conf, "task_eager_propagates", False)
    mail.outbox.clear()
    with commit():
        services.proposal_accept(proposal=proposal, actor=jan)
    assert sorted(recipients()) == sorted([alice.email, bob.email, anna.email])
    assert attempts.count(bob.email) == 2  # the retry sent it
    assert len(attempts) == 4  # and nobody else was tried again
    notes = Notification.objects.filter(event__to_state=ProposalState.ACCEPTED)
    assert {n.email_state for n in notes} == {EmailState.SENT}


def test_the_task_retries_mail_errors_with_back_off():
    task = tasks.notify_proposal_event
    assert issubclass(smtplib.SMTPException, task.autoretry_for)
    assert issubclass(ConnectionRefusedError, task.autoretry_for)
    assert task.retry_backoff is True


@pytest.mark.django_db
def test_an_email_left_unsent_by_a_crash_goes_out_on_the_next_run(proposal, jan):
    event = proposal.events.get()
    Notification.objects.filter(recipient=jan).update(email_state=EmailState.PENDING)
    mail.outbox.clear()
    assert notifications.notify_event(event.pk) == 1
    assert recipients() == [jan.email]
    assert len(heard(jan)) == 1


@pytest.mark.django_db
def test_a_deleted_proposal_is_nothing_to_tell(proposal):
    event_id = proposal.events.get().pk
    proposal.delete()
    assert notifications.notify_event(event_id) == 0


# --- real concurrency -------------------------------------------------------------------


def _accepted_pair(alice, jan, n):
    a = factories.make_offer(alice, title=f"Asian {n}")
    e = factories.make_offer(
        jan,
        title=f"European {n}",
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )
    p = services.proposal_create(actor=alice, offer=a, partner=e)
    return services.proposal_accept(proposal=p, actor=jan)


@pytest.mark.both_backends
@pytest.mark.django_db(transaction=True)
def test_two_officers_approving_at_the_same_second_send_one_approval_email(
    alice, jan, bob, anna, charlie
):
    """Bob approved for Malaya; Anna and Charlie, both at Wageningen, click at once."""
    for trial in range(4):
        p = _accepted_pair(alice, jan, trial)
        decisions.proposal_approve(proposal=p, actor=bob)
        mail.outbox.clear()
        outcomes = race(
            lambda p=p: decisions.proposal_approve(proposal=p, actor=anna),
            lambda p=p: decisions.proposal_approve(proposal=p, actor=charlie),
        )
        p.refresh_from_db()
        assert p.state == ProposalState.APPROVED
        assert sum(isinstance(o, Exception) for o in outcomes) == 1
        assert sorted(recipients()) == sorted([alice.email, jan.email])
        assert len(heard(alice, "approved")) == trial + 1


@pytest.mark.both_backends
@pytest.mark.django_db(transaction=True)
def test_both_offices_approving_at_once_send_the_final_email_once(alice, jan, bob, anna):
    for trial in range(4):
        p = _accepted_pair(alice, jan, trial)
        mail.outbox.clear()
        race(
            lambda p=p: decisions.proposal_approve(proposal=p, actor=bob),
            lambda p=p: decisions.proposal_approve(proposal=p, actor=anna),
        )
        p.refresh_from_db()
        assert p.state == ProposalState.APPROVED
        assert sorted(recipients()) == sorted([alice.email, jan.email])


@pytest.mark.both_backends
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_event_at_once_email_each_person_once(
    alice, jan, bob, anna, charlie, monkeypatch
):
    """The broker hands the same task to two workers (acks late, a lost connection)."""
    monkeypatch.setattr(tasks.notify_proposal_event, "delay", lambda event_id: None)
    for trial in range(4):
        p = _accepted_pair(alice, jan, trial)
        event = ProposalEvent.objects.get(proposal=p, to_state="accepted")
        mail.outbox.clear()
        outcomes = race(
            lambda e=event: notifications.notify_event(e.pk),
            lambda e=event: notifications.notify_event(e.pk),
        )
        assert not [o for o in outcomes if isinstance(o, Exception)]
        assert sum(outcomes) == 4  # alice, bob, anna, charlie
        assert sorted(recipients()) == sorted([alice.email, bob.email, anna.email, charlie.email])
        assert len(mailed_to(anna)) == 1
        assert kinds(anna).count("approval_needed") == trial + 1
