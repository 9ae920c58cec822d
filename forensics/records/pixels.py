"""What the pixel analyses found in one picture: copied regions, regions that disagree with the rest.

Coordinates are pixels of the picture as it is shown (EXIF orientation applied),
at its full size, whatever reduced working size the analysis ran at; x to the
right, y down. These are plain data so that a worker process can hand them
back and a check or a renderer read them without numpy or OpenCV.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Point = tuple[float, float]
Box = tuple[int, int, int, int]  # left, top, right, bottom (right and bottom exclusive)


@dataclass(frozen=True)
class Region:
    """An area of the picture: its bounding box and its outline (a polygon, clockwise or not)."""

    box: Box
    polygon: tuple[Point, ...] = ()

    @property
    def area(self) -> int:
        x0, y0, x1, y1 = self.box
        return max(0, x1 - x0) * max(0, y1 - y0)

    def scaled(self, factor: float) -> Region:
        """The region with every coordinate multiplied by ``factor``."""
        x0, y0, x1, y1 = self.box
        box = (int(x0 * factor), int(y0 * factor), round(x1 * factor), round(y1 * factor))
        return Region(box, tuple((round(x * factor, 1), round(y * factor, 1)) for x, y in self.polygon))

    def to_dict(self) -> dict[str, Any]:
        return {"box": list(self.box), "polygon": [list(p) for p in self.polygon]}


@dataclass(frozen=True)
class CopyMove:
    """Two regions of one picture of which one is a copy of the other, moved (and maybe scaled or turned).

    ``transform`` is the affine map ``(a, b, c, d, e, f)`` taking a point of
    ``source`` to ``target``: ``x' = a·x + b·y + c``, ``y' = d·x + e·y + f``.
    Which region was copied onto which cannot be told from the pixels alone:
    ``source`` is simply the one nearer the top left. ``points`` are matched
    pairs ``(x, y, x', y')`` (at most :data:`POINTS_KEPT`), ``matches`` how many
    agreed with the transform, ``similarity`` the mean local correlation of the
    two regions' pixels under it (1: identical), ``score`` 0..1 from both.
    """

    source: Region
    target: Region
    transform: tuple[float, float, float, float, float, float]
    matches: int
    similarity: float
    score: float
    method: str  # "sift", "orb" or "blocks" (the dense fallback)
    points: tuple[tuple[float, float, float, float], ...] = ()

    @property
    def scale(self) -> float:
        a, b, _, d, e, _ = self.transform
        return float(abs(a * e - b * d) ** 0.5)

    @property
    def rotation(self) -> float:
        """Degrees, counter-clockwise as seen on screen."""
        import math

        a, _, _, d, _, _ = self.transform
        return round(-math.degrees(math.atan2(d, a)), 1) + 0.0

    def scaled(self, factor: float) -> CopyMove:
        """The same copy in a picture ``factor`` times the size."""
        a, b, c, d, e, f = self.transform
        return CopyMove(
            self.source.scaled(factor), self.target.scaled(factor), (a, b, c * factor, d, e, f * factor),
            self.matches, self.similarity, self.score, self.method,
            tuple(tuple(round(v * factor, 1) for v in p) for p in self.points),  # type: ignore[misc]  # four values in, four out
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source.to_dict(), "target": self.target.to_dict(),
            "transform": [round(v, 4) for v in self.transform], "scale": round(self.scale, 3), "rotation": self.rotation,
            "matches": self.matches, "similarity": round(self.similarity, 3), "score": round(self.score, 3),
            "method": self.method, "points": [list(p) for p in self.points],
        }  # fmt: skip


POINTS_KEPT = 40


@dataclass(frozen=True)
class Disagreement:
    """One measure's view of a region: how far (robust z) it stands from the rest of the picture."""

    measure: str  # "noise", "error-level", or the name of a map handed in (e.g. "double-compression")
    z: float  # the region's median robust z-score against the picture's blocks
    fraction: float  # of the region's blocks beyond the threshold

    def to_dict(self) -> dict[str, Any]:
        return {"measure": self.measure, "z": round(self.z, 2), "fraction": round(self.fraction, 3)}


@dataclass(frozen=True)
class PastedRegion:
    """An area whose local statistics differ from the rest of the picture, with the measures that say so.

    ``agree`` names the measures that single out this area independently of
    each other; one measure alone is weak evidence (texture, focus and
    lighting change noise and error levels in untouched photos too).
    """

    region: Region
    measures: tuple[Disagreement, ...]
    agree: tuple[str, ...]

    def scaled(self, factor: float) -> PastedRegion:
        return PastedRegion(self.region.scaled(factor), self.measures, self.agree)

    def to_dict(self) -> dict[str, Any]:
        return {"region": self.region.to_dict(), "measures": [m.to_dict() for m in self.measures], "agree": list(self.agree)}


@dataclass(frozen=True)
class PixelAnalysis:
    """The pixel analyses of one picture (``scan(..., pixels=True)``), or why they did not run.

    ``size`` is the picture as shown at full size, which every coordinate
    refers to; ``working`` the reduced size the analyses ran at.
    """

    reason: str | None = None  # why the picture was not analysed; None when it was
    size: tuple[int, int] | None = None
    working: tuple[int, int] | None = None
    keypoints: int = 0
    copy_moves: tuple[CopyMove, ...] = ()
    pasted: tuple[PastedRegion, ...] = ()

    @property
    def analysed(self) -> bool:
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "analysed": self.analysed, "reason": self.reason,
            "size": list(self.size) if self.size else None, "working": list(self.working) if self.working else None,
            "keypoints": self.keypoints, "copy_moves": [c.to_dict() for c in self.copy_moves],
            "pasted": [p.to_dict() for p in self.pasted],
        }  # fmt: skip
