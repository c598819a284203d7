"""The statistics, cached: one computation per filters, scope and language, until any
offer, proposal or completion report is saved (a version key bumped by the save), and at
most CACHE_SECONDS, for the changes that bypass the signals (bulk updates, data
migrations) and for a request that computed while the saving transaction had not yet
committed."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils import translation

from balance import queries, stats

CACHE_SECONDS = 300
VERSION_KEY = "balance:version"


def version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def data_changed(**_kwargs) -> None:
    """Signal receiver: figures computed from now on are new ones. (Bumped at once rather
    than on commit: the workflow's on-commit callbacks stay its notifications alone.)"""
    _bump()


def statistics(f: stats.Filters) -> stats.Statistics:
    digest = hashlib.sha256(repr(f).encode()).hexdigest()[:24]
    key = f"balance:stats:{version()}:{translation.get_language()}:{digest}"
    figures = cache.get(key)
    if figures is None:
        figures = stats.compute(f)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def years(institutions: frozenset[int] | None) -> list[int]:
    """The years with data in the scope (balance.queries.years_with_data), cached as the
    figures are."""
    scope = "all" if institutions is None else ",".join(map(str, sorted(institutions)))
    digest = hashlib.sha256(scope.encode()).hexdigest()[:24]
    key = f"balance:years:{version()}:{digest}"
    found = cache.get(key)
    if found is None:
        found = queries.years_with_data(institutions)
        cache.set(key, found, CACHE_SECONDS)
    return found
