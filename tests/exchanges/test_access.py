"""One access policy per proposal: the page's buttons, the API's allowed_actions and the
services agree for every persona and state."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from exchanges import decisions, services
from exchanges.models import Proposal
from offers.models import Offer
from tests.exchanges.conftest import REPORT

ACTION_URL = re.compile(
    r"/proposals/\d+/(accept|decline|withdraw|approve|request_changes|reject|start|complete)/"
)

EXPECTED = {
    # alice proposed (her side accepted by proposing); jan answers; bob and charlie are
    # the Asian and European offices. Only the side that proposed or accepted withdraws; the
    # partner who has not answered declines.
    ("proposed", "alice"): ["withdraw"],
    ("proposed", "jan"): ["accept", "decline"],
    ("proposed", "bob"): [],
    ("accepted", "alice"): ["withdraw"],
    ("accepted", "bob"): ["approve", "request_changes", "reject"],
    ("accepted", "charlie"): ["approve", "request_changes", "reject"],
    ("approved", "jan"): ["start"],
    ("approved", "charlie"): [],
    ("active", "alice"): ["complete"],
    ("active", "bob"): [],
    ("completed", "jan"): [],
}


# The service still lets the partner withdraw (account erasure withdraws the proposals of
# a lecturer who leaves); the page and allowed_actions offer him Decline instead.
SERVICE_ALSO = {("proposed", "jan"): ["withdraw"]}


def page_actions(client, proposal) -> list[str]:
    html = client.get(reverse("exchanges:proposal-detail", args=[proposal.pk])).content.decode()
    found = ACTION_URL.findall(html)
    return sorted(set(found))


@pytest.mark.parametrize(("state", "persona"), list(EXPECTED))
def test_the_page_and_the_api_offer_the_same_actions(
    client, api, make_proposal, state, persona, request
):
    proposal = make_proposal(state)
    user = request.getfixturevalue(persona)
    api.force_login(user)
    client.force_login(user)
    allowed = api.get(reverse("api:proposal-detail", args=[proposal.pk])).json()["allowed_actions"]
    assert allowed == EXPECTED[(state, persona)]
    assert page_actions(client, proposal) == sorted(allowed)


def _run(action: str, proposal: Proposal, user):
    calls = {
        "accept": lambda: services.proposal_accept(proposal=proposal, actor=user),
        "decline": lambda: services.proposal_decline(proposal=proposal, actor=user),
        "withdraw": lambda: services.proposal_withdraw(proposal=proposal, actor=user),
        "approve": lambda: decisions.proposal_approve(proposal=proposal, actor=user),
        "reject": lambda: decisions.proposal_reject(proposal=proposal, actor=user, reason="No"),
        "request_changes": lambda: decisions.proposal_request_changes(
            proposal=proposal, actor=user, comment="Which dates?"
        ),
        "start": lambda: services.proposal_start(proposal=proposal, actor=user),
        "complete": lambda: services.proposal_complete(
            proposal=proposal, actor=user, report=dict(REPORT)
        ),
    }
    return calls[action]()


@pytest.mark.parametrize(("state", "persona"), list(EXPECTED))
def test_the_services_refuse_exactly_what_the_policy_does_not_allow(
    make_proposal, state, persona, request
):
    user = request.getfixturevalue(persona)
    for action in (
        "accept",
        "decline",
        "withdraw",
        "approve",
        "request_changes",
        "reject",
        "start",
        "complete",
    ):
        proposal = make_proposal(state)
        if action in EXPECTED[(state, persona)] + SERVICE_ALSO.get((state, persona), []):
            _run(action, proposal, user)  # allowed: goes through
        else:
            with pytest.raises((PermissionDenied, ValidationError)):
                _run(action, proposal, user)
        # Start again from a fresh pair: capacity back, offers open.
        Proposal.objects.filter(pk=proposal.pk).delete()
        Offer.objects.update(approved_pairings=0, status="open")


def test_an_outsider_gets_404_from_page_and_api(client, api, make_proposal, erin):
    proposal = make_proposal("accepted")
    client.force_login(erin)
    api.force_login(erin)
    assert client.get(reverse("exchanges:proposal-detail", args=[proposal.pk])).status_code == 404
    assert api.get(reverse("api:proposal-detail", args=[proposal.pk])).status_code == 404
