"""Learning the soft-score weights from what lecturers did with suggestions. Pure: plain
events in, weights and figures out; `matching.outcomes` reads and writes the rows.

Each suggested pair becomes one example: its component values when it was first seen,
and its gain — 3 completed, 2 accepted, 1 proposed, 0 otherwise (shown or opened only,
hidden, or proposed and then declined). A logistic regression on the components (gain ≥
1 against 0) gives one coefficient per component; negative ones are cut to 0 and the
rest scaled to sum to 1, so they are `Weights` the engine uses as it uses the fixed ones.

Evaluation is on time: the newest pairs (HOLDOUT_SHARE of them) are held out, the model
is fitted on the older ones, and both the learned and the fixed weights score the
held-out pairs exactly as the engine would (the weighted mean of the components that
apply). Figures: AUC over all held-out pairs, and nDCG@10 of each offer's held-out
partners, averaged over the offers with at least one positive. The rule for using the
learned weights (`wins`): better than the fixed ones by at least MIN_IMPROVEMENT on both,
and robustly so (a bootstrap over the held-out offers).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata
from sklearn.linear_model import LogisticRegression

from matching.features import Weights

COMPONENTS = Weights.SOFT
GAIN = {"proposed": 1, "accepted": 2, "completed": 3}
NEGATIVE = ("hidden", "declined")
HOLDOUT_SHARE = 0.25
MIN_IMPROVEMENT = 0.01
NDCG_K = 10
BOOTSTRAP_ROUNDS = 200


@dataclass(frozen=True, slots=True)
class Event:
    """One recorded event: `components` maps a component to its value (None: it did not
    apply to the pair, as the overlap when nobody wants live sessions)."""

    offer: int
    partner: int
    kind: str
    components: Mapping[str, float | None]
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Pair:
    offer: int
    partner: int
    x: np.ndarray  # one value per COMPONENTS; nan where it does not apply
    gain: int
    at: dt.datetime
    labelled: bool  # an explicit outcome, not only shown or opened


@dataclass(frozen=True)
class Fit:
    weights: dict[str, float] | None  # None: nothing to learn (one class only, or no signal)
    metrics: dict[str, float | int | str | None]
    active: bool


def vector(components: Mapping[str, float | None]) -> np.ndarray:
    return np.array(
        [np.nan if components.get(c) is None else float(components[c]) for c in COMPONENTS]
    )


def pairs_of(events: Iterable[Event]) -> list[Pair]:
    """One example per (offer, partner), its components from its first event that has them."""
    first: dict[tuple[int, int], Event] = {}
    seen: dict[tuple[int, int], dt.datetime] = {}
    kinds: dict[tuple[int, int], set[str]] = defaultdict(set)
    for e in sorted(events, key=lambda e: e.at):
        key = (e.offer, e.partner)
        seen.setdefault(key, e.at)
        kinds[key].add(e.kind)
        if key not in first and e.components:
            first[key] = e
    out = []
    for key, e in first.items():
        ks = kinds[key]
        gain = max((GAIN.get(k, 0) for k in ks), default=0)
        if gain <= 1 and ks & set(NEGATIVE):
            gain = 0
        labelled = bool(ks - {"shown", "opened"})
        out.append(Pair(key[0], key[1], vector(e.components), gain, seen[key], labelled))
    return sorted(out, key=lambda p: (p.at, p.offer, p.partner))


def scores(x: np.ndarray, weights: Mapping[str, float]) -> np.ndarray:
    """The engine's soft score: the weighted mean of the components that apply."""
    w = np.array([float(weights.get(c, 0.0)) for c in COMPONENTS])
    applies = ~np.isnan(x)
    w_row = np.where(applies, w, 0.0)
    total = w_row.sum(axis=1)
    s = np.where(applies, x, 0.0) @ w / np.where(total > 0, total, 1.0)
    return np.where(total > 0, s, 0.0)


def split(pairs: list[Pair], share: float = HOLDOUT_SHARE) -> tuple[list[Pair], list[Pair]]:
    """Older pairs to fit on, the newest `share` held out (pairs of the cut's instant go
    to the hold-out, so nothing seen at the same moment lands on both sides)."""
    if not pairs:
        return [], []
    cut = pairs[min(len(pairs) - 1, int(len(pairs) * (1 - share)))].at
    return [p for p in pairs if p.at < cut], [p for p in pairs if p.at >= cut]


def learn(train: list[Pair]) -> dict[str, float] | None:
    """Non-negative weights summing to 1 from a logistic regression; None when the
    examples hold one class only or no component counts positively."""
    y = np.array([p.gain >= 1 for p in train])
    if len(train) < 2 or y.all() or not y.any():
        return None
    x = np.vstack([p.x for p in train])
    means = np.nanmean(np.where(np.isnan(x).all(axis=0), 0.0, x), axis=0)
    x = np.where(np.isnan(x), means, x)
    model = LogisticRegression(class_weight="balanced", max_iter=1000)
    model.fit(x, y)
    coef = np.clip(model.coef_[0], 0.0, None)
    if coef.sum() <= 0:
        return None
    coef = coef / coef.sum()
    return {c: round(float(v), 4) for c, v in zip(COMPONENTS, coef, strict=True)}


