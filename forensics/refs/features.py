"""Local-feature verification: is the reference really in the query, and where?

Hash distances alone are unsure about crops, overlays and screenshot framing.
ORB keypoints matched with a ratio test, then a RANSAC homography, either
confirm a candidate (enough consistent matches, a sane geometry) or reject it,
and the homography says which rectangle of the query shows the reference and
which part of the reference is shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL import Image

MIN_INLIERS = 20  # RANSAC inliers needed to confirm (unrelated pictures give < 12 here)
MIN_INLIER_SHARE = 0.25  # of the ratio-test matches
RATIO = 0.8
N_FEATURES = 1500


@dataclass(frozen=True)
class Verification:
    """What local features say about a (reference, query) pair."""

    inliers: int
    matches: int
    query_box: tuple[float, float, float, float]  # the reference's outline in the query (x0, y0, x1, y1), clipped
    reference_box: tuple[float, float, float, float]  # the part of the reference the query shows, clipped
    angle: float  # degrees, counter-clockwise, reference -> query
    scale: float

    @property
    def confidence(self) -> float:
        """0..1 from the number of consistent matches (20 -> 0.55, 50 -> 0.86)."""
        return round(1.0 - math.exp(-self.inliers / 25.0), 3)


class Features:
    """ORB keypoints of one picture, computed once and compared with many."""

    def __init__(self, image: Image.Image) -> None:
        import cv2

        gray = np.asarray(image.convert("L"))
        self.size = (gray.shape[1], gray.shape[0])
        # local contrast equalisation and a low corner threshold keep keypoints on smooth
        # pictures (sky, skin, haze), where plain ORB finds too few to confirm anything
        gray = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)
        orb = cv2.ORB_create(nfeatures=N_FEATURES, fastThreshold=5)  # type: ignore[attr-defined]  # OpenCV's stubs omit it
        kp, desc = orb.detectAndCompute(gray, None)
        self.points = np.array([k.pt for k in kp], np.float32) if kp else np.zeros((0, 2), np.float32)
        self.descriptors = desc


def verify(reference: Features, query: Features) -> Verification | None:
    """Confirm that ``reference`` appears in ``query``; None when it does not."""
    import cv2

    if reference.descriptors is None or query.descriptors is None:
        return None
    if len(reference.points) < 8 or len(query.points) < 8:
        return None
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    pairs = matcher.knnMatch(reference.descriptors, query.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < MIN_INLIERS:
        return None
    src = reference.points[[m.queryIdx for m in good]].reshape(-1, 1, 2)
    dst = query.points[[m.trainIdx for m in good]].reshape(-1, 1, 2)
    H, mask = cv2.findHomography(src, dst, cv2.RANSAC, 5.0, maxIters=2000, confidence=0.995)
    if H is None or mask is None:
        return None
    inliers = int(mask.sum())
    if inliers < MIN_INLIERS or inliers < MIN_INLIER_SHARE * len(good):
        return None
    if not _sane(H):
        return None
    rw, rh = reference.size
    qw, qh = query.size
    outline = cv2.perspectiveTransform(np.array([[0, 0], [rw, 0], [rw, rh], [0, rh]], np.float32).reshape(-1, 1, 2), H).reshape(-1, 2)
    if not _convex(outline):
        return None
    try:
        Hinv = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        return None
    shown = cv2.perspectiveTransform(np.array([[0, 0], [qw, 0], [qw, qh], [0, qh]], np.float32).reshape(-1, 1, 2), Hinv).reshape(-1, 2)
    qbox = _clip_box(outline, qw, qh)
    rbox = _clip_box(shown, rw, rh)
    if qbox[2] - qbox[0] < 8 or qbox[3] - qbox[1] < 8:
        return None
    a, b = H[0, 0] / H[2, 2], H[1, 0] / H[2, 2]
    return Verification(
        inliers=inliers, matches=len(good), query_box=qbox, reference_box=rbox,
        angle=round(math.degrees(math.atan2(b, a)), 1), scale=round(math.hypot(a, b), 3),
    )  # fmt: skip


def _sane(H: np.ndarray) -> bool:
    """A homography a re-publication could produce: no mirror, no wild perspective or scale."""
    A = H[:2, :2] / H[2, 2]
    det = float(np.linalg.det(A))
    if det <= 0 or not (1e-3 < det < 1e3):
        return False
    if abs(H[2, 0] / H[2, 2]) > 2e-3 or abs(H[2, 1] / H[2, 2]) > 2e-3:
        return False
    s = np.linalg.svd(A, compute_uv=False)
    return bool(s[0] / max(s[1], 1e-9) < 3.0)


def _convex(pts: np.ndarray) -> bool:
    n = len(pts)
    sign = 0
    for i in range(n):
        a, b, c = pts[i], pts[(i + 1) % n], pts[(i + 2) % n]
        cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
        if abs(cross) < 1e-9:
            continue
        s = 1 if cross > 0 else -1
        if sign and s != sign:
            return False
        sign = s
    return sign != 0


def _clip_box(pts: np.ndarray, w: float, h: float) -> tuple[float, float, float, float]:
    x0, y0 = max(0.0, float(pts[:, 0].min())), max(0.0, float(pts[:, 1].min()))
    x1, y1 = min(float(w), float(pts[:, 0].max())), min(float(h), float(pts[:, 1].max()))
    return x0, y0, max(x0, x1), max(y0, y1)
