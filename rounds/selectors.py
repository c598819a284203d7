"""Reads of the pairing rounds: which offers a round pairs, and what the pages show."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Country
from exchanges.models import LIVE_PROPOSAL_STATES, Proposal
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
