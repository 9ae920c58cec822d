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
from typing import TYPE_CHECKING, Any

from forensics.read import decode
from forensics.read.hashing import dhash, phash

if TYPE_CHECKING:
    from PIL import Image

# Sub-regions indexed for every reference picture, as fractions (x0, y0, x1, y1):
# a 3 x 3 grid of windows keeping 70% of each side (49% of the area). A crop
# that keeps about half of a picture lands within half a grid step of one of
# them, and larger crops meet them through the query's own sub-crops (see
# QUERY_SUBCROPS); local features then confirm or reject the candidate.
REGIONS: tuple[tuple[str, tuple[float, float, float, float]], ...] = tuple(
    (f"{row}-{col}".replace("middle-centre", "centre"), (x, y, x + 0.7, y + 0.7))
    for y, row in ((0.0, "top"), (0.15, "middle"), (0.3, "bottom"))
    for x, col in ((0.0, "left"), (0.15, "centre"), (0.3, "right"))
)
# Sides (fraction of the query) of the query sub-crops compared with the
# regions: a query that is a crop of side s of the reference contains a region
# at side 0.7 / s of itself.
QUERY_SUBCROPS = (0.9, 0.8)
# The indexed regions each view of a query is compared with (every other pair
# is skipped: at 10^6 references each pair costs a full scan of one column).
# A sub-crop anchored at a corner of the query lies in that corner's 2 x 2
# block of the grid; the centre sub-crop lies at most 0.11 of a side from the
# centre region (less than a grid step); the query itself (a crop of about half
# the picture) may be any region; a picture turned back by a few degrees and
# cut upright is a centred crop of about 0.7 of each side: the centre region.
# Measured with ``benchmarks/neardup_eval.py`` (crop, rotate, overlay and
# screenshot families): every variant found through a region before this
# restriction also has a hit among these pairs, and recall is unchanged.
VIEW_REGIONS: dict[str, tuple[str, ...]] = {
    "identity": tuple(name for name, _ in REGIONS),
    "top-left": ("top-left", "top-centre", "middle-left", "centre"),
    "top-right": ("top-centre", "top-right", "centre", "middle-right"),
    "bottom-left": ("middle-left", "centre", "bottom-left", "bottom-centre"),
    "bottom-right": ("centre", "middle-right", "bottom-centre", "bottom-right"),
    "centre": ("centre",),
    "tilt": ("centre",),
}

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
    phash: int  # forensics.read.hashing.phash, like the hashes the index stores
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


def load_picture(path: str | os.PathLike[str], *, side: int = VERIFY_SIDE) -> Image.Image:
    """A picture as displayed (EXIF orientation applied), RGB, at most ``side`` px on its long side.

    :func:`forensics.read.decode.load_picture` with the bilinear filter the
    query views and the local features are tuned on. Raises whatever Pillow
    raises for a file that cannot be decoded; decoder warnings are dropped.
    """
    picture = decode.load_picture(path, side=side, resample="bilinear")
    return picture if picture.mode == "RGB" else picture.convert("RGB")


HASH_SIDE = 320  # long side of the copy the query views are hashed from


