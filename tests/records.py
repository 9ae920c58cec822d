"""Records built in Python, for tests of what reads only the record: no file written, nothing decoded.

Each field holds what :func:`forensics.read_file` would put there for the
equivalent file (``tests/test_checks_image.py`` holds :func:`camera_record`
to the reader's record of :func:`imagegen.camera_jpeg`'s file). The files
themselves, for tests that need pixels or bytes, come from ``imagegen``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import zlib

from forensics.read.exif import parse_exif_time
from forensics.read.sniff import type_for_extension
from forensics.records.record import GPS, Hashes, ImageRecord, JpegInfo, Metadata, Thumbnail

_RECORD_FIELDS = frozenset(f.name for f in dataclasses.fields(ImageRecord))
_METADATA_FIELDS = frozenset(f.name for f in dataclasses.fields(Metadata))
# each EXIF time is read with its own offset tag, as the reader does
_OFFSET_OF = {"datetime_original": "offset_time_original", "datetime_digitized": "offset_time_digitized", "datetime": "offset_time"}
_HEX_DIGITS = {"phash": 16, "dhash": 16, "ahash": 16, "whash": 16, "colorhash": 11}  # the reader's widths

# what the reader finds in imagegen.camera_jpeg's file: the camera tables near quality 94
CAMERA_JPEG = JpegInfo(quality=93.7, standard_tables=False, subsampling="4:2:0")
# and in a file Pillow saved with its default tables at imagegen.write_jpeg's quality
PILLOW_JPEG = JpegInfo(quality=92.0, standard_tables=True, subsampling="4:2:0")


def hashes(seed: int) -> Hashes:
    """Seeded perceptual hashes: unrelated seeds sit about half their bits apart, like unrelated pictures."""
    rng = random.Random(seed)
    return Hashes(**{name: f"{rng.getrandbits(4 * n):0{n}x}" for name, n in _HEX_DIGITS.items()})


def flipped(h: Hashes, **bits: int) -> Hashes:
    """``h`` with ``bits[name]`` bits of each named hash inverted: exactly that many bits from ``h``."""
    changed = {name: f"{int(getattr(h, name), 16) ^ ((1 << n) - 1):0{_HEX_DIGITS[name]}x}" for name, n in bits.items()}
    return dataclasses.replace(h, **changed)


def thumbnail(h: Hashes | None, size: tuple[int, int] = (160, 120), content: tuple[int, int] | None = None) -> Thumbnail:
    """An EXIF thumbnail of ``size`` with hashes ``h``; ``content`` is the picture inside any black bars."""
    cw, ch = content or size
    return Thumbnail(present=True, size=4000, width=size[0], height=size[1], content_width=cw, content_height=ch, hashes=h)


def _seed(path: str) -> int:
    return zlib.crc32(path.encode("utf-8", "surrogateescape"))


def make_record(path: str = "/evidence/IMG_0001.JPG", **fields: object) -> ImageRecord:
    """The record of a readable 640x480 picture: no metadata unless ``fields`` give it.

    ``fields`` are :class:`ImageRecord` and :class:`Metadata` fields by name.
    The content type follows the extension unless ``format``/``mime`` say
    otherwise. EXIF times may be EXIF text (``"2016:06:19 14:22:33"``), read
    with their offset field (``offset_time_original`` for ``datetime_original``
    …); ``gps`` may be ``(lat, lon)`` and ``gps_utc`` the GPS time stamp (an
    aware datetime). Hashes default to ones seeded by the path, so two
    records never show the same picture unless told so.
    """
    unknown = set(fields) - _RECORD_FIELDS - _METADATA_FIELDS - {"gps_utc"}
    if unknown:
        raise TypeError(f"not a record or metadata field: {sorted(unknown)}")
    ext = os.path.splitext(path)[1].lower() or None
    claimed = type_for_extension(ext) if ext else None
    fmt = fields.pop("format", claimed.format if claimed else "JPEG")
    record: dict[str, object] = {
        "path": path, "size": 100_000, "kind": "image", "format": fmt, "extension": ext,
        "mime": claimed.mime if claimed and claimed.format == fmt else None,
        "width": 640, "height": 480, "hashes": hashes(_seed(path)), "luma_mean": 120.0,
    }  # fmt: skip
    meta: dict[str, object] = {"jpeg": PILLOW_JPEG if fmt == "JPEG" else None}
    for name, value in fields.items():
        (meta if name in _METADATA_FIELDS or name == "gps_utc" else record)[name] = value
    for name, offset in _OFFSET_OF.items():
        if isinstance(meta.get(name), str):
            meta[name] = parse_exif_time(meta[name], offset=meta.get(offset))  # type: ignore[arg-type]
    gps, utc = meta.get("gps"), meta.pop("gps_utc", None)
    if isinstance(gps, tuple):
        meta["gps"] = GPS(lat=gps[0], lon=gps[1], utc=utc)  # type: ignore[arg-type]
    elif utc is not None:
        meta["gps"] = dataclasses.replace(gps, utc=utc) if isinstance(gps, GPS) else GPS(utc=utc)  # type: ignore[arg-type]
    return ImageRecord(**record, metadata=Metadata(**meta))  # type: ignore[arg-type]


def camera_record(path: str = "/evidence/IMG_0001.JPG", **fields: object) -> ImageRecord:
    """The record of a phone original, as the reader makes it of :func:`imagegen.camera_jpeg`'s file.

    An iPhone 6s, its camera's own tables, exposure tags, the three EXIF
    times alike (``datetime`` and ``datetime_digitized`` follow
    ``datetime_original`` unless given), EXIF dimensions that are the
    picture's, and a thumbnail of the picture itself. ``fields`` as for
    :func:`make_record`.
    """
    taken = fields.setdefault("datetime_original", "2016:06:19 14:22:33")
    fields.setdefault("datetime", taken)
    fields.setdefault("datetime_digitized", taken)
    fields.setdefault("make", "Apple")
    fields.setdefault("model", "iPhone 6s")
    fields.setdefault("camera_fields", 4)
    fields.setdefault("jpeg", CAMERA_JPEG)
    fields.setdefault("exif_width", fields.get("width", 640))
    fields.setdefault("exif_height", fields.get("height", 480))
    h = fields.setdefault("hashes", hashes(_seed(path)))
    fields.setdefault("thumbnail", thumbnail(h))  # type: ignore[arg-type]
    return make_record(path, **fields)


def at_utc(text: str) -> dt.datetime:
    """``"2016:06:19 11:22:33"`` as the aware UTC instant a GPS time stamp gives."""
    return dt.datetime.strptime(text, "%Y:%m:%d %H:%M:%S").replace(tzinfo=dt.timezone.utc)
