"""Seeded, photo-like test pictures and JPEGs with exactly the EXIF a test needs.

Used by the tests and the benchmarks; nothing here ships in the package.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image


def photo(seed: int, size: tuple[int, int] = (640, 480), *, noise: float = 6.0) -> Image.Image:
    """A photo-like RGB picture: smooth shapes at several scales, edges, sensor noise."""
    rng = np.random.default_rng(seed)
    w, h = size
    acc = np.zeros((h, w, 3), np.float32)
    for octave in range(5):
        gh, gw = 2 + 2**octave, 2 + int(2**octave * w / h)
        grid = rng.random((gh, gw, 3)).astype(np.float32)
        layer = np.asarray(Image.fromarray((grid * 255).astype(np.uint8)).resize((w, h), Image.Resampling.BICUBIC), np.float32)
        acc += layer / (1.6**octave)
    acc = (acc - acc.min()) / (np.ptp(acc) + 1e-6) * 255
    img = Image.fromarray(acc.astype(np.uint8))
    # hard-edged shapes, so that gradients (dHash) and features (ORB) have something to hold
    from PIL import ImageDraw

    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = rng.integers(0, w), rng.integers(0, h)
        x1, y1 = x0 + rng.integers(w // 20, w // 4), y0 + rng.integers(h // 20, h // 4)
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0, y0, x1, y1), fill=colour)
    arr = np.asarray(img, np.float32) + rng.normal(0, noise, (h, w, 3))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def exif_bytes(
    *,
    make: str | None = "Apple",
    model: str | None = "iPhone 6s",
    software: str | None = None,
    datetime_original: str | None = "2016:06:19 14:22:33",
    datetime: str | None = None,
    datetime_digitized: str | None = None,
    offset: str | None = None,
    gps: tuple[float, float] | None = None,
    gps_utc: tuple[str, tuple[int, int, int]] | None = None,
    orientation: int | None = None,
    size: tuple[int, int] | None = None,
    serial: str | None = None,
    description: str | None = None,
    artist: str | None = None,
    thumbnail: Image.Image | None = None,
    camera_fields: bool = True,
    user_comment: str | None = None,
    extra: dict[str, dict[int, Any]] | None = None,
) -> bytes:
    """EXIF as piexif writes it: only the tags asked for."""
    import piexif

    zeroth: dict[int, Any] = {}
    ex: dict[int, Any] = {}
    gps_ifd: dict[int, Any] = {}
    first: dict[int, Any] = {}
    if make:
        zeroth[piexif.ImageIFD.Make] = make
    if model:
        zeroth[piexif.ImageIFD.Model] = model
    if software:
        zeroth[piexif.ImageIFD.Software] = software
    if description:
        zeroth[piexif.ImageIFD.ImageDescription] = description.encode("utf-8")
    if artist:
        zeroth[piexif.ImageIFD.Artist] = artist.encode("utf-8")
    if orientation:
        zeroth[piexif.ImageIFD.Orientation] = orientation
    dt_value = datetime or datetime_original
    if dt_value:
        zeroth[piexif.ImageIFD.DateTime] = dt_value
    if datetime_original:
        ex[piexif.ExifIFD.DateTimeOriginal] = datetime_original
        ex[piexif.ExifIFD.DateTimeDigitized] = datetime_digitized or datetime_original
    if offset:
        ex[piexif.ExifIFD.OffsetTimeOriginal] = offset
        ex[piexif.ExifIFD.OffsetTime] = offset
    if serial:
        ex[piexif.ExifIFD.BodySerialNumber] = serial
    if size:
        ex[piexif.ExifIFD.PixelXDimension] = size[0]
        ex[piexif.ExifIFD.PixelYDimension] = size[1]
    if user_comment:
        ex[piexif.ExifIFD.UserComment] = b"ASCII\x00\x00\x00" + user_comment.encode()
    if camera_fields and make:
        ex[piexif.ExifIFD.ExposureTime] = (1, 120)
        ex[piexif.ExifIFD.FNumber] = (22, 10)
        ex[piexif.ExifIFD.ISOSpeedRatings] = 50
        ex[piexif.ExifIFD.FocalLength] = (415, 100)
    if gps:
        lat, lon = gps
        gps_ifd[piexif.GPSIFD.GPSLatitudeRef] = "N" if lat >= 0 else "S"
        gps_ifd[piexif.GPSIFD.GPSLatitude] = _dms(abs(lat))
        gps_ifd[piexif.GPSIFD.GPSLongitudeRef] = "E" if lon >= 0 else "W"
        gps_ifd[piexif.GPSIFD.GPSLongitude] = _dms(abs(lon))
    if gps_utc:
        date, (hh, mm, ss) = gps_utc
        gps_ifd[piexif.GPSIFD.GPSDateStamp] = date
        gps_ifd[piexif.GPSIFD.GPSTimeStamp] = ((hh, 1), (mm, 1), (ss, 1))
    for ifd_name, tags in (extra or {}).items():
        {"0th": zeroth, "Exif": ex, "GPS": gps_ifd}[ifd_name].update(tags)
    data: dict[str, Any] = {"0th": zeroth, "Exif": ex, "GPS": gps_ifd, "1st": first}
    if thumbnail is not None:
        buf = io.BytesIO()
        thumbnail.convert("RGB").save(buf, "JPEG", quality=85)
        data["thumbnail"] = buf.getvalue()
        first[piexif.ImageIFD.Compression] = 6
    return piexif.dump(data)


def _dms(value: float) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60 * 10000)
    return ((d, 1), (m, 1), (s, 10000))


def write_jpeg(
    path: str | Path,
    image: Image.Image | None = None,
    *,
    seed: int = 0,
    size: tuple[int, int] = (640, 480),
    quality: int = 92,
    qtables: Any = None,
    exif: bytes | None = None,
    thumbnail: bool | Image.Image = True,
    **exif_args: Any,
) -> Path:
    """Write a JPEG with the given EXIF (built by :func:`exif_bytes` unless ``exif`` is given).

    ``thumbnail=True`` embeds a 160-px thumbnail of the picture itself; pass an
    image to embed another one, or False for none.
    """
    path = Path(path)
    image = image if image is not None else photo(seed, size)
    if exif is None:
        thumb = None
        if thumbnail is True:
            thumb = image.copy()
            thumb.thumbnail((160, 160))
        elif isinstance(thumbnail, Image.Image):
            thumb = thumbnail
        exif_args.setdefault("size", image.size)
        exif = exif_bytes(thumbnail=thumb, **exif_args)
    kwargs: dict[str, Any] = {"quality": quality, "exif": exif}
    if qtables is not None:
        kwargs["qtables"] = qtables
        kwargs.pop("quality")
    image.save(path, "JPEG", **kwargs)
    return path


# Camera-like quantisation tables: near quality 94 but not libjpeg's scaled
# Annex K tables (firmware tunes its own), in natural order.
def _camera_tables() -> list[list[int]]:
    from forensics.read.jpeg import STD_CHROMA, STD_LUMA, scaled_table

    luma = [v + (i % 3 == 0) for i, v in enumerate(scaled_table(STD_LUMA, 94))]
    chroma = [v + (i % 4 == 1) for i, v in enumerate(scaled_table(STD_CHROMA, 94))]
    return [luma, chroma]


CAMERA_QTABLES = _camera_tables()


def camera_jpeg(path: str | Path, *, seed: int = 0, size: tuple[int, int] = (640, 480), **exif_args: Any) -> Path:
    """A JPEG as a phone writes it: camera tables, full EXIF, its own thumbnail."""
    return write_jpeg(path, seed=seed, size=size, qtables=CAMERA_QTABLES, **exif_args)
