"""Where pictures were taken: the GPS fix a record gives, when it is usable."""

from __future__ import annotations

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


def load_geodata() -> None:
    """Load the offline geodata the place checks look up (places, time zones, borders) now, not
    on the first lookup: for a caller with time to spare while files are read elsewhere."""
    from forensics.geo.places import warm_up  # numpy and the geodata: only for a set that has GPS fixes

    warm_up()
