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

from forensics.errors import UnreadableFile
from forensics.read.decode import fit, load_picture
from forensics.read.sniff import HEAD_BYTES, sniff
from forensics.read.video import frame_at

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


def previews(
    path: str | os.PathLike[str],
    *,
    orientation: int | None = None,
    max_side: int = DEFAULT_SIDE,
    ela: bool = True,
    exif_thumbnail: bool = False,
    video: bool = False,
    at: float | None = None,
    memory_budget: int | None = None,
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
        Add the error level picture (JPEG files only), computed on the picture
        at the size it is shown: decoding the file at full size for it would
        cost as much memory as the picture has pixels.
    exif_thumbnail : bool
        Add the thumbnail embedded in EXIF, when there is one.
    video : bool
        The file is a video: take the frame at ``at`` seconds, else a tenth of the way in.
    at : float, optional
        Time of the video frame to show, in seconds.
    memory_budget : int, optional
        Bytes a decode may allocate (:func:`forensics.read.decode.refusal`);
        default: the limits in force; 0: no budget.

    Returns
    -------
    Previews
        Whatever could be made; a file that cannot be decoded gives ``problem``.
    """
    if video:
        try:
            frame = frame_at(path, at)
        except UnreadableFile:
            return Previews(problem="no frame could be decoded")
        pic = fit(frame, max_side, resample="lanczos")
        return Previews(picture=_encode(pic), size=pic.size)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        return Previews(problem=f"cannot read file: {exc.strerror or exc}")

    is_jpeg = sniff(data[:HEAD_BYTES]).format == "JPEG"
    levels = None
    try:
        # reduced as the file allows (a JPEG in the DCT), never decoded whole for a small picture
        pic = load_picture(data, side=max_side, orientation=orientation, resample="lanczos", memory_budget=memory_budget)
    except Exception as exc:  # noqa: BLE001 - any decoder failure is a property of the file
        return Previews(problem=f"picture cannot be decoded: {str(exc)[:200] or type(exc).__name__}")
    if ela and is_jpeg:
        from forensics.pixels.ela import error_level  # deferred: Pillow load on first use, not on `import forensics`

        levels = error_level(pic)

    thumb = None
    if exif_thumbnail and is_jpeg:
        thumb = _exif_thumbnail(data, orientation, max_side, memory_budget)
    return Previews(
        picture=_encode(pic), size=pic.size, exif_thumbnail=thumb,
        ela=_encode(levels) if levels is not None else None,
    )  # fmt: skip


def _exif_thumbnail(data: bytes, orientation: int | None, max_side: int, memory_budget: int | None) -> bytes | None:
    from forensics.read.exif import read_tags  # deferred: exifread load on first use, not on `import forensics`

    try:
        raw = read_tags(io.BytesIO(data), details=False).get("JPEGThumbnail")
        if not raw:
            return None
        # a thumbnail may declare any size: it is brought to the picture's, under the same budget
        return _encode(load_picture(bytes(raw), side=max_side, orientation=orientation, memory_budget=memory_budget))
    except Exception:  # noqa: BLE001 - a damaged thumbnail is simply not shown; the scan reported it
        return None
