"""Partner alerts: "tell me when one appears" fires once for a new relevant offer of the
other region, never for an irrelevant one, at most once a day, in the app and by e-mail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import alerts
from notifications.models import Notification, PartnerAlert, PartnerAlertHit
from tests import factories


@pytest.fixture
def alert(alice, siti_offer):
    return PartnerAlert.objects.create(offer=siti_offer, user=alice)


AMSTERDAM = {"time_zone": "Europe/Amsterdam", "windows": [(1, dt.time(8), dt.time(11))]}


def publish(owner, commit, **overrides):
    """An offer of `owner`, published; its alert search runs on commit, like in a worker."""
    with commit():
        return factories.make_offer(
            owner,
            time_zone="Europe/Amsterdam",
            windows=[(1, dt.time(8), dt.time(11))],
            **overrides,
        )


def partner_found(user):
    return Notification.objects.filter(recipient=user, kind="partner_found")


def test_an_irrelevant_offer_never_fires_the_alert(alert, alice, jan, commit):
    # History shares neither field nor words with environmental science.
    publish(
        jan,
        commit,
        title="Prehistory and Protohistory",
        description="Archaeology of the European bronze and iron ages.",
        learning_outcomes="Date and interpret archaeological finds.",
        isced=factories.isced("0222").pk,
    )
    assert not PartnerAlertHit.objects.exists()
    assert not partner_found(alice).exists()
    assert mail.outbox == []


def test_a_relevant_offer_fires_once_in_the_app_and_by_email(alert, alice, jan, commit):
    partner = publish(jan, commit, title="Urban Planning Studio", isced=factories.isced("0731").pk)
    (note,) = partner_found(alice)
    assert "Urban Planning Studio" in note.text()
    assert note.url.endswith(f"/offers/{alert.offer_id}/#suggestions")
    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert "Urban Planning Studio" in message.body
    assert reverse("offers:offer-detail", args=[partner.pk]) in message.body
    # Running again (a duplicate delivery, the beat) tells nothing more.
    assert alerts.find_partners(partner.pk) == 0
    assert alerts.send_due() == 0
    assert partner_found(alice).count() == 1 and len(mail.outbox) == 1


def test_at_most_once_a_day_the_rest_waits_and_goes_together(alert, alice, jan, commit):
    publish(jan, commit, title="Urban Planning Studio", isced=factories.isced("0731").pk)
    publish(jan, commit, title="Marine Spatial Planning", isced=factories.isced("0522").pk)
    publish(jan, commit, title="Soil and Crop Science", isced=factories.isced("0811").pk)
    assert partner_found(alice).count() == 1 and len(mail.outbox) == 1
    assert PartnerAlertHit.objects.filter(notified_at__isnull=True).count() == 2
    # The beat an hour later still waits; a day later it tells both at once.
    assert alerts.send_due(timezone.now() + dt.timedelta(hours=1)) == 0
    assert alerts.send_due(timezone.now() + dt.timedelta(hours=25)) == 1
    newest = partner_found(alice).order_by("-created_at").first()
    assert "1 more" in newest.text()
    assert "Marine Spatial Planning" in mail.outbox[1].body
    assert "Soil and Crop Science" in mail.outbox[1].body


def test_same_region_and_closed_offers_are_not_partners(alert, alice, jan, commit):
    colleague = factories.lecturer(alice.affiliations.first().institution, email="c@um.edu.my")
    publish(colleague, commit, title="Coastal Ecology II")  # Asia, same field
    assert not partner_found(alice).exists()
    # Once Alice's own offer is closed, her alert waits for nothing.
    from offers import services

    services.offer_close(offer=alert.offer, actor=alice)
    publish(jan, commit, title="Urban Planning Studio", isced=factories.isced("0731").pk)
    assert not PartnerAlertHit.objects.exists()
    assert not partner_found(alice).exists()


def test_one_new_offer_is_checked_against_every_alert_in_one_pass(alert, alice, jan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_to_find(title):
        partner = factories.make_offer(
            jan, title=title, isced=factories.isced("0731").pk, **AMSTERDAM
        )
        with CaptureQueriesContext(connection) as ctx:
            found = alerts.find_partners(partner.pk)
        return found, len(ctx.captured_queries)

    one = queries_to_find("Urban Planning Studio")
    for n in range(5):
        other = factories.lecturer(alice.affiliations.first().institution, email=f"l{n}@um.edu.my")
        PartnerAlert.objects.create(
            offer=factories.make_offer(other, title=f"Coast {n}"), user=other
        )
    six = queries_to_find("Urban Planning Studio II")
    # Six alerts found in as many queries as one: the offers' features are read at once.
    assert (one[0], six[0]) == (1, 6)
    assert six[1] == one[1]


def test_switched_off_emails_still_tell_in_the_app(alert, alice, jan, commit):
    alice.email_notifications = False
    alice.save(update_fields=["email_notifications"])
    publish(jan, commit, title="Urban Planning Studio", isced=factories.isced("0731").pk)
    assert partner_found(alice).get().email_state == "skipped"
    assert mail.outbox == []


def test_pages_set_list_and_remove_an_alert(client, alice, siti_offer):
    client.force_login(alice)
    response = client.post(reverse("notifications:alert-create", args=[siti_offer.pk]))
    assert response.status_code == 302
    mine = PartnerAlert.objects.get(user=alice, offer=siti_offer)
    page = client.get(reverse("notifications:alerts"))
    assert siti_offer.title in page.content.decode()
    client.post(reverse("notifications:alert-create", args=[siti_offer.pk]))
    assert PartnerAlert.objects.filter(user=alice).count() == 1  # set once
    client.post(reverse("notifications:alert-delete", args=[mine.pk]))
    assert not PartnerAlert.objects.exists()
    assert (
        "You have no partner alert" in client.get(reverse("notifications:alerts")).content.decode()
    )


def test_nobody_else_sets_or_removes_an_alert(client, alice, jan, bob, siti_offer):
    mine = PartnerAlert.objects.create(offer=siti_offer, user=alice)
    for other in (jan, bob):
        client.force_login(other)
        assert client.post(
            reverse("notifications:alert-create", args=[siti_offer.pk])
        ).status_code in (403, 404)
        assert client.post(reverse("notifications:alert-delete", args=[mine.pk])).status_code == 404
    assert list(PartnerAlert.objects.all()) == [mine]


def test_a_closed_offer_takes_no_alert(alice, siti_offer):
    from offers import services

    services.offer_close(offer=siti_offer, actor=alice)
    siti_offer.refresh_from_db()
    with pytest.raises(alerts.AlertRefused):
        alerts.alert_create(user=alice, offer=siti_offer)
