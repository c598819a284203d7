"""The hard constraints of one pair — a pair failing any is never suggested. No Django.

- ``region``: the two offers are in different regions;
- ``language``: both list at least one same working language. The pair works at the
  higher of the two CEFR levels listed for it (that is the level "needed"); with
  `Weights.max_cefr_gap` set, the two levels may differ by at most that many steps;
- ``excluded``: neither offer excludes the other's country;
- ``term``: the shared term has at least max(duration_weeks) whole weeks;
- ``relevance``: the pair shares subject — close fields (`components.isced_closeness` above
  0: same ISCED-F tree or a related-fields pair) or a text cosine of at least
  `Weights.min_text_without_field` (checked only when the cosine is given);
- ``overlap``: when either side wants synchronous sessions, some run of max(duration)
  consecutive shared weeks has at least `Weights.min_overlap_hours` of overlap every week
  (`overlap.OverlapSummary.guaranteed`).

`table.OfferTable` checks the same constraints vectorised, for many offers at once.
"""

from __future__ import annotations

from core.vocabulary import cefr_rank
from matching import overlap as ov
from matching.components import isced_closeness
from matching.features import OfferFeatures, Weights
from matching.reasons import Failure, hours_text

REGION, LANGUAGE, EXCLUDED, TERM, OVERLAP = "region", "language", "excluded", "term", "overlap"
RELEVANCE = "relevance"


def shared_language(a: OfferFeatures, b: OfferFeatures, max_gap: int | None = None):
    """The best shared working language as (code, level a, level b), or None.

    Best = smallest CEFR gap, then lowest working level, then code; with `max_gap`, only
    languages whose levels differ by at most that many steps count.
    """
    mine = dict(a.languages)
    options = []
    for code, level_b in b.languages:
        level_a = mine.get(code)
        if level_a is None:
            continue
        gap = abs(cefr_rank(level_a) - cefr_rank(level_b))
        if max_gap is not None and gap > max_gap:
            continue
        options.append((gap, max(cefr_rank(level_a), cefr_rank(level_b)), code, level_a, level_b))
    if not options:
        return None
    _, _, code, level_a, level_b = min(options)
    return code, level_a, level_b


def hard_failures(
    a: OfferFeatures,
    b: OfferFeatures,
    weights: Weights = Weights(),  # noqa: B008 - frozen, safe as a default
    summary: ov.OverlapSummary | None = None,
    text_similarity: float | None = None,
) -> list[Failure]:
    """Every hard constraint the pair fails (empty = the pair may be suggested).

    `summary` may pass an already computed `overlap.overlap_summary(a, b, need)`; with
    `text_similarity` (the pair's text cosine) the relevance rule is checked too.
    """
    failures = []
    if a.region == b.region:
        failures.append(Failure(REGION, f"both offers are in {a.region.title()}"))
    if shared_language(a, b, weights.max_cefr_gap) is None:
        langs = "no shared working language"
        if weights.max_cefr_gap is not None and shared_language(a, b) is not None:
            langs += f" within {weights.max_cefr_gap} CEFR steps"
        failures.append(Failure(LANGUAGE, langs))
    for x, y in ((a, b), (b, a)):
        if y.country in x.excluded_countries:
            failures.append(Failure(EXCLUDED, f"offer {x.id} excludes partners from {y.country}"))
    if text_similarity is not None and not is_relevant(a, b, text_similarity, weights):
        failures.append(
            Failure(
                RELEVANCE,
                f"fields {a.isced} and {b.isced} are not related and the text similarity "
                f"{text_similarity:.2f} is below {weights.min_text_without_field:.2f}",
            )
        )
    failures.extend(_time_failures(a, b, weights, summary))
    return failures


def is_relevant(a: OfferFeatures, b: OfferFeatures, text_similarity: float, weights: Weights):
    """The relevance rule for one pair (`components.relevant`, as `table` applies it)."""
    if float(isced_closeness(int(a.isced), int(b.isced))) > 0:
        return True
    return text_similarity >= weights.min_text_without_field


def _time_failures(
    a: OfferFeatures, b: OfferFeatures, weights: Weights, summary: ov.OverlapSummary | None
) -> list[Failure]:
    """The term constraint, then (only when the term is long enough) the overlap one."""
    need = max(a.duration_weeks, b.duration_weeks)
    weeks = ov.term_overlap_weeks(a, b)
    if weeks < need:
        return [Failure(TERM, f"{weeks} weeks of shared term, {need} needed")]
    if not (a.wants_sync or b.wants_sync):
        return []
    summary = summary or ov.overlap_summary(a, b, need)
    if summary.guaranteed >= weights.min_overlap_hours - 1e-9:
        return []
    return [
        Failure(
            OVERLAP,
            f"{hours_text(summary.guaranteed)} h a week of overlap over {need} weeks, "
            f"{hours_text(weights.min_overlap_hours)} needed for synchronous sessions",
        )
    ]
