"""Publishing a pairing round: its pairs become proposals through the workflow's bulk
service, once. Run by the task `rounds.tasks.publish_round` (queued by
`rounds.services.round_publish_queue`), or directly."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from exchanges import services as proposal_services
from rounds.errors import RoundCode
from rounds.models import PairingRound, RoundPair, RoundStatus
from rounds.params import ROUND_ALREADY_PUBLISHED, ROUND_NOT_READY
from rounds.selectors import refused_pairs


def check_publishable(pairing_round: PairingRound) -> None:
    """ValidationError unless the round is done (and so not published yet)."""
    if pairing_round.status == RoundStatus.PUBLISHED:
        raise ValidationError(ROUND_ALREADY_PUBLISHED, code=RoundCode.PUBLISHED)
    if pairing_round.status != RoundStatus.DONE:
        raise ValidationError(
            ROUND_NOT_READY,
            code=RoundCode.NOT_DONE,
            params={"status": pairing_round.get_status_display()},
        )


@dataclass(frozen=True)
class PublishReport:
    created: int
    skipped_live: int
    skipped_not_open: int
    # Refused (declined, rejected, withdrawn, expired) between computing and publishing.
    skipped_refused: int = 0

    @property
    def skipped(self) -> int:
        return self.skipped_live + self.skipped_not_open + self.skipped_refused


def round_publish(*, pairing_round: PairingRound, actor: User) -> PublishReport:
    """Turn a done (or publishing) round's pairs into proposals (origin round, state
    proposed), each with a "pairing round <name>" event by `actor`; the round becomes
    published, with a grace period of ROUND_UNDO_MINUTES (`announce_at`) during which
    nobody is notified and `rounds.undo.round_undo` can take it back.

    Pairs whose offers are no longer open, that meanwhile got a live proposal, or that
    were meanwhile refused (`selectors.refused_pairs`), are skipped and counted. Once
    only: ValidationError (and no change) for a round that is not done or is published
    already. The round's row lock serialises two publishes of it; the partial unique
    constraint `one_live_proposal_per_pair` settles a race with anyone else
    proposing the same pair (that pair is then skipped).
    """
    with transaction.atomic():
        locked = PairingRound.objects.select_for_update().get(pk=pairing_round.pk)
        if locked.status != RoundStatus.PUBLISHING:
            check_publishable(locked)
        pairs = list(RoundPair.objects.filter(pairing_round=locked).order_by("-score", "pk"))
        refused = refused_pairs(
            {p.asian_offer_id for p in pairs}, {p.european_offer_id for p in pairs}
        )
        result = proposal_services.proposals_create_bulk(
            actor=actor,
            pairs=[
                (p.asian_offer_id, p.european_offer_id, p.score, p.explanation)
                for p in pairs
                if (p.asian_offer_id, p.european_offer_id) not in refused
            ],
            note=f"pairing round {locked.name}",
            pairing_round=locked,
            # Nobody hears of them during the grace period (rounds.undo announces them).
            announce=False,
        )
        report = PublishReport(
            len(result.created),
            result.skipped_live,
            result.skipped_not_open,
            sum((p.asian_offer_id, p.european_offer_id) in refused for p in pairs),
        )
        locked.status = RoundStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.announce_at = locked.published_at + dt.timedelta(minutes=settings.ROUND_UNDO_MINUTES)
        locked.announced_at = None
        locked.stats = {**locked.stats, "published": {"by": actor.pk, **asdict(report)}}
        locked.full_clean()
        locked.save(
            update_fields=["status", "published_at", "announce_at", "announced_at", "stats"]
        )
    pairing_round.refresh_from_db()
    return report


def publish_report_of(pairing_round: PairingRound) -> PublishReport | None:
    """What publishing the round did, from its stats (None when it is not published)."""
    data = (pairing_round.stats or {}).get("published")
    if not data:
        return None
    return PublishReport(
        data["created"],
        data["skipped_live"],
        data["skipped_not_open"],
        data.get("skipped_refused", 0),
    )
