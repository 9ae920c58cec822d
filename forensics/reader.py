"""Read one file, once: file facts, metadata, hashes. Damage becomes data.

``read_file`` never raises for a bad file: whatever goes wrong is put in the
record's ``error`` (the file could not be analysed) or ``problems`` (some
metadata was damaged but the picture was read), so a scan goes on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import warnings
from typing import Any

from .record import ImageRecord, Metadata, Thumbnail
from .sniff import HEAD_BYTES, sniff

MAX_IMAGE_BYTES = 1 << 30  # larger "images" are refused rather than read into memory
_HASH_CHUNK = 1 << 20
_heif_registered = False


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def _pixel_limit() -> int:
    from PIL import Image

    return int(Image.MAX_IMAGE_PIXELS or 0) or 178956970


def read_file(path: str | os.PathLike[str], *, all_tags: bool = False, hashes: bool = True) -> ImageRecord:
    """Read one file into an :class:`ImageRecord` (no findings yet).

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.
    all_tags : bool
        Keep every raw EXIF tag in ``metadata.raw``.
    hashes : bool
        Decode the picture and compute its perceptual hashes.
    """
    path = os.fsdecode(path)
    ext = os.path.splitext(path)[1].lower() or None
    try:
        st = os.stat(path)
        with open(path, "rb") as f:
            head = f.read(HEAD_BYTES)
            ftype = sniff(head)
            if ftype.kind == "video" or st.st_size > MAX_IMAGE_BYTES:
                digest = hashlib.sha256(head)
                for chunk in iter(lambda: f.read(_HASH_CHUNK), b""):
                    digest.update(chunk)
                data = None
            else:
                data = head + f.read()
                digest = hashlib.sha256(data)
    except OSError as exc:
        return ImageRecord(path=path, extension=ext, error=f"cannot read file: {exc.strerror or exc}")

    base = ImageRecord(
        path=path, size=st.st_size, sha256=digest.hexdigest(), kind=ftype.kind,
        mime=ftype.mime, format=ftype.format, extension=ext,
    )  # fmt: skip
    if st.st_size == 0:
        return dataclasses.replace(base, error="empty file (0 bytes)")
    if ftype.kind == "video":
        from .video import read_video

        return read_video(base)
    if ftype.kind == "unknown":
        return dataclasses.replace(base, error=f"not a recognised image or video format (starts with {head[:8].hex(' ')})")
    if data is None:
        return dataclasses.replace(base, error=f"refused: {st.st_size} bytes is larger than the {MAX_IMAGE_BYTES} byte limit for an image")
    return _read_image(base, data, all_tags=all_tags, want_hashes=hashes)


def _read_image(base: ImageRecord, data: bytes, *, all_tags: bool, want_hashes: bool) -> ImageRecord:
    from PIL import Image

    from . import exif, hashing
    from .icc import profile_description
    from .iptc import iptc_fields
    from .xmp import find_packet, parse_xmp

    problems: list[str] = []
    if base.format in ("HEIF", "AVIF"):
        _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        return dataclasses.replace(base, error=f"refused as a decompression bomb: {exc}")
    except Image.DecompressionBombWarning as exc:
        return dataclasses.replace(base, error=f"refused as a decompression bomb: {exc}")
    except Exception as exc:  # noqa: BLE001 - any decoder failure is a property of the file
        return dataclasses.replace(base, error=f"cannot open as {base.format}: {_reason(exc)}")

    width, height = image.size
    fields: dict[str, Any] = {}
    tags: dict[str, Any] = {}
    # EXIF: exifread reads JPEG and TIFF directly; other containers hand us the raw block.
    try:
        if base.format in ("JPEG", "TIFF"):
            tags = exif.read_tags(io.BytesIO(data))
        else:
            block = image.info.get("exif")
            if block:
                block = block[6:] if block.startswith(b"Exif\x00\x00") else block
                tags = exif.read_tags(io.BytesIO(block))
    except Exception as exc:  # noqa: BLE001 - exifread raises many types on damage
        problems.append(f"EXIF unreadable: {_reason(exc)}")
    if tags:
        try:
            fields = exif.fields_from_tags(tags)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"EXIF fields malformed: {_reason(exc)}")
    if "GPS GPSLatitude" in tags and fields.get("gps") is None:
        problems.append("GPS position present but malformed")

    thumb = Thumbnail()
    thumb_bytes = tags.get("JPEGThumbnail")
    if isinstance(thumb_bytes, (bytes, bytearray)) and thumb_bytes:
        thumb = _thumbnail(bytes(thumb_bytes), fields.get("orientation"), problems)

    xmp_info = None
    packet = image.info.get("xmp") if base.format != "JPEG" else None
    if isinstance(packet, str):
        packet = packet.encode("utf-8", "replace")
    packet = packet or find_packet(data if base.format == "JPEG" else data[: 1 << 22])
    if packet:
        xmp_info = parse_xmp(packet)
        if xmp_info is None:
            problems.append("XMP packet is not well-formed XML")

    jpeg_info = None
    if base.format == "JPEG":
        from .jpeg import jpeg_info as _jpeg_info

        try:
            jpeg_info = _jpeg_info(image, data)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"JPEG structure unreadable: {_reason(exc)}")

    meta = Metadata(
        **fields,
        thumbnail=thumb,
        xmp=xmp_info,
        iptc=iptc_fields(image) if base.format in ("JPEG", "TIFF") else {},
        icc_description=profile_description(image.info.get("icc_profile")),
        jpeg=jpeg_info,
        raw=exif.raw_tags(tags) if all_tags else None,
    )
    record = dataclasses.replace(base, width=width, height=height, metadata=meta)

    if width * height > _pixel_limit():
        return dataclasses.replace(
            record, error=f"refused as a decompression bomb: {width}×{height} pixels exceeds the limit of {_pixel_limit()}",
            problems=tuple(problems),
        )  # fmt: skip
    if not want_hashes:
        return dataclasses.replace(record, problems=tuple(problems))
    try:
        if getattr(image, "n_frames", 1) > 1:
            image.seek(0)
        hashing.reduce_on_decode(image)
        image.load()
        shown = hashing.shrink(hashing.orient(image, meta.orientation))
        if shown.mode not in ("RGB", "L"):
            shown = _flatten(shown)
        hashes = hashing.compute_hashes(shown)
        luma = hashing.mean_luma(shown)
    except Exception as exc:  # noqa: BLE001 - truncated or corrupt image data
        return dataclasses.replace(record, error=f"image data cannot be decoded: {_reason(exc)}", problems=tuple(problems))
    return dataclasses.replace(record, hashes=hashes, luma_mean=luma, problems=tuple(problems))


def _flatten(image):
    """Composite transparency over white, as a viewer would show it."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(bg, rgba).convert("RGB")
    return image.convert("RGB")


