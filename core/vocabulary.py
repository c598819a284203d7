"""The words every app shares, as plain data (no Django: the pure matching core reads them
too). The models' choices add translated labels to these codes, and a test checks that
they agree (tests/test_architecture.py)."""

from __future__ import annotations

REGIONS = ("asia", "europe")

# Offer kinds. Virtual mobility: a host course opens seats to the partner's students.
COIL, VIRTUAL_MOBILITY, BLENDED = "coil", "virtual_mobility", "blended"
KINDS = (COIL, VIRTUAL_MOBILITY, BLENDED)

# Levels: EQF 4 to 8, and non-formal / lifelong learning.
LEVELS = ("4", "5", "6", "7", "8", "nonformal")
# What the statistics show as TVET and lifelong learning.
TVET_AND_LIFELONG_LEVELS = ("4", "5", "nonformal")
# Position of each level on one line, for "level closeness": non-formal / lifelong learning
# sits just below EQF 4 (upper-secondary TVET), the nearest formal level.
LEVEL_POSITION = {"nonformal": 3.0, "4": 4.0, "5": 5.0, "6": 6.0, "7": 7.0, "8": 8.0}

CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")

# Weekdays 0 (Monday) to 6, by their English abbreviations: the import/export format and
# plain-text messages. Pages show the translated names of offers.models.WEEKDAY_CHOICES.
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def cefr_rank(level: str) -> int:
    """0 for A1 … 5 for C2; ValueError for anything else."""
    return CEFR_LEVELS.index(level)
