"""The balance at a glance, for the office's and the secretariat's sections: the headline
figures of the statistics page and the countries whose open offers have no partner yet.

Folded from balance.queries and balance.folds, the statistics page's own parts, and cached
as the page caches its figures (balance.cache): until any offer, proposal or report is
saved, and at most CACHE_SECONDS. Not through balance.cache itself: that module brings in
the page's charts and maps, whose number formats live in balance's template tags, which
the apps above balance may not import (the pages-stay-home contract of pyproject.toml)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils import translation

from balance import queries, tables
from balance.folds import Folds
from balance.queries import Filters
from core.balance_rules import index_leaning, index_reading

# balance.cache.VERSION_KEY: bumped by every save the figures depend on (tested).
VERSION_KEY = "balance:version"
CACHE_SECONDS = 300


def _key(institutions: frozenset[int] | None) -> str:
    version = cache.get_or_set(VERSION_KEY, 1, timeout=None)
    scope = "all" if institutions is None else ",".join(map(str, sorted(institutions)))
    digest = hashlib.sha256(scope.encode()).hexdigest()[:24]
    return f"dashboard:balance:{version}:{translation.get_language()}:{digest}"


def glance(institutions: frozenset[int] | None) -> dict:
    """The summary figures (balance.folds.Folds.summary) of all partners (None) or of these
    institutions, the index in words, and `unpaired_countries`: the rows of the coverage
    table whose open offers have no approved pairing, lowest coverage first."""
    key = _key(institutions)
    found = cache.get(key)
    if found is None:
        folds = Folds(queries.fetch(Filters(institutions=institutions)))
        summary = folds.summary
        found = {
            **summary,
            "index_reading": index_reading(summary["index"]),
            "index_leaning": index_leaning(summary["index"]),
            "unpaired_countries": [
                row
                for row in tables.coverage_countries(folds)
                if row["offers"] and not row["covered"]
            ],
        }
        cache.set(key, found, CACHE_SECONDS)
    return found
