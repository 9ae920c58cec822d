"""Pasted regions: areas whose local noise or error level disagree with the rest of the picture.

A region pasted from another photo brings that photo's noise (another sensor,
another ISO, another amount of smoothing) and its compression history (it
recompresses differently, so its error level differs). Each measure is taken
per block and set against the block's texture, since both grow with detail in
untouched photos too: what is left is a robust z-score per block, and blocks
far from the rest that hang together make a region. Another per-block map
(a double-compression map, say) can be handed in and is weighed the same way.

One measure alone is weak evidence: focus, lighting and smooth sky change
noise and error levels across genuine photos. A region counts for more when
measures that do not share a cause single it out together.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING

from forensics.records.pixels import Disagreement, PastedRegion, Region

if TYPE_CHECKING:
    from typing import Any

    import numpy as np
    import numpy.typing as npt
    from PIL import Image

    Floats = npt.NDArray[Any]  # OpenCV's stubs type every array loosely

BLOCK = 32  # pixels of the working picture per block
Z_REGION = 3.0  # a block this far (robust z) from the rest may belong to a region
Z_AGREE = 2.0  # a measure agrees on a region when the region's median z is this far, on the same side
MIN_BLOCKS = 6
MAX_SHARE = 0.3  # of the blocks: a larger area is the picture's own variation, not something added
RESAVE_QUALITY = 90
MEASURES = ("noise", "error-level")


def find_pasted(
    image: Image.Image, *, maps: Mapping[str, npt.NDArray[np.floating]] | None = None, block: int = BLOCK,
    z_region: float = Z_REGION, z_agree: float = Z_AGREE,
) -> tuple[PastedRegion, ...]:  # fmt: skip
    """Regions of ``image`` that one or more local measures set apart from the rest.

    Parameters
    ----------
    image : PIL.Image.Image
        The picture at the size to analyse (its coordinates are the results').
    maps : mapping of str to ndarray, optional
        More per-block measures by name (a double-compression map, say), each
        a 2-D array over a grid of blocks covering the picture (any grid: it
        is resampled to this one); higher or lower than the rest both count.
    block : int
        Block side in pixels.
    z_region, z_agree : float
        Robust z-score from which a block may found a region, and from which
        another measure agrees on it.

    Returns
    -------
    tuple of PastedRegion
        Most singled out first; each with every measure's view of it and the
        names of the measures that agree.

    Examples
    --------
    >>> from PIL import Image
    >>> find_pasted(Image.new("L", (256, 256), 128))
    ()
    """
    import numpy as np

    gray = np.asarray(image.convert("L"), dtype=np.float32)
    gh, gw = gray.shape[0] // block, gray.shape[1] // block
    if gh < 4 or gw < 4:
        return ()
    gray = gray[: gh * block, : gw * block]
    texture = _texture(gray, block)
    measured = {"noise": _noise(gray, block), "error-level": _error_level(image, gray, block)}
    zs = {name: _against_texture(m, texture) for name, m in measured.items()}
    for name, extra in (maps or {}).items():
        zs[name] = _robust_z(_regrid(np.asarray(extra, dtype=np.float64), (gh, gw)))
    found: list[tuple[float, PastedRegion]] = []
    taken = np.zeros((gh, gw), dtype=bool)
    for name, z in zs.items():
        for sign in (1.0, -1.0):
            for blocks in _components(sign * z > z_region, gh * gw):
                if (blocks & taken).sum() > 0.5 * blocks.sum():
                    continue  # already found by another measure
                taken |= blocks
                views = tuple(_view(m, zz, blocks, sign, z_agree) for m, zz in zs.items())
                agree = tuple(v.measure for v in views if sign * v.z >= z_agree)
                found.append((abs(views[list(zs).index(name)].z), PastedRegion(_region(blocks, block), views, agree)))
    found.sort(key=lambda t: (-len(t[1].agree), -t[0]))
    return tuple(r for _, r in found[:3])


def _blocks(a: Floats, block: int) -> Floats:
    h, w = a.shape
    return a.reshape(h // block, block, w // block, block).swapaxes(1, 2).reshape(h // block, w // block, block * block)


def _texture(gray: Floats, block: int) -> Floats:
    """Mean gradient magnitude per block: how much detail it holds."""
    import cv2
    import numpy as np

    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    return _blocks(np.hypot(gx, gy), block).mean(axis=2).astype(np.float64)


def _noise(gray: Floats, block: int) -> Floats:
    """Noise level per block (Immerkær's Laplacian-difference estimate, its median: edges count less)."""
    import cv2
    import numpy as np

    k = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
    r = np.abs(cv2.filter2D(gray, -1, k, borderType=cv2.BORDER_REFLECT))
    return np.median(_blocks(r, block), axis=2).astype(np.float64) * float(np.sqrt(np.pi / 2) / 6)


def _error_level(image: Image.Image, gray: Floats, block: int) -> Floats:
    """Mean change per block when the picture is saved again as JPEG at :data:`RESAVE_QUALITY`."""
    import numpy as np
    from PIL import Image as _Image

    buf = io.BytesIO()
    image.convert("L").save(buf, "JPEG", quality=RESAVE_QUALITY)
    buf.seek(0)
    with _Image.open(buf, formats=["JPEG"]) as again:
        resaved = np.asarray(again, dtype=np.float32)[: gray.shape[0], : gray.shape[1]]
    return _blocks(np.abs(gray - resaved), block).mean(axis=2).astype(np.float64)


def _against_texture(measure: Floats, texture: Floats) -> Floats:
    """Robust z of what a measure holds beyond what the block's texture predicts (log-log, fitted robustly)."""
    import numpy as np

    y = np.log(measure + 0.05)
    x = np.log(texture + 0.5)
    if float(np.ptp(x)) < 1e-3:  # one texture all over (a uniform picture): nothing to fit
        return _robust_z(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.RankWarning)  # textures bunched together: the fit is flatter, not wrong
        fit = np.polyfit(x.ravel(), y.ravel(), 2)
        for _ in range(2):  # refit on the blocks the fit explains, so that a pasted area does not bend it
            res = y - np.polyval(fit, x)
            good = np.abs(res - np.median(res)) < 2.5 * _spread(res)
            if good.sum() > 10:
                fit = np.polyfit(x[good], y[good], 2)
    return _robust_z(y - np.polyval(fit, x))


def _spread(a: Floats) -> float:
    import numpy as np

    return max(1.4826 * float(np.median(np.abs(a - np.median(a)))), 1e-6)


def _robust_z(a: Floats) -> Floats:
    import numpy as np

    return (a - np.median(a)) / _spread(a)


def _regrid(a: Floats, shape: tuple[int, int]) -> Floats:
    import cv2
    import numpy as np

    if a.ndim != 2 or not a.size:
        return np.zeros(shape)
    return cv2.resize(a, (shape[1], shape[0]), interpolation=cv2.INTER_AREA if a.shape[0] > shape[0] else cv2.INTER_NEAREST)


def _components(marked: npt.NDArray[np.bool_], total: int) -> list[npt.NDArray[np.bool_]]:
    """Connected groups of marked blocks, of a size a pasted object could have."""
    import cv2
    import numpy as np

    closed = cv2.morphologyEx(marked.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    count, labels = cv2.connectedComponents(closed, connectivity=8)
    out = []
    for i in range(1, count):
        part = (labels == i) & marked
        _, _, w, h = cv2.boundingRect((labels == i).astype(np.uint8))
        # a thin band winding across the picture is its own variation (a horizon, a gradient), not an object
        if MIN_BLOCKS <= part.sum() <= MAX_SHARE * total and w * h <= 2 * MAX_SHARE * total:
            out.append(labels == i)
    return sorted(out, key=lambda p: -int(p.sum()))


def _view(name: str, z: Floats, blocks: npt.NDArray[np.bool_], sign: float, z_agree: float) -> Disagreement:
    import numpy as np

    inside = z[blocks]
    return Disagreement(name, float(np.median(inside)), float((sign * inside >= z_agree).mean()))


def _region(blocks: npt.NDArray[np.bool_], block: int) -> Region:
    import cv2
    import numpy as np

    mask = blocks.astype(np.uint8)
    x, y, w, h = cv2.boundingRect(mask)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    big = max(contours, key=cv2.contourArea)
    poly = cv2.approxPolyDP(big, 1.0, True).reshape(-1, 2)[:24]
    return Region(
        (x * block, y * block, (x + w) * block, (y + h) * block), tuple((float(px * block), float(py * block)) for px, py in poly)
    )
