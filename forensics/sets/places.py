"""Where pictures were taken: the GPS fix a record gives, when it is usable."""

from __future__ import annotations

import threading
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


class GeodataWarmUp:
    """The place and time-zone data loading on a thread while worker processes read the files."""

    def __init__(self) -> None:
        from forensics.geo.places import warm_up  # deferred: numpy and the geodata load on the thread

        def run() -> None:
            try:
                warm_up()
            except Exception:  # noqa: BLE001 - a failed warm-up only means the first lookup loads the data (and says why)
                pass

        self._thread = threading.Thread(target=run, name="warm-geodata", daemon=True)
        self._thread.start()

    def ready_for(self, records: Sequence[ImageRecord]) -> None:
        """Wait for the load when some record has a GPS fix (places will be looked up); else leave it running."""
        if any(fix(r) is not None for r in records if r.error is None):
            self._thread.join()


def warm_up_beside(files: Sequence[str], processes: int, cpus: int) -> GeodataWarmUp | None:
    """Start loading the geodata beside ``processes`` workers reading ``files``, when a core is left over.

    The load (a tenth of a second or more) then costs no wall time, where it
    would otherwise follow the reading whenever a picture has a GPS fix.
    None when every core reads (the default) or there is nothing to read.
    """
    if not files or processes >= cpus:
        return None
    return GeodataWarmUp()
