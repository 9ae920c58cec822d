"""What a set holds as a whole, for people: devices, time range and gaps, countries and places.

:func:`summary_dict` is the ``set`` key of the JSON report, drawn from the
set's facts (:class:`~forensics.sets.facts.SetFacts`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import TYPE_CHECKING

from forensics.records.text import printable_path

if TYPE_CHECKING:  # for the annotation only: facts.py imports this module
    from forensics.sets.facts import SetFacts

# Gaps shorter than this are the rhythm of ordinary shooting, not worth listing.
MIN_GAP_SECONDS = 3600
MAX_GAPS = 5


def summary_dict(facts: SetFacts) -> dict[str, object]:
    """Devices, capture-time range and largest gaps, countries and places of a set.

    Times are the cameras' wall-clock times (``source`` says whether from
    metadata or a file name); a set without a readable picture gives an empty dict.

    Examples
    --------
    >>> from forensics.sets.facts import set_facts
    >>> summary_dict(set_facts([]))
    {}
    """
    if not facts.pictures:
        return {}
    devices = facts.devices
    return {
        "devices": [g.to_dict() for g in devices.groups],
        "unknown_device": [printable_path(p) for p in devices.unknown],
        "ambiguous_device": [printable_path(p) for p in devices.ambiguous],
        "time": _time(facts),
        **_places(facts),
    }


def _time(facts: SetFacts) -> dict[str, object]:
    timed = []
    for path, ct in facts.captures.items():
        t, source = ct.local, "metadata"
        if t is None:
            t, source = facts.name_times.get(path), "file name"
        if t is not None:
            timed.append((t, source, path))
    timed.sort(key=lambda x: x[0])
    out: dict[str, object] = {"timed": len(timed), "untimed": facts.pictures - len(timed)}
    if not timed:
        return out
    gaps = [
        {"after": printable_path(a[2]), "before": printable_path(b[2]), "from": a[0].isoformat(), "to": b[0].isoformat(),
         "seconds": (b[0] - a[0]).total_seconds()}
        for a, b in itertools.pairwise(timed)
        if (b[0] - a[0]).total_seconds() >= MIN_GAP_SECONDS
    ]  # fmt: skip
    gaps.sort(key=lambda g: -float(g["seconds"]))  # type: ignore[arg-type]  # the value is the float above
    out.update(
        first=timed[0][0].isoformat(),
        last=timed[-1][0].isoformat(),
        span_seconds=(timed[-1][0] - timed[0][0]).total_seconds(),
        from_file_names=sum(1 for x in timed if x[1] == "file name"),
        gaps=gaps[:MAX_GAPS],
    )
    return out


def _places(facts: SetFacts) -> dict[str, object]:
    if not facts.located:
        return {"located": 0, "countries": [], "places": [], "time_zones": []}
    places = [loc.place for loc in facts.located]
    countries = Counter((p.country_code, p.country) for p in places)
    # a town keeps its own country: near a border it may be the neighbour of the fix's
    named = Counter((p.place, p.place_country_code or p.country_code) for p in places if p.place)
    zones = Counter(p.time_zone for p in places if p.time_zone)
    return {
        "located": len(facts.located),
        "countries": [{"code": c, "name": n, "count": k} for (c, n), k in countries.most_common()],
        "places": [{"place": pl, "country_code": c, "count": k} for (pl, c), k in named.most_common()],
        "time_zones": [{"zone": z, "count": k} for z, k in zones.most_common()],
    }
