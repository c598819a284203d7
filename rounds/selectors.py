"""Reads of the pairing rounds: which offers a round pairs, and what the pages show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Country
from core.balance_rules import index_reading
from core.locale_names import country_name
from exchanges.models import LIVE_PROPOSAL_STATES, Proposal, ProposalState
from offers.models import Offer, OfferKind, OfferLevel, OfferStatus
from rounds.models import PairingRound, RoundPair
from rounds.params import ASIA, EUROPE, RoundParams


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


# A pair whose latest proposal ended in one of these was refused by someone: a round does
# not propose it again unless one of its offers changed since.
REFUSED_STATES = (
    ProposalState.DECLINED,
    ProposalState.REJECTED,
    ProposalState.WITHDRAWN,
    ProposalState.EXPIRED,
)


def refused_pairs(
    asian_ids: Iterable[int] | None = None, european_ids: Iterable[int] | None = None
) -> set[tuple[int, int]]:
    """The (asian, european) pairs of open offers whose latest proposal ended declined,
    rejected, withdrawn or expired, neither offer having changed (`updated_at`) since that
    proposal ended (its `updated_at`, set by its last transition). Narrowed to the given
    offers when given; one query."""
    rows = Proposal.objects.filter(
        asian_offer__status=OfferStatus.OPEN, european_offer__status=OfferStatus.OPEN
    )
    if asian_ids is not None:
        rows = rows.filter(asian_offer_id__in=list(asian_ids))
    if european_ids is not None:
        rows = rows.filter(european_offer_id__in=list(european_ids))
    latest: dict[tuple[int, int], tuple] = {}
    for a, e, state, ended, a_changed, e_changed in rows.order_by("created_at", "pk").values_list(
        "asian_offer_id",
        "european_offer_id",
        "state",
        "updated_at",
        "asian_offer__updated_at",
        "european_offer__updated_at",
    ):
        latest[(a, e)] = (state, ended, a_changed, e_changed)
    return {
        pair
        for pair, (state, ended, a_changed, e_changed) in latest.items()
        if state in REFUSED_STATES and a_changed <= ended and e_changed <= ended
    }


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
        {
            code: country_name(code, name)
            for code, name in Country.objects.filter(code__in=codes).values_list("code", "name")
        }
        if codes
        else {}
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


def round_params_initial(pairing_round: PairingRound) -> dict[str, object]:
    """Form values to run a round again with the same settings."""
    params = RoundParams.from_json(pairing_round.params)
    return {"name": pairing_round.name, **params.form_initial()}


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

    Adds country names (one query) to the stored stats; see `rounds.figures` for the
    contents.
    """
    stats = pairing_round.stats or {}
    if "exact" not in stats:
        return None
    codes = [row["code"] for row in stats["countries"]]
    names = {
        code: country_name(code, name)
        for code, name in Country.objects.filter(code__in=codes).values_list("code", "name")
    }
    slack = float(stats.get("params", {}).get("country_slack", 0))
    countries = [
        {**row, "name": names.get(row["code"], row["code"]), **_rounding(row, slack)}
        for row in stats["countries"]
    ]
    report = {
        **stats,
        "countries": countries,
        "limit": 1 + slack,
        "over_share": sum(1 for row in countries if row["over_share"]),
    }
    for method in ("exact", "greedy"):
        balance = stats[method]["balance"]
        report[method] = {
            **stats[method],
            "balance": {
                **balance,
                "index_display": _signed(balance["index"], 2),
                "reading": index_reading(balance["index"]),
            },
        }
    report["gain"] = {
        **stats["gain"],
        "pairs_percent_display": _signed(stats["gain"]["pairs_percent"], 1, " %"),
        "score_percent_display": _signed(stats["gain"]["score_percent"], 1, " %"),
    }
    return report


def _rounding(row: dict, slack: float) -> dict[str, object]:
    """Whether a country got more than (1 + slack) × its fair share — possible only
    because its cap is rounded up to whole pairs — and the unrounded cap, to say so."""
    ratio = row.get("ratio")
    over = ratio is not None and ratio > (1 + slack) + 0.005  # the ratio is rounded to 0.01
    return {"over_share": over, "exact_cap": round((1 + slack) * row["fair_pairs"], 2)}


def _signed(value: float | None, decimals: int, unit: str = "") -> str:
    """A figure with its sign, in the active locale's format ("+0.13", "−4.5 %", "—")."""
    if value is None:
        return "—"
    text = number_format(abs(value), decimals)
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{text}{unit}"


@dataclass(frozen=True)
class PublishPreview:
    """What publishing the round now would do (the confirmation page's counts)."""

    proposals: int
    lecturers: int
    institutions: int
    skipped_not_open: int
    skipped_live: int
    skipped_refused: int

    @property
    def skipped(self) -> int:
        return self.skipped_not_open + self.skipped_live + self.skipped_refused


def round_publish_preview(pairing_round: PairingRound) -> PublishPreview:
    """How many proposals publishing would create now, and how many distinct lecturers
    (owners and co-owners of their offers) and institutions they reach; the pairs it would
    skip, by the reasons of `publishing.round_publish`. Read only; a few queries."""
    pairs = list(
        RoundPair.objects.filter(pairing_round=pairing_round).values_list(
            "asian_offer_id", "european_offer_id"
        )
    )
    asian_ids, european_ids = {a for a, _ in pairs}, {e for _, e in pairs}
    offers = dict(
        Offer.objects.filter(pk__in=asian_ids | european_ids, status=OfferStatus.OPEN).values_list(
            "pk", "institution_id"
        )
    )
    live = set(
        Proposal.objects.filter(
            state__in=LIVE_PROPOSAL_STATES,
            asian_offer_id__in=asian_ids,
            european_offer_id__in=european_ids,
        ).values_list("asian_offer_id", "european_offer_id")
    )
    refused = refused_pairs(asian_ids, european_ids)
    not_open = skipped_live = skipped_refused = 0
    kept: set[int] = set()
    for a, e in pairs:
        if a not in offers or e not in offers:
            not_open += 1
        elif (a, e) in live:
            skipped_live += 1
        elif (a, e) in refused:
            skipped_refused += 1
        else:
            kept |= {a, e}
    editors = set(Offer.objects.filter(pk__in=kept).values_list("owner_id", flat=True))
    editors |= set(
        Offer.co_owners.through.objects.filter(offer_id__in=kept).values_list("user_id", flat=True)
    )
    return PublishPreview(
        proposals=len(pairs) - not_open - skipped_live - skipped_refused,
        lecturers=len(editors),
        institutions=len({offers[o] for o in kept}),
        skipped_not_open=not_open,
        skipped_live=skipped_live,
        skipped_refused=skipped_refused,
    )
