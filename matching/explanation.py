"""The explained soft score of one pair — no Django.

The score is the weighted mean (weights from `Weights`) of the components that apply, each
in [0, 1] (see `components`): text cosine; ISCED closeness; level closeness; overlap hours
/ saturation, capped at 1 (applies only when either side wants sync sessions); class-size
ratio; shared SDGs; same priority. Every component gives one `Reason`, in that order, and
two facts behind the hard constraints follow (shared language, shared term).
"""

from __future__ import annotations

import numpy as np

from core.vocabulary import LEVEL_POSITION, cefr_rank
from matching import overlap as ov
from matching.components import (
    ISCED_SAME_BROAD,
    ISCED_SAME_DETAILED,
    ISCED_SAME_NARROW,
    isced_closeness,
    level_closeness,
    overlap_value,
    related_fields,
    sdg_mask,
    sdg_share,
    size_ratio,
)
from matching.constraints import shared_language
from matching.features import OfferFeatures, Weights
from matching.reasons import Match, Reason, _, hours_text, language_name, priority_name, reason


def explain(
    a: OfferFeatures,
    b: OfferFeatures,
    text_similarity: float,
    weights: Weights = Weights(),  # noqa: B008 - frozen, safe as a default
    summary: ov.OverlapSummary | None = None,
) -> Match:
    """Score one pair from `a`'s side, with every reason. Does not check hard constraints
    (see `constraints.hard_failures`); the score is the same as `scoring.suggest` gives
    the pair."""
    w = weights
    sync = a.wants_sync or b.wants_sync
    if sync and summary is None:
        summary = ov.overlap_summary(a, b, max(a.duration_weeks, b.duration_weeks))
    text_v = float(np.clip(text_similarity, 0.0, 1.0))
    text_template = _("text similarity %(similarity)s")
    reasons = [
        reason("text", text_v, w.text, text_template, similarity=f"{text_v:.2f}"),
        _isced_reason(a, b, w),
        _level_reason(a, b, w),
        _overlap_reason(a, b, w, summary if sync else None),
        _size_reason(a, b, w),
        _sdg_reason(a, b, w),
        _priority_reason(a, b, w),
    ]
    total_w = sum(r.weight for r in reasons)
    score = sum(r.value * r.weight for r in reasons) / total_w
    language = _language_reason(a, b, w)
    if language is not None:
        reasons.append(language)
    weeks = ov.term_overlap_weeks(a, b)
    reasons.append(
        reason("term", float(weeks), 0.0, _("%(weeks)s weeks of shared term"), weeks=weeks)
    )
    return Match(a.id, b.id, float(score), tuple(reasons))


def _isced_reason(a: OfferFeatures, b: OfferFeatures, w: Weights) -> Reason:
    value = float(isced_closeness(int(a.isced), int(b.isced)))
    if value == ISCED_SAME_DETAILED:
        return reason("isced", value, w.isced, _("same detailed field %(field)s"), field=a.isced)
    if value == ISCED_SAME_NARROW:
        return reason("isced", value, w.isced, _("same narrow field %(field)s"), field=a.isced[:3])
    if value == ISCED_SAME_BROAD:
        return reason("isced", value, w.isced, _("same broad field %(field)s"), field=a.isced[:2])
    if value > 0 and related_fields(int(a.isced), int(b.isced)):
        template = _("related fields %(field)s and %(other)s")
        return reason("isced", value, w.isced, template, field=a.isced, other=b.isced)
    template = _("different fields %(field)s and %(other)s")
    return reason("isced", value, w.isced, template, field=a.isced, other=b.isced)


def _level_reason(a: OfferFeatures, b: OfferFeatures, w: Weights) -> Reason:
    value = float(level_closeness(LEVEL_POSITION[a.level], LEVEL_POSITION[b.level]))
    names = {x: "non-formal" if x == "nonformal" else f"EQF {x}" for x in (a.level, b.level)}
    # The codes let the web layer name the levels in the reader's language.
    if a.level == b.level:
        template = _("both %(level)s")
        return reason("level", value, w.level, template, level=names[a.level], level_code=a.level)
    template = _("%(level)s and %(other)s")
    return reason(
        "level", value, w.level, template, level=names[a.level], other=names[b.level],
        level_code=a.level, other_code=b.level,
    )  # fmt: skip


