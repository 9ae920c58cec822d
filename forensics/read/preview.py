"""Downscaled pictures for reports: the picture, its EXIF thumbnail, its error levels.

These are made only for a report a person looks at (the HTML report), never
used by a check. Each comes back as small JPEG bytes so that a process pool can
hand them over cheaply and a renderer can embed them as they are.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

from PIL import Image

from forensics.read.files import register_heif
from forensics.read.sniff import HEAD_BYTES, sniff

DEFAULT_SIDE = 320
_JPEG_QUALITY = 72


@dataclass(frozen=True)
class Previews:
    """Report imagery of one file; ``problem`` says why a picture is missing."""

    picture: bytes | None = None  # JPEG, longest side at most the asked size, oriented as shown
    size: tuple[int, int] | None = None  # of ``picture``
    exif_thumbnail: bytes | None = None  # JPEG, oriented like the picture
    ela: bytes | None = None  # JPEG, the error level picture at the size of ``picture``
    problem: str | None = None


def _encode(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=_JPEG_QUALITY, optimize=True)
    return buf.getvalue()


def _fit(image: Image.Image, side: int) -> Image.Image:
    image = image.copy() if max(image.size) <= side else image
    image.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return image


def _viewable(image: Image.Image) -> Image.Image:
    from forensics.read.files import _flatten

    return image if image.mode in ("RGB", "L") else _flatten(image)


def previews(
    path: str | os.PathLike[str],
    *,
    orientation: int | None = None,
    max_side: int = DEFAULT_SIDE,
    ela: bool = True,
    exif_thumbnail: bool = False,
    video: bool = False,
    at: float | None = None,
) -> Previews:
    """Make the report imagery of one file.

    Parameters
    ----------
    path : str or os.PathLike
        The file (read again: this runs at report time, after the scan).
    orientation : int, optional
        The EXIF orientation the scan read; the pictures are turned to match.
    max_side : int
        Longest side of every picture, in pixels.
    ela : bool
        Add the error level picture (JPEG files only; computed at full resolution).
    exif_thumbnail : bool
        Add the thumbnail embedded in EXIF, when there is one.
    video : bool
        The file is a video: take the frame at ``at`` seconds, else a tenth of the way in.
    at : float, optional
        Time of the video frame to show, in seconds.

    Returns
    -------
    Previews
        Whatever could be made; a file that cannot be decoded gives ``problem``.
    """
    from forensics.read.hashing import orient

    try:
        if video:
            frame = _video_frame(os.fsdecode(path), at)
            if frame is None:
                return Previews(problem="no frame could be decoded")
            pic = _fit(frame, max_side)
            return Previews(picture=_encode(pic), size=pic.size)
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        return Previews(problem=f"cannot read file: {exc.strerror or exc}")

    try:
        if sniff(data[:HEAD_BYTES]).format in ("HEIF", "AVIF"):
            register_heif()  # Pillow cannot even identify these without it
        image = Image.open(io.BytesIO(data))
        is_jpeg = image.format == "JPEG"
        if getattr(image, "n_frames", 1) > 1:
            image.seek(0)
        want_ela = ela and is_jpeg
        if not want_ela and is_jpeg:
            # A reduced decode is enough for a thumbnail: far faster on large photos.
            image.draft("RGB", (max_side * 2, max_side * 2))
        image.load()
        levels = None
        if want_ela:
            from forensics.pixels.ela import error_level

            levels = _fit(orient(error_level(image), orientation), max_side)
        pic = _fit(orient(_viewable(image), orientation), max_side)
    except Exception as exc:  # noqa: BLE001 - any decoder failure is a property of the file
        return Previews(problem=f"picture cannot be decoded: {str(exc)[:200] or type(exc).__name__}")

    thumb = None
    if exif_thumbnail and is_jpeg:
        thumb = _exif_thumbnail(data, orientation)
    return Previews(
        picture=_encode(pic), size=pic.size, exif_thumbnail=thumb,
        ela=_encode(levels) if levels is not None else None,
    )  # fmt: skip


def _exif_thumbnail(data: bytes, orientation: int | None) -> bytes | None:
    from forensics.read.exif import read_tags
    from forensics.read.hashing import orient

    try:
        raw = read_tags(io.BytesIO(data), details=False).get("JPEGThumbnail")
        if not raw:
            return None
        with Image.open(io.BytesIO(bytes(raw))) as t:
            t.load()
            return _encode(orient(t.convert("RGB"), orientation))
    except Exception:  # noqa: BLE001 - a damaged thumbnail is simply not shown; the scan reported it
        return None


def _video_frame(path: str, at: float | None = None) -> Image.Image | None:
    import cv2

    cap = cv2.VideoCapture(path)
    try:
        if not cap.isOpened():
            return None
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        if at is not None:
            cap.set(cv2.CAP_PROP_POS_MSEC, max(0.0, at) * 1000.0)
        elif count > 10:
            cap.set(cv2.CAP_PROP_POS_FRAMES, count // 10)
        ok, frame = cap.read()
    finally:
        cap.release()
    if not ok or frame is None:
        return None
    return Image.fromarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
