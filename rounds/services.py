"""Global pairing rounds: the secretariat's writes.

Lifecycle: `round_create` (queued; the task `rounds.tasks.run_pairing_round` is queued on
commit) → `rounds.compute.round_run` in that task (running, with progress; then done, or
failed) → `round_publish_queue` (publishing; the task `rounds.tasks.publish_round`
runs `rounds.publishing.round_publish`: published, once, the pairs become proposals that
enter the normal workflow). Parameters and messages are in `rounds.params`, reads for the pages in
`rounds.selectors`. See docs/pairing_rounds.md.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from rounds.models import PairingRound, RoundStatus
from rounds.params import (
    ASIA,
    BAD_PARAMS,
    EUROPE,
    NO_OFFERS_IN_ASIA,
    NO_OFFERS_IN_EUROPE,
    NOTE_QUEUED,
    RoundParams,
)
from rounds.publishing import check_publishable
from rounds.selectors import round_offer_counts
from rounds.tasks import publish_round, run_pairing_round


def round_create(*, name: str, params: RoundParams, actor: User) -> PairingRound:
    """Create a queued round and queue its computation once the transaction commits.

    ValidationError when the parameters are invalid or either side has no offer to pair.
    """
    problems = params.problems()
    if problems:
        raise ValidationError(BAD_PARAMS, params={"problem": "; ".join(problems)})
    counts = round_offer_counts(params)
    errors = []
    if not counts[ASIA]:
        errors.append(ValidationError(NO_OFFERS_IN_ASIA))
    if not counts[EUROPE]:
        errors.append(ValidationError(NO_OFFERS_IN_EUROPE))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pairing_round = PairingRound(
            created_by=actor,
            name=name.strip(),
            params=params.as_json(),
            status=RoundStatus.QUEUED,
            progress=0,
            progress_note=NOTE_QUEUED,
        )
        pairing_round.full_clean()
        pairing_round.save()
        pk = pairing_round.pk
        transaction.on_commit(lambda: run_pairing_round.delay(pk))
    return pairing_round


# --- publishing ---------------------------------------------------------------------------


def round_publish_queue(*, pairing_round: PairingRound, actor: User) -> PairingRound:
    """Mark a done round as publishing and queue its publication once committed
    (`rounds.tasks.publish_round`): a round of thousands of pairs is published by a
    worker, not inside the request. ValidationError (and no change) for a round that is
    not done or is published already; a round being published is left as it is."""
    with transaction.atomic():
        locked = PairingRound.objects.select_for_update().get(pk=pairing_round.pk)
        if locked.status == RoundStatus.PUBLISHING:
            return locked
        check_publishable(locked)
        locked.status = RoundStatus.PUBLISHING
        locked.heartbeat_at = timezone.now()
        locked.stats = {**locked.stats, "publishing_by": actor.pk}
        locked.save(update_fields=["status", "heartbeat_at", "stats"])
        transaction.on_commit(lambda: publish_round.delay(locked.pk), robust=True)
    pairing_round.refresh_from_db()
    return pairing_round
