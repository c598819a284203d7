"""Who hears about a proposal's transitions, in the app and by e-mail.

`proposal_event_recorded` is called inside the transaction of every recorded event; it only
queues the task with transaction.on_commit, and never sends anything itself. The task
(`notifications.tasks.notify_proposal_event`) calls `notify_event`, which decides the recipients
from the event's transition, creates one in-app Notification per person (the database keeps
it to one per event and person) and sends each e-mail under a row lock on its notification,
so a task that runs twice never sends twice.

In-app notifications are always created; the e-mail follows User.email_notifications.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.emails import send_templated, site_url
from accounts.models import Affiliation, AffiliationRole, AffiliationStatus, User
from exchanges.access import ACCEPTED_AT
from exchanges.models import Proposal, ProposalEvent, ProposalOrigin, ProposalState
from exchanges.transitions import full_offer
from notifications import wording
from notifications.models import EmailState, Notification, NotificationKind
from offers.access import offer_editor_ids
from offers.models import Offer

SIDES = ("asia", "europe")


# --- who is who -------------------------------------------------------------------------


def _offer(proposal: Proposal, side: str) -> Offer:
    return proposal.asian_offer if side == "asia" else proposal.european_offer


def _other(side: str) -> str:
    return "europe" if side == "asia" else "asia"


def _editors(offer: Offer) -> list[User]:
    return list(User.objects.filter(pk__in=offer_editor_ids(offer), is_active=True).order_by("pk"))


def _accepted_sides(proposal: Proposal, at: dt.datetime) -> list[str]:
    """The sides that had accepted by `at` (the proposer's side accepts on proposing)."""
    return [
        s
        for s in SIDES
        if getattr(proposal, ACCEPTED_AT[s]) is not None and getattr(proposal, ACCEPTED_AT[s]) <= at
    ]


def _offices(proposal: Proposal) -> list[tuple[User, str]]:
    """The verified international offices of both institutions, each with its side."""
    side_of = {
        proposal.asian_offer.institution_id: "asia",
        proposal.european_offer.institution_id: "europe",
    }
    rows = (
        Affiliation.objects.filter(
            institution_id__in=side_of,
            role=AffiliationRole.OFFICE,
            status=AffiliationStatus.VERIFIED,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id", "institution_id")
    )
    seen: dict[int, tuple[User, str]] = {}
    for row in rows:
        seen.setdefault(row.user_id, (row.user, side_of[row.institution_id]))
    return list(seen.values())


# --- what each person is told -------------------------------------------------------------


@dataclass
class Planned:
    user: User
    kind: str
    side: str
    extra: dict = field(default_factory=dict)


def _is_terms_change(event: ProposalEvent) -> bool:
    return event.kind == "terms_changed"


def _plan(event: ProposalEvent) -> list[Planned]:
    """Who is told what about this transition. Nobody else is."""
    proposal = event.proposal
    old, new = event.from_state, event.to_state
    plan: list[Planned] = []

    def lecturers(sides, kind, **extra):
        for side in sides:
            for user in _editors(_offer(proposal, side)):
                plan.append(Planned(user, kind, side, extra))

    def offices(kind, **extra):
        for user, side in _offices(proposal):
            plan.append(Planned(user, kind, side, extra))

    if old == "" and new == ProposalState.PROPOSED:
        answered = _accepted_sides(proposal, event.at)
        lecturers([s for s in SIDES if s not in answered], NotificationKind.RECEIVED)
    elif old == ProposalState.PROPOSED and new == ProposalState.ACCEPTED:
        # Offices first: for someone who is both, the call to act matters more.
        offices(NotificationKind.APPROVAL_NEEDED)
        actor_sides = (
            {s for s in SIDES if event.actor_id in {u.pk for u in _editors(_offer(proposal, s))}}
            if event.actor_id
            else set()
        )
        lecturers([s for s in SIDES if s not in actor_sides], NotificationKind.ACCEPTED)
    elif new == ProposalState.ACCEPTED and _is_terms_change(event):
        offices(NotificationKind.APPROVAL_NEEDED, again=True)
    elif new == ProposalState.APPROVED:
        lecturers(SIDES, NotificationKind.APPROVED)
    elif new == ProposalState.REJECTED:
        lecturers(SIDES, NotificationKind.REJECTED)
    elif new == ProposalState.DECLINED:
        # The side that proposed (had accepted) learns it, and goes to its next suggestion.
        lecturers(_accepted_sides(proposal, event.at), NotificationKind.DECLINED)
    elif new == ProposalState.WITHDRAWN:
        # Closed by Tandem because an offer filled up: the line names the offer.
        full = full_offer(proposal) if event.kind == "offer_full" else None
        lecturers(SIDES, NotificationKind.WITHDRAWN, **({"full": full.title} if full else {}))
    elif new == ProposalState.COMPLETED:
        # Both lecturers (the one who filed the report is left out below) and both offices.
        lecturers(SIDES, NotificationKind.COMPLETED)
        offices(NotificationKind.COMPLETED)
    elif new == ProposalState.EXPIRED:
        lecturers(_accepted_sides(proposal, event.at), NotificationKind.EXPIRED)

    # One notification per person and event, and none for whoever made the move.
    chosen: dict[int, Planned] = {}
    for item in plan:
        if item.user.pk != event.actor_id:
            chosen.setdefault(item.user.pk, item)
    return list(chosen.values())


def _params(proposal: Proposal, side: str, *, actor: User | None, reason: str = "", **extra):
    own, partner = _offer(proposal, side), _offer(proposal, _other(side))
    return {
        "own": own.title,
        "own_offer": own.pk,
        "partner": partner.title,
        "institution": partner.institution.name,
        "asian": proposal.asian_offer.title,
        "european": proposal.european_offer.title,
        "actor": actor.full_name if actor else "",
        "round": proposal.origin == ProposalOrigin.ROUND,
        "reason": reason,
        **extra,
    }


def _url(proposal: Proposal, kind: str, side: str) -> str:
    if kind in (NotificationKind.EXPIRED, NotificationKind.DECLINED):
        # The proposer goes back to their offer's suggestions, to propose to the next one.
        return _offer(proposal, side).get_absolute_url() + "#suggestions"
    return reverse("exchanges:proposal-detail", args=[proposal.pk])


def _proposal(pk: int) -> Proposal:
    return Proposal.objects.select_related(
        "asian_offer__institution", "european_offer__institution", "proposed_by"
    ).get(pk=pk)


# --- the task's work -----------------------------------------------------------------------


def notify_event(event_id: int) -> int:
    """Create the in-app notifications of one event and send their e-mails.

    Idempotent: returns how many e-mails this run sent (0 when a run before it did)."""
    event = ProposalEvent.objects.select_related("actor").filter(pk=event_id).first()
    if event is None:  # the proposal was deleted meanwhile
        return 0
    event.proposal = _proposal(event.proposal_id)
    reason = event.note if event.to_state == ProposalState.REJECTED else ""
    rows = [
        Notification(
            recipient=item.user,
            kind=item.kind,
            proposal=event.proposal,
            event=event,
            params=_params(
                event.proposal, item.side, actor=event.actor, reason=reason, **item.extra
            ),
            url=_url(event.proposal, item.kind, item.side),
            created_at=event.at,
        )
        for item in _plan(event)
    ]
    # A second run finds its rows there already; the unique constraint keeps one each.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    pending = Notification.objects.filter(event=event, email_state=EmailState.PENDING)
    return sum(deliver_email(pk) for pk in pending.order_by("pk").values_list("pk", flat=True))


def deliver_email(notification_id: int) -> bool:
    """Send one notification's e-mail, once: the state is claimed under a row lock and
    saved in the same transaction. Returns whether this call sent it."""
    with transaction.atomic():
        # A second run waits here for the first to commit, then sees it done.
        n = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if n is None or n.email_state != EmailState.PENDING:
            return False
        user = User.objects.get(pk=n.recipient_id)
        if not (user.email_notifications and user.is_active and user.email):
            n.email_state = EmailState.SKIPPED
            n.save(update_fields=["email_state"])
            return False
        proposal = _proposal(n.proposal_id)
        send_templated(
            to=user,
            template=wording.email_template(n.kind),
            context={
                "notification": n,
                "params": n.params,
                "proposal": proposal,
                "url": site_url(n.url),
            },
        )
        n.email_state = EmailState.SENT
        n.emailed_at = timezone.now()
        n.save(update_fields=["email_state", "emailed_at"])
    return True


def proposals_remind(*, now: dt.datetime | None = None) -> int:
    """Remind the partner of each unanswered proposal, once, PROPOSAL_REMINDER_DAYS_BEFORE
    days before it expires (0 switches reminders off). Returns how many e-mails went out."""
    days = settings.PROPOSAL_REMINDER_DAYS_BEFORE
    if days <= 0:
        return 0
    now = now or timezone.now()
    reminded = Notification.objects.filter(proposal=OuterRef("pk"), kind=NotificationKind.EXPIRING)
    due = (
        Proposal.objects.filter(
            state=ProposalState.PROPOSED,
            expires_at__gt=now,
            expires_at__lte=now + dt.timedelta(days=days),
        )
        .filter(~Exists(reminded))
        .values_list("pk", flat=True)
    )
    for pk in due:
        proposal = _proposal(pk)
        answered = _accepted_sides(proposal, now)
        rows = [
            Notification(
                recipient=user,
                kind=NotificationKind.EXPIRING,
                proposal=proposal,
                params=_params(
                    proposal,
                    side,
                    actor=proposal.proposed_by,
                    expires_at=proposal.expires_at.isoformat(),
                ),
                url=_url(proposal, NotificationKind.EXPIRING, side),
                created_at=now,
            )
            for side in SIDES
            if side not in answered
            for user in _editors(_offer(proposal, side))
        ]
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # Also the reminders a failed run left unsent, while they still make sense.
    pending = Notification.objects.filter(
        kind=NotificationKind.EXPIRING,
        email_state=EmailState.PENDING,
        proposal__state=ProposalState.PROPOSED,
        proposal__expires_at__gt=now,
    )
    return sum(deliver_email(pk) for pk in pending.order_by("pk").values_list("pk", flat=True))
