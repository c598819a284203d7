"""A lecturer's part of the dashboard: the proposals that need them first, their offers
with their state, new partner suggestions, conversations and the next joint sessions."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from exchanges.access import proposal_access
from exchanges.models import Proposal, ProposalState
from exchanges.selectors import lecturer_live_proposals, upcoming_sessions
from matching.selectors import unseen_suggestions
from messaging.selectors import memberships_with_unread
from offers.access import editors_q
from offers.models import Offer, OfferStatus
from offers.selectors import offers_of

PROPOSALS_READ = 50  # live proposals weighed for "needs you"; the proposals page has all
PROPOSALS_SHOWN = 8
OFFERS_SHOWN = 10
# The newest open offers whose suggestions are looked at: about ten queries each.
SUGGESTION_OFFERS = 2
SUGGESTIONS_PER_OFFER = 3
SESSIONS_SHOWN = 5
CONVERSATIONS_SHOWN = 20

ANSWER = _("Your answer is needed: accept or decline.")
REVISE = _("An office asked for changes: revise the terms with your partner.")
START = _("Both offices approved: start the exchange.")
REPORT = _("The term has ended: file the completion report.")
WAITING = {
    ProposalState.PROPOSED: _("Waiting for the partner lecturer."),
    ProposalState.ACCEPTED: _("Waiting for the international offices."),
    ProposalState.ACTIVE: _("Running."),
}


def _todo(proposal: Proposal, user: User, mine: set[int], today: dt.date):
    """What the user has to do about this proposal now, or None. Asks the proposal's
    policy, told the user's sides and the latest version of the terms (no query)."""
    access = proposal_access(user, proposal)
    access.__dict__.update(
        sides={
            side
            for side, offer_id in (
                ("asia", proposal.asian_offer_id),
                ("europe", proposal.european_offer_id),
            )
            if offer_id in mine
        },
        latest_version=proposal.latest_version or 1,
    )
    if access.can("accept") or access.can("decline"):
        return ANSWER
    if proposal.state == ProposalState.CHANGES and access.sides:
        return REVISE
    if access.can("start"):
        return START
    ended = max(proposal.asian_offer.term_end, proposal.european_offer.term_end) < today
    if access.can("complete") and ended:
        return REPORT
    return None


def proposals(user: User, today: dt.date) -> dict:
    """The live proposals of the user's offers, those that need the user first."""
    mine = set(Offer.objects.filter(editors_q(user)).values_list("pk", flat=True))
    rows = []
    for p in lecturer_live_proposals(user)[:PROPOSALS_READ]:
        ours_asian = p.asian_offer_id in mine
        rows.append(
            {
                "proposal": p,
                "todo": _todo(p, user, mine, today),
                "waiting": WAITING.get(p.state),
                "ours": p.asian_offer if ours_asian else p.european_offer,
                "theirs": p.european_offer if ours_asian else p.asian_offer,
            }
        )
    rows.sort(key=lambda row: row["todo"] is None)  # stable: newest first within each
    return {
        "rows": rows[:PROPOSALS_SHOWN],
        "needs_you": sum(1 for row in rows if row["todo"]),
        "more": len(rows) > PROPOSALS_SHOWN,
    }


def conversations(user: User) -> list:
    """The user's conversations with their unread counts, latest activity first."""
    return list(memberships_with_unread(user)[:CONVERSATIONS_SHOWN])


def section(request: HttpRequest) -> dict:
    user = request.user
    now = timezone.now()
    offers = offers_of(user)
    open_offers = [o for o in offers if o.status == OfferStatus.OPEN][:SUGGESTION_OFFERS]
    return {
        "proposals": proposals(user, timezone.localdate(now)),
        "offers": offers[:OFFERS_SHOWN],
        "more_offers": len(offers) > OFFERS_SHOWN,
        "has_open_offer": bool(open_offers),
        "suggestions": unseen_suggestions(open_offers, k=SUGGESTIONS_PER_OFFER),
        "sessions": upcoming_sessions(user, after=now, limit=SESSIONS_SHOWN),
    }
