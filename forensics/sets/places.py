"""Where pictures were taken: the GPS fix a record gives, when it is usable."""

from __future__ import annotations

from collections.abc import Sequence

from forensics.records.record import ImageRecord


def fix(record: ImageRecord) -> tuple[float, float] | None:
    """The (lat, lon) of a usable GPS fix; ``0, 0`` is a placeholder, not a fix."""
    g = record.metadata.gps
    if g is None or g.lat is None or g.lon is None or (g.lat == 0 and g.lon == 0):
        return None
    return g.lat, g.lon


# OpenStreetMap's boundaries are drawn to some tens of metres: a smaller stated error says more than the borders can
MIN_ACCURACY_KM = 0.1


def stated_accuracy_km(record: ImageRecord) -> float | None:
    """The horizontal error the fix states (GPSHPositioningError), in km; None when it states none.

    Never less than :data:`MIN_ACCURACY_KM`.
    """
    g = record.metadata.gps
    if g is None or g.h_positioning_error is None:
        return None
    return max(g.h_positioning_error / 1000.0, MIN_ACCURACY_KM)


def look_up_places(records: Sequence[ImageRecord]) -> None:
    """Look up the places of these records' GPS fixes now, as :func:`forensics.sets.facts.set_facts`
    will (the lookups are cached, the geodata loads on the first): for a caller with time to spare
    while the other files are read elsewhere. Nothing loads for records without a fix."""
    located = [(r, p) for r in records if not r.error and r.kind == "image" and (p := fix(r)) is not None]
    if not located:
        return
    from forensics.geo.places import place_at  # numpy and the geodata: only for a set that has GPS fixes

    for r, (lat, lon) in located:
        place_at(lat, lon, accuracy_km=stated_accuracy_km(r))  # called as set_facts calls it: one cache entry
