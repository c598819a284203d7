"""Time zones as people name them, in the reader's language (CLDR through Babel).

The tz database holds ~600 names, among them links kept for old software ("Asia/Saigon",
"US/Eastern") and technical entries ("Factory", "localtime"). A list offers only CLDR's
canonical zones of a country plus UTC, labelled like "Germany (Berlin) Time" in the
reader's language and sorted by that label; an old name is read as its canonical zone, so
a saved "Asia/Saigon" still shows and saves as Ho Chi Minh City.
"""

from __future__ import annotations

import functools
import zoneinfo

from babel.core import get_global
from babel.dates import get_timezone_location
from django import forms
from django.utils import translation

from core.locale_names import _locale, sort_key

UTC = "UTC"
_NOT_A_PLACE = {"001", "ZZ"}


@functools.cache
def _available() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def aliases() -> dict[str, str]:
    """Old or linked name → canonical zone, for names this machine's tz database knows."""
    known = _available()
    table = {alias: zone for alias, zone in get_global("zone_aliases").items() if zone in known}
    table.update(dict.fromkeys(("Etc/UTC", "Etc/GMT", "Etc/UCT", "UCT", "Zulu", "GMT"), UTC))
    table.pop(UTC, None)
    return {alias: zone for alias, zone in table.items() if alias in known and alias != zone}


@functools.cache
def canonical_zones() -> tuple[str, ...]:
    known = _available()
    places = get_global("zone_territories")
    zones = {z for z, territory in places.items() if territory not in _NOT_A_PLACE and z in known}
    return (UTC, *sorted(zones))


def canonical(zone: str) -> str:
    return aliases().get(zone, zone)


def _language() -> str:
    return translation.get_language() or "en"


@functools.lru_cache(maxsize=4096)
def _name(zone: str, language: str) -> str:
    locale = _locale(language) or _locale("en")
    try:
        if zone == UTC:  # Babel names it "Unknown Region (UTC) Time"; CLDR has a name
            name = locale.time_zones.get("Etc/UTC", {}).get("long", {}).get("standard")
            return f"{name[:1].upper()}{name[1:]} (UTC)" if name else UTC
        return get_timezone_location(zoneinfo.ZoneInfo(zone), locale=locale)
    except (LookupError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        return zone.replace("_", " ")


def zone_name(zone: str | None) -> str:
    """The zone's name in the active language, e.g. "Deutschland (Berlin) (Ortszeit)"."""
    if not zone:
        return ""
    return _name(canonical(zone), _language())


@functools.lru_cache(maxsize=32)
def _choices(language: str) -> tuple[tuple[str, str], ...]:
    rest = sorted(((z, _name(z, language)) for z in canonical_zones()[1:]), key=_label_key)
    return ((UTC, _name(UTC, language)), *rest)


def _label_key(choice: tuple[str, str]) -> str:
    return sort_key(choice[1])


def zone_choices() -> list[tuple[str, str]]:
    """UTC first, then every country's zones by their name in the reader's language."""
    return list(_choices(_language()))


class TimeZoneField(forms.ChoiceField):
    """A select of named zones that still accepts (and canonicalises) an old tz name."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("choices", zone_choices)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return canonical(value) if isinstance(value, str) else value

    def to_python(self, value) -> str:
        return canonical(super().to_python(value))
