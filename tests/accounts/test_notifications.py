"""E-mails about claims: to the offices when one arrives, to the claimant when decided."""

import pytest
from django.core import mail

from accounts import notifications, services
from accounts.models import AffiliationRole
from tests import factories

pytestmark = pytest.mark.django_db


def test_office_is_emailed_once_when_a_claim_waits(
    bob, asian_institution, django_capture_on_commit_callbacks
):
    newcomer = factories.UserFactory(email="dan@gmail.com", full_name="Dan Ng")
    with django_capture_on_commit_callbacks(execute=True):
        claim = services.affiliation_claim(
            user=newcomer, institution=asian_institution, role=AffiliationRole.LECTURER
        )
    assert [m.to for m in mail.outbox] == [[bob.email]]
    assert "Dan Ng claims a role at Universiti Malaya" in mail.outbox[0].subject
    assert "/office/verifications/" in mail.outbox[0].body
    # The task may run again (a retry, a duplicate delivery): nothing more is sent.
    assert notifications.claim_waiting(affiliation_id=claim.pk) == 0
    assert len(mail.outbox) == 1


def test_claimant_learns_the_refusal_and_its_reason(
    bob, asian_institution, django_capture_on_commit_callbacks
):
    newcomer = factories.UserFactory(email="dan@gmail.com", full_name="Dan Ng")
    claim = services.affiliation_claim(
        user=newcomer, institution=asian_institution, role=AffiliationRole.LECTURER
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.affiliation_refuse(affiliation=claim, actor=bob, reason="Not on our staff list.")
    assert [m.to for m in mail.outbox] == [["dan@gmail.com"]]
    assert "refused" in mail.outbox[0].subject
    assert "Not on our staff list." in mail.outbox[0].body
    assert notifications.claim_decided(affiliation_id=claim.pk) is False
    assert len(mail.outbox) == 1


def test_no_email_for_someone_who_switched_them_off(
    bob, asian_institution, django_capture_on_commit_callbacks
):
    newcomer = factories.UserFactory(email="dan@gmail.com", email_notifications=False)
    claim = services.affiliation_claim(
        user=newcomer, institution=asian_institution, role=AffiliationRole.LECTURER
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.affiliation_verify(affiliation=claim, actor=bob)
    assert mail.outbox == []


def test_decision_email_is_in_the_recipients_language(
    bob, asian_institution, django_capture_on_commit_callbacks
):
    newcomer = factories.UserFactory(email="dan@gmail.com", preferred_language="de")
    claim = services.affiliation_claim(
        user=newcomer, institution=asian_institution, role=AffiliationRole.LECTURER
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.affiliation_verify(affiliation=claim, actor=bob)
    html = mail.outbox[0].alternatives[0][0]
    assert 'lang="de"' in html
