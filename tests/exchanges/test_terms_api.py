"""The terms draft, acceptance of a version, request-changes and the thread through the
API (issue 13, part 8): field errors, and refusal for a third lecturer and a third office."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exchanges.models import Proposal
from tests import factories

pytestmark = pytest.mark.django_db


def url(name: str, p) -> str:
    return reverse(f"api:proposal-{name}", args=[p.pk])


@pytest.fixture
def third_office(thai_institution):
    return factories.office(thai_institution, email="office@chula.ac.th")


def test_get_and_put_the_draft_then_accept_the_exact_version(api, make_proposal, alice, jan):
    p = make_proposal("proposed")
    api.force_login(jan)
    got = api.get(url("terms", p)).json()
    assert got["latest"]["number"] == 1
    assert got["latest"]["data"]["students_asia_to_europe"] == 35
    assert got["accepted"] == {"asia": 1, "europe": None}
    assert got["can_edit"] and got["can_accept"]

    put = api.put(
        url("terms", p),
        {
            "students_asia_to_europe": 30,
            "sessions": [{"start": "2027-03-02T15:00+08:00", "minutes": 120}],
            "note": "as agreed",
            "accept": True,
        },
        format="json",
    )
    assert put.status_code == 200, put.content
    body = put.json()
    assert body["latest"]["number"] == 2
    assert body["latest"]["author"] == {"name": "Jan de Vries"}
    assert "students Asia → Europe 35 → 30" in body["latest"]["summary"]
    assert [v["number"] for v in body["versions"]] == [1, 2]
    assert body["accepted"] == {"asia": 1, "europe": 2}

    api.force_login(alice)
    stale = api.post(url("accept", p), {"version": 1}, format="json")
    assert stale.status_code == 409
    assert "review version 2" in stale.json()["detail"]
    ok = api.post(url("accept", p), {"version": 2}, format="json")
    assert ok.status_code == 200
    detail = ok.json()
    assert detail["state"] == "accepted"
    assert detail["terms"]["version"] == 2
    assert detail["terms"]["agreed"]["students_asia_to_europe"] == 30
    assert (detail["asian_accepted_version"], detail["european_accepted_version"]) == (2, 2)


def test_wrong_fields_are_named_in_a_400(api, make_proposal, jan):
    p = make_proposal("proposed")
    api.force_login(jan)
    response = api.put(
        url("terms", p),
        {
            "working_language": "xx",
            "sessions": [{"start": "2027-03-02T15:00", "minutes": 60}],
        },
        format="json",
    )
    assert response.status_code == 400
    text = str(response.json())
    assert "working_language" in text and "Choose a working language" in text
    assert "sessions" in text and "time zone" in text
    nul = api.put(url("terms", p), {"platform": "a\x00b"}, format="json")
    assert nul.status_code == 400 and "platform" in nul.json()
    assert Proposal.objects.get(pk=p.pk).term_versions.count() == 1


def test_only_members_draft_and_outsiders_see_nothing(
    api, make_proposal, bob, erin, third_office, secretariat
):
    p = make_proposal("proposed")
    api.force_login(bob)  # the Asian office sees the terms but does not draft them
    assert api.get(url("terms", p)).json()["can_edit"] is False
    assert api.put(url("terms", p), {"platform": "x"}, format="json").status_code == 403
    for outsider in (erin, third_office):
        api.force_login(outsider)
        assert api.get(url("terms", p)).status_code == 404
        assert api.put(url("terms", p), {"platform": "x"}, format="json").status_code == 404
        assert api.get(url("comments", p)).status_code == 404
        assert api.post(url("comments", p), {"body": "hi"}, format="json").status_code == 404
    api.force_login(secretariat)  # sees the proposal, not the offices' thread
    assert api.get(url("terms", p)).status_code == 200
    assert api.get(url("comments", p)).status_code == 404


def test_request_changes_and_the_thread(api, make_proposal, alice, bob, erin, third_office):
    p = make_proposal("accepted")
    api.force_login(alice)
    assert api.post(url("request-changes", p), {"comment": "x"}, format="json").status_code == 403
    api.force_login(third_office)
    assert api.post(url("request-changes", p), {"comment": "x"}, format="json").status_code == 404
    api.force_login(bob)
    empty = api.post(url("request-changes", p), {"comment": ""}, format="json")
    assert empty.status_code == 400 and "comment" in empty.json()
    asked = api.post(url("request-changes", p), {"comment": "Exams 10–14 March"}, format="json")
    assert asked.status_code == 200
    assert asked.json()["state"] == "changes"
    api.force_login(alice)
    posted = api.post(url("comments", p), {"body": "We move those two."}, format="json")
    assert posted.status_code == 201
    assert posted.json()["author"] == {"name": "Alice Tan"}
    listed = api.get(url("comments", p)).json()["results"]
    assert [(c["body"], c["decision"]) for c in listed] == [
        ("Exams 10–14 March", "changes"),
        ("We move those two.", ""),
    ]
    revised = api.put(url("terms", p), {"session_count": 5, "accept": True}, format="json")
    assert revised.status_code == 200
    assert Proposal.objects.get(pk=p.pk).state == "proposed"


def test_the_detail_lists_request_changes_for_an_undecided_office(api, make_proposal, charlie):
    p = make_proposal("accepted")
    api.force_login(charlie)
    actions = api.get(reverse("api:proposal-detail", args=[p.pk])).json()["allowed_actions"]
    assert actions == ["approve", "request_changes", "reject"]
