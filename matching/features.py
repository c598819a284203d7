"""What the matching engine needs to know about an offer, as plain data.

No Django here: the web side builds `OfferFeatures` from an `Offer` row and hands them to
the pure modules (`similarity`, `overlap`, `scoring`, `pairing`), which never touch the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.terms import TERM_FIRST_DAY, TERM_LAST_DAY, TERM_MAX_DAYS
from core.vocabulary import CEFR_LEVELS, KINDS, LEVELS, REGIONS

Window = tuple[int, dt.time, dt.time]


@dataclass(frozen=True, slots=True)
class OfferFeatures:
    """One offer, reduced to the fields matching reads.

    Contract (checked in `__post_init__`, ValueError otherwise):
    - `region` in REGIONS, `kind` in KINDS, `level` in LEVELS;
    - `isced` is a 4-digit ISCED-F 2013 detailed code ("0521"); broad = isced[:2],
      narrow = isced[:3];
    - `languages` are (ISO 639-1 code, CEFR level) pairs, each CEFR level in CEFR_LEVELS;
    - `term_start <= term_end`, both inclusive, inside core.terms' window and at most
      TERM_MAX_DAYS apart (the calendar arithmetic stays small); `duration_weeks >= 1`;
    - `windows` are (weekday 0=Mon..6, start, end) in the offer's own `time_zone`, with
      start < end on the same local day; an end of 00:00 means midnight at the end of the
      day. Windows must not overlap each other — `overlap.validate_windows` lists problems
      for forms; matching itself tolerates overlaps (they are merged, never counted twice);
    - `time_zone` is an IANA name known to zoneinfo;
    - `sync_sessions` 0 means no synchronous sessions are wanted;
    - `capacity` is the number of partners sought (usually 1).
    """

    id: int
    region: str
    country: str
    institution_id: int
    kind: str
    isced: str
    level: str
    languages: tuple[tuple[str, str], ...]
    students: int
    term_start: dt.date
    term_end: dt.date
    duration_weeks: int
    time_zone: str
    windows: tuple[Window, ...] = ()
    sync_sessions: int = 0
    sdgs: frozenset[int] = frozenset()
    priority: str = ""
    themes: frozenset[str] = frozenset()
    excluded_countries: frozenset[str] = frozenset()
    capacity: int = 1
    title: str = ""
    description: str = ""
    outcomes: str = ""
    text_language: str = ""  # ISO 639-1 of title and description, "" when not given

    def __post_init__(self) -> None:
        if self.region not in REGIONS:
            raise ValueError(f"offer {self.id}: region must be one of {REGIONS}")
        if self.kind not in KINDS:
            raise ValueError(f"offer {self.id}: kind must be one of {KINDS}")
        if self.level not in LEVELS:
            raise ValueError(f"offer {self.id}: level must be one of {LEVELS}")
        if len(self.isced) != 4 or not self.isced.isdigit():
            raise ValueError(f"offer {self.id}: isced must be a 4-digit detailed code")
        for _lang, cefr in self.languages:
            if cefr not in CEFR_LEVELS:
                raise ValueError(f"offer {self.id}: CEFR level {cefr!r} not in {CEFR_LEVELS}")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"offer {self.id}: unknown time zone {self.time_zone!r}") from exc
        if self.term_end < self.term_start:
            raise ValueError(f"offer {self.id}: term ends before it starts")
        if not (
            self.term_start >= TERM_FIRST_DAY
            and self.term_end <= TERM_LAST_DAY
            and (self.term_end - self.term_start).days <= TERM_MAX_DAYS
        ):
            raise ValueError(f"offer {self.id}: term outside {TERM_FIRST_DAY}–{TERM_LAST_DAY}")
        if self.duration_weeks < 1 or self.capacity < 1 or self.students < 0:
            raise ValueError(f"offer {self.id}: duration and capacity must be positive")

    @property
    def text(self) -> str:
        """The text the similarity model reads."""
        return "\n".join(part for part in (self.title, self.description, self.outcomes) if part)

    @property
    def wants_sync(self) -> bool:
        return self.sync_sessions > 0


@dataclass(frozen=True, slots=True)
class Weights:
    """Soft-score weights and hard-constraint thresholds.

    The soft score is the weighted mean of the components that apply to a pair, so only
    the ratios between weights matter; a weight of 0 switches a component off. The overlap
    component applies only when at least one side wants synchronous sessions.
    """

    # Text leads: it is the only signal of what two courses actually share.
    text: float = 0.50
    isced: float = 0.15
    level: float = 0.10
    overlap: float = 0.10
    size: float = 0.05
    sdg: float = 0.05
    priority: float = 0.05
    # Hard: weekly overlap every week of the exchange, when either side wants sync sessions.
    min_overlap_hours: float = 1.0
    # Soft: weekly overlap hours at which the overlap component reaches 1.
    overlap_saturation_hours: float = 4.0
    # Hard: largest CEFR gap (in steps, A1→B1 is 2) between the two offers' levels in the
    # shared language; None accepts any gap (the pair then works at the higher level).
    max_cefr_gap: int | None = None
    # Hard: the relevance rule. A pair whose fields are not close (ISCED closeness 0) must
    # reach this text cosine to be suggested or paired at all; calibrated on the labelled
    # sets of bench/match_quality.py.
    min_text_without_field: float = 0.12

    SOFT = ("text", "isced", "level", "overlap", "size", "sdg", "priority")

    def __post_init__(self) -> None:
        if any(getattr(self, name) < 0 for name in self.SOFT):
            raise ValueError("weights must not be negative")
        if sum(getattr(self, name) for name in self.SOFT) <= 0:
            raise ValueError("at least one weight must be positive")
        if self.overlap_saturation_hours <= 0:
            raise ValueError("overlap_saturation_hours must be positive")
        if not 0 <= self.min_text_without_field <= 1:
            raise ValueError("min_text_without_field must be between 0 and 1")

    @classmethod
    def from_mapping(cls, values: Mapping[str, float | int | None]) -> Weights:
        """Build from settings (e.g. `settings.MATCHING_WEIGHTS`); unknown keys raise."""
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown matching weights: {sorted(unknown)}")
        return cls(**values)  # type: ignore[arg-type]
