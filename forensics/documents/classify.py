"""Which pictures show a document: lines of dark strokes on a light ground, in the reduced picture.

Text, at any size a phone photo or a screenshot shows it, is a row of small
dark marks on a lighter ground; closed along the row, the marks of one line
merge into a long, low band on a light, even ground, and a page's lines stand
one under another from one margin. Scenes rarely make many such stacks. The
classifier finds the bands in the picture reduced to :data:`SIDE` pixels (a
black-hat filter keeps what is darker than its surroundings, Otsu's threshold
splits it, a closing along the lines joins letters into bands), keeps those on
a light, even ground, and calls the picture a document from :data:`MIN_LINES`
lines with a neighbour just below at their margin (the left one, or the right
one for a page upside down), across the picture or down it (a page lying
sideways). Its cost is a few OpenCV
passes over a quarter-megapixel picture: about a millisecond
(``benchmarks/ocr_bench.py``, ``docs/performance.md``); only pictures it
calls documents are read with Tesseract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from PIL import Image

# OpenCV and numpy are imported inside the functions: importing this module costs nothing.

SIDE = 512  # long side of the picture classified
# Stacked text lines needed to call a picture a document. On the benchmark's pictures
# (benchmarks/ocr_bench.py) photographed pages of eight or nine lines mostly show 7 or more at
# this size, the generated scenes none, two of the corpus' 129 photos without text 7 and 9
# (paving stones in rows); its photo of a screen of text shows 13.
MIN_LINES = 6
_BLACKHAT = (9, 9)  # wider than a stroke at SIDE, narrower than a photo's dark regions
_CLOSE = (11, 1)  # joins the letters of a word and the words of a line
_MIN_CONTRAST = 18  # grey levels a stroke must be darker than its ground
_MIN_WIDTH = 20  # pixels: the shortest line counted
_MIN_GROUND = 130  # mean grey level around a line: paper or a light screen, not a dark scene
_MAX_GROUND_SPREAD = 35  # and even (the standard deviation of its grey levels)
_MARGIN = 0.02  # of the width: how far the starts of two lines of one margin may differ
_LEADING = 5  # line thicknesses: how far below its neighbour the next line of a page stands


@dataclass(frozen=True)
class Classification:
    """The classifier's reading of one reduced picture."""

    lines: int  # text-line bands on a light, even ground
    stacked: int  # of them, those with another line starting at their margin just below
    coverage: float  # fraction of the picture the lines cover
    document: bool

    @property
    def score(self) -> float:
        return float(self.stacked)


def classify(grey: npt.NDArray[np.uint8], *, min_lines: int = MIN_LINES) -> Classification:
    """Count text-line bands in a grey picture (long side about :data:`SIDE`) and call it a document or not.

    Parameters
    ----------
    grey : ndarray of uint8
        The picture's luminance, reduced (see :func:`reduced_grey`).
    min_lines : int
        Bands from which the picture is called a document.

    Returns
    -------
    Classification

    Examples
    --------
    >>> import numpy as np
    >>> classify(np.full((384, 512), 200, np.uint8)).document
    False
    """
    import cv2
    import numpy as np

    g = np.ascontiguousarray(grey, dtype=np.uint8)
    if g.ndim != 2 or min(g.shape) < 16:
        return Classification(0, 0, 0.0, False)
    hat = cv2.morphologyEx(g, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, _BLACKHAT))
    level, split = cv2.threshold(hat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if level < _MIN_CONTRAST:
        _, split = cv2.threshold(hat, _MIN_CONTRAST, 255, cv2.THRESH_BINARY)
    mask = np.asarray(split, dtype=np.uint8)
    found = _count(g, mask, min_lines, down=False)
    if not found.document:  # a page lying sideways on the table: its lines run down the picture
        turned = _count(g, mask, min_lines, down=True)
        found = turned if turned.stacked > found.stacked else found
    return found


def _count(g: npt.NDArray[np.uint8], mask: npt.NDArray[np.uint8], min_lines: int, *, down: bool) -> Classification:
    """Text-line bands running across a picture (or ``down`` it), and how many stand one under another.

    Down the picture, the kernels are turned and each box read with its sides
    swapped, so that nothing is transposed.
    """
    import cv2
    import numpy as np

    def turn(size: tuple[int, int]) -> tuple[int, int]:
        return (size[1], size[0]) if down else size

    along, across = (g.shape[0], g.shape[1]) if down else (g.shape[1], g.shape[0])  # the lines run along
    bands = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, turn(_CLOSE)))
    # what is not at least a short line wide goes before its outline is traced: a textured scene's
    # thousands of specks cost more to trace and to look at than the rest of the classifier
    long = cv2.morphologyEx(bands, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, turn((_MIN_WIDTH, 1))))
    # outlines, not labelled components: OpenCV's component statistics cost 30 times more here;
    # every component's outer boundary, those inside another's hole too (lines inside a page's printed frame)
    contours, hierarchy = cv2.findContours(long, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    most_thick = max(g.shape) / 40
    found = []
    for c, (_next, _prev, _child, parent) in zip(contours, hierarchy[0] if hierarchy is not None else ()):
        if parent != -1:
            continue  # a hole
        bx, by, bw, bh = cv2.boundingRect(c)
        x, y, w, h = (by, bx, bh, bw) if down else (bx, by, bw, bh)  # along the line, across it
        if w < _MIN_WIDTH or h > across // 6:
            continue
        thick = max(cv2.contourArea(c), float(w)) / w  # a tilted line's box is high, its band stays thin
        # a line: long and thin, as thick as letters (not a one-pixel edge or wire), on a light, even ground
        if not 2.0 <= thick <= most_thick or w < 5 * thick:
            continue
        box = g[by : by + bh, bx : bx + bw]
        ground = box[bands[by : by + bh, bx : bx + bw] == 0]
        if ground.size < 4 or ground.mean() < _MIN_GROUND or ground.std() > _MAX_GROUND_SPREAD:
            continue
        found.append((x, x + w, y + h / 2, thick, w * thick))
    if len(found) < 2:
        return Classification(len(found), 0, 0.0, False)
    x0, x1, yc, th, area = (np.array(v, dtype=np.float64) for v in zip(*found))
    # a page's lines stand one under another from one margin (the right one for a page upside down):
    # count those with a neighbour just below
    margin = max(4.0, _MARGIN * along)
    aligned = (np.abs(x0[:, None] - x0[None, :]) <= margin) | (np.abs(x1[:, None] - x1[None, :]) <= margin)
    dy = yc[None, :] - yc[:, None]
    below = aligned & (dy > 0) & (dy <= _LEADING * np.maximum(th, 3.0)[:, None])
    stacked = int(below.any(axis=1).sum())
    return Classification(len(found), stacked, float(area.sum()) / g.size, stacked >= min_lines)


def reduced_grey(picture: Image.Image, *, side: int = SIDE) -> npt.NDArray[np.uint8]:
    """A Pillow picture's luminance, its long side brought to at most ``side``."""
    import numpy as np
    from PIL import Image

    grey = picture.convert("L")
    if max(grey.size) > side:
        scale = side / max(grey.size)
        grey = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))), Image.Resampling.BOX)
    return np.asarray(grey, dtype=np.uint8)
