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
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from forensics.read import decode, hashing
from forensics.read.hashing import phash

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
    **{f"aligned:{name}": (name,) for name in ("top-centre", "centre", "bottom-centre")},
}
# Regions the query itself is cut to, each compared with the same region of the references: what
# an overlay leaves clean. A control bar or a caption band over the bottom leaves the top-centre
# region, a banner over the top the bottom-centre one, a logo in a corner the centre one. A crop
# of the query the same shape and place as an indexed region is the cheapest sure way past an
# overlay: one column scan each, and the distance is that of a resized copy.
ALIGNED = ("top-centre", "centre", "bottom-centre")

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

    name: str  # "identity", "mirrored", "framed", "framed:2", "crop:centre:0.9", "aligned:centre" …
    phash: int  # forensics.read.hashing.phash, like the hashes the index stores
    dhash: int | None = None
    anchor: str | None = None  # the key in VIEW_REGIONS of the reference regions a sub-crop is compared with
    box: tuple[int, int, int, int] | None = None  # for a framed view, the content rectangle in the picture's pixels


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
# Long side a JPEG query is decoded at for its views: reduced in the DCT to the smallest size still
# this wide on its long side (a quarter of the pixels of a 1280 x 960 query, a sixteenth of a
# 12-megapixel one). The views are hashed from a 320-px copy of it and the content rectangles of a
# screenshot found on it (their 4 x 4 block grid is tuned on 640 to 800 px; below, a player's
# control bar merges into the rectangle). Other formats cost their full decode at any size and
# are taken at the 800 px the rectangles were tuned on. The 800-px copy local features need is
# decoded only when a candidate is verified.
VIEW_SIDE = 640