def _overlap_reason(
    a: OfferFeatures, b: OfferFeatures, w: Weights, summary: ov.OverlapSummary | None
) -> Reason:
    """The overlap component; `summary` is None exactly when neither side wants sync."""
    if summary is None:
        return reason("overlap", 0.0, 0.0, _("no synchronous sessions wanted"))
    value = float(overlap_value(summary.guaranteed, w.overlap_saturation_hours))
    g = summary.guaranteed
    if g <= 0:
        return reason("overlap", value, w.overlap, _("no weekly overlap"))
    start = summary.best_run_start
    week = start + summary.hours[start : start + summary.need_weeks].index(g)
    found = ov.overlap_slots(a, b, week)
    slots = "; ".join(s.text() for s in found)
    # The spans let the web layer write the slots again in the reader's language.
    params: dict[str, object] = {
        "hours": hours_text(g),
        "slots": slots,
        "slot_spans": [s.span() for s in found],
    }
    if not summary.varies:
        template = _("%(hours)s h a week of overlap: %(slots)s")
        return reason("overlap", value, w.overlap, template, **params)
    # Mostly daylight saving on one side; the weekly list shows exactly when.
    params |= {"low": hours_text(summary.minimum), "high": hours_text(summary.maximum)}
    varying = _(
        "%(hours)s h a week of overlap: %(slots)s (%(low)s–%(high)s h a week across the term)"
    )
    return reason("overlap", value, w.overlap, varying, **params)


def _size_reason(a: OfferFeatures, b: OfferFeatures, w: Weights) -> Reason:
    value = float(size_ratio(a.students, b.students))
    template = _("classes of %(students)s and %(other)s students")
    return reason("size", value, w.size, template, students=a.students, other=b.students)


def _sdg_reason(a: OfferFeatures, b: OfferFeatures, w: Weights) -> Reason:
    value = float(sdg_share(sdg_mask(a.sdgs), sdg_mask(b.sdgs)))
    shared = sorted(a.sdgs & b.sdgs)
    if not shared:
        return reason("sdg", value, w.sdg, _("no shared SDG"))
    if len(shared) == 1:
        return reason("sdg", value, w.sdg, _("SDG %(sdg)s"), sdg=shared[0])
    template = _("SDGs %(sdgs)s and %(last)s")
    listed = ", ".join(map(str, shared[:-1]))
    return reason("sdg", value, w.sdg, template, sdgs=listed, last=shared[-1])


def _priority_reason(a: OfferFeatures, b: OfferFeatures, w: Weights) -> Reason:
    same = bool(a.priority) and a.priority == b.priority
    if not same:
        return reason("priority", float(same), w.priority, _("different priorities"))
    return reason(
        "priority",
        float(same),
        w.priority,
        _("same priority: %(priority)s"),
        priority=priority_name(a.priority),
        priority_code=a.priority,
    )


def _language_reason(a: OfferFeatures, b: OfferFeatures, w: Weights) -> Reason | None:
    """The working language of the pair (a fact, weight 0); None without a shared one."""
    lang = shared_language(a, b, w.max_cefr_gap) or shared_language(a, b)
    if not lang:
        return None
    code, la, lb = lang
    top = max(la, lb, key=cefr_rank)
    name = language_name(code)
    if la == lb:
        template = _("both %(language)s %(level)s")
        params = {"language": name, "level": la, "language_code": code}
    else:
        template = _("%(language)s at %(level)s (%(one)s and %(other)s)")
        params = {"language": name, "level": top, "one": la, "other": lb, "language_code": code}
    return reason("language", float(cefr_rank(top)), 0.0, template, **params)
