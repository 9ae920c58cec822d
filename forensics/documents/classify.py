"""Which pictures show a document: lines of dark strokes on a light ground, in the reduced picture.

Text, at any size a phone photo or a screenshot shows it, is a row of small
dark marks on a lighter ground; closed along the row, the marks of one line
merge into a long, low band. Scenes rarely make many such bands. The
classifier counts them in the picture reduced to :data:`SIDE` pixels (a
black-hat filter keeps what is darker than its surroundings, Otsu's threshold
splits it, a horizontal closing joins letters into lines) and calls the
picture a document from :data:`MIN_LINES` of them on. Its cost is a few
OpenCV passes over a quarter-megapixel picture: about a millisecond
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
# Text lines needed to call a picture a document. On the benchmark's pictures
# (benchmarks/ocr_bench.py) photographed pages show 12 or more at this size,
# the camera corpus' scenes mostly fewer than 4.
MIN_LINES = 8
_BLACKHAT = (9, 9)  # wider than a stroke at SIDE, narrower than a photo's dark regions
_CLOSE = (11, 1)  # joins the letters of a word and the words of a line
_MIN_CONTRAST = 18  # grey levels a stroke must be darker than its ground


@dataclass(frozen=True)
class Classification:
    """The classifier's reading of one reduced picture."""

    lines: int  # text-line bands found
    coverage: float  # fraction of the picture the bands cover
    document: bool

    @property
    def score(self) -> float:
        return float(self.lines)


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
        return Classification(0, 0.0, False)
    hat = cv2.morphologyEx(g, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, _BLACKHAT))
    level, mask = cv2.threshold(hat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if level < _MIN_CONTRAST:
        _, mask = cv2.threshold(hat, _MIN_CONTRAST, 255, cv2.THRESH_BINARY)
    bands = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, _CLOSE))
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(bands, connectivity=8)
    if n <= 1:
        return Classification(0, 0.0, False)
    w, h, area = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_AREA]
    thick = area / np.maximum(w, 1)  # a tilted line's bounding box is high, its band stays thin
    # a line: long and thin, as thick as letters (not a one-pixel edge or wire), not a dark region
    long_low = (w >= 20) & (thick >= 2.0) & (thick <= max(g.shape) / 40) & (w >= 5 * thick) & (h <= g.shape[0] // 6)
    lines = int(long_low.sum())
    coverage = float((w[long_low] * h[long_low]).sum()) / float(g.size)
    return Classification(lines, coverage, lines >= min_lines)


def reduced_grey(picture: Image.Image, *, side: int = SIDE) -> npt.NDArray[np.uint8]:
    """A Pillow picture's luminance, its long side brought to at most ``side``."""
    import numpy as np
    from PIL import Image

    grey = picture.convert("L")
    if max(grey.size) > side:
        scale = side / max(grey.size)
        grey = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))), Image.Resampling.BOX)
    return np.asarray(grey, dtype=np.uint8)
