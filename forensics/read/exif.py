"""EXIF tags (as exifread reads them) into typed :class:`Metadata` fields."""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import re
from fractions import Fraction
from typing import Any, BinaryIO

from forensics.read.makernotes import read_serials
from forensics.records.record import GPS

# exifread reports damage through logging; we report it as evidence instead.
_log = logging.getLogger("exifread")
_log.setLevel(logging.CRITICAL + 1)
_log.propagate = False

# Tags only a camera writes; their absence is what "metadata stripped" means.
CAMERA_TAGS = (
    "EXIF ExposureTime", "EXIF FNumber", "EXIF ISOSpeedRatings", "EXIF FocalLength",
    "EXIF ExposureProgram", "EXIF MeteringMode", "EXIF Flash", "EXIF LensModel",
    "EXIF ApertureValue", "EXIF ShutterSpeedValue", "EXIF SubjectArea",
)  # fmt: skip

# Maker-note tags that carry a device serial number, as exifread names them (for notes
# whose layout forensics.knowledge.makernotes does not know); "SerialNumberFormat" is not one.
_SERIAL_HINT = re.compile(r"serial(?!\s*number\s*format)", re.I)

# EXIF's own body serial tags, in order of preference; exifread leaves DNG's CameraSerialNumber
# (0xc62f) unnamed.
_BODY_SERIALS = ("EXIF BodySerialNumber", "Image BodySerialNumber", "Image CameraSerialNumber", "Image Tag 0xC62F",
                 "EXIF CameraSerialNumber")  # fmt: skip

# Where read_tags leaves the serials it read from the raw maker note (not an exifread tag).
_NOTE_SERIALS = "forensics makernote-serials"
# DNGPrivateData (0xc634), which exifread leaves unnamed: Adobe's copy of the original maker note.
_DNG_PRIVATE = "Image Tag 0xC634"


def read_tags(fp: BinaryIO, *, details: bool = True) -> dict[str, Any]:
    """Run exifread over a file object; raises on damage exifread cannot pass.

    With ``details``, the maker note's serial numbers are also read from the
    raw bytes (their values may lie outside the note exifread hands over).
    """
    import exifread  # here: the parsers below (times, offsets) serve the checks too, which never read a file

    tags = exifread.process_file(fp, details=details, extract_thumbnail=True)
    if details and ("EXIF MakerNote" in tags or _DNG_PRIVATE in tags):
        found = _raw_note_serials(_all_bytes(fp), tags)
        if found is not None:
            tags[_NOTE_SERIALS] = found
    return tags


def _all_bytes(fp: BinaryIO) -> bytes:
    if isinstance(fp, io.BytesIO):
        return fp.getvalue()  # shares the caller's bytes, no copy
    pos = fp.tell()
    fp.seek(0)
    data = fp.read()
    fp.seek(pos)
    return data


def _note_bytes(tag: Any) -> bytes | None:
    values = getattr(tag, "values", None)
    if isinstance(values, (bytes, bytearray)):
        return bytes(values)
    if isinstance(values, list) and all(isinstance(v, int) and 0 <= v < 256 for v in values):
        return bytes(values)
    return None  # a note stored as text or numbers is none we can walk


def _raw_note_serials(data: bytes, tags: dict[str, Any]) -> dict[str, str] | None:
    """Serials in the maker note (or in a DNG's copy of the original one), None if its layout is unknown."""
    make = _text(tags, "Image Make")
    tag = tags.get("EXIF MakerNote")
    note = _note_bytes(tag)
    found = None
    if tag is not None and note:
        at = int(tag.field_offset)  # exifread counts it from the TIFF header
        tiff = _tiff_start(data, note, at)
        if tiff is None:  # not found in the bytes given: walk the note alone
            found = read_serials(note, note_at=0, size=len(note), tiff_at=-at, make=make)
        else:
            order = "<" if data[tiff : tiff + 2] == b"II" else ">"
            found = read_serials(data, note_at=tiff + at, size=len(note), tiff_at=tiff, make=make, order=order)
    dng = tags.get(_DNG_PRIVATE)
    if not found and dng is not None and data[:2] in (b"II", b"MM"):
        found = _dng_note_serials(data, int(dng.field_offset), make) or found
    return found


