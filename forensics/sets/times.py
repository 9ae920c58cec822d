"""When a picture was taken: local wall-clock time, UTC offset and UTC instant.

A picture can state its time in several ways that need not agree: the
camera's local DateTimeOriginal (with or without OffsetTimeOriginal), the GPS
receiver's UTC time stamp, and the wall-clock time of the zone where the GPS
puts it. These helpers derive each one; the checks compare them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from forensics.geo.zones import offsets_at, time_zone_at
from forensics.knowledge.filenames import capture_time_from_name, screenshot_name
from forensics.records.record import ImageRecord

# A GPS time stamp is written when the fix is taken, which can lag the shutter;
# an implied offset is only trusted when it lands this close to a 15-minute step.
GPS_OFFSET_RESIDUAL = dt.timedelta(minutes=5)
MAX_OFFSET = dt.timedelta(hours=14)
# The only offsets off the half hour in the IANA database (Nepal, Eucla, Chatham).
QUARTER_OFFSETS = frozenset(dt.timedelta(hours=h, minutes=45) for h in (5, 8, 12))


@dataclass(frozen=True)
class CaptureTime:
    """A picture's capture time as far as it can be pinned down."""

    local: dt.datetime | None  # naive wall-clock time of the camera
    utc: dt.datetime | None  # aware UTC instant
    utc_source: str | None  # "gps", "offset" (OffsetTimeOriginal) or "place" (zone at the GPS fix)


def local_time(record: ImageRecord) -> dt.datetime | None:
    """The camera's wall-clock capture time, naive."""
    t = record.metadata.capture_time
    return t.replace(tzinfo=None) if t else None


def name_time(record: ImageRecord) -> dt.datetime | None:
    """A time written in the file name (screenshots, ``20160619_142233``), naive."""
    named = screenshot_name(record.name)
    if named and named.time:
        return named.time
    return capture_time_from_name(record.name)


def exif_offset(record: ImageRecord) -> dt.timedelta | None:
    """The UTC offset the camera wrote with its capture time (OffsetTimeOriginal)."""
    from forensics.read.exif import parse_offset  # exifread stays out of the start-up path

    m = record.metadata
    tz = parse_offset(m.offset_time_original) or parse_offset(m.offset_time_digitized)
    return tz.utcoffset(None) if tz else None


def gps_offset(record: ImageRecord) -> tuple[dt.timedelta, dt.timedelta] | None:
    """The offset implied by local capture time minus GPS UTC time, and its residual.

    Rounded to the nearest quarter hour; None when the two times are more than
    14 hours apart, the residual exceeds :data:`GPS_OFFSET_RESIDUAL`, or the
    result is a quarter-hour offset no zone uses (a stale fix or a drifting
    clock says nothing about zones).
    """
    m = record.metadata
    local = local_time(record)
    if local is None or m.gps is None or m.gps.utc is None:
        return None
    diff = local - m.gps.utc.replace(tzinfo=None)
    if abs(diff) > MAX_OFFSET + GPS_OFFSET_RESIDUAL:
        return None
    quarter = dt.timedelta(minutes=15)
    offset = round(diff / quarter) * quarter
    residual = diff - offset
    if abs(residual) > GPS_OFFSET_RESIDUAL:
        return None
    if offset % dt.timedelta(minutes=30) and abs(offset) not in QUARTER_OFFSETS:
        return None  # a quarter-hour offset no zone uses: a lagging fix, not a zone
    return offset, residual


def place_zone(record: ImageRecord) -> str | None:
    """IANA zone at the picture's GPS fix, or None."""
    g = record.metadata.gps
    if g is None or g.lat is None or g.lon is None:
        return None

    return time_zone_at(g.lat, g.lon)


def capture_time(record: ImageRecord) -> CaptureTime:
    """The best local and UTC capture times of a record.

    UTC comes from the GPS time stamp when present, else from the local time
    and OffsetTimeOriginal, else from the local time read in the zone of the
    GPS fix (the first offset in a DST fold).
    """
    local = local_time(record)
    g = record.metadata.gps
    if g is not None and g.utc is not None:
        return CaptureTime(local, g.utc.astimezone(dt.timezone.utc), "gps")
    if local is None:
        return CaptureTime(None, None, None)
    off = exif_offset(record)
    if off is not None:
        utc = _to_utc(local, off)
        return CaptureTime(local, utc, "offset" if utc else None)
    zone_name = place_zone(record)
    if zone_name:
        offs = offsets_at(zone_name, local)
        if offs and (utc := _to_utc(local, offs[0])) is not None:
            return CaptureTime(local, utc, "place")
    return CaptureTime(local, None, None)


def _to_utc(local: dt.datetime, offset: dt.timedelta) -> dt.datetime | None:
    try:
        return (local - offset).replace(tzinfo=dt.timezone.utc)
    except OverflowError:  # a stamp at the edge of the calendar (year 1 or 9999)
        return None
