"""Perceptual hashes of a picture as displayed, from a reduced-size decode.

Decoding a 12-megapixel JPEG at 1/8 scale (libjpeg does it in the DCT, almost
for free) costs a third of a full decode; the 64-bit hashes are computed on
images of 32 px or less anyway, so the reduced decode changes them by at most
a few bits (``tests/test_hashing.py`` pins that).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import imagehash
import numpy as np

from .record import Hashes

if TYPE_CHECKING:
    from PIL import Image

MIN_SIDE = 256  # the reduced decode keeps at least this many pixels on the short side

# Pillow transpose operations that display a picture stored with EXIF orientation n.
_ORIENT = {2: ("FLIP_LEFT_RIGHT",), 3: ("ROTATE_180",), 4: ("FLIP_TOP_BOTTOM",), 5: ("TRANSPOSE",),
           6: ("ROTATE_270",), 7: ("TRANSVERSE",), 8: ("ROTATE_90",)}  # fmt: skip


def reduce_on_decode(image: Image.Image, *, mode: str = "RGB") -> None:
    """Ask Pillow to decode a JPEG at the smallest scale that keeps MIN_SIDE pixels."""
    if image.format != "JPEG":
        return
    w, h = image.size
    scale = 1
    while scale < 8 and min(w, h) // (scale * 2) >= MIN_SIDE:
        scale *= 2
    if scale > 1:
        image.draft(mode, (w // scale, h // scale))


def orient(image: Image.Image, orientation: int | None) -> Image.Image:
    """Apply an EXIF orientation (1..8) so the image is as a viewer shows it."""
    from PIL import Image as _Image

    ops = _ORIENT.get(orientation or 1, ())
    for op in ops:
        image = image.transpose(getattr(_Image.Transpose, op))
    return image


def shrink(image: Image.Image, *, side: int = MIN_SIDE * 2) -> Image.Image:
    """Bound the working size for hashing (PNG and others have no reduced decode)."""
    w, h = image.size
    if max(w, h) <= side:
        return image
    from PIL import Image as _Image

    f = side / max(w, h)
    return image.resize((max(1, round(w * f)), max(1, round(h * f))), _Image.Resampling.BILINEAR, reducing_gap=2.0)


def compute_hashes(image: Image.Image) -> Hashes:
    """All five hashes of an already oriented (and ideally reduced) image."""
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    gray = image.convert("L")
    return Hashes(
        phash=str(imagehash.phash(gray)),
        dhash=str(imagehash.dhash(gray)),
        ahash=str(imagehash.average_hash(gray)),
        whash=str(imagehash.whash(gray)),
        colorhash=str(imagehash.colorhash(image if image.mode == "RGB" else image.convert("RGB"), binbits=3)),
    )


def trim_black_bars(image: Image.Image, *, level: int = 12) -> Image.Image:
    """Cut uniform near-black bars from the edges (letterboxing, pillarboxing).

    Only whole rows or columns darker than ``level`` are cut, and never more
    than 40% of a side, so a dark scene is not mistaken for padding.
    """
    a = np.asarray(image.convert("L"))
    if a.size == 0:
        return image
    rows = np.flatnonzero(a.max(axis=1) > level)
    cols = np.flatnonzero(a.max(axis=0) > level)
    if rows.size == 0 or cols.size == 0:
        return image
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    h, w = a.shape
    if (bottom - top) < 0.6 * h or (right - left) < 0.6 * w:
        return image
    if (top, bottom, left, right) == (0, h, 0, w):
        return image
    return image.crop((int(left), int(top), int(right), int(bottom)))


def mean_luma(image: Image.Image) -> float:
    """Mean brightness (0..255) of an image, for the daylight check."""
    return round(float(np.asarray(image.convert("L"), dtype=np.float32).mean()), 2)


def hash_image(image: Image.Image | str | os.PathLike[str], *, orientation: int | None = None) -> Hashes:
    """Perceptual hashes of a picture as displayed.

    Parameters
    ----------
    image : PIL.Image.Image or path
        A Pillow image, or the path of an image file. A path is opened with a
        reduced-size decode and its EXIF orientation is applied.
    orientation : int, optional
        EXIF orientation to apply to a Pillow image (a path's own is used).

    Returns
    -------
    Hashes
        pHash, dHash, aHash, wHash (64 bits each) and colour hash, as hex.

    Examples
    --------
    >>> from PIL import Image
    >>> h = hash_image(Image.new("RGB", (64, 64), "white"))
    >>> len(h.phash)
    16
    """
    from PIL import Image as _Image

    if isinstance(image, _Image.Image):
        return compute_hashes(shrink(orient(image, orientation)))
    from .reader import read_file

    record = read_file(image)
    if record.hashes is None:
        from .errors import UnreadableFile

        raise UnreadableFile(f"{os.fsdecode(image)}: {record.error or 'no picture to hash'}")
    return record.hashes
