"""Views of a picture for reference matching: turns, regions, the content inside a frame.

A perceptual hash only matches a copy that shows the same picture the same
way up. Matching therefore hashes several *views*: the eight turns and flips
of a query (the dihedral group), fixed sub-regions of a reference (so that a
crop keeping half of it still meets a hash of the same half), and the content
rectangle of a screenshot whose picture sits inside a player's or an app's
frame. Hashes here are plain Python ints (64 bits) ready for packed search.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL import Image

# Sub-regions indexed for every reference picture, as fractions (x0, y0, x1, y1).
# Each keeps 70% of each side (49% of the area): a crop that keeps about half of
# a picture lands close to one of them, and larger crops are met by the query's
# own sub-crops at the matching scale (see QUERY_SUBCROPS).
REGIONS: tuple[tuple[str, tuple[float, float, float, float]], ...] = (
    ("centre", (0.15, 0.15, 0.85, 0.85)),
    ("top-left", (0.0, 0.0, 0.7, 0.7)),
    ("top-right", (0.3, 0.0, 1.0, 0.7)),
    ("bottom-left", (0.0, 0.3, 0.7, 1.0)),
    ("bottom-right", (0.3, 0.3, 1.0, 1.0)),
)
# Sides (fraction of the query) of the query sub-crops compared with the region
# of the same anchor: a query that is a crop of side s of the reference contains
# the reference's region at side 0.7 / s of itself.
QUERY_SUBCROPS = (0.9, 0.8)

# The dihedral group as Pillow transposes applied to a query, and the name of
# the transform that turns the reference into the query when that view matches.
DIHEDRAL: tuple[tuple[str | None, str], ...] = (
    (None, "identity"),
    ("FLIP_LEFT_RIGHT", "mirrored"),
    ("ROTATE_180", "rotated-180"),
    ("FLIP_TOP_BOTTOM", "flipped"),
    ("ROTATE_90", "rotated-90"),  # the query was turned 90° clockwise from the reference
    ("ROTATE_270", "rotated-270"),
    ("TRANSPOSE", "transposed"),
    ("TRANSVERSE", "transversed"),
)

VERIFY_SIDE = 800  # long side of the pictures compared with local features


@dataclass(frozen=True)
class ViewHash:
    """The hashes of one view of a picture."""

    name: str  # "identity", "mirrored", "framed", "crop:centre:0.9" …
    phash: int
    dhash: int | None = None
    anchor: str | None = None  # the reference region a sub-crop is compared with


def hex_to_int(value: str) -> int:
    """A hex hash as an unsigned 64-bit int (longer hashes keep their first 64 bits)."""
    return int(value[:16], 16)


def to_signed(value: int) -> int:
    """An unsigned 64-bit int as SQLite stores integers (signed)."""
    return value - (1 << 64) if value >= (1 << 63) else value


def to_unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def phash_int(image: Image.Image) -> int:
    """pHash (imagehash's, 64 bits) of a picture as an int."""
    import imagehash

    return hex_to_int(str(imagehash.phash(image.convert("L"))))


def dhash_int(image: Image.Image) -> int:
    import imagehash

    return hex_to_int(str(imagehash.dhash(image.convert("L"))))


def load_picture(path: str | os.PathLike[str], *, side: int = VERIFY_SIDE) -> Image.Image:
    """Open a picture as displayed (EXIF orientation applied), about ``side`` px on its long side.

    JPEGs are decoded at a reduced scale when that still gives ``side`` pixels.
    Raises whatever Pillow raises for a file that cannot be decoded.
    """
    from PIL import Image as _Image
    from PIL import ImageOps

    from .reader import _flatten, _register_heif

    with open(path, "rb") as f:
        head = f.read(16)
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif", b"ftyphevc"):
        _register_heif()
    with _Image.open(path) as image:
        if image.format == "JPEG":
            w, h = image.size
            scale = 1
            while scale < 8 and max(w, h) // (scale * 2) >= side:
                scale *= 2
            if scale > 1:
                image.draft("RGB", (w // scale, h // scale))
        image.load()
        shown = ImageOps.exif_transpose(image)
        if shown.mode not in ("RGB", "L"):
            shown = _flatten(shown)
        shown = shown.convert("RGB")
    w, h = shown.size
    if max(w, h) > side:
        f = side / max(w, h)
        shown = shown.resize((max(1, round(w * f)), max(1, round(h * f))), _Image.Resampling.BILINEAR, reducing_gap=2.0)
    return shown


def crop_fraction(image: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    w, h = image.size
    x0, y0, x1, y1 = box
    return image.crop((round(x0 * w), round(y0 * h), max(round(x0 * w) + 1, round(x1 * w)), max(round(y0 * h) + 1, round(y1 * h))))


def region_hashes(image: Image.Image) -> list[int]:
    """pHash of each of :data:`REGIONS` of a reference picture, in that order."""
    return [phash_int(crop_fraction(image, box)) for _, box in REGIONS]


def transpose(image: Image.Image, op: str | None) -> Image.Image:
    from PIL import Image as _Image

    return image if op is None else image.transpose(getattr(_Image.Transpose, op))


def query_views(image: Image.Image) -> tuple[list[ViewHash], tuple[int, int, int, int] | None]:
    """Hashes of the views of a query: its turns, its framed content, its sub-crops.

    Returns the views and the content rectangle ``(x0, y0, x1, y1)`` in the
    image's pixels when a frame (borders, player controls) was found around it.
    """
    views = []
    for op, name in DIHEDRAL:
        v = transpose(image, op)
        views.append(ViewHash(name, phash_int(v), dhash_int(v)))
    box = content_box(image)
    if box is not None:
        inner = image.crop(box)
        views.append(ViewHash("framed", phash_int(inner), dhash_int(inner)))
        mirrored = transpose(inner, "FLIP_LEFT_RIGHT")
        views.append(ViewHash("framed-mirrored", phash_int(mirrored), dhash_int(mirrored)))
    # sub-crops, compared with the reference region that has the same anchor
    for side in QUERY_SUBCROPS:
        m = 1.0 - side
        boxes = {
            "centre": (m / 2, m / 2, 1 - m / 2, 1 - m / 2),
            "top-left": (0.0, 0.0, side, side),
            "top-right": (m, 0.0, 1.0, side),
            "bottom-left": (0.0, m, side, 1.0),
            "bottom-right": (m, m, 1.0, 1.0),
        }
        for anchor, b in boxes.items():
            views.append(ViewHash(f"crop:{anchor}:{side}", phash_int(crop_fraction(image, b)), anchor=anchor))
    return views, box


def content_box(image: Image.Image, *, min_area: float = 0.2) -> tuple[int, int, int, int] | None:
    """The rectangle of picture content inside uniform borders and interface bars.

    Rows and columns are peeled off from the outside while they look like a
    frame: most of their pixels within a few levels of the row's (column's)
    median, as in black bars, title bars and control bars whose icons and
    progress line cover a small part of the width. Returns None when nothing
    (or almost everything) would be cut.
    """
    a = np.asarray(image.convert("L"), dtype=np.int16)
    h, w = a.shape
    if h < 16 or w < 16:
        return None
    top, bottom, left, right = 0, h, 0, w
    for _ in range(3):  # bars inside bars (a letterboxed video inside a player)
        before = (top, bottom, left, right)
        sub = a[top:bottom, left:right]
        flat_rows = _flat_lines(sub)
        top, bottom = top + _lead(flat_rows), top + len(flat_rows) - _lead(flat_rows[::-1])
        if bottom - top < 8:
            return None
        sub = a[top:bottom, left:right]
        flat_cols = _flat_lines(sub.T)
        left, right = left + _lead(flat_cols), left + len(flat_cols) - _lead(flat_cols[::-1])
        if right - left < 8:
            return None
        if (top, bottom, left, right) == before:
            break
    if (bottom - top) * (right - left) < min_area * h * w:
        return None
    if (bottom - top) * (right - left) > 0.93 * h * w:
        return None
    return int(left), int(top), int(right), int(bottom)


def _flat_lines(a: np.ndarray, *, tolerance: int = 6, share: float = 0.7) -> np.ndarray:
    """Per row: does most of it sit within ``tolerance`` levels of its median?"""
    med = np.median(a, axis=1, keepdims=True)
    close = (np.abs(a - med) <= tolerance).mean(axis=1)
    return close >= share


def _lead(flags: np.ndarray) -> int:
    """How many leading entries are True."""
    idx = np.flatnonzero(~flags)
    return int(idx[0]) if idx.size else len(flags)


def map_box(box: tuple[float, float, float, float], op: str | None, size: tuple[int, int]) -> tuple[float, float, float, float]:
    """Map a box in a transposed view back into the untransposed picture of ``size`` (w, h)."""
    if op is None:
        return box
    w, h = size
    x0, y0, x1, y1 = box
    corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)]

    # the point of the original that the view shows at (x, y)
    def back(x: float, y: float) -> tuple[float, float]:
        if op == "FLIP_LEFT_RIGHT":
            return w - x, y
        if op == "FLIP_TOP_BOTTOM":
            return x, h - y
        if op == "ROTATE_180":
            return w - x, h - y
        if op == "ROTATE_90":  # counter-clockwise: view (x, y) <- original (w - y, x)
            return w - y, x
        if op == "ROTATE_270":
            return y, h - x
        if op == "TRANSPOSE":
            return y, x
        if op == "TRANSVERSE":
            return w - y, h - x
        raise ValueError(op)

    pts = [back(x, y) for x, y in corners]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)