def crop_fraction(image: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    w, h = image.size
    x0, y0, x1, y1 = box
    return image.crop((round(x0 * w), round(y0 * h), max(round(x0 * w) + 1, round(x1 * w)), max(round(y0 * h) + 1, round(y1 * h))))


def region_hashes(image: Image.Image) -> list[int]:
    """pHash of each of :data:`REGIONS` of a reference picture, in that order."""
    return [phash(crop_fraction(image, box)) for _, box in REGIONS]


def transpose(image: Image.Image, op: str | None) -> Image.Image:
    from PIL import Image as _Image

    return image if op is None else image.transpose(getattr(_Image.Transpose, op))


def query_views(image: Image.Image) -> tuple[list[ViewHash], tuple[int, int, int, int] | None]:
    """Hashes of the views of a query: its turns, its framed content, its sub-crops.

    Returns the views and the content rectangle ``(x0, y0, x1, y1)`` in the
    image's pixels when a frame (borders, player controls) was found around it.
    """
    box = content_box(image)
    full = image
    # the hashes look at 32 x 32 grey pixels: hash a small grey copy (turns and crops commute with
    # the conversion, so the hashes are those of the colour picture, at a third of the resizing cost)
    image = decode.fit(image, HASH_SIDE, resample="bilinear").convert("L")
    views = []
    for op, name in DIHEDRAL:
        v = transpose(image, op)
        views.append(ViewHash(name, phash(v), dhash(v)))
    if box is not None:
        f = image.width / full.width, image.height / full.height
        inner = image.crop((round(box[0] * f[0]), round(box[1] * f[1]), round(box[2] * f[0]), round(box[3] * f[1])))
        views.append(ViewHash("framed", phash(inner), dhash(inner)))
        mirrored = transpose(inner, "FLIP_LEFT_RIGHT")
        views.append(ViewHash("framed-mirrored", phash(mirrored), dhash(mirrored)))
    # sub-crops of the query, compared with every indexed region of the references
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
            views.append(ViewHash(f"crop:{anchor}:{side}", phash(crop_fraction(image, b)), anchor=anchor))
    return views, box


TILTS = (-10.0, -5.0, 5.0, 10.0)  # degrees: a picture turned a little, turned back in steps


def tilted_views(image: Image.Image, *, angles: tuple[float, ...] = TILTS) -> list[ViewHash]:
    """Hashes of the query turned back by a few degrees, cut to the part with no blank corners."""
    import math

    from PIL import Image as _Image

    image = decode.fit(image, HASH_SIDE, resample="bilinear")
    w, h = image.size
    out = []
    for angle in angles:
        a = math.radians(abs(angle))
        k = 1.0 / (math.cos(a) + math.sin(a) * max(w / h, h / w))
        turned = image.rotate(angle, resample=_Image.Resampling.BILINEAR, expand=False)
        cw, ch = int(w * k), int(h * k)
        inner = turned.crop(((w - cw) // 2, (h - ch) // 2, (w + cw) // 2, (h + ch) // 2))
        out.append(ViewHash(f"tilt:{angle:+.0f}", phash(inner), dhash(inner), anchor="tilt"))
    return out


def content_box(image: Image.Image, *, min_area: float = 0.15) -> tuple[int, int, int, int] | None:
    """The rectangle of picture content inside borders and interface bars.

    A 4 x 4 block is *busy* when its pixels span more than a few levels;
    frames, title bars and control bars are flat but for small icons, thin
    lines and text. The content is the longest run of block rows whose busy
    share is high, then within it the longest run of such columns (twice, for
    a letterboxed video inside a player). Returns None when no frame is found
    (or almost nothing would remain).
    """
    import numpy as np

    a = np.asarray(image.convert("L"), dtype=np.int16)
    h, w = a.shape
    if h < 64 or w < 64:
        return None
    b = 4
    cut = a[: h - h % b, : w - w % b]
    rows = cut.reshape(h - h % b, w // b, b)  # reduce along x first: contiguous, fast
    hi, lo = rows.max(axis=2), rows.min(axis=2)
    hi = hi.reshape(h // b, b, w // b).max(axis=1)
    lo = lo.reshape(h // b, b, w // b).min(axis=1)
    busy = (hi - lo) > 4
    bh, bw = busy.shape
    top, bottom, left, right = 0, bh, 0, bw
    for _ in range(2):
        before = (top, bottom, left, right)
        sub = busy[top:bottom, left:right]
        r0, r1 = _busy_run(sub.mean(axis=1))
        top, bottom = top + r0, top + r1
        sub = busy[top:bottom, left:right]
        c0, c1 = _busy_run(sub.mean(axis=0))
        left, right = left + c0, left + c1
        if bottom - top < 4 or right - left < 4:
            return None
        if (top, bottom, left, right) == before:
            break
    area = (bottom - top) * (right - left)
    if area < min_area * bh * bw or area > 0.93 * bh * bw:
        return None
    return int(left * b), int(top * b), int(min(w, right * b)), int(min(h, bottom * b))


def _busy_run(share: Any) -> tuple[int, int]:
    """The longest run of lines whose busy share is high (thin lines smoothed away)."""
    import numpy as np

    n = share.shape[0]
    k = max(3, n // 25) | 1
    padded = np.pad(share, k // 2, mode="edge")
    smooth = np.median(np.lib.stride_tricks.sliding_window_view(padded, k), axis=1)
    level = max(0.06, 0.3 * float(np.percentile(smooth, 75)))
    on = smooth >= level
    best, start, run0 = (0, n), None, (0, 0)
    for i, flag in enumerate(np.append(on, False)):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start > run0[1] - run0[0]:
                run0 = (start, i)
            start = None
    return run0 if run0[1] > run0[0] else best


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