def load_query_picture(path: str | os.PathLike[str]) -> tuple[Image.Image, bool]:
    """The copy of a query its views are taken from: a JPEG at :data:`VIEW_SIDE`, decoded reduced;
    any other picture as :func:`load_picture` gives it.

    Returns the picture, and whether it is what :func:`load_picture` gives (so that local
    features can be taken from it without a second decode). Raises whatever Pillow raises for a
    file that cannot be decoded; decoder warnings are dropped.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with decode.open_picture(path) as image:
            small = decode.reducible(image) and max(image.size) > VIEW_SIDE
            picture = decode.decode(
                image,
                side=VIEW_SIDE if small else VERIFY_SIDE,
                resample="bilinear",
                reduce_keeping="long" if small else "short",
                share=True,
            )
    return (picture if picture.mode == "RGB" else picture.convert("RGB")), not small


def fraction_box(size: tuple[int, int], box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """The pixels ``(x0, y0, x1, y1)`` of a picture of ``size`` that a box in fractions of it covers (never empty)."""
    w, h = size
    x0, y0, x1, y1 = box
    return round(x0 * w), round(y0 * h), max(round(x0 * w) + 1, round(x1 * w)), max(round(y0 * h) + 1, round(y1 * h))


def crop_fraction(image: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    return image.crop(fraction_box(image.size, box))


def region_hashes(image: Image.Image) -> list[int]:
    """pHash of each of :data:`REGIONS` of a reference picture, in that order."""
    return [phash(crop_fraction(image, box)) for _, box in REGIONS]


def transpose(image: Image.Image, op: str | None) -> Image.Image:
    from PIL import Image as _Image

    return image if op is None else image.transpose(getattr(_Image.Transpose, op))


# Each turn of the dihedral group as (hashed from the transposed picture?, flip of the hash grid):
# a flip commutes exactly with the resizing the hashes start with (the filter and the sampling grid
# are symmetric), so the 32 x 32 and 9 x 8 grids of the picture and of its transpose give the
# hashes of all eight turns, bit for bit those of the turned pictures, from four resizes.
_TURNS: dict[str | None, tuple[bool, tuple[slice, slice]]] = {
    None: (False, (slice(None), slice(None))),
    "FLIP_LEFT_RIGHT": (False, (slice(None), slice(None, None, -1))),
    "ROTATE_180": (False, (slice(None, None, -1), slice(None, None, -1))),
    "FLIP_TOP_BOTTOM": (False, (slice(None, None, -1), slice(None))),
    "ROTATE_90": (True, (slice(None, None, -1), slice(None))),
    "ROTATE_270": (True, (slice(None), slice(None, None, -1))),
    "TRANSPOSE": (True, (slice(None), slice(None))),
    "TRANSVERSE": (True, (slice(None, None, -1), slice(None, None, -1))),
}


def _grids(grey: Any, box: tuple[int, int, int, int] | None = None, *, dgrid: bool = True) -> tuple[Any, Any]:
    """The pHash grid (32 x 32) and the dHash grid (9 x 8) of a grey picture (a 2-D uint8 array of
    its levels), or of the part ``box`` of it, bit for bit as :func:`forensics.read.hashing.phash`
    and :func:`~forensics.read.hashing.dhash` resize the picture cut to that box (:mod:`forensics.refs.grids`)."""
    from forensics.refs.grids import reduce  # deferred: numpy loads on first use, not on `import forensics`

    if box is not None:
        grey = _crop(grey, box)
    return reduce(grey, (32, 32)), (reduce(grey, (9, 8)) if dgrid else None)


def _crop(grey: Any, box: tuple[int, int, int, int]) -> Any:
    """``Image.crop`` of an array: the part inside the picture, and black where the box leaves it."""
    import numpy as np

    x0, y0, x1, y1 = box
    h, w = grey.shape
    if x0 >= 0 and y0 >= 0 and x1 <= w and y1 <= h:
        return grey[y0:y1, x0:x1]
    out = np.zeros((max(0, y1 - y0), max(0, x1 - x0)), np.uint8)
    ix0, iy0, ix1, iy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if ix1 > ix0 and iy1 > iy0:
        out[iy0 - y0 : iy1 - y0, ix0 - x0 : ix1 - x0] = grey[iy0:iy1, ix0:ix1]
    return out


def _phashes(grids: list[Any]) -> list[int]:
    """:func:`forensics.read.hashing.phash` of each 32 x 32 grid, in one pass."""
    import numpy as np

    if not grids:
        return []
    hashing._phash_of(np.zeros((32, 32)))  # builds the DCT matrix once
    assert hashing._DCT is not None
    dct = hashing._DCT[:8]
    low = dct @ np.stack(grids).astype(np.float64) @ dct.T
    bits = low.reshape(len(grids), 64) > np.median(low.reshape(len(grids), 64), axis=1, keepdims=True)
    return [int(b) for b in np.packbits(bits, axis=1).view(">u8").ravel()]


def _dhash(grid: Any) -> int:
    """:func:`forensics.read.hashing.dhash` of a 9 x 8 grid."""
    return hashing._to_int(grid[:, 1:] > grid[:, :-1])


def hash_copy(image: Image.Image) -> Image.Image:
    """The small grey copy of a picture its views are hashed from: the picture at most
    :data:`HASH_SIDE` on the long side (bilinear, as :func:`forensics.read.decode.fit` makes it),
    then grey; made once for the views and the tilted views (a copy of the copy is itself).

    The hashes look at 32 x 32 grey pixels, and turns and crops commute with the conversion.
    Grey first would cost half as much (1.0 against 2.3 ms for a 640 x 480 query on a Zen 3
    core), but its rounding loses one of the 64 screenshots of a window that
    ``benchmarks/neardup_eval.py`` finds.
    """
    small = decode.fit(image, HASH_SIDE, resample="bilinear")
    return small if small.mode == "L" else small.convert("L")


def query_views(image: Image.Image, *, grey: Image.Image | None = None) -> tuple[list[ViewHash], tuple[int, int, int, int] | None]:
    """Hashes of the views of a query: its turns, its framed content, its sub-crops.

    Returns the views and the first content rectangle ``(x0, y0, x1, y1)`` in
    the image's pixels when a frame (borders, player controls, an app screen
    or a web page) was found around a picture; each framed view carries its own
    rectangle in ``box``. The hashes are those of :func:`~forensics.read.hashing.phash`
    and :func:`~forensics.read.hashing.dhash` of each view cut and turned from
    :func:`hash_copy` (``grey``, when the caller has made it already), computed
    from as few resizes as give the same bits (:data:`_TURNS`) and one DCT for all.
    """
    import numpy as np

    boxes = content_boxes(image)
    full = image
    image = grey if grey is not None else hash_copy(image)
    levels = np.asarray(image)  # the grey levels the grids are reduced from
    plain, transposed = _grids(levels), _grids(levels.T)  # the transpose of the picture
    named: list[tuple[str, Any, int | None, str | None, tuple[int, int, int, int] | None]] = []  # name, grid, dhash, anchor, box
    for op, name in DIHEDRAL:
        via, flip = _TURNS[op]
        p, d = transposed if via else plain
        named.append((name, p[flip], _dhash(d[flip]), None, None))
    f = image.width / full.width, image.height / full.height
    mirror = (slice(None), slice(None, None, -1))
    for k, box in enumerate(boxes):
        suffix = "" if k == 0 else f":{k + 1}"
        p, d = _grids(levels, (round(box[0] * f[0]), round(box[1] * f[1]), round(box[2] * f[0]), round(box[3] * f[1])))
        named.append((f"framed{suffix}", p, _dhash(d), None, box))
        named.append((f"framed-mirrored{suffix}", p[mirror], _dhash(d[mirror]), None, box))
    # sub-crops of the query, compared with every indexed region of the references
    for side in QUERY_SUBCROPS:
        m = 1.0 - side
        crops = {
            "centre": (m / 2, m / 2, 1 - m / 2, 1 - m / 2),
            "top-left": (0.0, 0.0, side, side),
            "top-right": (m, 0.0, 1.0, side),
            "bottom-left": (0.0, m, side, 1.0),
            "bottom-right": (m, m, 1.0, 1.0),
        }
        for anchor, b in crops.items():
            named.append((f"crop:{anchor}:{side}", _grids(levels, fraction_box(image.size, b), dgrid=False)[0], None, anchor, None))
    regions = dict(REGIONS)
    for name in ALIGNED:
        named.append(
            (f"aligned:{name}", _grids(levels, fraction_box(image.size, regions[name]), dgrid=False)[0], None, f"aligned:{name}", None)
        )
    hashes = _phashes([grid for _, grid, _, _, _ in named])
    views = [ViewHash(name, ph, dh, anchor=anchor, box=box) for (name, _, dh, anchor, box), ph in zip(named, hashes)]
    return views, boxes[0] if boxes else None


MAX_BOXES = 4  # content rectangles hashed per query (each costs two hashes of the whole-picture scan)


def content_boxes(image: Image.Image) -> list[tuple[int, int, int, int]]:
    """Candidate rectangles of the picture inside a screenshot, the likeliest first.

    :func:`content_box` (flat borders and bars peeled off: a player window, a
    letterboxed video) and then :func:`picture_boxes` (a picture among text on
    a screen of one colour: an app, a web page; edges to the pixel), without
    near repeats, at most MAX_BOXES. Where both find the same picture, the
    closer hash decides which one a match reports.
    """
    out: list[tuple[int, int, int, int]] = []
    first = content_box(image)
    for box in ([first] if first else []) + picture_boxes(image):
        if len(out) < MAX_BOXES and all(_overlap(box, other) < 0.97 for other in out):
            out.append(box)
    return out


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two rectangles."""
    iw = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


