"""Set facts: what the set shows as a whole, computed once per scan.

Device groups, capture times, GPS places, in-set video matches and reference
matches are worked out here once; the set checks, the case assessment, the
set summary and the renderers read them instead of working them out again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from forensics.geo.places import Place, place_at
from forensics.records.record import ImageRecord
from forensics.refs.match import Match
from forensics.sets.devices import DeviceGroup, DeviceSummary, group_devices
from forensics.sets.places import fix, stated_accuracy_km
from forensics.sets.summary import summary_dict
from forensics.sets.times import CaptureTime, capture_time, name_time

if TYPE_CHECKING:  # grouping by sensor needs numpy: imported in set_facts when residuals exist
    from forensics.sensor.groups import SensorGroups


@dataclass(frozen=True)
class Located:
    """A picture's usable GPS fix and what offline data says of the place."""

    path: str
    lat: float
    lon: float
    place: Place


@dataclass(frozen=True)
class SetFacts:
    """What the set as a whole shows; see :func:`set_facts`.

    ``captures``, ``name_times`` and ``located`` cover the readable pictures (not videos);
    ``reference_matches`` are matches against a reference index,
    ``video_matches`` screenshots found to show a video of the same set;
    ``sensor`` the groups of pictures that share a sensor, when residuals were taken.
    """

    devices: DeviceSummary = field(default_factory=lambda: DeviceSummary((), (), ()))
    captures: Mapping[str, CaptureTime] = field(default_factory=dict)
    name_times: Mapping[str, dt.datetime] = field(default_factory=dict)  # times written in file names
    located: tuple[Located, ...] = ()
    reference_matches: tuple[Match, ...] = ()
    video_matches: tuple[Match, ...] = ()
    pictures: int = 0  # readable pictures the facts were drawn from
    sensor: SensorGroups | None = None  # groups by shared sensor noise, when residuals were taken

    def capture(self, record: ImageRecord) -> CaptureTime:
        """The capture time of a record of the set (worked out once)."""
        found = self.captures.get(record.path)
        return found if found is not None else capture_time(record)

    def place(self, path: str) -> Located | None:
        """The located fix of a picture, if it has one."""
        return self._located_by_path.get(path)

    def device_of(self, path: str) -> DeviceGroup | None:
        """The device group a picture belongs to, or None when no device is named."""
        return self._device_by_path.get(path)

    @cached_property
    def _located_by_path(self) -> dict[str, Located]:
        return {loc.path: loc for loc in self.located}

    @cached_property
    def _device_by_path(self) -> dict[str, DeviceGroup]:
        return {p: g for g in self.devices.groups for p in g.paths}

    def to_dict(self) -> dict[str, object]:
        """The set summary (the ``set`` key of the JSON report); empty when no picture was readable."""
        return summary_dict(self)


def set_facts(
    records: Sequence[ImageRecord],
    *,
    reference_matches: Sequence[Match] = (),
    video_matches: Sequence[Match] = (),
) -> SetFacts:
    """Work out the facts of a set of records.

    Parameters
    ----------
    records : sequence of ImageRecord
        The records of a scan; unreadable files and videos are passed over
        for devices, times and places.
    reference_matches : sequence of Match
        Matches against a reference index.
    video_matches : sequence of Match
        Screenshots found to show a video of the same set.

    Returns
    -------
    SetFacts

    Examples
    --------
    >>> set_facts([]).devices.count
    0
    """
    pictures = [r for r in records if not r.error and r.kind == "image"]
    located = []
    fixes = [(r, p) for r in pictures if (p := fix(r)) is not None]
    if fixes:  # the geodata loads only when a picture has a fix
        located = [Located(r.path, lat, lon, place_at(lat, lon, accuracy_km=stated_accuracy_km(r))) for r, (lat, lon) in fixes]
    sensor = None
    if any(r.sensor is not None for r in pictures):
        from forensics.sensor.groups import group_sensors  # numpy: only for a scan that took residuals

        sensor = group_sensors(pictures)
    return SetFacts(
        devices=group_devices(pictures),
        captures={r.path: capture_time(r) for r in pictures},
        name_times={r.path: t for r in pictures if (t := name_time(r)) is not None},
        located=tuple(located),
        reference_matches=tuple(reference_matches),
        video_matches=tuple(video_matches),
        pictures=len(pictures),
        sensor=sensor,
    )
