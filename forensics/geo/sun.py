"""The sun's elevation at a place and instant (astral), offline."""

from __future__ import annotations

import datetime as dt


def sun_elevation(lat: float, lon: float, utc: dt.datetime) -> float:
    """Elevation of the sun's centre above the horizon in degrees (refraction included)."""
    from astral import Observer
    from astral.sun import elevation

    when = utc if utc.tzinfo else utc.replace(tzinfo=dt.timezone.utc)
    return float(elevation(Observer(latitude=lat, longitude=lon), when.astimezone(dt.timezone.utc)))
