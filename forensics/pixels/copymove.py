"""Copy-move: regions of a picture copied to another place in the same picture.

Keypoints (SIFT where the installed OpenCV has it, else ORB) are matched
against the picture's own keypoints: each keeps its nearest neighbour when it
is clearly nearer than the second (the 2-nearest-neighbour ratio test), itself
and points close by left out. Matched pairs are clustered by where both of
their ends lie, and each cluster must agree on one affine transform (RANSAC),
so that copies moved, scaled, turned or mirrored are found (Amerini et al.,
IEEE TIFS 2011). The transform is then checked pixel by pixel: the copied
area is where the picture and its transformed self correlate closely, which
gives the regions their extent. Where the first pass leaves areas without
keypoints (soft detail: haze, bands of cloud), a second pass at a lower contrast
threshold looks there only. Flat areas carry few keypoints; a dense
search over small blocks (low DCT frequencies, lexicographic sort, a shift
many blocks share: Fridrich et al., DFRWS 2003) finds copies moved without
scaling or turning there.

Repetitive scenes (tiles, windows, fences, crowds, text) hold genuinely
similar areas; the pixel check keeps most of them out (their pixels differ
where a copy's do not), not all (the check weighs a picture that matches
itself in many places less: ``forensics.checks.pixels.repetitive``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from forensics.records.pixels import POINTS_KEPT, CopyMove, Region

if TYPE_CHECKING:
    from typing import Any

    import numpy as np
    import numpy.typing as npt
    from PIL import Image

    # OpenCV's stubs type every array loosely; these name what the arrays hold
    Gray = npt.NDArray[Any]
    Floats = npt.NDArray[Any]

RATIO = 0.6  # 2-NN ratio: Lowe's 0.8 lets in too many look-alikes within one picture
NEIGHBOURS = 6  # searched per keypoint: itself and duplicates at its own place come first
MAX_KEYPOINTS = 8000
SPREAD_CELL = 64  # pixels: the keypoints kept are shared out over cells this wide, not given to the busiest parts
CONTRAST = 0.02  # SIFT's default 0.04 leaves low-contrast copies with too few points
POOR_CONTRAST = 0.005  # a second pass over the keypoint-poor areas: soft bands, haze, dim surfaces
POOR_CELL = 32  # pixels: a cell the first pass left without keypoints is keypoint-poor
POOR_SHARE = 0.1  # of the picture: from this much keypoint-poor area on, the second pass runs
MIN_MATCHES = 6  # pairs agreeing on one transform
REPROJECTION = 3.0  # pixels (working size) a pair may miss the transform by
LINK = 0.08  # of the long side: pairs whose ends both lie this close belong to one cluster
MIN_SHIFT = 0.03  # of the long side, at least 16 pixels: a copy must move farther than that
SIMILAR = 0.85  # local correlation above which a pixel belongs to the copied area
WINDOW = 9  # pixels, the correlation's window
TEXTURE_VAR = 8.0  # grey levels², over the window after the blur: below it a pixel is flat, no evidence either way
BLUR = 1.0  # pixels (Gaussian sigma) both sides are smoothed by before they are correlated
ALIKE = 4.0  # grey levels (mean absolute difference over the window) two flat areas may differ by and still be one copy
GROW_SIMILAR = 0.7  # local correlation enough to carry a copy found on its best parts into its neighbours
GRAIN_SIGMA = 1.5  # pixels: the fine grain is the picture less its blur by this much
GRAIN_WINDOW = 15  # pixels, the grain correlation's window
GRAIN_FLOOR = 0.1  # grey levels², the grain's variance below which a side holds none
GRAIN_SIMILAR = 0.3  # grain correlation from which two flat areas are one copy, not merely one level
MAX_GROWTH = 8.0  # times the textured part's extent a copy may grow by into flat pixels that match
MIN_AREA = 0.0015  # of the picture: smaller regions are not reported
BLOCK_SIDE = 512  # the dense search works at this long side
BLOCK = 8
QUANT = 8.0  # the block features' step: a grey level of its mean (the DC term is eight times the mean)
MIN_BLOCKS = 0.004  # of the blocks: how many must share one shift


@dataclass(frozen=True)
class CopyMoveSearch:
    """What the search found, and on what: ``detector`` is "sift" or "orb"; ``keypoints`` how many it found."""

    copies: tuple[CopyMove, ...]
    keypoints: int
    detector: str


def find_copy_moves(
    image: Image.Image, *, ratio: float = RATIO, max_keypoints: int = MAX_KEYPOINTS, min_matches: int = MIN_MATCHES,
    similar: float = SIMILAR, blocks: bool = True,
) -> CopyMoveSearch:  # fmt: skip
    """Regions of ``image`` that are copies of other regions of it.

    Parameters
    ----------
    image : PIL.Image.Image
        The picture, at the size to search (its coordinates are the results').
    ratio : float
        2-NN ratio test: a match is kept when its distance is below ``ratio``
        times the second nearest's.
    max_keypoints : int
        Keypoints detected at most.
    min_matches : int
        Matched pairs that must agree on a transform.
    similar : float
        Local correlation (0..1) of the picture and its transformed self
        above which a pixel belongs to a copied area.
    blocks : bool
        Also run the dense block search (copies moved without scaling or
        turning, in areas with few keypoints).

    Returns
    -------
    CopyMoveSearch
        The copies, best first, with the transform taking ``source`` to ``target``.

    Examples
    --------
    >>> from PIL import Image
    >>> find_copy_moves(Image.new("L", (64, 64), 128)).copies
    ()
    """
    import cv2
    import numpy as np

    gray = np.ascontiguousarray(np.asarray(image.convert("L"), dtype=np.uint8))
    h, w = gray.shape
    long_side = max(w, h)
    cv2.setRNGSeed(12345)  # RANSAC draws its samples from OpenCV's generator: one picture, one answer
    pts, desc, kind = _keypoints(gray, max_keypoints)
    n = len(pts)
    copies: list[CopyMove] = []
    if n >= min_matches and desc is not None:
        pairs = _match(desc, pts, kind=kind, ratio=ratio, min_shift=max(16.0, MIN_SHIFT * long_side))
        for cluster in _clusters(pts, pairs, LINK * long_side, min_matches):
            copies.extend(_fit(gray, pts, cluster, min_matches=min_matches, similar=similar, method=kind))
    if blocks:
        copies.extend(_block_copies(gray, similar=similar))
    return CopyMoveSearch(tuple(_distinct(copies)), n, kind)


def _keypoints(gray: Gray, max_keypoints: int) -> tuple[Floats, Floats | None, str]:
    """The keypoints' places and descriptors, and the detector's name ("sift" or "orb")."""
    import cv2
    import numpy as np

    if hasattr(cv2, "SIFT_create"):
        detector = cv2.SIFT_create(contrastThreshold=CONTRAST)  # no cap of its own: _spread keeps max_keypoints
        keypoints, desc = detector.compute(gray, _spread(detector.detect(gray, None), max_keypoints))
        pts = np.array([k.pt for k in keypoints], dtype=np.float32).reshape(-1, 2)
        pts, desc = _with_faint(gray, pts, desc, max_keypoints // 2)
        return pts, desc, "sift"
    # builds without SIFT (before OpenCV 4.4)
    keypoints, desc = cv2.ORB.create(nfeatures=max_keypoints).detectAndCompute(gray, None)  # pragma: no cover
    return np.array([k.pt for k in keypoints], dtype=np.float32).reshape(-1, 2), desc, "orb"  # pragma: no cover


def _spread(keypoints: Sequence[Any], most: int) -> list[Any]:
    """At most ``most`` keypoints, the strongest of each :data:`SPREAD_CELL` cell, every cell allowed as many.

    Kept by strength over the whole picture (SIFT's own cap), the keypoints go
    to its busiest parts (foliage, gravel in sharp light) and a copy of a
    dimmer textured area (a trunk in shade, asphalt) is left with a handful,
    too few to agree on a transform. The allowance is the largest number per
    cell that the total keeps within ``most``: cells with fewer keep all theirs.
    """
    import numpy as np

    if len(keypoints) <= most:
        return list(keypoints)
    pts = np.array([k.pt for k in keypoints], dtype=np.float64)
    strength = np.array([k.response for k in keypoints], dtype=np.float64)
    cells = (pts[:, 1] // SPREAD_CELL).astype(np.int64) * 1_000_000 + (pts[:, 0] // SPREAD_CELL).astype(np.int64)
    order = np.lexsort((-strength, cells))  # by cell, strongest first within it
    sorted_cells = cells[order]
    starts = np.r_[0, np.nonzero(np.diff(sorted_cells))[0] + 1]
    counts = np.diff(np.r_[starts, len(order)])
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - np.repeat(starts, counts)
    lo, hi = 0, int(counts.max())  # the largest allowance whose total stays within most
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if np.minimum(counts, mid).sum() <= most:
            lo = mid
        else:
            hi = mid - 1
    keep = rank < lo
    # what the allowance leaves of the total goes to the strongest of the next in line
    spare = most - int(keep.sum())
    if spare > 0:
        nxt = np.nonzero(rank == lo)[0]
        keep[nxt[np.argsort(-strength[nxt])[:spare]]] = True
    return [keypoints[int(i)] for i in np.nonzero(keep)[0]]


def _with_faint(gray: Gray, pts: Floats, desc: Floats | None, most: int) -> tuple[Floats, Floats | None]:
    """The keypoints with those of a low-contrast pass over the areas the first pass left empty.

    At the usual contrast threshold soft detail (haze, bands of cloud, a dim
    surface) yields no keypoints, so a copy of it has nothing to be matched by;
    lowered all over, the threshold would spend the keypoints on the textured
    parts. The second pass looks only where the first found nothing.
    """
    import cv2
    import numpy as np

    h, w = gray.shape
    cells = np.zeros(((h + POOR_CELL - 1) // POOR_CELL, (w + POOR_CELL - 1) // POOR_CELL), dtype=np.uint8)
    if len(pts):
        cells[(pts[:, 1] // POOR_CELL).astype(int), (pts[:, 0] // POOR_CELL).astype(int)] = 1
    poor = (cells == 0).astype(np.uint8)
    if poor.mean() < POOR_SHARE:
        return pts, desc
    mask = cv2.resize(poor, (cells.shape[1] * POOR_CELL, cells.shape[0] * POOR_CELL), interpolation=cv2.INTER_NEAREST)[:h, :w] * 255
    faint, more = cv2.SIFT.create(nfeatures=most, contrastThreshold=POOR_CONTRAST).detectAndCompute(gray, np.ascontiguousarray(mask))
    if more is None or not len(faint):
        return pts, desc
    extra = np.array([k.pt for k in faint], dtype=np.float32)
    if desc is None:
        return extra, more
    return np.concatenate([pts, extra]), np.concatenate([desc, more])


def _match(desc: npt.NDArray[Any], pts: Floats, *, kind: str, ratio: float, min_shift: float) -> npt.NDArray[np.intp]:
    """Unordered pairs (i, j) of keypoints whose descriptors pass the ratio test, far enough apart."""
    import cv2
    import numpy as np

    norm = cv2.NORM_L2 if kind == "sift" else cv2.NORM_HAMMING
    k = min(NEIGHBOURS, len(pts))
    found = [row for row in cv2.BFMatcher(norm).knnMatch(desc, desc, k=k) if len(row) == k]
    if not found:
        return np.zeros((0, 2), dtype=np.intp)
    src = np.array([row[0].queryIdx for row in found], dtype=np.intp)
    idx = np.array([[m.trainIdx for m in row] for row in found], dtype=np.intp)
    dist = np.array([[m.distance for m in row] for row in found], dtype=np.float32)
    # itself, and keypoints at (nearly) its own place (SIFT repeats a point for each of its orientations), do not count
    apart = np.hypot(*(pts[idx] - pts[src][:, None, :]).transpose(2, 0, 1)) >= min_shift
    rank = np.cumsum(apart, axis=1)
    has_two = rank[:, -1] >= 2
    first = np.argmax(apart, axis=1)
    second = np.argmax(apart & (rank == 2), axis=1)
    rows = np.arange(len(found))
    ok = has_two & (dist[rows, first] < ratio * dist[rows, second])
    i, j = src[ok], idx[rows, first][ok]
    pairs = np.unique(np.stack([np.minimum(i, j), np.maximum(i, j)], axis=1), axis=0)
    return pairs.reshape(-1, 2)


def _clusters(pts: Floats, pairs: npt.NDArray[np.intp], link: float, least: int) -> list[Floats]:
    """Groups of matched pairs whose ends lie close together, each as rows (x, y, x', y') oriented alike."""
    import numpy as np

    if len(pairs) < least:
        return []
    p, q = pts[pairs[:, 0]], pts[pairs[:, 1]]

    def far(a: Floats, b: Floats) -> Floats:
        return np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])

    same = np.maximum(far(p, p), far(q, q))
    crossed = np.maximum(far(p, q), far(q, p))
    near = np.minimum(same, crossed) < link
    flip = crossed < same  # a pair linked the other way round is turned to match its neighbour
    seen = np.zeros(len(pairs), dtype=bool)
    out = []
    for start in range(len(pairs)):
        if seen[start]:
            continue
        seen[start] = True
        orient = {start: False}
        stack = [start]
        while stack:
            a = stack.pop()
            for b in np.nonzero(near[a] & ~seen)[0]:
                seen[b] = True
                orient[int(b)] = orient[a] ^ bool(flip[a, b])
                stack.append(int(b))
        if len(orient) < least:
            continue
        rows = [(*q[i], *p[i]) if f else (*p[i], *q[i]) for i, f in sorted(orient.items())]
        out.append(np.array(rows, dtype=np.float32))
    return out


def _fit(gray: Gray, pts: Floats, rows: Floats, *, min_matches: int, similar: float, method: str) -> list[CopyMove]:
    """The copies one cluster holds: an affine transform by RANSAC, checked on the pixels, then what is left."""
    import cv2
    import numpy as np

    out: list[CopyMove] = []
    left = rows
    while len(left) >= min_matches and len(out) < 3:
        m, inl = cv2.estimateAffine2D(np.ascontiguousarray(left[:, :2]), np.ascontiguousarray(left[:, 2:]), method=cv2.RANSAC, ransacReprojThreshold=REPROJECTION,
                                      maxIters=2000, confidence=0.995, refineIters=10)  # fmt: skip
        if m is None:
            break
        keep = inl.ravel().astype(bool)
        if keep.sum() < min_matches:
            break
        found = _verified(gray, m, left[keep], similar=similar, method=method)
        if found is not None:
            out.append(found)
        left = left[~keep]
    return out


def _plausible(m: Floats) -> bool:
    """A transform a copy could have been given: not collapsing, not blowing up, not shearing much."""
    import numpy as np

    a = m[:, :2]
    s = np.linalg.svd(a, compute_uv=False)
    return bool(s[1] >= 0.25 and s[0] <= 4.0 and s[0] / max(s[1], 1e-6) < 1.6)


def _verified(gray: Gray, m: Floats, inliers: Floats, *, similar: float, method: str) -> CopyMove | None:
    """The copy the transform ``m`` describes, with its regions taken from where the pixels agree; None if they do not."""
    import cv2
    import numpy as np

    if not _plausible(m):
        return None
    h, w = gray.shape
    long_side = max(w, h)
    shift = np.hypot(*(inliers[:, 2:] - inliers[:, :2]).T)
    if float(np.median(shift)) < max(16.0, MIN_SHIFT * long_side):
        return None
    m = _registered(gray, m, inliers[:, 2:])
    corr, textured, alike = _agreement(gray, m)
    mask: Gray = ((corr > similar) & textured).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    # the copied area is what agrees around the matched points, not whatever else the shift happens to fit
    _, labels = cv2.connectedComponents(mask, connectivity=8)
    tx = np.clip(inliers[:, 2].round().astype(int), 0, w - 1)
    ty = np.clip(inliers[:, 3].round().astype(int), 0, h - 1)
    at = labels[ty, tx]
    if not (at > 0).any():
        return None
    ids, hits = np.unique(at[at > 0], return_counts=True)
    keep = ids[hits >= max(2, 0.05 * hits.sum())]  # a component a stray pair or two lands in is not part of the copy
    on = np.isin(at, keep)
    hull = np.zeros_like(mask)
    if on.sum() >= 3:
        cv2.fillConvexPoly(hull, cv2.convexHull(inliers[on, 2:].astype(np.int32)), 1)
    target = (np.isin(labels, keep) | hull.astype(bool)).astype(np.uint8)
    matched = inliers
    inliers = inliers[on]
    if target.sum() < MIN_AREA * w * h:
        return None
    agreed = corr[target.astype(bool) & textured]
    likeness = float(np.clip(agreed, 0, 1).mean()) if agreed.size else 0.0
    if likeness < similar * 0.9:
        return None
    # a copy is one solid piece; only its textured parts correlate: its extent is their hull
    solid = np.zeros_like(target)
    cv2.fillConvexPoly(solid, cv2.convexHull(cv2.findNonZero(target)), 1)
    target = solid
    # the matched points of the copy are those within it: soft texture correlates in patches between them
    inliers = matched[solid[np.clip(matched[:, 3].round().astype(int), 0, h - 1), np.clip(matched[:, 2].round().astype(int), 0, w - 1)] > 0]
    source = cv2.warpAffine(target, m.astype(np.float64), (w, h), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
    overlap = float((source & target).sum()) / max(1, min(int(source.sum()), int(target.sum())))
    if overlap > 0.5:  # a pattern that fits itself shifted (a texture), not a copy elsewhere
        return None
    target, source = _grown(target, source, alike, m)
    score = likeness * (1.0 - float(np.exp(-len(inliers) / 15.0)))
    return _oriented(_region(source), _region(target), m, inliers, likeness, score, method)


def _grown(target: Gray, source: Gray, alike: Gray, m: Floats) -> tuple[Gray, Gray]:
    """The copy's extent carried into the flat pixels around it that match their source too (sky, walls, road).

    Flat pixels are no evidence that a copy exists (they match much else), but once
    the textured parts have shown one, the flat rest of it matches under the same
    transform where the surroundings do not. The search stops where that would
    make the copy lap over its source or grow beyond :data:`MAX_GROWTH` times.
    """
    import cv2
    import numpy as np

    h, w = target.shape
    _, labels = cv2.connectedComponents((alike | target).astype(np.uint8), connectivity=4)
    ids = np.unique(labels[target.astype(bool)])
    grown = np.isin(labels, ids[ids > 0]).astype(np.uint8)
    grown = cv2.morphologyEx(grown, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)) | target
    # holes (a detail that did not survive the compression) belong to the copy
    contours, _ = cv2.findContours(grown, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(grown)
    cv2.drawContours(filled, contours, -1, 1, thickness=cv2.FILLED)
    filled |= target
    if filled.sum() > MAX_GROWTH * target.sum():
        return target, source
    moved = cv2.warpAffine(filled, m.astype(np.float64), (w, h), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
    if (moved & filled).sum() > 0.1 * filled.sum():
        return target, source
    return filled, moved


def _registered(gray: Gray, m: Floats, targets: Floats) -> Floats:
    """``m`` with its shift corrected to a fraction of a pixel (phase correlation over the matched targets' area).

    Keypoints are placed to a few tenths of a pixel; resampled by a shift that far
    off, fine texture no longer correlates with itself.
    """
    import cv2
    import numpy as np

    h, w = gray.shape
    x0, y0 = np.floor(targets.min(axis=0)).astype(int) - 8
    x1, y1 = np.ceil(targets.max(axis=0)).astype(int) + 8
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return m
    a = gray.astype(np.float32)
    moved = cv2.warpAffine(a, m.astype(np.float64), (w, h), flags=cv2.INTER_LINEAR)[y0:y1, x0:x1]
    window = cv2.createHanningWindow((x1 - x0, y1 - y0), cv2.CV_32F)
    (dx, dy), response = cv2.phaseCorrelate(moved, a[y0:y1, x0:x1], window)
    if response < 0.05 or abs(dx) > 2 or abs(dy) > 2:
        return m
    out = m.astype(np.float64).copy()
    out[:, 2] += (dx, dy)
    return out.astype(np.float32)


def _agreement(gray: Gray, m: Floats) -> tuple[Floats, npt.NDArray[np.bool_], Gray]:
    """Local correlation of the picture with its copy under ``m`` (at the target's pixels), and where it means something.

    The second array marks the pixels where the copy exists and both sides hold
    texture; elsewhere (flat areas, outside the picture) the correlation is no evidence.
    The third (0 or 1) marks the flat pixels whose level matches their copy's.
    """
    import cv2
    import numpy as np

    h, w = gray.shape
    a: Floats = gray.astype(np.float32)
    moved = cv2.warpAffine(a, m.astype(np.float64), (w, h), flags=cv2.INTER_LINEAR, borderValue=-1.0)
    inside = cv2.erode((moved >= 0).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    moved[~inside] = 0.0
    grain = _grain_alike(a, moved)
    # a copy moved by a fraction of a pixel, scaled or turned was resampled (smoothed): both sides are, alike
    a = cv2.GaussianBlur(a, (0, 0), BLUR)
    moved = cv2.GaussianBlur(moved, (0, 0), BLUR)
    box = (WINDOW, WINDOW)

    def mean(x: Floats) -> Floats:
        return cv2.boxFilter(x, -1, box, borderType=cv2.BORDER_REFLECT)

    ma, mb = mean(a), mean(moved)
    va = mean(a * a) - ma * ma
    vb = mean(moved * moved) - mb * mb
    cov = mean(a * moved) - ma * mb
    eps = 1.0  # grey levels²: flat areas correlate by chance; they must not look copied
    textured = inside & (va > TEXTURE_VAR) & (vb > TEXTURE_VAR)
    # where both sides are flat, alike means the same level to within what the compression changes
    corr = cov / np.sqrt((np.maximum(va, 0) + eps) * (np.maximum(vb, 0) + eps))
    # (or the same gentle slope: a resampled gradient keeps its shape, not its exact levels)
    flat = ~textured & (cv2.boxFilter(np.abs(a - moved), -1, box) < ALIKE)
    # two flat areas at one level are alike whether or not one is a copy of the other: the fine grain
    # they hold (sensor noise, film grain) tells a copy (the same grain) from flat ground beside it (other grain)
    flat &= grain
    alike = inside & (flat | (corr > GROW_SIMILAR))
    return corr, textured, alike.astype(np.uint8)


def _grain_alike(a: Floats, moved: Floats) -> npt.NDArray[np.bool_]:
    """Where the fine grain of the picture and of its copy under the transform does not tell them apart.

    The grain is what a Gaussian blur of :data:`GRAIN_SIGMA` takes away. Where
    both sides hold it, it must correlate: flat ground beside a copy has grain
    of its own. Where a side holds none (clipped white or black, a gradient
    the compression flattened) it says nothing either way, and the level alone
    decides, as before.
    """
    import cv2
    import numpy as np

    box = (GRAIN_WINDOW, GRAIN_WINDOW)
    ra = a - cv2.GaussianBlur(a, (0, 0), GRAIN_SIGMA)
    rb = moved - cv2.GaussianBlur(moved, (0, 0), GRAIN_SIGMA)
    va = cv2.boxFilter(ra * ra, -1, box)
    vb = cv2.boxFilter(rb * rb, -1, box)
    cov = cv2.boxFilter(ra * rb, -1, box)
    grain = (va > GRAIN_FLOOR) & (vb > GRAIN_FLOOR)
    return ~grain | (cov > GRAIN_SIMILAR * np.sqrt(np.maximum(va * vb, 0)))


def _region(mask: Gray) -> Region:
    import cv2

    x, y, bw, bh = cv2.boundingRect(mask)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    polygon: tuple[tuple[float, float], ...] = ()
    if contours:
        big = max(contours, key=cv2.contourArea)
        poly = cv2.approxPolyDP(big, 0.01 * cv2.arcLength(big, True), True)
        while len(poly) > 24:
            poly = cv2.approxPolyDP(poly, 0.02 * cv2.arcLength(poly, True), True)
        polygon = tuple((float(px), float(py)) for px, py in poly.reshape(-1, 2))
    return Region((x, y, x + bw, y + bh), polygon)


def _oriented(
    source: Region, target: Region, m: Floats, inliers: Floats, likeness: float, score: float, method: str,
) -> CopyMove:  # fmt: skip
    """The copy with ``source`` the region nearer the top left (which was copied cannot be told)."""
    import cv2
    import numpy as np

    if (target.box[1], target.box[0]) < (source.box[1], source.box[0]):
        source, target = target, source
        m = cv2.invertAffineTransform(m.astype(np.float64))
        inliers = inliers[:, [2, 3, 0, 1]]
    step = max(1, len(inliers) // POINTS_KEPT)
    points = tuple(tuple(round(float(v), 1) for v in row) for row in inliers[::step][:POINTS_KEPT])
    t = tuple(float(v) for v in m.ravel())
    return CopyMove(source, target, t, len(inliers), likeness, score, method, points)  # type: ignore[arg-type]  # six and four values


def _block_copies(gray: Gray, *, similar: float) -> list[CopyMove]:
    """Copies moved without scaling or turning, found by blocks whose low frequencies match exactly elsewhere."""
    import cv2
    import numpy as np

    h, w = gray.shape
    f = min(1.0, BLOCK_SIDE / max(w, h))
    small = gray if f == 1.0 else cv2.resize(gray, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape
    if min(sh, sw) < 4 * BLOCK:
        return []
    a = small.astype(np.float32)
    # the block's lowest DCT frequencies at every pixel, as filters (an 8×8 block whose top left is that pixel)
    k = np.arange(BLOCK, dtype=np.float32)
    basis = [np.cos(np.pi * (2 * k + 1) * u / (2 * BLOCK)) for u in range(3)]
    feats = []
    for u, v in ((0, 0), (0, 1), (1, 0), (1, 1), (0, 2), (2, 0)):
        kern = np.outer(basis[u], basis[v]).astype(np.float32) / BLOCK
        feats.append(cv2.filter2D(a, -1, kern, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT))
    var = cv2.boxFilter(a * a, -1, (BLOCK, BLOCK), anchor=(0, 0)) - cv2.boxFilter(a, -1, (BLOCK, BLOCK), anchor=(0, 0)) ** 2
    ny, nx = sh - BLOCK + 1, sw - BLOCK + 1
    ys, xs = np.mgrid[0:ny, 0:nx]
    textured = var[:ny, :nx] > 16.0  # flat blocks (sky, walls) match everything: they are no evidence
    if textured.sum() < 50:
        return []
    # coarse steps (a grey level of the block's mean): a copy resampled or recompressed must still fall in the same cell
    q = np.stack([np.round(ft[:ny, :nx][textured] / QUANT) for ft in feats], axis=1).astype(np.int32)
    pos = np.stack([xs[textured], ys[textured]], axis=1).astype(np.int32)
    order = np.lexsort(q.T[::-1])
    q, pos = q[order], pos[order]
    min_shift = max(8, int(MIN_SHIFT * max(sw, sh)))
    shifts = []
    for lag in range(1, 9):
        same = np.all(q[lag:] == q[:-lag], axis=1)
        d = pos[lag:][same] - pos[:-lag][same]
        flip = (d[:, 1] < 0) | ((d[:, 1] == 0) & (d[:, 0] < 0))
        d[flip] *= -1
        shifts.append(d[np.hypot(d[:, 0], d[:, 1]) >= min_shift])
    d = np.concatenate(shifts)
    if not len(d):
        return []
    # a shift that is not a whole number of reduced pixels spreads over its neighbours: they are counted together
    off = d.min(axis=0)
    hist = np.zeros(tuple(d.max(axis=0) - off + 3), dtype=np.int32)
    np.add.at(hist, (d[:, 0] - off[0] + 1, d[:, 1] - off[1] + 1), 1)
    pooled = cv2.boxFilter(hist.astype(np.float32), -1, (3, 3), normalize=False, borderType=cv2.BORDER_CONSTANT)
    least = max(40, int(MIN_BLOCKS * ny * nx))
    out: list[CopyMove] = []
    for _ in range(3):
        at = np.unravel_index(int(np.argmax(pooled)), pooled.shape)
        if pooled[at] < least:
            break
        pooled[max(0, at[0] - 2) : at[0] + 3, max(0, at[1] - 2) : at[1] + 3] = 0
        vec = np.array([at[0] + off[0] - 1, at[1] + off[1] - 1], dtype=np.int32)
        pts = np.concatenate([_block_points(pos, q, vec + np.array((ex, ey), dtype=np.int32), f) for ex in (-1, 0, 1) for ey in (-1, 0, 1)])
        if len(pts) < MIN_MATCHES:
            continue
        m = _refined_shift(gray, pts, slack=int(np.ceil(1 / f)) + 2)
        if m is None:
            continue
        pts[:, 2:] = pts[:, :2] + m[:, 2]
        found = _verified(gray, m, pts, similar=similar, method="blocks")
        if found is not None:
            out.append(found)
    return out


def _refined_shift(gray: Gray, pts: Floats, *, slack: int) -> Floats | None:
    """The whole-pixel shift that best lays the blocks' source area on their target area (template matching)."""
    import cv2
    import numpy as np

    h, w = gray.shape
    # the blocks' core (a few twins elsewhere share the shift by chance), kept where its shifted self fits in the picture
    dx, dy = np.median(pts[:, 2:] - pts[:, :2], axis=0).round().astype(int)
    x0, y0 = np.floor(np.percentile(pts[:, :2], 10, axis=0)).astype(int)
    x1, y1 = np.ceil(np.percentile(pts[:, :2], 90, axis=0)).astype(int)
    x0, y0 = max(x0, 0, slack - dx), max(y0, 0, slack - dy)
    x1, y1 = min(x1, w, w - dx - slack), min(y1, h, h - dy - slack)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    sx0, sy0 = x0 + dx - slack, y0 + dy - slack
    sx1, sy1 = x1 + dx + slack, y1 + dy + slack
    score = cv2.matchTemplate(gray[sy0:sy1, sx0:sx1], gray[y0:y1, x0:x1], cv2.TM_CCOEFF_NORMED)
    _, best, _, (bx, by) = cv2.minMaxLoc(score)
    if best < 0.5:
        return None
    return np.array([[1, 0, sx0 + bx - x0], [0, 1, sy0 + by - y0]], dtype=np.float32)


def _block_points(pos: npt.NDArray[np.int32], q: npt.NDArray[np.int32], vec: npt.NDArray[np.int32], f: float) -> Floats:
    """Block centres (at the picture's size) that have a twin at shift ``vec``, as rows (x, y, x', y')."""
    import numpy as np

    grid = np.full((int(pos[:, 1].max()) + 1, int(pos[:, 0].max()) + 1), -1, dtype=np.int64)
    grid[pos[:, 1], pos[:, 0]] = np.arange(len(pos))
    to = pos + vec
    ok = (to[:, 0] < grid.shape[1]) & (to[:, 1] < grid.shape[0]) & (to[:, 0] >= 0) & (to[:, 1] >= 0)
    j = np.full(len(pos), -1, dtype=np.int64)
    j[ok] = grid[to[ok, 1], to[ok, 0]]
    ok &= j >= 0
    ok[ok] = np.all(q[ok] == q[j[ok]], axis=1)
    c = BLOCK / 2
    return (np.concatenate([pos[ok] + c, to[ok] + c], axis=1) / f).astype(np.float32)


def _distinct(copies: Sequence[CopyMove]) -> list[CopyMove]:
    """Best first, without the same copy found twice (by keypoints and by blocks, or the other way round)."""
    kept: list[CopyMove] = []
    for c in sorted(copies, key=lambda c: -c.score):
        if not any(_iou(c.source, k.source) > 0.3 and _iou(c.target, k.target) > 0.3 for k in kept):
            kept.append(c)
    return kept


def _iou(a: Region, b: Region) -> float:
    ax0, ay0, ax1, ay1 = a.box
    bx0, by0, bx1, by1 = b.box
    iw, ih = max(0, min(ax1, bx1) - max(ax0, bx0)), max(0, min(ay1, by1) - max(ay0, by0))
    inter = iw * ih
    return inter / max(1, a.area + b.area - inter)
