"""The year-on-year comparison of the headline figures: the selected year against the one
before, with the same filters and scope. Each change reads in words as well as by its
sign ("up 4 from 12"), never by colour alone."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from balance.templatetags.balance import MINUS, fmt_index, fmt_int
from core.balance_rules import BALANCED_BAND, index_reading

FIGURES = [
    ("exchanges", gettext_lazy("Approved exchanges"), "int"),
    ("a_to_e", gettext_lazy("Participants Asia → Europe"), "int"),
    ("e_to_a", gettext_lazy("Participants Europe → Asia"), "int"),
    ("index", gettext_lazy("Balance index"), "index"),
]


@dataclass
class Change:
    key: str
    label: str
    now: str
    before: str
    delta: str  # "+4", "−0.12", "±0" or "—"
    direction: str  # up, down, same, none
    words: str


def _signed_int(delta: int) -> str:
    if delta == 0:
        return "±0"
    return ("+" if delta > 0 else MINUS) + fmt_int(abs(delta))


def _count(key: str, label: str, now: int, before: int) -> Change:
    delta = now - before
    if delta > 0:
        words = _("up %(delta)s from %(before)s") % {
            "delta": fmt_int(delta),
            "before": fmt_int(before),
        }
        direction = "up"
    elif delta < 0:
        words = _("down %(delta)s from %(before)s") % {
            "delta": fmt_int(-delta),
            "before": fmt_int(before),
        }
        direction = "down"
    else:
        words, direction = _("unchanged from %(before)s") % {"before": fmt_int(before)}, "same"
    return Change(key, label, fmt_int(now), fmt_int(before), _signed_int(delta), direction, words)


def _index(label: str, now: float | None, before: float | None) -> Change:
    if now is None or before is None:
        words = (
            _("no participants in the year before")
            if before is None
            else _("no participants this year")
        )
        return Change("index", label, fmt_index(now), fmt_index(before), "—", "none", words)
    delta = round(now, 2) - round(before, 2)
    if abs(delta) < BALANCED_BAND / 5:  # within 0.01: the same at the page's rounding
        direction, sign = "same", "±0.00"
        words = _("about the same as %(before)s (%(reading)s)")
    else:
        direction = "up" if delta > 0 else "down"
        sign = fmt_index(delta)
        words = (
            _("moved towards Europe from %(before)s (%(reading)s)")
            if delta > 0
            else _("moved towards Asia from %(before)s (%(reading)s)")
        )
    words = words % {"before": fmt_index(before), "reading": index_reading(before)}
    return Change("index", label, fmt_index(now), fmt_index(before), sign, direction, words)


def year_on_year(now: dict, before: dict) -> list[Change]:
    """The headline figures of two summaries (balance.folds.Folds.summary)."""
    out = []
    for key, label, kind in FIGURES:
        if kind == "index":
            out.append(_index(str(label), now[key], before[key]))
        else:
            out.append(_count(key, str(label), now[key], before[key]))
    return out
