"""The academic calendar page: an international office keeps its own institution's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AffiliationRole
from planning.models import CalendarPeriod
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.planning.urls")]

URL = "/office/calendar/"


def add(client, **data):
    body = {"kind": "exams", "name": "Final exams", "start": "2027-05-10", "end": "2027-05-28"}
    return client.post(URL, body | data)


def test_only_offices_open_it(world, client):
    assert reverse("planning:office-calendar") == URL
    assert client.get(URL).status_code == 302
    secretariat = factories.UserFactory(is_secretariat=True, mfa=True)
    for person, status in [
        (world.siti, 403),
        (world.erin, 403),
        (secretariat, 403),  # no institution of its own
        (world.mei, 200),
        (world.dara, 200),
    ]:
        client.force_login(person)
        assert client.get(URL).status_code == status, person.email
        assert add(client).status_code == (302 if status == 200 else 403)
    assert sorted(CalendarPeriod.objects.values_list("institution__name", flat=True)) == [
        "Chulalongkorn",
        "Hanoi University",
    ]


def test_an_office_lists_adds_and_removes_its_periods(world, client):
    client.force_login(world.mei)
    response = add(client, name="Tết break", kind="break", start="2027-02-01", end="2027-02-14")
    assert response.status_code == 302
    page = client.get(URL).content.decode()
    assert "Academic calendar of Hanoi University" in page
    assert "Tết break" in page and "Break" in page
    period = CalendarPeriod.objects.get()
    assert period.institution == world.asian_offer.institution and period.created_by == world.mei
    client.post(reverse("planning:office-calendar-remove", args=[period.pk]))
    assert not CalendarPeriod.objects.exists()


def test_another_institutions_period_is_not_there(world, client):
    period = CalendarPeriod.objects.create(
        institution=world.asian_offer.institution,
        kind="exams",
        name="Finals",
        start=dt.date(2027, 5, 10),
        end=dt.date(2027, 5, 20),
    )
    remove = reverse("planning:office-calendar-remove", args=[period.pk])
    client.force_login(world.lars)
    assert client.post(remove).status_code == 404
    assert "Finals" not in client.get(URL).content.decode()
    # Nor can it be reached by naming the other institution.
    page = client.get(URL, {"institution": world.asian_offer.institution.pk}).content.decode()
    assert "Aarhus University" in page and "Finals" not in page
    client.force_login(world.siti)
    assert client.post(remove).status_code == 403
    assert CalendarPeriod.objects.filter(pk=period.pk).exists()


def test_an_office_of_two_institutions_chooses(world, client):
    factories.affiliate(world.mei, world.european_offer.institution, AffiliationRole.OFFICE)
    client.force_login(world.mei)
    add(client, institution=str(world.european_offer.institution.pk))
    assert CalendarPeriod.objects.get().institution == world.european_offer.institution
    page = client.get(URL, {"institution": world.european_offer.institution.pk}).content.decode()
    assert "Academic calendar of Aarhus University" in page and "Final exams" in page


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2027-05-28", "2027-05-10", "The last day cannot be before the first day."),
        ("2027-01-01", "2028-06-01", "A period lasts at most a year."),
        ("", "2027-05-10", "This field is required."),
    ],
)
def test_a_period_is_checked(world, client, start, end, message):
    client.force_login(world.mei)
    response = add(client, start=start, end=end)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarPeriod.objects.exists()
