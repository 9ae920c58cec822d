"""Time zones offline: the zone at a point (timezonefinder polygons), offsets on a date (tzdata)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any


@functools.lru_cache(maxsize=1)
def finder() -> Any:
    """The process's one timezonefinder instance (its polygons also give countries: :mod:`forensics.geo.borders`)."""
    import atexit
    import sys

    # timezonefinder compiles its polygon loops with numba whenever numba imports (the reference
    # search's kernel installs it): 0.5 s of loading per process for lookups that take 4 ms without
    # it. Hidden while timezonefinder is imported, unless this process has loaded numba already.
    hide = "numba" not in sys.modules
    if hide:
        sys.modules["numba"] = None  # type: ignore[assignment]  # an import of it raises ImportError
    try:
        from timezonefinder import TimezoneFinder
    finally:
        if hide and sys.modules.get("numba", False) is None:
            del sys.modules["numba"]

    finder = TimezoneFinder()
    if hasattr(finder, "cleanup"):  # close its mapped data files before interpreter shutdown
        atexit.register(finder.cleanup)
    return finder


def time_zone_at(lat: float, lon: float) -> str | None:
    """IANA time-zone name at a point (``Etc/GMT±N`` at sea), or None."""
    try:
        return finder().timezone_at(lat=lat, lng=lon)
    except ValueError:
        return None


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
        text = resources.files("tzdata").joinpath("zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
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
    return _country_offsets(
        code.upper(), naive - dt.timedelta(minutes=naive.minute % 15, seconds=naive.second, microseconds=naive.microsecond)
    )


@functools.lru_cache(maxsize=4096)
def _country_offsets(code: str, local: dt.datetime) -> tuple[dt.timedelta, ...]:
    out: set[dt.timedelta] = set()
    for name in country_zones(code):
        out.update(offsets_at(name, local))
    return tuple(sorted(out))


def format_offset(offset: dt.timedelta | None) -> str | None:
    """``+03:00`` for three hours east of UTC."""
    if offset is None:
        return None
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
