"""A sheet of paper in a photo: its four corners, and the page warped flat.

The page is the largest bright four-sided region: the grey picture, reduced
and blurred, is split by Otsu's threshold; the outline of the largest region
is simplified (Douglas–Peucker) and kept when it has four corners, is convex
and covers at least :data:`MIN_AREA` of the picture. The full picture is then
warped so that those corners become a rectangle as long as the page's edges
(OpenCV's ``getPerspectiveTransform`` and ``warpPerspective``); the
homography is kept so that boxes read on the flat page can be drawn back on
the photo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MIN_AREA = 0.15  # of the picture: a page smaller than this is too small to read anyway
MAX_AREA = 0.98  # a region filling the frame is the frame (a scan, a screenshot), not a page on a table
SIDE = 640  # long side the outline is searched at
_APPROX = 0.02  # of the perimeter: how far the simplified outline may stray


@dataclass(frozen=True)
class Page:
    """A page found in a picture: corners (picture pixels, clockwise from top left) and the flat page."""

    corners: tuple[tuple[float, float], ...]
    flat: npt.NDArray[np.uint8]  # the page warped flat
    to_picture: npt.NDArray[np.float64]  # 3×3 homography from flat-page pixels to picture pixels


def find_corners(grey: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32] | None:
    """The four corners of the page in a grey picture (its own pixels, clockwise from top left), or None.

    Examples
    --------
    >>> import numpy as np
    >>> g = np.full((300, 400), 60, np.uint8)
    >>> g[50:250, 80:320] = 230
    >>> corners = find_corners(g)
    >>> bool(np.abs(corners - [[80, 50], [319, 50], [319, 249], [80, 249]]).max() <= 2)
    True
    """
    import cv2
    import numpy as np

    scale = min(1.0, SIDE / max(grey.shape))
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # the page's text must not cut it apart: close the letters into it
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(outline) / float(small.shape[0] * small.shape[1])
    if not MIN_AREA <= area <= MAX_AREA:
        return None
    hull = cv2.convexHull(outline)
    quad = cv2.approxPolyDP(hull, _APPROX * cv2.arcLength(hull, True), True)
    if len(quad) != 4 or not cv2.isContourConvex(quad):
        return None
    return order_corners(quad.reshape(4, 2).astype(np.float32) / scale)


def order_corners(points: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Four points as top left, top right, bottom right, bottom left."""
    import numpy as np

    s = points.sum(axis=1)
    d = np.diff(points, axis=1).ravel()
    return np.array([points[s.argmin()], points[d.argmin()], points[s.argmax()], points[d.argmax()]], dtype=np.float32)


def flatten_page(picture: npt.NDArray[np.uint8], corners: npt.NDArray[np.float32]) -> Page:
    """Warp the page with these corners flat, as wide and high as its edges are long.

    Parameters
    ----------
    picture : ndarray of uint8
        The picture (grey or colour) the corners are in.
    corners : ndarray of float32, shape (4, 2)
        Top left, top right, bottom right, bottom left.
    """
    import cv2
    import numpy as np

    tl, tr, br, bl = corners
    width = round(float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = round(float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    width, height = max(width, 1), max(height, 1)
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    forward = cv2.getPerspectiveTransform(corners, target)
    flat = cv2.warpPerspective(picture, forward, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return Page(tuple((float(x), float(y)) for x, y in corners), np.asarray(flat, np.uint8), np.linalg.inv(forward).astype(np.float64))


def to_picture(points: npt.NDArray[np.float64], homography: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Points (N×2) of the flat page, in picture pixels."""
    import numpy as np

    pts = np.hstack([points, np.ones((len(points), 1))]) @ homography.T
    return pts[:, :2] / pts[:, 2:3]


def even_light(flat: npt.NDArray[np.uint8], *, stroke: int = 31) -> npt.NDArray[np.uint8]:
    """The page divided by its own paper: uneven light (a lamp, a shadow across the sheet) taken out.

    A closing wider than any stroke (``stroke`` pixels) leaves the paper
    without its ink; dividing by it makes the paper white everywhere, so
    that Tesseract's global threshold does not turn a darker half black.

    Examples
    --------
    >>> import numpy as np
    >>> ramp = np.tile(np.linspace(120, 240, 200).astype(np.uint8), (100, 1))
    >>> int(ramp.min()), int(even_light(ramp).min()) >= 235
    (120, True)
    """
    import cv2
    import numpy as np

    paper = cv2.morphologyEx(flat, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (stroke, stroke)))
    paper = cv2.GaussianBlur(paper, (0, 0), stroke / 3)
    out = flat.astype(np.float32) * 255.0 / np.maximum(paper.astype(np.float32), 1.0)
    return np.clip(out, 0, 255).astype(np.uint8)
