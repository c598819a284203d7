"""The CO₂ a completed exchange avoided: a return flight per travelling participant between
the capitals of the two countries. An order of magnitude, not an inventory (see
docs/statistics.md)."""

from __future__ import annotations

import json
import math
from functools import cache

from django.conf import settings

# UK DESNZ (formerly DEFRA/BEIS) greenhouse-gas conversion factors 2024, business travel
# by air, long-haul flight, economy class, including the effect of radiative forcing:
# about 0.15 kg CO2e per passenger-km. See docs/statistics.md.
EMISSION_FACTOR_KG_PER_PKM = 0.15
EMISSION_FACTOR_SOURCE = "UK DESNZ greenhouse-gas conversion factors 2024"
EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


@cache
def capitals() -> dict[str, tuple[float, float]]:
    """(latitude, longitude) of each ASEM country's capital, by its two letters."""
    data = json.loads((settings.TANDEM_DATA_DIR / "asem_capitals.json").read_text())
    return {c["iso_alpha2"]: (c["lat"], c["lon"]) for c in data["capitals"]}


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance on a sphere of the mean Earth radius."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def co2_avoided_kg(distance_km: float, travellers: int) -> float:
    """A return flight per travelling participant."""
    return 2 * distance_km * travellers * EMISSION_FACTOR_KG_PER_PKM