def roc_auc(y: np.ndarray, s: np.ndarray) -> float:
    """The area under the ROC curve (Mann-Whitney, ties counted half); sklearn's
    roc_auc_score gives the same, at ten times the cost the bootstrap would pay."""
    r = rankdata(s)
    pos = int(y.sum())
    return float((r[y].sum() - pos * (pos + 1) / 2) / (pos * (len(y) - pos)))


def ndcg_at(gains: np.ndarray, s: np.ndarray, k: int = NDCG_K) -> float:
    """nDCG@k of one offer's partners ranked by `s` (ties in the order given)."""
    discount = 1 / np.log2(np.arange(2, k + 2))
    top = gains[np.argsort(-s, kind="stable")][:k]
    ideal = np.sort(gains)[::-1][:k]
    return float((top * discount[: len(top)]).sum() / (ideal * discount[: len(ideal)]).sum())


def auc(pairs: list[Pair], s: np.ndarray) -> float | None:
    y = np.array([p.gain >= 1 for p in pairs])
    if y.all() or not y.any():
        return None
    return roc_auc(y, s)


def _group_ndcg(pairs: list[Pair], s: np.ndarray, k: int) -> dict[int, float]:
    """nDCG@k of each offer with two or more held-out partners, one of them a gain."""
    groups: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        groups[p.offer].append(i)
    out = {}
    for offer, rows in groups.items():
        gains = np.array([pairs[i].gain for i in rows], dtype=float)
        if len(rows) >= 2 and gains.any():
            out[offer] = ndcg_at(gains, s[rows], k)
    return out


def ndcg(pairs: list[Pair], s: np.ndarray, k: int = NDCG_K) -> float | None:
    """Mean nDCG@k over the offers with two or more held-out partners, one of them a gain."""
    values = list(_group_ndcg(pairs, s, k).values())
    return float(np.mean(values)) if values else None


def evaluate(test: list[Pair], weights: Mapping[str, float]) -> dict[str, float | None]:
    s = scores(np.vstack([p.x for p in test]), weights)
    return {"auc": auc(test, s), "ndcg": ndcg(test, s)}


def wins(
    test: list[Pair],
    learned: Mapping[str, float],
    fixed: Mapping[str, float],
    *,
    margin: float = MIN_IMPROVEMENT,
    rounds: int = BOOTSTRAP_ROUNDS,
) -> bool:
    """Learned beats fixed on the hold-out: by at least `margin` on both AUC and nDCG@10,
    and not by luck — resampling the held-out offers, the 5th percentile of both gains
    stays above 0. (A hold-out of noise often shows a small gain one way or the other.)"""
    x = np.vstack([p.x for p in test])
    sl, sf = scores(x, learned), scores(x, fixed)
    y = np.array([p.gain >= 1 for p in test])
    nl, nf = _group_ndcg(test, sl, NDCG_K), _group_ndcg(test, sf, NDCG_K)
    if y.all() or not y.any() or not nl:
        return False
    offers = np.array([p.offer for p in test])
    ids = np.unique(offers)
    rows = {o: np.flatnonzero(offers == o) for o in ids}
    rng = np.random.default_rng(0)  # the same data, the same decision
    gains = []
    for _ in range(rounds):
        pick = rng.choice(ids, size=len(ids))
        r = np.concatenate([rows[o] for o in pick])
        if y[r].all() or not y[r].any():
            continue
        d_auc = roc_auc(y[r], sl[r]) - roc_auc(y[r], sf[r])
        d_ndcg = [nl[o] - nf[o] for o in pick if o in nl]
        gains.append((d_auc, np.mean(d_ndcg) if d_ndcg else 0.0))
    point = (roc_auc(y, sl) - roc_auc(y, sf), np.mean([nl[o] - nf[o] for o in nl]))
    low = np.percentile(np.array(gains), 5, axis=0) if gains else np.zeros(2)
    return bool(min(point) >= margin and low.min() > 0)


def _figure(v: float | None) -> float | None:
    return None if v is None or math.isnan(v) else round(v, 4)


def fit(pairs: list[Pair], fixed: Mapping[str, float]) -> Fit:
    """Fit on the older pairs, evaluate learned and fixed weights on the newest ones."""
    train, test = split(pairs)
    metrics: dict[str, float | int | str | None] = {
        "train": len(train),
        "holdout": len(test),
        "holdout_positive": sum(p.gain >= 1 for p in test),
        "margin": MIN_IMPROVEMENT,
    }
    weights = learn(train)
    if weights is None or not test:
        metrics["note"] = "nothing to learn"
        return Fit(weights, metrics, False)
    learned_m, fixed_m = evaluate(test, weights), evaluate(test, fixed)
    for name in ("auc", "ndcg"):
        metrics[f"learned_{name}"] = _figure(learned_m[name])
        metrics[f"fixed_{name}"] = _figure(fixed_m[name])
    return Fit(weights, metrics, wins(test, weights, fixed))
