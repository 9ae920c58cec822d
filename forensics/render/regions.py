"""The pixel analyses' regions drawn over a picture: an inline SVG laid on the report's picture.

Copied regions are outlined in pairs (source dashed, target solid, a line
from one to the other); regions that disagree with the rest are outlined in
another colour. The drawing is in the picture's full-size coordinates
(``viewBox``) and stretched over the shown picture, so it fits at any size.
"""

from __future__ import annotations

from html import escape

from forensics.records.pixels import PixelAnalysis, Region

COPY = "#ff0"
PASTED = "#0ff"


def _shape(r: Region, colour: str, *, dashed: bool = False, label: str = "") -> str:
    dash = ' stroke-dasharray="12 8"' if dashed else ""
    title = f"<title>{escape(label)}</title>" if label else ""
    if len(r.polygon) >= 3:
        pts = " ".join(f"{x:.0f},{y:.0f}" for x, y in r.polygon)
        return f'<polygon points="{pts}" fill="none" stroke="{colour}" stroke-width="0.4%"{dash}>{title}</polygon>'
    x0, y0, x1, y1 = r.box
    return f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="none" stroke="{colour}" stroke-width="0.4%"{dash}>{title}</rect>'


def _centre(r: Region) -> tuple[float, float]:
    x0, y0, x1, y1 = r.box
    return (x0 + x1) / 2, (y0 + y1) / 2


def overlay(found: PixelAnalysis | None) -> str | None:
    """An SVG drawing of what the pixel analyses found, for laying over the picture; None when there is nothing to draw.

    Examples
    --------
    >>> from forensics.records.pixels import CopyMove
    >>> c = CopyMove(Region((0, 0, 10, 10)), Region((20, 0, 30, 10)), (1, 0, 20, 0, 1, 0), 9, 0.9, 0.5, "sift")
    >>> overlay(PixelAnalysis(size=(40, 20), copy_moves=(c,))).count("<rect")
    2
    >>> overlay(PixelAnalysis(size=(40, 20))) is None
    True
    """
    if found is None or found.size is None or not (found.copy_moves or found.pasted):
        return None
    w, h = found.size
    parts = []
    for i, c in enumerate(found.copy_moves, 1):
        (sx, sy), (tx, ty) = _centre(c.source), _centre(c.target)
        parts.append(
            f'<line x1="{sx:.0f}" y1="{sy:.0f}" x2="{tx:.0f}" y2="{ty:.0f}" stroke="{COPY}" stroke-width="0.25%" stroke-dasharray="4 6"/>'
        )
        parts.append(_shape(c.source, COPY, dashed=True, label=f"copy-move {i}: one region"))
        parts.append(_shape(c.target, COPY, label=f"copy-move {i}: its copy"))
    for i, p in enumerate(found.pasted, 1):
        parts.append(_shape(p.region, PASTED, dashed=len(p.agree) < 2, label=f"spliced-region {i}: " + (", ".join(p.agree) or "weak")))
    return (
        f'<svg class="overlay" viewBox="0 0 {w} {h}" preserveAspectRatio="none" role="img" aria-label="regions found in the pixels">'
        + "".join(parts) + "</svg>"
    )  # fmt: skip