def _dng_note_serials(data: bytes, at: int, make: str | None) -> dict[str, str] | None:
    # DNG specification, DNGPrivateData: "Adobe\0", "MakN", the count, the original byte
    # order and the note's offset in the original file (all big-endian), then the note
    head = data[at : at + 20]
    if len(head) < 20 or head[:10] != b"Adobe\x00MakN" or head[14:16] not in (b"II", b"MM"):
        return None
    count, original = int.from_bytes(head[10:14], "big"), int.from_bytes(head[16:20], "big")
    order = "<" if head[14:16] == b"II" else ">"
    return read_serials(data, note_at=at + 20, size=max(count - 6, 0), tiff_at=at + 20 - original, make=make, order=order)


def _tiff_start(data: bytes, note: bytes, at: int) -> int | None:
    """Where the TIFF header of the EXIF block holding ``note`` (at offset ``at``) is in ``data``."""
    needle = note[:64]
    i = data.find(needle)
    for _ in range(16):  # a few false starts at most; a hostile file gets no more
        if i < 0:
            return None
        tiff = i - at
        if tiff >= 0 and data[tiff : tiff + 2] in (b"II", b"MM") and data[i : i + len(note)] == note:
            return tiff
        i = data.find(needle, i + 1)
    return None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def read_tags_noting_damage(fp: BinaryIO) -> tuple[dict[str, Any], list[str]]:
    """:func:`read_tags`, plus the damage exifread reported while reading.

    Damaged maker-note fields are left out of the damage: camera firmware writes
    them in genuine files (one in ten camera files of the calibration corpus).
    """
    handler = _Collect()
    level = _log.level
    _log.addHandler(handler)
    _log.setLevel(logging.WARNING)
    try:
        tags = read_tags(fp)
    finally:
        _log.removeHandler(handler)
        _log.setLevel(level)
    damage = [m for m in dict.fromkeys(handler.messages) if "MakerNote" not in m]
    return tags, damage[:10]


def _text(tags: dict[str, Any], key: str) -> str | None:
    tag = tags.get(key)
    if tag is None:
        return None
    values = getattr(tag, "values", None)
    if isinstance(values, (bytes, bytearray)):
        s = bytes(values).split(b"\x00", 1)[0].decode("utf-8", "replace")
    elif isinstance(values, str):
        s = values
    else:
        s = str(tag.printable if hasattr(tag, "printable") else tag)
    # control characters are damage or mischief, never part of a name; they would corrupt displays
    s = _CONTROL.sub("", s).strip()
    return s or None


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _number(tags: dict[str, Any], key: str) -> float | None:
    tag = tags.get(key)
    values = getattr(tag, "values", None)
    if not values:
        return None
    try:
        v = values[0] if isinstance(values, (list, tuple)) else values
        f = float(Fraction(v.num, v.den)) if hasattr(v, "num") else float(v)
    except (ValueError, TypeError, ZeroDivisionError):
        return None
    return f


def _int(tags: dict[str, Any], key: str) -> int | None:
    f = _number(tags, key)
    return int(f) if f is not None else None


def _dms(tags: dict[str, Any], key: str, ref_key: str) -> float | None:
    tag = tags.get(key)
    values = getattr(tag, "values", None)
    if not values or len(values) < 3:
        return None
    try:
        d, m, s = (float(Fraction(v.num, v.den)) if hasattr(v, "num") else float(v) for v in values[:3])
    except (ValueError, TypeError, ZeroDivisionError):
        return None
    deg = d + m / 60 + s / 3600
    ref = (_text(tags, ref_key) or "").upper()[:1]
    if ref in ("S", "W"):
        deg = -deg
    return round(deg, 7)


