"""Where pictures were taken: the GPS fix a record gives, when it is usable."""

from __future__ import annotations

from forensics.records.record import ImageRecord


def fix(record: ImageRecord) -> tuple[float, float] | None:
    """The (lat, lon) of a usable GPS fix; ``0, 0`` is a placeholder, not a fix."""
    g = record.metadata.gps
    if g is None or g.lat is None or g.lon is None or (g.lat == 0 and g.lon == 0):
        return None
    return g.lat, g.lon
