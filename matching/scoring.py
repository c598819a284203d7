"""Hard constraints, explained soft scores and ranked suggestions — plain data, no Django.

Hard constraints (a pair failing any is never suggested):
- ``region``: the two offers are in different regions;
- ``language``: both list at least one same working language. The pair works at the
  higher of the two CEFR levels listed for it (that is the level "needed"); with
  `Weights.max_cefr_gap` set, the two levels may differ by at most that many steps;
- ``excluded``: neither offer excludes the other's country;
- ``term``: the shared term has at least max(duration_weeks) whole weeks;
- ``overlap``: when either side wants synchronous sessions, some run of max(duration)
  consecutive shared weeks has at least `Weights.min_overlap_hours` of overlap every week
  (`overlap.OverlapSummary.guaranteed`).

Soft score: the weighted mean (weights from `Weights`) of the components that apply, each
in [0, 1] — text cosine; ISCED closeness (same detailed 1 > same narrow 0.6 > same broad
0.3 > none 0); level closeness 1 − |Δ|/4 on EQF 4..8 with non-formal at 3; overlap hours
/ saturation, capped at 1 (applies only when either side wants sync sessions); class-size
ratio smaller/larger; shared SDGs / the smaller SDG set; same priority 1 else 0.

Every score carries `Reason`s, one per component plus the facts behind the hard
constraints (language, shared term), as structured data for templates and the API.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.vocabulary import LEVEL_POSITION, cefr_rank
from matching import overlap as ov
from matching.features import OfferFeatures, Weights

if TYPE_CHECKING:
    from matching.similarity import TextModel

REGION, LANGUAGE, EXCLUDED, TERM, OVERLAP = "region", "language", "excluded", "term", "overlap"

ISCED_SAME_DETAILED, ISCED_SAME_NARROW, ISCED_SAME_BROAD = 1.0, 0.6, 0.3

LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "cs": "Czech", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian",
    "fi": "Finnish", "fil": "Filipino", "fr": "French", "ga": "Irish", "hi": "Hindi",
    "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "kk": "Kazakh", "km": "Khmer", "ko": "Korean", "lo": "Lao", "lt": "Lithuanian",
    "lv": "Latvian", "mn": "Mongolian", "ms": "Malay", "mt": "Maltese", "my": "Burmese",
    "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sv": "Swedish", "th": "Thai",
    "tl": "Tagalog", "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip

PRIORITY_NAMES = {
    "quality_recognition": "quality assurance and recognition",
    "business_industry": "business and industry",
    "balanced_mobility": "balanced mobility",
    "lifelong_learning": "lifelong learning incl. TVET",
}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def priority_name(code: str) -> str:
    return PRIORITY_NAMES.get(code, code.replace("_", " "))


@dataclass(frozen=True, slots=True)
class Reason:
    """One line of an explanation.

    For a soft component `value` is its score in [0, 1] and `weight` its weight in this
    pair's score (0 when the component does not apply); for a fact behind a hard
    constraint (codes ``language``, ``term``) `weight` is 0 and `value` the figure itself
    (CEFR rank of the working level, shared weeks).
    """

    code: str
    value: float
    weight: float
    text: str
    # The English sentence before its values were put in, and those values: the web layer
    # translates `template` and fills in `params` again (see `_` below).
    template: str = ""
    params: tuple[tuple[str, object], ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "value": self.value,
            "weight": self.weight,
            "text": self.text,
            "template": self.template or self.text,
            "params": dict(self.params),
        }


def _(message: str) -> str:
    """Marks a sentence for translation (gettext extracts `_()` calls) without importing
    Django: the sentence stays English here, and the web layer translates it."""
    return message


def _reason(code: str, value: float, weight: float, template: str, **params) -> Reason:
    return Reason(code, value, weight, template % params, template, tuple(params.items()))


@dataclass(frozen=True, slots=True)
class Failure:
    """A hard constraint a pair fails: `code` is one of the module's constraint codes."""

    code: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True, slots=True)
class Match:
    """A scored pair seen from `offer_id`; `reasons` explain `score` component by component."""

    offer_id: int
    partner_id: int
    score: float
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "offer_id": self.offer_id,
            "partner_id": self.partner_id,
            "score": round(self.score, 4),
            "reasons": [r.as_dict() for r in self.reasons],
        }


# ---------------------------------------------------------------- components
# Each works on scalars and on numpy arrays alike, so the vectorised ranking and the
# one-pair explanation cannot drift apart.