_EXIF_TIME = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")


def parse_offset(text: str | None) -> dt.timezone | None:
    """``+03:00`` into a timezone; None if absent or malformed."""
    if not text:
        return None
    m = _OFFSET.match(text)
    if not m:
        return None
    sign = -1 if m.group(1) == "-" else 1
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    if minutes > 18 * 60:
        return None
    return dt.timezone(sign * dt.timedelta(minutes=minutes))


def parse_exif_time(text: str | None, subsec: str | None = None, offset: str | None = None) -> dt.datetime | None:
    """``2016:06:22 18:31:04`` (+ SubSec, + OffsetTime) into a datetime.

    Blank and all-zero stamps (``0000:00:00 00:00:00``, written by cameras
    whose clock was never set) give None.
    """
    if not text:
        return None
    m = _EXIF_TIME.match(text)
    if not m:
        return None
    try:
        y, mo, d, h, mi, s = (int(g) for g in m.groups())
        value = dt.datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    if subsec and subsec.strip().isdigit():
        digits = subsec.strip()[:6].ljust(6, "0")
        value = value.replace(microsecond=int(digits))
    tz = parse_offset(offset)
    if tz is not None:
        value = value.replace(tzinfo=tz)
    return value


def gps_from_tags(tags: dict[str, Any]) -> GPS | None:
    """The GPS IFD as a :class:`GPS`, or None when there is no usable fix."""
    if not any(k.startswith("GPS ") for k in tags):
        return None
    lat = _dms(tags, "GPS GPSLatitude", "GPS GPSLatitudeRef")
    lon = _dms(tags, "GPS GPSLongitude", "GPS GPSLongitudeRef")
    if lat is not None and not -90 <= lat <= 90:
        lat = None
    if lon is not None and not -180 <= lon <= 180:
        lon = None
    alt = _number(tags, "GPS GPSAltitude")
    if alt is not None and _int(tags, "GPS GPSAltitudeRef") == 1:
        alt = -alt
    utc = None
    date = _text(tags, "GPS GPSDate")
    stamp = tags.get("GPS GPSTimeStamp")
    if date and stamp is not None and len(getattr(stamp, "values", ())) >= 3:
        try:
            h, mi, s = (float(Fraction(v.num, v.den)) if hasattr(v, "num") else float(v) for v in stamp.values[:3])
            y, mo, d = (int(p) for p in re.split(r"[:\-]", date.strip())[:3])
            utc = dt.datetime(y, mo, d, tzinfo=dt.timezone.utc) + dt.timedelta(hours=h, minutes=mi, seconds=s)
        except (ValueError, TypeError, ZeroDivisionError, OverflowError):
            utc = None
    gps = GPS(
        lat=lat,
        lon=lon,
        alt=round(alt, 2) if alt is not None else None,
        direction=_number(tags, "GPS GPSImgDirection"),
        direction_ref=_text(tags, "GPS GPSImgDirectionRef"),
        speed=_number(tags, "GPS GPSSpeed"),
        speed_ref=_text(tags, "GPS GPSSpeedRef"),
        utc=utc,
        datum=_text(tags, "GPS GPSMapDatum"),
        h_positioning_error=_positioning_error(tags),
    )
    if lat is None and lon is None and utc is None and alt is None:
        return None
    return gps


def _positioning_error(tags: dict[str, Any]) -> float | None:
    """GPSHPositioningError in metres (exifread names it by number); None unless a finite non-negative value."""
    value = _number(tags, "GPS GPSHPositioningError")
    if value is None:
        value = _number(tags, "GPS Tag 0x001F")
    return value if value is not None and math.isfinite(value) and value >= 0 else None


