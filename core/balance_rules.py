"""The balance rules, in one module without the ORM: who travels in which direction, the
balance index and how it reads. The workflow stamps each proposal's flows with them, the
pairing rounds report with them and the statistics sum them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.vocabulary import VIRTUAL_MOBILITY


def students_per_direction(
    asian_kind: str, asian_students: int, european_kind: str, european_students: int
) -> tuple[int, int]:
    """Participants by direction: (Asia → Europe, Europe → Asia).

    COIL and blended: each side's class counts in its own direction (the Asian class
    works into the European course: Asia → Europe). Virtual mobility: the offer is a host
    course opening seats, so students of the *other* side take them, counted towards the
    host's region and at most as many as the seats; the host's own students stay home.
    Two virtual-mobility offers host each other: both directions count, each capped by the
    other's seats. (One reading everywhere: the workflow stamps it, rounds and the
    statistics count it.)
    """
    vm = VIRTUAL_MOBILITY
    asia_hosts, europe_hosts = asian_kind == vm, european_kind == vm
    a_to_e = 0 if (asia_hosts and not europe_hosts) else asian_students
    e_to_a = 0 if (europe_hosts and not asia_hosts) else european_students
    if europe_hosts:
        a_to_e = min(a_to_e, european_students)
    if asia_hosts:
        e_to_a = min(e_to_a, asian_students)
    return a_to_e, e_to_a


def balance_index(a_to_e: int, e_to_a: int) -> float | None:
    """(A→E − E→A) / (A→E + E→A): 0 is balanced, > 0 leans towards Europe (more Asia →
    Europe); None when nobody moves. Unrounded: rounding is for display and storage."""
    total = a_to_e + e_to_a
    return None if total == 0 else (a_to_e - e_to_a) / total


# --- how an index reads ----------------------------------------------------------------------

# An index this close to 0 reads "balanced": ±0.05 is one participant in twenty, and the
# page rounds to two decimals, so "+0.00 — leans towards Europe" would claim what it
# cannot show.
BALANCED_BAND = 0.05


def index_leaning(index: float | None) -> str:
    """ "none", "balanced", "europe" (more Asia → Europe) or "asia"."""
    if index is None:
        return "none"
    if abs(index) < BALANCED_BAND:
        return "balanced"
    return "europe" if index > 0 else "asia"


LEANING_WORDS = {
    "none": _("nobody moved"),
    "balanced": _("balanced"),
    "europe": _("leans towards Europe"),
    "asia": _("leans towards Asia"),
}


def index_reading(index: float | None) -> str:
    """The index in words: "balanced" within ±BALANCED_BAND, else the side it leans to."""
    return str(LEANING_WORDS[index_leaning(index)])