def isced_closeness(a, b):
    """ISCED codes as ints (e.g. 521): detailed 1.0 > narrow 0.6 > broad 0.3 > 0."""
    return np.where(
        a == b,
        ISCED_SAME_DETAILED,
        np.where(
            a // 10 == b // 10,
            ISCED_SAME_NARROW,
            np.where(a // 100 == b // 100, ISCED_SAME_BROAD, 0.0),
        ),
    )


def level_closeness(a, b):
    """Level positions (`core.vocabulary.LEVEL_POSITION`): 1 − |a − b| / 4, floored at 0."""
    return np.clip(1.0 - np.abs(a - b) / 4.0, 0.0, 1.0)


def size_ratio(a, b):
    """Smaller class / larger class; 1 when both are 0."""
    hi = np.maximum(a, b)
    return np.where(hi > 0, np.minimum(a, b) / np.maximum(hi, 1), 1.0)


def sdg_share(a, b):
    """SDG bitmasks: shared goals / goals of the smaller set; 0 when either has none."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    small = np.minimum(np.bitwise_count(a), np.bitwise_count(b))
    return np.where(small > 0, np.bitwise_count(a & b) / np.maximum(small, 1), 0.0)


def overlap_value(hours, saturation: float):
    return np.minimum(np.asarray(hours, dtype=np.float64) / saturation, 1.0)


def sdg_mask(sdgs: frozenset[int]) -> int:
    return sum(1 << (n - 1) for n in sdgs if 1 <= n <= 17)


def _hours(h: float) -> str:
    return f"{h:.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- one pair


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
) -> list[Failure]:
    """Every hard constraint the pair fails (empty = the pair may be suggested).

    `summary` may pass an already computed `overlap.overlap_summary(a, b, need)`.
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
    need = max(a.duration_weeks, b.duration_weeks)
    weeks = ov.term_overlap_weeks(a, b)
    if weeks < need:
        failures.append(Failure(TERM, f"{weeks} weeks of shared term, {need} needed"))
    elif a.wants_sync or b.wants_sync:
        summary = summary or ov.overlap_summary(a, b, need)
        if summary.guaranteed < weights.min_overlap_hours - 1e-9:
            failures.append(
                Failure(
                    OVERLAP,
                    f"{_hours(summary.guaranteed)} h a week of overlap over {need} weeks, "
                    f"{_hours(weights.min_overlap_hours)} needed for synchronous sessions",
                )
            )
    return failures


def _overlap_text(
    a: OfferFeatures, b: OfferFeatures, summary: ov.OverlapSummary
) -> tuple[str, dict[str, object]]:
    g = summary.guaranteed
    if g <= 0:
        return _("no weekly overlap"), {}
    week = summary.best_run_start + summary.hours[
        summary.best_run_start : summary.best_run_start + summary.need_weeks
    ].index(g)
    slots = "; ".join(s.text() for s in ov.overlap_slots(a, b, week))
    params: dict[str, object] = {"hours": _hours(g), "slots": slots}
    if summary.varies:
        # Mostly daylight saving on one side; the weekly list shows exactly when.
        params |= {"low": _hours(summary.minimum), "high": _hours(summary.maximum)}
        varying = _(
            "%(hours)s h a week of overlap: %(slots)s (%(low)s–%(high)s h a week across the term)"
        )
        return varying, params
    return _("%(hours)s h a week of overlap: %(slots)s"), params


def explain(
    a: OfferFeatures,
    b: OfferFeatures,
    text_similarity: float,
    weights: Weights = Weights(),  # noqa: B008
    summary: ov.OverlapSummary | None = None,
) -> Match:
    """Score one pair from `a`'s side, with every reason. Does not check hard constraints
    (see `hard_failures`); the score is the same as `suggest` gives the pair."""
    need = max(a.duration_weeks, b.duration_weeks)
    sync = a.wants_sync or b.wants_sync
    if sync and summary is None:
        summary = ov.overlap_summary(a, b, need)
    w = weights
    reasons = []
    text_v = float(np.clip(text_similarity, 0.0, 1.0))
    reasons.append(
        _reason(
            "text", text_v, w.text, _("text similarity %(similarity)s"), similarity=f"{text_v:.2f}"
        )
    )

    ia, ib = int(a.isced), int(b.isced)
    isced_v = float(isced_closeness(ia, ib))
    if isced_v == ISCED_SAME_DETAILED:
        isced_r = (_("same detailed field %(field)s"), {"field": a.isced})
    elif isced_v == ISCED_SAME_NARROW:
        isced_r = (_("same narrow field %(field)s"), {"field": a.isced[:3]})
    elif isced_v == ISCED_SAME_BROAD:
        isced_r = (_("same broad field %(field)s"), {"field": a.isced[:2]})
    else:
        isced_r = (
            _("different fields %(field)s and %(other)s"),
            {"field": a.isced, "other": b.isced},
        )
    reasons.append(_reason("isced", isced_v, w.isced, isced_r[0], **isced_r[1]))

    level_v = float(level_closeness(LEVEL_POSITION[a.level], LEVEL_POSITION[b.level]))
    names = {x: "non-formal" if x == "nonformal" else f"EQF {x}" for x in (a.level, b.level)}
    if a.level == b.level:
        level_r = (_("both %(level)s"), {"level": names[a.level]})
    else:
        level_r = (_("%(level)s and %(other)s"), {"level": names[a.level], "other": names[b.level]})
    reasons.append(_reason("level", level_v, w.level, level_r[0], **level_r[1]))

    if sync:
        hours_v = float(overlap_value(summary.guaranteed, w.overlap_saturation_hours))
        template, params = _overlap_text(a, b, summary)
        reasons.append(_reason("overlap", hours_v, w.overlap, template, **params))
    else:
        reasons.append(_reason("overlap", 0.0, 0.0, _("no synchronous sessions wanted")))

    size_v = float(size_ratio(a.students, b.students))
    reasons.append(
        _reason(
            "size",
            size_v,
            w.size,
            _("classes of %(students)s and %(other)s students"),
            students=a.students,
            other=b.students,
        )
    )

    sdg_v = float(sdg_share(sdg_mask(a.sdgs), sdg_mask(b.sdgs)))
    shared = sorted(a.sdgs & b.sdgs)
    if not shared:
        sdg_r = (_("no shared SDG"), {})
    elif len(shared) == 1:
        sdg_r = (_("SDG %(sdg)s"), {"sdg": shared[0]})
    else:
        sdg_r = (
            _("SDGs %(sdgs)s and %(last)s"),
            {"sdgs": ", ".join(map(str, shared[:-1])), "last": shared[-1]},
        )
    reasons.append(_reason("sdg", sdg_v, w.sdg, sdg_r[0], **sdg_r[1]))

    same = bool(a.priority) and a.priority == b.priority
    if same:
        prio_r = (
            _("same priority: %(priority)s"),
            {"priority": priority_name(a.priority), "priority_code": a.priority},
        )
    else:
        prio_r = (_("different priorities"), {})
    reasons.append(_reason("priority", float(same), w.priority, prio_r[0], **prio_r[1]))

    total_w = sum(r.weight for r in reasons)
    score = sum(r.value * r.weight for r in reasons) / total_w

    lang = shared_language(a, b, w.max_cefr_gap) or shared_language(a, b)
    if lang:
        code, la, lb = lang
        top = max(la, lb, key=cefr_rank)
        name = language_name(code)
        if la == lb:
            lang_r = (
                _("both %(language)s %(level)s"),
                {"language": name, "level": la, "language_code": code},
            )
        else:
            lang_r = (
                _("%(language)s at %(level)s (%(one)s and %(other)s)"),
                {"language": name, "level": top, "one": la, "other": lb, "language_code": code},
            )
        reasons.append(_reason("language", float(cefr_rank(top)), 0.0, lang_r[0], **lang_r[1]))
    weeks = ov.term_overlap_weeks(a, b)
    reasons.append(
        _reason("term", float(weeks), 0.0, _("%(weeks)s weeks of shared term"), weeks=weeks)
    )
    return Match(a.id, b.id, float(score), tuple(reasons))


# ---------------------------------------------------------------- many offers


class OfferTable:
    """Offers as columns of numpy arrays, for vectorised filtering and scoring.

    Build once per model load (≈1 s per 100k offers) and reuse for every request; rows
    follow the order of `offers`. Holds the `OfferFeatures` too, for explanations.
    """

    def __init__(self, offers: Sequence[OfferFeatures]) -> None:
        self.offers = list(offers)
        n = len(self.offers)
        self.ids = np.array([o.id for o in self.offers], dtype=np.int64)
        self.row_of = {int(i): r for r, i in enumerate(self.ids)}
        if len(self.row_of) != n:
            raise ValueError("offer ids must be unique")
        self.asia = np.array([o.region == "asia" for o in self.offers], dtype=bool)
        self.countries = sorted({o.country for o in self.offers})
        code = {c: i for i, c in enumerate(self.countries)}
        self.country = np.array([code[o.country] for o in self.offers], dtype=np.int32)
        self.institution = np.array([o.institution_id for o in self.offers], dtype=np.int64)
        self.isced = np.array([int(o.isced) for o in self.offers], dtype=np.int32)
        self.level = np.array([LEVEL_POSITION[o.level] for o in self.offers], dtype=np.float64)
        self.students = np.array([o.students for o in self.offers], dtype=np.float64)
        self.start = np.array([o.term_start.toordinal() for o in self.offers], dtype=np.int64)
        self.end = np.array([o.term_end.toordinal() for o in self.offers], dtype=np.int64)
        self.duration = np.array([o.duration_weeks for o in self.offers], dtype=np.int64)
        self.sync = np.array([o.wants_sync for o in self.offers], dtype=bool)
        self.sdg = np.array([sdg_mask(o.sdgs) for o in self.offers], dtype=np.int64)
        self.priorities = sorted({o.priority for o in self.offers if o.priority})
        pcode = {p: i for i, p in enumerate(self.priorities)}
        self.priority = np.array([pcode.get(o.priority, -1) for o in self.offers], dtype=np.int32)
        self.cefr: dict[str, np.ndarray] = {}
        for r, o in enumerate(self.offers):
            for lang, level in o.languages:
                col = self.cefr.setdefault(lang, np.full(n, -1, dtype=np.int8))
                col[r] = max(col[r], cefr_rank(level))
        # excludes[c][r]: offer r excludes partners from country c.
        self.excludes: dict[str, np.ndarray] = {}
        for r, o in enumerate(self.offers):
            for c in o.excluded_countries:
                self.excludes.setdefault(c, np.zeros(n, dtype=bool))[r] = True
        self.years = (
            (
                dt.date.fromordinal(int(self.start.min())).year,
                dt.date.fromordinal(int(self.end.max())).year,
            )
            if n
            else (2000, 2000)
        )
        masks = np.zeros((n, ov.MASK_WORDS), dtype=np.uint64)
        for r, o in enumerate(self.offers):
            if o.windows:
                masks[r] = ov.weekly_mask(o.time_zone, tuple(o.windows), *self.years)
        self.masks = masks
        self._model_rows: tuple[TextModel, np.ndarray | None] | None = None

    def __len__(self) -> int:
        return len(self.offers)

    def take(self, rows: np.ndarray) -> OfferTable:
        """A table of these rows only (arrays sliced once, so ranking many queries against
        the same candidates skips the gather on every call)."""
        rows = np.asarray(rows, dtype=np.int64)
        sub = OfferTable.__new__(OfferTable)
        for name, value in self.__dict__.items():
            if isinstance(value, np.ndarray):
                value = value[rows]
            elif name in ("cefr", "excludes"):
                value = {key: col[rows] for key, col in value.items()}
            setattr(sub, name, value)
        sub.offers = [self.offers[r] for r in rows.tolist()]
        sub.row_of = {int(i): r for r, i in enumerate(sub.ids)}
        sub._model_rows = None
        return sub

    def text_scores(self, model: TextModel, scores: np.ndarray) -> np.ndarray:
        """Model scores (one per model row) re-ordered to this table's rows (0 if unknown).

        For speed, call once per request with `model.scores(vector)`; the row mapping is
        cached per model.
        """
        cached = self._model_rows
        if cached is None or cached[0] is not model:
            rows = model.rows_of(self.ids)
            # Same offers in the same order (the usual case): no gather per request.
            same = len(rows) == len(model) and bool((rows == np.arange(len(rows))).all())
            cached = (model, None if same else rows)
            self._model_rows = cached
        rows = cached[1]
        if rows is None:
            return np.asarray(scores, dtype=np.float32)
        return np.where(rows >= 0, scores[np.maximum(rows, 0)], 0.0).astype(np.float32)

    # ------------------------------------------------------------ ranking

    def _hard(self, q: OfferFeatures, rows: np.ndarray | slice, weights: Weights) -> np.ndarray:
        """Vectorised hard constraints on `rows` (an index array, or slice(None) for all
        rows without a gather), all but overlap (see `rank`)."""
        ok = self.asia[rows] != (q.region == "asia")
        lang_ok = np.zeros(len(ok), dtype=bool)
        for lang, level in q.languages:
            col = self.cefr.get(lang)
            if col is None:
                continue
            theirs = col[rows]
            hit = theirs >= 0
            if weights.max_cefr_gap is not None:
                # A table row keeps the highest level per language; offers list each once.
                gap = np.abs(theirs.astype(np.int64) - cefr_rank(level))
                hit &= gap <= weights.max_cefr_gap
            lang_ok |= hit
        ok &= lang_ok
        if q.excluded_countries:
            banned = [self.countries.index(c) for c in q.excluded_countries if c in self.countries]
            ok &= ~np.isin(self.country[rows], banned)
        if q.country in self.excludes:
            ok &= ~self.excludes[q.country][rows]
        qs, qe = q.term_start.toordinal(), q.term_end.toordinal()
        weeks = (np.minimum(self.end[rows], qe) - np.maximum(self.start[rows], qs) + 1) // 7
        ok &= weeks >= np.maximum(self.duration[rows], q.duration_weeks)
        return ok

    def _years_with(self, q: OfferFeatures) -> tuple[int, int]:
        return min(self.years[0], q.term_start.year), max(self.years[1], q.term_end.year)

    def rank(
        self,
        q: OfferFeatures,
        text: np.ndarray,
        weights: Weights,
        k: int,
        rows: np.ndarray | None = None,
        overlaps: dict[tuple[int, int], ov.OverlapSummary] | None = None,
    ) -> list[tuple[int, float, ov.OverlapSummary | None]]:
        """Exact top-k (row, score, overlap summary) among `rows` (default: all) for `q`,
        best first, only pairs passing every hard constraint.

        `text[i]` is the text cosine of `rows[i]` (of row i when `rows` is None).
        Branch and bound: the cheap filters and components are vectorised; candidates are
        then visited in order of an upper bound of their score (the overlap part bounded
        by `overlap.weekly_mask`), and the exact weekly overlap is computed only until no
        remaining bound can beat the k-th score found — the result equals scoring every
        pair. Ties at the k-th place are broken arbitrarily.

        `overlaps` optionally memoises exact overlap summaries by (smaller id, larger id)
        across calls — the summary of a pair is the same from either side.
        """
        w = weights
        text = np.asarray(text)
        if rows is None:
            picked = np.flatnonzero(self._hard(q, slice(None), w))
            rows = picked
        else:
            rows = np.asarray(rows, dtype=np.int64)
            picked = np.flatnonzero(self._hard(q, rows, w))
            rows = rows[picked]
        text = text[picked]
        sync = self.sync[rows] | q.wants_sync
        bound = np.zeros(len(rows))
        if sync.any():
            qmask = ov.weekly_mask(q.time_zone, tuple(q.windows), *self._years_with(q))
            bound[sync] = ov.mask_hours(qmask, self.masks[rows[sync]])
            keep = ~sync | (bound >= w.min_overlap_hours - 1e-9)
            rows, text, sync, bound = rows[keep], text[keep], sync[keep], bound[keep]
        if k <= 0 or not len(rows):
            return []
        partial = (
            w.text * np.clip(text, 0.0, 1.0)
            + w.isced * isced_closeness(self.isced[rows], int(q.isced))
            + w.level * level_closeness(self.level[rows], LEVEL_POSITION[q.level])
            + w.size * size_ratio(self.students[rows], float(q.students))
            + w.sdg * sdg_share(self.sdg[rows], sdg_mask(q.sdgs))
        )
        if q.priority in self.priorities:
            same = self.priority[rows] == self.priorities.index(q.priority)
            partial = partial + w.priority * same
        denom = w.text + w.isced + w.level + w.size + w.sdg + w.priority + w.overlap * sync
        sat = w.overlap_saturation_hours
        upper = (partial + w.overlap * sync * overlap_value(bound, sat)) / denom

        heap: list[tuple[float, int, int, ov.OverlapSummary | None]] = []
        for i in _by_bound(upper, max(4 * k, 256)):
            if len(heap) == k and heap[0][0] >= upper[i]:
                break
            row = int(rows[i])
            summary = None
            score = partial[i] / denom[i]
            if sync[i]:
                other = self.offers[row]
                need = max(q.duration_weeks, other.duration_weeks)
                key = (min(q.id, other.id), max(q.id, other.id))
                summary = overlaps.get(key) if overlaps is not None else None
                if summary is None:
                    summary = ov.overlap_summary(q, other, need)
                    if overlaps is not None:
                        overlaps[key] = summary
                if summary.guaranteed < w.min_overlap_hours - 1e-9:
                    continue
                score = (partial[i] + w.overlap * overlap_value(summary.guaranteed, sat)) / denom[i]
            item = (float(score), -int(self.ids[row]), row, summary)
            if len(heap) < k:
                heapq.heappush(heap, item)
            elif item[:2] > heap[0][:2]:
                heapq.heapreplace(heap, item)
        best = sorted(heap, key=lambda t: (-t[0], -t[1]))
        return [(row, score, summary) for score, _, row, summary in best]


def _by_bound(upper: np.ndarray, head: int):
    """Indices of `upper` from largest to smallest, sorting the tail only if reached."""
    if len(upper) <= head:
        yield from np.argsort(-upper, kind="stable").tolist()
        return
    first = np.argpartition(-upper, head - 1)[:head]
    yield from first[np.argsort(-upper[first], kind="stable")].tolist()
    rest = np.ones(len(upper), dtype=bool)
    rest[first] = False
    rest = np.flatnonzero(rest)
    yield from rest[np.argsort(-upper[rest], kind="stable")].tolist()


def suggest(
    query: OfferFeatures,
    candidates: OfferTable | Sequence[OfferFeatures],
    text_scores: np.ndarray | Mapping[int, float],
    weights: Weights = Weights(),  # noqa: B008
    k: int = 10,
) -> list[Match]:
    """The k best partners for `query` among `candidates`, best first, each explained.

    `candidates` is ideally an `OfferTable` built once per process (a plain sequence is
    converted on every call — fine for tests, slow at scale). `text_scores` gives the text
    cosine per candidate: an array aligned with the candidates' rows (fast; see
    `OfferTable.text_scores`) or a mapping id → score (missing ids score 0). The query may
    be among the candidates: the region constraint excludes it.
    """
    table = candidates if isinstance(candidates, OfferTable) else OfferTable(candidates)
    if isinstance(text_scores, Mapping):
        text = np.array([text_scores.get(int(i), 0.0) for i in table.ids], dtype=np.float32)
    else:
        text = np.asarray(text_scores, dtype=np.float32)
        if text.shape != (len(table),):
            raise ValueError("text_scores must have one score per candidate")
    ranked = table.rank(query, text, weights, k)
    out = []
    for row, _score, summary in ranked:
        out.append(explain(query, table.offers[row], float(text[row]), weights, summary))
    return out


def candidate_edges(
    table: OfferTable,
    model: TextModel,
    weights: Weights = Weights(),  # noqa: B008
    k: int = 10,
    *,
    pool: int | None = None,
    batch_size: int = 256,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidate graph of a pairing round: (asian ids, european ids, scores).

    For every offer of the table, its top-k partners from the other region by soft score
    among those passing every hard constraint; the union of both directions, each pair
    once. Every offer must be in `model`. Text cosines come from batched sparse products
    (one batch × the other region at a time, never all pairs at once). With `pool`, only
    each offer's `pool` best by text are considered — faster, no longer exact.
    """
    found: dict[tuple[int, int], float] = {}
    overlaps: dict[tuple[int, int], ov.OverlapSummary] = {}
    for side in (table.asia, ~table.asia):
        queries = np.flatnonzero(side)
        others = np.flatnonzero(~side)
        if not len(queries) or not len(others):
            continue
        model_cols = model.rows_of(table.ids[others])
        if (model_cols < 0).any():
            raise KeyError("every offer of the table must be in the text model")
        targets = model.subset(model_cols)
        partners = table.take(others)
        vectors = model.rows(table.ids[queries])
        for lo in range(0, len(queries), batch_size):
            batch = queries[lo : lo + batch_size]
            block = targets.score_block(vectors[lo : lo + batch_size])
            for j, qrow in enumerate(batch):
                q = table.offers[qrow]
                text, rows = block[j], None
                if pool is not None and pool < len(others):
                    rows = np.argpartition(-text, pool - 1)[:pool]
                    text = text[rows]
                for row, score, _ in partners.rank(q, text, weights, k, rows, overlaps):
                    other = int(partners.ids[row])
                    found[(q.id, other) if q.region == "asia" else (other, q.id)] = score
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    keys = np.array(list(found), dtype=np.int64)
    return keys[:, 0], keys[:, 1], np.array(list(found.values()), dtype=np.float64)
