"""What a set holds as a whole: devices, time range and gaps, countries and places.

:func:`summarise` feeds ``Report.extras`` (the ``set`` key of the JSON report).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from forensics.records.record import ImageRecord
from forensics.records.text import printable_path
from forensics.sets.devices import group_devices
from forensics.sets.times import local_time, name_time

# Gaps shorter than this are the rhythm of ordinary shooting, not worth listing.
MIN_GAP_SECONDS = 3600
MAX_GAPS = 5


def summarise(records: Sequence[ImageRecord]) -> dict[str, Any]:
    """Devices, capture-time range and largest gaps, countries and places of a set.

    Times are the cameras' wall-clock times (``source`` says whether from
    metadata or a file name); an empty set gives an empty dict.

    Examples
    --------
    >>> summarise([])
    {}
    """
    pictures = [r for r in records if not r.error and r.kind == "image"]
    if not pictures:
        return {}
    devices = group_devices(pictures)
    return {
        "devices": [g.to_dict() for g in devices.groups],
        "unknown_device": [printable_path(p) for p in devices.unknown],
        "ambiguous_device": [printable_path(p) for p in devices.ambiguous],
        "time": _time(pictures),
        **_places(pictures),
    }


def _time(pictures: Sequence[ImageRecord]) -> dict[str, Any]:
    timed = []
    for r in pictures:
        t = local_time(r)
        source = "metadata"
        if t is None:
            t, source = name_time(r), "file name"
        if t is not None:
            timed.append((t, source, r.path))
    timed.sort(key=lambda x: x[0])
    out: dict[str, Any] = {"timed": len(timed), "untimed": len(pictures) - len(timed)}
    if not timed:
        return out
    gaps = [
        {"after": printable_path(a[2]), "before": printable_path(b[2]), "from": a[0].isoformat(), "to": b[0].isoformat(),
         "seconds": (b[0] - a[0]).total_seconds()}
        for a, b in zip(timed, timed[1:])
        if (b[0] - a[0]).total_seconds() >= MIN_GAP_SECONDS
    ]  # fmt: skip
    gaps.sort(key=lambda g: -g["seconds"])
    out.update(
        first=timed[0][0].isoformat(),
        last=timed[-1][0].isoformat(),
        span_seconds=(timed[-1][0] - timed[0][0]).total_seconds(),
        from_file_names=sum(1 for x in timed if x[1] == "file name"),
        gaps=gaps[:MAX_GAPS],
    )
    return out


def _places(pictures: Sequence[ImageRecord]) -> dict[str, Any]:
    from forensics.sets.places import fix

    located = [(r, p) for r in pictures if (p := fix(r)) is not None]
    if not located:
        return {"located": 0, "countries": [], "places": [], "time_zones": []}
    from forensics.geo.places import place_at

    places = [place_at(*p) for _, p in located]
    countries = Counter((p.country_code, p.country) for p in places)
    named = Counter((p.place, p.country_code) for p in places if p.place)
    zones = Counter(p.time_zone for p in places if p.time_zone)
    return {
        "located": len(located),
        "countries": [{"code": c, "name": n, "count": k} for (c, n), k in countries.most_common()],
        "places": [{"place": pl, "country_code": c, "count": k} for (pl, c), k in named.most_common()],
        "time_zones": [{"zone": z, "count": k} for z, k in zones.most_common()],
    }