def makernote_serials(tags: dict[str, Any]) -> dict[str, str]:
    """Body serial numbers in the maker note, by ExifTool's names.

    Read from the raw note for the makers :mod:`forensics.knowledge.makernotes`
    knows; for other notes, the tags exifread decodes whose name says serial.
    """
    found = tags.get(_NOTE_SERIALS)
    if found is None and "EXIF MakerNote" in tags:
        tag = tags["EXIF MakerNote"]
        note = _note_bytes(tag)
        if note:
            at = int(getattr(tag, "field_offset", 0))
            found = read_serials(note, note_at=0, size=len(note), tiff_at=-at, make=_text(tags, "Image Make"))
    if found is not None:
        return dict(found)
    out = {}
    for key in tags:
        if key.startswith("MakerNote ") and _SERIAL_HINT.search(key):
            v = _text(tags, key)
            if v and v.strip("0 ") and len(v) < 64:
                out[key[len("MakerNote ") :].strip()] = v  # exifread's Canon table has "InternalSerialNumber "
    return out


def fields_from_tags(tags: dict[str, Any]) -> dict[str, Any]:
    """The typed :class:`Metadata` fields that EXIF provides."""
    t = lambda k: _text(tags, k)  # noqa: E731
    off = t("EXIF OffsetTime")
    off_orig = t("EXIF OffsetTimeOriginal")
    off_dig = t("EXIF OffsetTimeDigitized")
    return {
        "make": t("Image Make"),
        "model": t("Image Model"),
        # BodySerialNumber belongs in the EXIF IFD; some writers put it in IFD0
        "serial": next((v for k in _BODY_SERIALS if (v := t(k))), None),
        "lens_make": t("EXIF LensMake"),
        "lens_model": t("EXIF LensModel"),
        "lens_serial": t("EXIF LensSerialNumber"),
        "makernote_serials": makernote_serials(tags),
        "firmware": t("MakerNote FirmwareVersion") or t("MakerNote Firmware"),
        "software": t("Image Software"),
        "artist": t("Image Artist"),
        "copyright": t("Image Copyright"),
        "description": t("Image ImageDescription"),
        "user_comment": _user_comment(tags),
        "datetime_original": parse_exif_time(t("EXIF DateTimeOriginal"), t("EXIF SubSecTimeOriginal"), off_orig),
        "datetime_digitized": parse_exif_time(t("EXIF DateTimeDigitized"), t("EXIF SubSecTimeDigitized"), off_dig),
        "datetime": parse_exif_time(t("Image DateTime"), t("EXIF SubSecTime"), off),
        "offset_time": off,
        "offset_time_original": off_orig,
        "offset_time_digitized": off_dig,
        "gps": gps_from_tags(tags),
        "orientation": _orientation(tags),
        "exif_width": _int(tags, "EXIF ExifImageWidth"),
        "exif_height": _int(tags, "EXIF ExifImageLength"),
        "camera_fields": sum(1 for k in CAMERA_TAGS if k in tags),
        "flash": _int(tags, "EXIF Flash"),
    }


def _orientation(tags: dict[str, Any]) -> int | None:
    v = _int(tags, "Image Orientation")
    return v if v is not None and 1 <= v <= 8 else None


def _user_comment(tags: dict[str, Any]) -> str | None:
    tag = tags.get("EXIF UserComment")
    values = getattr(tag, "values", None)
    if not values:
        return None
    raw = bytes(values) if isinstance(values, (list, bytes, bytearray)) and all(isinstance(b, int) for b in values) else None
    if raw is None:
        return _text(tags, "EXIF UserComment")
    code, body = raw[:8], raw[8:]
    enc = "utf-16" if code.startswith(b"UNICODE") else "latin-1"
    s = body.decode(enc, "replace").replace("\x00", "").strip()
    return s or None


def raw_tags(tags: dict[str, Any]) -> dict[str, str]:
    """Every tag as printable text, for ``--all`` (thumbnail bytes left out)."""
    out = {}
    for k, v in tags.items():
        if k in ("JPEGThumbnail", "TIFFThumbnail", _NOTE_SERIALS):
            continue
        s = str(getattr(v, "printable", v))
        out[k] = s if len(s) <= 2000 else s[:2000] + "…"
    return out
