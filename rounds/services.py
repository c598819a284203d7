"""Global pairing rounds: the secretariat's services and selectors.

A round pairs the open offers that have no live proposal yet (optionally narrowed by kind,
level and country) on the candidate graph of `scoring.candidate_edges`, maximising the
total score within each offer's capacity, a cap per institution and country fairness
(`pairing.solve_exact`), and reports the result against the greedy baseline. Publishing a
round turns its pairs into proposals that enter the normal workflow.

Lifecycle: `round_create` (queued; the task is queued on commit) → `round_run` in a Celery
task (running, with progress; then done, or failed with a readable error — the pairs are
written in one transaction at the very end, so a round is never half-written) →
`round_publish` (published, once). See docs/pairing_rounds.md.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import Country, User
from core.balance_rules import balance_index, students_per_direction
from exchanges import services as proposal_services
from exchanges.models import (
    LIVE_PROPOSAL_STATES,
    Proposal,
)
from matching import engine, pairing, scoring
from matching.features import OfferFeatures
from offers.models import Offer, OfferKind, OfferLevel, OfferStatus
from rounds.errors import RoundCode
from rounds.models import PairingRound, RoundPair, RoundStatus

logger = logging.getLogger(__name__)

ASIA, EUROPE = pairing.ASIA, pairing.EUROPE

DEFAULT_INSTITUTION_CAP = 3
DEFAULT_COUNTRY_SLACK = 0.2
DEFAULT_K = 10
MAX_INSTITUTION_CAP = 100
MAX_COUNTRY_SLACK = 5.0
MAX_K = 50

# --- messages (tests import them) ---------------------------------------------------------

NO_OFFERS_IN_ASIA = _(
    "No open offer in Asia without a live proposal matches these filters; a round needs "
    "offers on both sides."
)
NO_OFFERS_IN_EUROPE = _(
    "No open offer in Europe without a live proposal matches these filters; a round needs "
    "offers on both sides."
)
ROUND_NOT_READY = _(
    "Only a finished round can be published; this round is “%(status)s”. Nothing was changed."
)
ROUND_ALREADY_PUBLISHED = _("This round has been published already. Nothing was changed.")
BAD_PARAMS = _("The settings of this round are not valid: %(problem)s")

# Progress notes and run-time errors are stored in English and translated when shown
# (`{% translate round.progress_note %}`): the worker has no viewer and no language.
NOTE_QUEUED = gettext_noop("Waiting for a worker")
NOTE_LOADING = gettext_noop("Loading the offers")
NOTE_MODEL = gettext_noop("Preparing the text model")
NOTE_CANDIDATES = gettext_noop("Finding candidate partners")
NOTE_EXACT = gettext_noop("Computing the best pairing")
NOTE_GREEDY = gettext_noop("Computing the greedy baseline")
NOTE_EXPLAIN = gettext_noop("Explaining the pairs")
NOTE_STORING = gettext_noop("Storing the pairs")
NOTE_DONE = gettext_noop("Done")
ERROR_NO_ASIA = gettext_noop(
    "When the round ran, no open offer in Asia without a live proposal matched its filters."
)
ERROR_NO_EUROPE = gettext_noop(
    "When the round ran, no open offer in Europe without a live proposal matched its filters."
)


class RoundError(Exception):
    """A round cannot be computed, for a reason the secretariat can read."""


# --- parameters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundParams:
    """Which offers a round pairs and within which limits; stored as `PairingRound.params`.

    Empty filters mean "all": `kinds` and `levels` narrow both sides, the country lists
    narrow their own region only (a round for three Asian countries still sees all of
    Europe).
    """

    kinds: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    asian_countries: tuple[str, ...] = ()
    european_countries: tuple[str, ...] = ()
    institution_cap: int = DEFAULT_INSTITUTION_CAP
    country_slack: float = DEFAULT_COUNTRY_SLACK
    k: int = DEFAULT_K

    def problems(self) -> list[str]:
        out = []
        if not 1 <= self.institution_cap <= MAX_INSTITUTION_CAP:
            out.append(f"institution_cap must lie in 1..{MAX_INSTITUTION_CAP}")
        if not 0 <= self.country_slack <= MAX_COUNTRY_SLACK:
            out.append(f"country_slack must lie in 0..{MAX_COUNTRY_SLACK}")
        if not 1 <= self.k <= MAX_K:
            out.append(f"k must lie in 1..{MAX_K}")
        return out

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        for key in ("kinds", "levels", "asian_countries", "european_countries"):
            data[key] = sorted(data[key])
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> RoundParams:
        return cls(
            kinds=tuple(data.get("kinds") or ()),
            levels=tuple(data.get("levels") or ()),
            asian_countries=tuple(data.get("asian_countries") or ()),
            european_countries=tuple(data.get("european_countries") or ()),
            institution_cap=int(data.get("institution_cap", DEFAULT_INSTITUTION_CAP)),
            country_slack=float(data.get("country_slack", DEFAULT_COUNTRY_SLACK)),
            k=int(data.get("k", DEFAULT_K)),
        )


# --- selectors ----------------------------------------------------------------------------


def round_offers(params: RoundParams) -> QuerySet[Offer]:
    """The offers a round with these parameters pairs: open, without a live proposal, within
    the filters; in primary-key order."""
    live = Proposal.objects.filter(state__in=LIVE_PROPOSAL_STATES)
    qs = (
        Offer.objects.filter(status=OfferStatus.OPEN)
        # Two EXISTS, one per side, so each uses its (offer, state) index.
        .exclude(Exists(live.filter(asian_offer=OuterRef("pk"))))
        .exclude(Exists(live.filter(european_offer=OuterRef("pk"))))
    )
    if params.kinds:
        qs = qs.filter(kind__in=params.kinds)
    if params.levels:
        qs = qs.filter(level__in=params.levels)
    sides = Q()
    for region, codes in ((ASIA, params.asian_countries), (EUROPE, params.european_countries)):
        side = Q(region=region)
        if codes:
            side &= Q(country_id__in=codes)
        sides |= side
    return qs.filter(sides).order_by("pk")


def round_offer_counts(params: RoundParams) -> dict[str, int]:
    """How many offers a round with these parameters would pair now, per region."""
    counts = dict.fromkeys((ASIA, EUROPE), 0)
    for row in round_offers(params).order_by().values("region").annotate(n=Count("pk")):
        counts[row["region"]] = row["n"]
    return counts


def round_list() -> QuerySet[PairingRound]:
    """Every round, newest first, with who started it (one query)."""
    return PairingRound.objects.select_related("created_by").order_by("-created_at", "-pk")


def round_filter_labels(params: RoundParams) -> list[tuple[str, list[str]]]:
    """The round's offer filters as (what, readable values), only those in use."""
    kinds = dict(OfferKind.choices)
    levels = dict(OfferLevel.choices)
    codes = [*params.asian_countries, *params.european_countries]
    names = (
        dict(Country.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    )
    rows = [
        (_("Kinds"), [str(kinds.get(k, k)) for k in params.kinds]),
        (_("Levels"), [str(levels.get(v, v)) for v in params.levels]),
        (_("Countries in Asia"), [names.get(c, c) for c in params.asian_countries]),
        (_("Countries in Europe"), [names.get(c, c) for c in params.european_countries]),
    ]
    return [(str(label), values) for label, values in rows if values]


def round_get(pk: int) -> PairingRound:
    """The round, or 404. Callers have checked the secretariat role already."""
    try:
        return PairingRound.objects.select_related("created_by").get(pk=pk)
    except PairingRound.DoesNotExist:
        raise Http404 from None


def round_pairs_page(
    pairing_round: PairingRound, page: str | int | None, per_page: int = 50
) -> Page:
    """One page of the round's pairs, best first, with both offers' institutions and
    countries (a fixed number of queries per page)."""
    pairs = (
        RoundPair.objects.filter(pairing_round=pairing_round)
        .select_related(
            "asian_offer__institution",
            "asian_offer__country",
            "european_offer__institution",
            "european_offer__country",
        )
        .order_by("-score", "pk")
    )
    return Paginator(pairs, per_page).get_page(page)


def round_report(pairing_round: PairingRound) -> dict[str, object] | None:
    """The figures of a computed round, ready for the page (None before it is computed).

    Adds country names (one query) to the stored stats; see `_figures` for the contents.
    """
    stats = pairing_round.stats or {}
    if "exact" not in stats:
        return None
    codes = [row["code"] for row in stats["countries"]]
    names = dict(Country.objects.filter(code__in=codes).values_list("code", "name"))
    countries = [{**row, "name": names.get(row["code"], row["code"])} for row in stats["countries"]]
    report = {**stats, "countries": countries}
    for method in ("exact", "greedy"):
        balance = stats[method]["balance"]
        report[method] = {
            **stats[method],
            "balance": {**balance, "index_display": _signed(balance["index"], 2)},
        }
    report["gain"] = {
        **stats["gain"],
        "pairs_percent_display": _signed(stats["gain"]["pairs_percent"], 1, " %"),
        "score_percent_display": _signed(stats["gain"]["score_percent"], 1, " %"),
    }
    return report


def _signed(value: float | None, decimals: int, unit: str = "") -> str:
    """A figure with its sign, in the active locale's format ("+0.13", "−4.5 %", "—")."""
    if value is None:
        return "—"
    text = number_format(abs(value), decimals)
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{text}{unit}"


# --- creating and running -----------------------------------------------------------------


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
    # Imported here: the task module imports this one.
    from rounds.tasks import run_pairing_round

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


def _progress(round_id: int, percent: int, note: str) -> None:
    """Record how far a running round is; committed at once so the page can poll it."""
    PairingRound.objects.filter(pk=round_id, status=RoundStatus.RUNNING).update(
        progress=percent, progress_note=note
    )


@dataclass
class _Computed:
    pairs: list[RoundPair] = field(default_factory=list)
    stats: dict[str, object] = field(default_factory=dict)


# Errors a retry of the task may cure: they leave the round running for the retry.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


def round_run(*, round_id: int) -> PairingRound:
    """Compute a queued round: status running → done with its pairs and figures, or failed
    with a readable error and no pairs.

    Idempotent: a round that is done, failed or published is returned untouched, and a
    duplicate run (a redelivered task) stores nothing when another run finished first.
    Transient database errors (`TRANSIENT_ERRORS`) propagate, the round still running, so
    that the task retries.
    """
    with transaction.atomic():
        pairing_round = PairingRound.objects.select_for_update().get(pk=round_id)
        if pairing_round.status not in (RoundStatus.QUEUED, RoundStatus.RUNNING):
            return pairing_round
        pairing_round.status = RoundStatus.RUNNING
        pairing_round.started_at = timezone.now()
        pairing_round.progress = 0
        pairing_round.progress_note = NOTE_LOADING
        pairing_round.error = ""
        pairing_round.save(
            update_fields=["status", "started_at", "progress", "progress_note", "error"]
        )
    try:
        computed = _compute(pairing_round, lambda p, n: _progress(round_id, p, n))
        _progress(round_id, 95, NOTE_STORING)
        return _store(round_id, computed)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        logger.exception("pairing round %s failed", round_id)
        return round_fail(round_id=round_id, error=str(exc) or type(exc).__name__)


def round_fail(*, round_id: int, error: str) -> PairingRound:
    """Mark a queued or running round as failed, with its error; it keeps no pairs."""
    with transaction.atomic():
        pairing_round = PairingRound.objects.select_for_update().get(pk=round_id)
        if pairing_round.status not in (RoundStatus.QUEUED, RoundStatus.RUNNING):
            return pairing_round
        RoundPair.objects.filter(pairing_round=pairing_round).delete()
        pairing_round.status = RoundStatus.FAILED
        pairing_round.error = error[:2000]
        pairing_round.finished_at = timezone.now()
        pairing_round.save(update_fields=["status", "error", "finished_at"])
    return pairing_round


def _store(round_id: int, computed: _Computed) -> PairingRound:
    """Write every pair and the figures in one transaction, or nothing."""
    with transaction.atomic():
        pairing_round = PairingRound.objects.select_for_update().get(pk=round_id)
        if pairing_round.status != RoundStatus.RUNNING:
            return pairing_round  # another run of the task finished first
        RoundPair.objects.filter(pairing_round=pairing_round).delete()
        for pair in computed.pairs:
            pair.pairing_round = pairing_round
        RoundPair.objects.bulk_create(computed.pairs, batch_size=500)
        pairing_round.status = RoundStatus.DONE
        pairing_round.progress = 100
        pairing_round.progress_note = NOTE_DONE
        pairing_round.stats = computed.stats
        pairing_round.finished_at = timezone.now()
        pairing_round.full_clean()
        pairing_round.save()
    return pairing_round


def _compute(pairing_round: PairingRound, progress: Callable[[int, str], None]) -> _Computed:
    params = RoundParams.from_json(pairing_round.params)
    problems = params.problems()
    if problems:
        raise RoundError("; ".join(problems))
    weights = engine.weights()

    progress(5, NOTE_LOADING)
    features = engine.features_of(engine._with_features(round_offers(params)))
    regions = Counter(f.region for f in features)
    if not regions[ASIA]:
        raise RoundError(ERROR_NO_ASIA)
    if not regions[EUROPE]:
        raise RoundError(ERROR_NO_EUROPE)

    progress(15, NOTE_MODEL)
    model, model_info = _text_model(features)
    table = scoring.OfferTable(features)

    progress(30, NOTE_CANDIDATES)
    asian, european, score = scoring.candidate_edges(table, model, weights, k=params.k)
    edges = pairing.Edges(asian, european, score)
    offers = {
        f.id: pairing.RoundOffer(f.region, f.country, f.institution_id, f.capacity)
        for f in features
    }
    caps = {"institution_cap": params.institution_cap, "country_slack": params.country_slack}

    progress(60, NOTE_EXACT)
    exact = pairing.solve_exact(edges, offers, **caps)

    progress(75, NOTE_GREEDY)
    greedy = pairing.solve_greedy(edges, offers, **caps)

    progress(85, NOTE_EXPLAIN)
    by_id = {f.id: f for f in features}
    texts = _pair_cosines(model, exact.pairs)
    pairs = []
    for (a, b, s), text in zip(exact.pairs, texts, strict=True):
        match = scoring.explain(by_id[a], by_id[b], float(text), weights)
        pairs.append(
            RoundPair(
                asian_offer_id=a,
                european_offer_id=b,
                score=round(float(s), 6),
                explanation=[r.as_dict() for r in match.reasons],
            )
        )
    stats = _figures(features, offers, exact, greedy, len(edges), params, model_info)
    return _Computed(pairs=pairs, stats=stats)


def _text_model(features: Sequence[OfferFeatures]):
    """The text model for the round's offers, and a note of which model it is.

    The stored model keeps the round's scores equal to the suggestions' scores, so it comes
    first: `engine.refit()` brings it up to date (a no-op when no open offer's text changed
    since the newest version), then `engine.current()` loads it. Every offer of the round
    is open, so the refitted model holds them all — unless an offer opened, or a concurrent
    refit finished, between our reads; then a model fitted on exactly the round's offers
    is used for this round only (not stored).
    """
    from matching.similarity import TextModel

    ids = np.array([f.id for f in features], dtype=np.int64)
    version = engine.refit()
    model, _table = engine.current()
    if model is not None and bool((model.rows_of(ids) >= 0).all()):
        return model, {"source": "stored", "version": version.pk if version else None}
    logger.info("round offers missing from the stored model: fitting one for the round")
    model = TextModel().fit([(f.id, f.text) for f in features])
    return model, {"source": "round", "version": None}


def _pair_cosines(model, pairs: Sequence[tuple[int, int, float]], batch: int = 256) -> list[float]:
    """Text cosine of each (asian, european, _) pair, as the candidate graph scored it."""
    out: list[float] = []
    for lo in range(0, len(pairs), batch):
        chunk = pairs[lo : lo + batch]
        targets = model.subset(model.rows_of([b for _, b, _ in chunk]))
        block = targets.score_block(model.rows([a for a, _, _ in chunk]))
        out.extend(float(x) for x in np.diagonal(block))
    return out


# --- figures ------------------------------------------------------------------------------


def pair_directions(a: OfferFeatures, b: OfferFeatures) -> tuple[int, int]:
    """Participants of one pair by direction: (Asia → Europe, Europe → Asia); `a` is the
    Asian offer, `b` the European one. The rule is core.balance_rules.students_per_direction."""
    return students_per_direction(a.kind, a.students, b.kind, b.students)


def _balance(pairs, by_id: dict[int, OfferFeatures]) -> dict[str, object]:
    a_to_e = e_to_a = 0
    for a, b, _score in pairs:
        x, y = pair_directions(by_id[a], by_id[b])
        a_to_e += x
        e_to_a += y
    index = balance_index(a_to_e, e_to_a)
    return {
        "a_to_e": a_to_e,
        "e_to_a": e_to_a,
        "index": None if index is None else round(index, 4),
    }


def _gain(new: float, old: float) -> float | None:
    """Percent gained over the baseline; None when the baseline is 0."""
    return round(100 * (new - old) / old, 1) if old else None


def _figures(
    features: Sequence[OfferFeatures],
    offers: dict[int, pairing.RoundOffer],
    exact: pairing.RoundResult,
    greedy: pairing.RoundResult,
    candidates: int,
    params: RoundParams,
    model_info: dict[str, object],
) -> dict[str, object]:
    """The stored figures of a round (JSON): offers, candidates, exact and greedy side by
    side, coverage per region and country, balance, and the caps used."""
    by_id = {f.id: f for f in features}
    capacity = Counter()
    count = Counter()
    for o in offers.values():
        capacity[o.region] += o.capacity
        count[o.region] += 1
    # The size of the round if the scarcer side were fully paired (see pairing.country_caps).
    size = min(capacity[ASIA], capacity[EUROPE])

    def method(result: pairing.RoundResult) -> dict[str, object]:
        s = result.stats
        paired = {a for a, _, _ in result.pairs} | {b for _, b, _ in result.pairs}
        return {
            "pairs": len(result.pairs),
            "total_score": round(result.total_score, 4),
            "mean_score": round(result.total_score / len(result.pairs), 4)
            if result.pairs
            else None,
            "paired_offers": len(paired),
            "coverage": s["coverage"],
            "caps_kept": s["caps_kept"],
            "seconds": round(result.seconds, 3),
            "balance": _balance(result.pairs, by_id),
        }

    countries = []
    for code, row in exact.stats["countries"].items():
        share = row["offers"] / count[row["region"]]
        fair = share * size
        countries.append(
            {
                "code": code,
                "region": row["region"],
                "offers": row["offers"],
                "paired_offers": row["paired_offers"],
                "coverage": row["coverage"],
                "pairs": row["pairs"],
                "share": round(share, 4),
                "fair_pairs": round(fair, 2),
                "ratio": round(row["pairs"] / fair, 2) if fair else None,
                "cap": row["cap"],
                "greedy_pairs": greedy.stats["countries"][code]["pairs"],
            }
        )
    countries.sort(key=lambda r: (r["region"], -r["offers"], r["code"]))
    regions = []
    for region in (ASIA, EUROPE):
        paired = sum(r["paired_offers"] for r in countries if r["region"] == region)
        regions.append(
            {
                "region": region,
                "offers": count[region],
                "paired_offers": paired,
                "coverage": round(paired / count[region], 4) if count[region] else 0.0,
                "greedy_coverage": greedy.stats["coverage"][region],
            }
        )
    exact_fig, greedy_fig = method(exact), method(greedy)
    return {
        "offers": len(features),
        "candidates": candidates,
        "round_size": size,
        "params": params.as_json(),
        "model": model_info,
        "exact": exact_fig,
        "greedy": greedy_fig,
        "gain": {
            "pairs_percent": _gain(exact_fig["pairs"], greedy_fig["pairs"]),
            "score_percent": _gain(exact_fig["total_score"], greedy_fig["total_score"]),
        },
        "regions": regions,
        "countries": countries,
        "max_ratio": max((r["ratio"] for r in countries if r["ratio"] is not None), default=None),
    }


# --- publishing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishReport:
    created: int
    skipped_live: int
    skipped_not_open: int

    @property
    def skipped(self) -> int:
        return self.skipped_live + self.skipped_not_open


def round_publish(*, pairing_round: PairingRound, actor: User) -> PublishReport:
    """Turn a done round's pairs into proposals (origin round, state proposed), each with a
    "pairing round <name>" event by `actor`; the round becomes published.

    Pairs whose offers are no longer open, or that meanwhile got a live proposal, are
    skipped and counted. Once only: ValidationError (and no change) for a round that is not
    done or is published already. The round's row lock serialises two publishes of it; the
    partial unique constraint `one_live_proposal_per_pair` settles a race with anyone else
    proposing the same pair (that pair is then skipped).
    """
    with transaction.atomic():
        locked = PairingRound.objects.select_for_update().get(pk=pairing_round.pk)
        if locked.status == RoundStatus.PUBLISHED:
            raise ValidationError(ROUND_ALREADY_PUBLISHED, code=RoundCode.PUBLISHED)
        if locked.status != RoundStatus.DONE:
            raise ValidationError(
                ROUND_NOT_READY,
                code=RoundCode.NOT_DONE,
                params={"status": locked.get_status_display()},
            )
        pairs = RoundPair.objects.filter(pairing_round=locked).order_by("-score", "pk")
        result = proposal_services.proposals_create_bulk(
            actor=actor,
            pairs=[(p.asian_offer_id, p.european_offer_id, p.score, p.explanation) for p in pairs],
            note=f"pairing round {locked.name}",
            pairing_round=locked,
        )
        created, skipped_live = len(result.created), result.skipped_live
        skipped_not_open = result.skipped_not_open
        now = timezone.now()
        report = PublishReport(created, skipped_live, skipped_not_open)
        locked.status = RoundStatus.PUBLISHED
        locked.published_at = now
        locked.stats = {
            **locked.stats,
            "published": {
                "by": actor.pk,
                "created": created,
                "skipped_live": skipped_live,
                "skipped_not_open": skipped_not_open,
            },
        }
        locked.full_clean()
        locked.save(update_fields=["status", "published_at", "stats"])
    pairing_round.refresh_from_db()
    return report


def publish_report_of(pairing_round: PairingRound) -> PublishReport | None:
    """What publishing the round did, from its stats (None when it is not published)."""
    data = (pairing_round.stats or {}).get("published")
    if not data:
        return None
    return PublishReport(data["created"], data["skipped_live"], data["skipped_not_open"])


def round_params_initial(pairing_round: PairingRound) -> dict[str, object]:
    """Form values to run a round again with the same settings."""
    params = RoundParams.from_json(pairing_round.params)
    return {
        "name": pairing_round.name,
        "kinds": list(params.kinds),
        "levels": list(params.levels),
        "asian_countries": list(params.asian_countries),
        "european_countries": list(params.european_countries),
        "institution_cap": params.institution_cap,
        "country_slack": params.country_slack,
        "k": params.k,
    }