TILTS = (-10.0, -5.0, 5.0, 10.0)  # degrees: a picture turned a little, turned back in steps


def tilted_views(image: Image.Image, *, angles: tuple[float, ...] = TILTS) -> list[ViewHash]:
    """Hashes of the query turned back by a few degrees, cut to the part with no blank corners.

    Turned from :func:`hash_copy` (grey, as the other views are hashed: a third of the work of
    turning the colour picture; a picture that is one already is taken as it is), by OpenCV's
    bilinear warp about the picture's centre, as Pillow's ``rotate`` turns it but for the rounding
    of a level (OpenCV rounds where Pillow truncates: a pHash 2 bits off in one view of ten), in a
    tenth of its time and without the GIL.
    """
    import math

    import cv2  # deferred: OpenCV takes 0.1 s to load, and only a search that finds nothing else gets here
    import numpy as np

    image = hash_copy(image)
    levels = np.asarray(image)
    w, h = image.size
    grids = []
    for angle in angles:
        a = math.radians(abs(angle))
        k = 1.0 / (math.cos(a) + math.sin(a) * max(w / h, h / w))
        # Pillow's pixel centres sit at +0.5, OpenCV's at 0: the same centre of the picture
        turn = cv2.getRotationMatrix2D(((w - 1) / 2.0, (h - 1) / 2.0), angle, 1.0)
        # edge pixels repeated, as Pillow's sampler clamps at the edge (the crop below has no corner outside)
        turned = cv2.warpAffine(levels, turn, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        cw, ch = int(w * k), int(h * k)
        grids.append(_grids(turned, ((w - cw) // 2, (h - ch) // 2, (w + cw) // 2, (h + ch) // 2)))
    hashes = _phashes([p for p, _ in grids])
    return [ViewHash(f"tilt:{angle:+.0f}", ph, _dhash(d), anchor="tilt") for angle, ph, (_, d) in zip(angles, hashes, grids)]


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

    a = np.asarray(image.convert("L"))
    h, w = a.shape
    if h < 64 or w < 64:
        return None
    b = 4
    cut = a[: h - h % b, : w - w % b]
    # the extremes of each block as elementwise maxima and minima of its four columns, then of its
    # four rows (strided views, whole-array operations: a reduction over an axis of 4 is slow)
    cols = [cut[:, i::b] for i in range(b)]
    hi, lo = (
        np.maximum(np.maximum(cols[0], cols[1]), np.maximum(cols[2], cols[3])),
        np.minimum(np.minimum(cols[0], cols[1]), np.minimum(cols[2], cols[3])),
    )
    hi = np.maximum(np.maximum(hi[0::b], hi[1::b]), np.maximum(hi[2::b], hi[3::b]))
    lo = np.minimum(np.minimum(lo[0::b], lo[1::b]), np.minimum(lo[2::b], lo[3::b]))
    busy = (hi - lo) > 4  # uint8: hi >= lo
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


# -- pictures inside app screens and web pages ---------------------------------------------------

PICTURE_SIDE = 400  # long side of the copy picture rectangles are looked for in
BACKGROUND_SHARE = 0.12  # a screen's background colour covers at least this share of it
_BLOCK = 4  # pixels per block of that copy


def picture_boxes(image: Image.Image, *, min_area: float = 0.03, most: int = 2) -> list[tuple[int, int, int, int]]:
    """Rectangles of picture inside a screen of one background colour: a photo in an app or a page.

    An app screen or a web page is drawn on one exact colour (white, black, a
    grey); text, icons and thin lines on it leave most of each small block
    that colour, a picture shown on it leaves none. Blocks of 4 x 4 pixels
    with (nearly) no background pixel, opened by 3 x 3 blocks (text strokes
    and lines vanish), form connected parts; a part is a picture when it
    fills most of its bounding box, is not a strip, and holds enough texture
    (a flat coloured bar or button has none). Edges are then set to the
    pixel on the full copy. Unlike :func:`content_box`, which peels flat
    borders off, this finds a picture among text: a phone app (status bar,
    header, caption under the photo) or a browser (tabs, address bar,
    article text beside the photo).

    Returns at most ``most`` rectangles ``(x0, y0, x1, y1)`` in the image's
    pixels, largest first; none when no colour covers enough of the screen
    to be its background (a photo, a screenshot of a game).

    Examples
    --------
    >>> from PIL import Image, ImageDraw
    >>> screen = Image.new("RGB", (400, 800), "white")
    >>> screen.paste(Image.effect_noise((300, 200), 60).convert("RGB"), (50, 100))
    >>> ImageDraw.Draw(screen).text((50, 340), "a caption under the picture", fill="black")
    >>> picture_boxes(screen)
    [(50, 100, 350, 300)]
    """
    import numpy as np

    full = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    bg = _background(full)
    if bg is None:  # a photo, not a screen: done before any resizing
        return []
    import cv2  # deferred: OpenCV takes 0.1 s to load, and only screens get here

    small = decode.fit(image, PICTURE_SIDE, resample="bilinear").convert("RGB")
    a = np.asarray(small)
    h, w = a.shape[:2]
    b = _BLOCK
    if h < 16 * b or w < 16 * b:
        return []
    differs = _differs(a, bg)
    gh, gw = h // b, w // b
    cut = differs[: gh * b, : gw * b]
    solid = (cut.reshape(gh, b, gw, b).sum(axis=(1, 3)) >= b * b - 1).astype(np.uint8)
    solid = cv2.morphologyEx(solid, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=4)
    if n <= 1:
        return []
    grey = np.asarray(small.convert("L"), dtype=np.int16)[: gh * b, : gw * b].reshape(gh, b, gw, b)
    busy = (grey.max(axis=(1, 3)) - grey.min(axis=(1, 3))) > 4
    found = []
    for i in range(1, n):
        x, y, bw, bh, count = (int(v) for v in stats[i])
        if bw * bh < min_area * gw * gh or bw * bh > 0.93 * gw * gh or count < 0.6 * bw * bh or not 0.2 <= bw / bh <= 5:
            continue
        part = labels[y : y + bh, x : x + bw] == i
        if busy[y : y + bh, x : x + bw][part].mean() < 0.25:
            continue
        found.append((bw * bh, (x * b, y * b, (x + bw) * b, (y + bh) * b)))
    found.sort(reverse=True)
    fx, fy = image.width / w, image.height / h
    out = []
    for _, (x0, y0, x1, y1) in found[:most]:
        box = _refine(full, bg, (round(x0 * fx), round(y0 * fy), round(x1 * fx), round(y1 * fy)), slack=round(2 * b * max(fx, fy)))
        out.append(box)
        out += _grown(full, bg, box)
    return out


# Shapes (width / height) of camera and phone pictures, the commonest first.
ASPECTS = (4 / 3, 3 / 2, 16 / 9, 1.0, 3 / 4, 2 / 3)


def _grown(a: Any, bg: Any, box: tuple[int, int, int, int], *, most: int = 2) -> list[tuple[int, int, int, int]]:
    """The rectangle grown up or down to a common picture shape, over blank background.

    A photo whose sky (or snow) is as light as the screen around it shows
    only its lower (upper) part as picture: when the rectangle has no common
    shape and blank screen lies above or below it, the rectangles of the
    likeliest shapes that reach into the blank are candidates too.
    """
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if h <= 0 or any(abs(w / h - r) < 0.02 * r for r in ASPECTS):
        return []
    share = _differs(a[:, x0:x1], bg).mean(axis=1)  # of each line of the screen, across the rectangle
    up, down = _reach(share[:y0][::-1]), _reach(share[y1:])
    out = []
    for r in ASPECTS:
        grow = round(w / r) - h
        if grow <= 0.03 * h:
            continue
        if grow <= up:
            out.append((x0, y0 - grow, x1, y1))
        elif grow <= down:
            out.append((x0, y0, x1, y1 + grow))
    return out[:most]


def _reach(share: Any) -> int:
    """How far a picture may reach past its edge: over its own light lines (partly background) and
    then the blank ones (all background) up to the next thing drawn on the screen."""
    light = _run((share >= 0.05) & (share < 0.5))
    blank = _run(share[light:] < 0.05)
    return light + blank if blank else 0


def _run(flags: Any) -> int:
    """How many leading entries of ``flags`` are true."""
    import numpy as np

    off = np.flatnonzero(~flags)
    return int(off[0]) if off.size else int(flags.size)


def _background(a: Any) -> Any:
    """The screen's background: its commonest exact colour, when it covers enough of it; else None."""
    import numpy as np

    step = max(1, round((a.shape[0] * a.shape[1] / 12_000) ** 0.5))  # about 12,000 pixels
    sample = a[::step, ::step].reshape(-1, 3).astype(np.int32)
    keys = (sample[:, 0] << 16) | (sample[:, 1] << 8) | sample[:, 2]
    values, counts = np.unique(keys, return_counts=True)
    top = int(counts.argmax())
    if counts[top] < BACKGROUND_SHARE * keys.size:
        return None
    v = int(values[top])
    return np.array([(v >> 16) & 255, (v >> 8) & 255, v & 255], np.uint8)


def _differs(a: Any, bg: Any) -> Any:
    """Pixels that are not the background colour (more than 3 levels off in some channel)."""
    import cv2
    import numpy as np

    d = cv2.absdiff(a, np.broadcast_to(bg, a.shape).copy())
    return d.max(axis=2) > 3


def _refine(a: Any, bg: Any, box: tuple[int, int, int, int], *, slack: int) -> tuple[int, int, int, int]:
    """A rectangle's edges moved to the outermost line, within ``slack`` pixels, that is mostly picture."""
    x0, y0, x1, y1 = box
    # the middle of each edge only: corners and what touches them (a caption's first line) stay out
    mx, my = max(1, (x1 - x0) // 8), max(1, (y1 - y0) // 8)
    top = _differs(a[max(0, y0 - slack) : y0 + slack, x0 + mx : x1 - mx], bg).mean(axis=1)
    bottom = _differs(a[max(0, y1 - slack) : y1 + slack, x0 + mx : x1 - mx], bg).mean(axis=1)
    left = _differs(a[y0 + my : y1 - my, max(0, x0 - slack) : x0 + slack], bg).mean(axis=0)
    right = _differs(a[y0 + my : y1 - my, max(0, x1 - slack) : x1 + slack], bg).mean(axis=0)
    return (
        max(0, x0 - slack) + _first(left, 0.5, len(left) // 2),
        max(0, y0 - slack) + _first(top, 0.5, len(top) // 2),
        max(0, x1 - slack) + _last(right, 0.5, len(right) // 2) + 1,
        max(0, y1 - slack) + _last(bottom, 0.5, len(bottom) // 2) + 1,
    )


def _first(share: Any, level: float, default: int) -> int:
    import numpy as np

    on = np.flatnonzero(share >= level)
    return int(on[0]) if on.size else default


def _last(share: Any, level: float, default: int) -> int:
    import numpy as np

    on = np.flatnonzero(share >= level)
    return int(on[-1]) if on.size else default
