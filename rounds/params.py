"""What a pairing round is asked to do: its parameters and limits, and the words it says
(messages for the secretariat, progress notes, run-time errors). No queries here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.vocabulary import REGIONS

ASIA, EUROPE = REGIONS

DEFAULT_INSTITUTION_CAP = 3
DEFAULT_COUNTRY_SLACK = 0.2
DEFAULT_K = 10
# Below this score a candidate pair never enters the round (docs/pairing_rounds.md: the
# demo round's distribution). Rounds stored before the parameter existed had no floor.
DEFAULT_MIN_SCORE = 0.35
LEGACY_MIN_SCORE = 0.0
MAX_INSTITUTION_CAP = 100
MAX_COUNTRY_SLACK = 5.0
MAX_K = 50
MAX_MIN_SCORE = 0.95

# --- messages (tests import them) ---------------------------------------------------------

NO_OFFERS_IN_ASIA = _(
    "No open offer in Asia without a live proposal matches these filters; a round needs "
    "offers on both sides."
)
NO_OFFERS_IN_EUROPE = _(
    "No open offer in Europe without a live proposal matches these filters; a round needs "
    "offers on both sides."
)
ROUND_NOT_READY = _(
    "Only a finished round can be published; this round is “%(status)s”. Nothing was changed."
)
ROUND_ALREADY_PUBLISHED = _("This round has been published already. Nothing was changed.")
BAD_PARAMS = _("The settings of this round are not valid: %(problem)s")
UNDO_NOT_PUBLISHED = _("Only a published round can be undone. Nothing was changed.")
UNDO_TOO_LATE = _(
    "The grace period of this round is over: its proposals have been sent to the lecturers "
    "and can no longer be undone. Nothing was changed."
)
UNDO_TOUCHED = _(
    "A lecturer has already acted on %(count)d of this round's proposals (answered it or "
    "wrote in its chat), so the round cannot be undone: that answer must not be erased. "
    "Nothing was changed; the proposals go out at the end of the grace period."
)

# Progress notes and run-time errors are stored in English and translated when shown
# (`{% translate round.progress_note %}`): the worker has no viewer and no language.
NOTE_QUEUED = gettext_noop("Waiting for a worker")
NOTE_LOADING = gettext_noop("Loading the offers")
NOTE_MODEL = gettext_noop("Preparing the text model")
NOTE_CANDIDATES = gettext_noop("Finding candidate partners")
NOTE_EXACT = gettext_noop("Computing the best pairing")
NOTE_GREEDY = gettext_noop("Computing the greedy baseline")
NOTE_EXPLAIN = gettext_noop("Explaining the pairs")
NOTE_STORING = gettext_noop("Storing the pairs")
NOTE_DONE = gettext_noop("Done")
ERROR_NO_ASIA = gettext_noop(
    "When the round ran, no open offer in Asia without a live proposal matched its filters."
)
ERROR_NO_EUROPE = gettext_noop(
    "When the round ran, no open offer in Europe without a live proposal matched its filters."
)


@dataclass(frozen=True)
class RoundParams:
    """Which offers a round pairs and within which limits; stored as `PairingRound.params`.

    Empty filters mean "all": `kinds` and `levels` narrow both sides, the country lists
    narrow their own region only (a round for three Asian countries still sees all of
    Europe).
    """

    kinds: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    asian_countries: tuple[str, ...] = ()
    european_countries: tuple[str, ...] = ()
    institution_cap: int = DEFAULT_INSTITUTION_CAP
    country_slack: float = DEFAULT_COUNTRY_SLACK
    k: int = DEFAULT_K
    min_score: float = DEFAULT_MIN_SCORE

    def problems(self) -> list[str]:
        out = []
        if not 1 <= self.institution_cap <= MAX_INSTITUTION_CAP:
            out.append(f"institution_cap must lie in 1..{MAX_INSTITUTION_CAP}")
        if not 0 <= self.country_slack <= MAX_COUNTRY_SLACK:
            out.append(f"country_slack must lie in 0..{MAX_COUNTRY_SLACK}")
        if not 1 <= self.k <= MAX_K:
            out.append(f"k must lie in 1..{MAX_K}")
        if not 0 <= self.min_score <= MAX_MIN_SCORE:
            out.append(f"min_score must lie in 0..{MAX_MIN_SCORE}")
        return out

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        for key in ("kinds", "levels", "asian_countries", "european_countries"):
            data[key] = sorted(data[key])
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> RoundParams:
        return cls(
            kinds=tuple(data.get("kinds") or ()),
            levels=tuple(data.get("levels") or ()),
            asian_countries=tuple(data.get("asian_countries") or ()),
            european_countries=tuple(data.get("european_countries") or ()),
            institution_cap=int(data.get("institution_cap", DEFAULT_INSTITUTION_CAP)),
            country_slack=float(data.get("country_slack", DEFAULT_COUNTRY_SLACK)),
            k=int(data.get("k", DEFAULT_K)),
            min_score=float(data.get("min_score", LEGACY_MIN_SCORE)),
        )

    def form_initial(self) -> dict[str, object]:
        """Form values (of `rounds.forms.RoundForm`) to run a round again with these."""
        return {
            "kinds": list(self.kinds),
            "levels": list(self.levels),
            "asian_countries": list(self.asian_countries),
            "european_countries": list(self.european_countries),
            "institution_cap": self.institution_cap,
            "country_slack": self.country_slack,
            "k": self.k,
            "min_score": self.min_score,
        }
