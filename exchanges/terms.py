"""The terms both sides agree on: the two offers' fields as they stand and the version of
the shared draft both accepted (exchanges.drafting), frozen on acceptance with their
SHA-256, which the offices approve exactly."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from exchanges.models import Proposal
from offers.models import Offer

# What both sides agree on, frozen on acceptance; offices approve exactly these terms.
TERM_FIELDS = (
    "title",
    "kind",
    "isced_id",
    "level",
    "students",
    "term_start",
    "term_end",
    "duration_weeks",
    "time_zone",
    "sync_sessions",
    "partners_sought",
)


def offer_terms(offer: Offer) -> dict:
    terms = {name: getattr(offer, name) for name in TERM_FIELDS}
    terms["institution"] = offer.institution.name
    terms["country"] = offer.country_id
    terms["languages"] = sorted(f"{x.language}:{x.cefr}" for x in offer.languages.all())
    terms["windows"] = [f"{w.weekday} {w.start:%H:%M}-{w.end:%H:%M}" for w in offer.windows.all()]
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in terms.items()}


def agreed_terms(
    proposal: Proposal, agreed: dict | None = None, version: int | None = None
) -> tuple[dict, str]:
    """The terms of both offers as they stand, with the agreed draft (`agreed`, version
    `version`; by default the one frozen already, if any), and their SHA-256 (canonical
    JSON)."""
    if agreed is None:
        agreed = (proposal.terms or {}).get("agreed")
        version = (proposal.terms or {}).get("version")
    terms = {
        "asian_offer": {"id": proposal.asian_offer_id, **offer_terms(proposal.asian_offer)},
        "european_offer": {
            "id": proposal.european_offer_id,
            **offer_terms(proposal.european_offer),
        },
    }
    if agreed is not None:
        terms["agreed"] = agreed
        terms["version"] = version
    canonical = json.dumps(terms, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return terms, hashlib.sha256(canonical.encode()).hexdigest()
