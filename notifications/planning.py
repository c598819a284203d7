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
from notifications import live, wording
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


def _accepted_by(proposal: Proposal, actor_id: int | None, version: int) -> bool:
    fields = {"asia": "asian_accepted_version", "europe": "european_accepted_version"}
    return any(getattr(proposal, fields[s]) == version for s in _actor_sides(proposal, actor_id))


def _version_of(event: ProposalEvent) -> int:
    """The version of the terms an event is about: the latest when it was recorded."""
    return (
        event.proposal.term_versions.filter(created_at__lte=event.at)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 1
    )


# --- what each person is told -------------------------------------------------------------


@dataclass
class Planned:
    user: User
    kind: str
    side: str
    extra: dict = field(default_factory=dict)


def _is_terms_change(event: ProposalEvent) -> bool:
    return event.kind == "terms_changed"


def _actor_sides(proposal: Proposal, actor_id: int | None) -> set[str]:
    if not actor_id:
        return set()
    return {s for s in SIDES if actor_id in offer_editor_ids(_offer(proposal, s))}


def _actor_institutions(proposal: Proposal, actor_id: int | None) -> set[int]:
    """The proposal's institutions the actor is an office of."""
    if not actor_id:
        return set()
    involved = {proposal.asian_offer.institution_id, proposal.european_offer.institution_id}
    return set(
        Affiliation.objects.filter(
            user_id=actor_id,
            institution_id__in=involved,
            role=AffiliationRole.OFFICE,
            status=AffiliationStatus.VERIFIED,
        ).values_list("institution_id", flat=True)
    )


class _Plan:
    """Collects who is told what about one event."""

    def __init__(self, event: ProposalEvent) -> None:
        self.event, self.proposal = event, event.proposal
        self.items: list[Planned] = []

    def lecturers(self, sides, kind, **extra):
        for side in sides:
            for user in _editors(_offer(self.proposal, side)):
                self.items.append(Planned(user, kind, side, extra))

    def offices(self, kind, *, sides=SIDES, **extra):
        for user, side in _offices(self.proposal):
            if side in sides:
                self.items.append(Planned(user, kind, side, extra))

    def partners(self, kind, **extra):
        # The lecturers of the side(s) the actor is not on.
        mine = _actor_sides(self.proposal, self.event.actor_id)
        self.lecturers([s for s in SIDES if s not in mine], kind, **extra)


def _plan_drafting(event: ProposalEvent, plan: _Plan) -> bool:
    """The terms and the thread (issue 13): drafted, accepted by one side, changes
    requested, a comment. False for any other event."""
    proposal, old, new = event.proposal, event.from_state, event.to_state
    if event.kind == "commented":
        # Everyone else in the thread: both sides' lecturers and both offices.
        plan.offices(NotificationKind.COMMENTED)
        plan.lecturers(SIDES, NotificationKind.COMMENTED)
    elif event.kind == "terms_drafted":
        # A new version for the partner to review; "again" after the offices had it,
        # "accepted" when its author accepted it too (Save and accept).
        version = _version_of(event)
        variant = {"again": True} if old != new else {}
        if not variant and _accepted_by(proposal, event.actor_id, version):
            variant = {"accepted": True}
        plan.partners(NotificationKind.TERMS_DRAFTED, version=version, **variant)
    elif event.kind == "side_accepted":
        # One side accepted a version: the other is asked to accept it too.
        plan.partners(NotificationKind.TERMS_DRAFTED, version=_version_of(event), accepted=True)
    elif new == ProposalState.CHANGES:
        # Both lecturers revise; the other office hears the question.
        plan.lecturers(SIDES, NotificationKind.CHANGES)
        asking = _actor_institutions(proposal, event.actor_id)
        other = [s for s in SIDES if _offer(proposal, s).institution_id not in asking]
        plan.offices(NotificationKind.CHANGES, sides=other)
    else:
        return False
    return True


def _plan(event: ProposalEvent) -> list[Planned]:
    """Who is told what about this transition. Nobody else is."""
    proposal = event.proposal
    old, new = event.from_state, event.to_state
    collected = _Plan(event)
    lecturers, offices = collected.lecturers, collected.offices

    if _plan_drafting(event, collected):
        pass
    elif old == "" and new == ProposalState.PROPOSED:
        answered = _accepted_sides(proposal, event.at)
        lecturers([s for s in SIDES if s not in answered], NotificationKind.RECEIVED)
    elif old == ProposalState.PROPOSED and new == ProposalState.ACCEPTED:
        # Offices first: for someone who is both, the call to act matters more. Asked
        # again when they had decided on earlier terms of this proposal.
        again = proposal.decisions.filter(void=True).exists()
        offices(NotificationKind.APPROVAL_NEEDED, **({"again": True} if again else {}))
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
    for item in collected.items:
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
    page = reverse("exchanges:proposal-detail", args=[proposal.pk])
    if kind in (NotificationKind.COMMENTED, NotificationKind.CHANGES):
        return page + "#thread"
    if kind == NotificationKind.TERMS_DRAFTED:
        return page + "#terms"
    return page


def _comment_excerpt(event: ProposalEvent) -> str:
    """The comment an event announces (the latest by its author up to then), shortened."""
    comment = (
        event.proposal.comments.filter(author_id=event.actor_id, created_at__lte=event.at)
        .order_by("-created_at", "-pk")
        .values_list("body", flat=True)
        .first()
    )
    text = " ".join((comment or "").split())
    return text if len(text) <= 300 else text[:299] + "…"


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
    reason = event.note if event.to_state in (ProposalState.REJECTED, ProposalState.CHANGES) else ""
    if event.kind == "commented":
        reason = _comment_excerpt(event)
    elif event.kind == "terms_drafted":
        reason = event.note  # what changed
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
    live.announce(Notification.objects.filter(event=event))
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
        live.announce(
            Notification.objects.filter(
                kind=NotificationKind.EXPIRING, proposal=proposal, created_at=now
            )
        )
    # Also the reminders a failed run left unsent, while they still make sense.
    pending = Notification.objects.filter(
        kind=NotificationKind.EXPIRING,
        email_state=EmailState.PENDING,
        proposal__state=ProposalState.PROPOSED,
        proposal__expires_at__gt=now,
    )
    return sum(deliver_email(pk) for pk in pending.order_by("pk").values_list("pk", flat=True))