def _thumbnail(data: bytes, orientation: int | None, problems: list[str]) -> Thumbnail:
    from PIL import Image

    from . import hashing

    try:
        with Image.open(io.BytesIO(data)) as t:
            t.load()
            size = t.size
            content = hashing.trim_black_bars(t.convert("RGB"))
            hashes = hashing.compute_hashes(hashing.orient(content, orientation))
    except Exception as exc:  # noqa: BLE001
        problems.append(f"EXIF thumbnail cannot be decoded: {_reason(exc)}")
        return Thumbnail(present=True, size=len(data))
    return Thumbnail(
        present=True, size=len(data), width=size[0], height=size[1],
        content_width=content.width, content_height=content.height, hashes=hashes,
    )  # fmt: skip


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 300 else text[:300] + "…"


def read_metadata(path: str | os.PathLike[str], *, all_tags: bool = False) -> ImageRecord:
    """Read a file's metadata and file facts without decoding its pixels.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.
    all_tags : bool
        Keep every raw EXIF tag in ``record.metadata.raw``.

    Returns
    -------
    ImageRecord
        File facts (size, SHA-256, type) and :class:`Metadata`; ``hashes`` is
        None. A damaged file gives a record whose ``error`` says why.
    """
    return read_file(path, all_tags=all_tags, hashes=False)
