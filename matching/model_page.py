"""What the secretariat's model page shows (matching.views.ranking_model)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from matching import outcomes
from matching.features import Weights
from matching.models import RankingModel, SuggestionEvent

COMPONENT_NAMES = {
    "text": _("Text similarity"),
    "isced": _("Field of education (ISCED-F)"),
    "level": _("Level"),
    "overlap": _("Weekly overlap"),
    "size": _("Class sizes"),
    "sdg": _("Shared SDGs"),
    "priority": _("ASEM priority"),
}
HISTORY = 20


def _share(weights: dict, code: str) -> float | None:
    """A weight as a share of all soft weights (only the ratios count)."""
    total = sum(float(weights.get(c) or 0) for c in Weights.SOFT)
    value = weights.get(code)
    return None if value is None or total <= 0 else round(100 * float(value) / total, 1)


def context() -> dict:
    fits = list(RankingModel.objects.all()[:HISTORY])
    latest = fits[0] if fits else None
    active = latest if latest is not None and latest.active else None
    fixed = outcomes.fixed_weights()
    rows = [
        {
            "code": code,
            "name": COMPONENT_NAMES[code],
            "fixed": _share(fixed, code),
            "active": _share(active.weights if active else fixed, code),
            "learned": _share(latest.weights, code) if latest and latest.weights else None,
        }
        for code in Weights.SOFT
    ]
    return {
        "latest": latest,
        "active": active,
        "rows": rows,
        "fits": fits,
        "labelled": outcomes.labelled_pairs(),
        "events": SuggestionEvent.objects.count(),
        "min_outcomes": settings.RANKING_MIN_OUTCOMES,
    }
