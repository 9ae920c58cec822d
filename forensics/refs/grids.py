"""Pillow's LANCZOS reduction of a grey picture to a hash grid, compiled, without the GIL.

A query's views are hashed from about twenty small grids (the 32 x 32 of the pHash and the 9 x 8
of the dHash, of the picture, its transpose, its frames, sub-crops, aligned regions and tilts).
Pillow makes each in C, holding the GIL between its two passes and around them, while the worker
thread hashes the tilted views beside them; the same two passes compiled by numba (loaded
already in a process that searches a large index with the compiled kernel) release it, and skip
Pillow's picture objects: a crop is a slice of one array.

The result is Pillow's, bit for bit (``tests/test_grids.py`` compares them on generated pictures,
sizes and crops): the coefficients are computed as ``Resample.c`` computes them
(``precompute_coeffs``, then ``normalize_coeffs_8bpc``: ``PRECISION_BITS`` of fraction, rounded
half away from zero), each pass adds half a unit, shifts and clips to 0..255 as ``clip8`` does,
and the passes run in Pillow's order (``ImagingResampleInner``).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from forensics.refs import popcount

PRECISION_BITS = 32 - 8 - 2  # Pillow's, for 8-bit pictures: two bits for the filter's overshoot
_PASS_ORDER_FROM = 13  # Pillow 13 (python-pillow/Pillow#9549) may run the vertical pass first


def _sinc(x: float) -> float:
    if x == 0.0:
        return 1.0
    x = x * math.pi
    return math.sin(x) / x


def _lanczos(x: float) -> float:
    if -3.0 <= x < 3.0:
        return _sinc(x) * _sinc(x / 3)
    return 0.0


def _bilinear(x: float) -> float:
    if x < 0.0:
        x = -x
    if x < 1.0:
        return 1.0 - x
    return 0.0


# Pillow's filters: the function and its support, as Resample.c defines them. The hash grids are
# LANCZOS; bilinear (decode.fit's filter) is compiled and tested too, but the views' grey copy is
# still Pillow's (queries.hash_copy: its colour channels would cost more to split than to reduce)
FILTERS = {"lanczos": (_lanczos, 3.0), "bilinear": (_bilinear, 1.0)}


@functools.lru_cache(maxsize=1024)
def coefficients(in_size: int, out_size: int, filter: str = "lanczos") -> tuple[np.ndarray, np.ndarray]:
    """Pillow's fixed-point coefficients of ``filter`` (see :data:`FILTERS`) for ``in_size`` -> ``out_size`` pixels: for each
    output pixel its first input pixel and count (``bounds``, ``(out_size, 2)``) and its weights
    (``(out_size, ksize)``, integers of :data:`PRECISION_BITS` fraction). Read-only and cached:
    the same few sizes recur.

    Examples
    --------
    >>> bounds, kk = coefficients(64, 32)
    >>> bounds[:2].tolist()  # output 0 weighs input pixels 0..6, output 1 pixels 0..8
    [[0, 7], [0, 9]]
    >>> (kk.sum(axis=1) - (1 << PRECISION_BITS))[:4].tolist()  # one, but for each weight's rounding
    [1, 0, 1, -2]
    """
    fn, base = FILTERS[filter]
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = base * filterscale
    ksize = math.ceil(support) * 2 + 1
    inv = 1.0 / filterscale
    bounds = np.zeros((out_size, 2), np.int64)
    kk = np.zeros((out_size, ksize), np.int32)
    for xx in range(out_size):
        center = (xx + 0.5) * scale
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), in_size) - xmin
        weights = [fn((x + xmin - center + 0.5) * inv) for x in range(xmax)]
        ww = 0.0
        for w in weights:
            ww += w
        for x, w in enumerate(weights):
            if ww != 0.0:
                w /= ww
            kk[xx, x] = int(-0.5 + w * (1 << PRECISION_BITS)) if w < 0 else int(0.5 + w * (1 << PRECISION_BITS))
        bounds[xx] = xmin, xmax
    bounds.flags.writeable = kk.flags.writeable = False
    return bounds, kk


def _pillow_major() -> int:
    import PIL

    try:
        return int(PIL.__version__.split(".")[0])
    except ValueError:  # an unusual version string: taken as a current release
        return 99


_MAJOR = _pillow_major()


def vertical_first(in_size: tuple[int, int], size: tuple[int, int]) -> bool:
    """Whether Pillow runs the vertical pass first: from Pillow 13 when the height loses more than
    twice as many pixels as the width, before never. The two orders round differently."""
    (w_in, h_in), (w, h) = in_size, size
    return _MAJOR >= _PASS_ORDER_FROM and h_in - h > 0 and h_in - h > (w_in - w) * 2


_BROKEN = False  # the passes could not be compiled or loaded here: Pillow does the work


def compiled() -> bool:
    """Whether the compiled passes are used: numba loaded already for the search kernel, and working."""
    return popcount.loaded() and not _BROKEN


def reduce(grey: np.ndarray, size: tuple[int, int], *, filter: str = "lanczos", kernel: str | None = None) -> np.ndarray:
    """``Image.fromarray(grey).resize(size, Image.Resampling.LANCZOS)`` (or the ``filter`` of
    :data:`FILTERS`) as a uint8 array, for a 2-D uint8 array of grey levels (any strides: a crop
    or a transpose is a view).

    ``kernel`` is ``"numba"`` (the compiled passes) or ``"pillow"``; by default the compiled
    passes where :func:`compiled`, else Pillow. Both give the same bits.

    Examples
    --------
    >>> from PIL import Image
    >>> grey = np.random.default_rng(0).integers(0, 256, (240, 320), dtype=np.uint8)
    >>> pillow = np.asarray(Image.fromarray(grey).resize((32, 32), Image.Resampling.LANCZOS))
    >>> bool((reduce(grey, (32, 32), kernel="numba") == pillow).all())
    True
    """
    if filter not in FILTERS:
        raise ValueError(f"unknown filter {filter!r}: one of {', '.join(FILTERS)}")
    chosen = kernel or ("numba" if compiled() else "pillow")
    if chosen == "numba" and min(size) >= 1:
        try:
            return _compiled(grey, size, filter)
        except Exception:
            if kernel is not None:  # asked for by name: its failure is the caller's to see
                raise
            global _BROKEN
            _BROKEN = True  # numba unable to compile or cache here: Pillow, the same bits
    from PIL import Image

    resample = Image.Resampling.LANCZOS if filter == "lanczos" else Image.Resampling.BILINEAR
    return np.asarray(Image.fromarray(np.ascontiguousarray(grey)).resize(size, resample))


def _compiled(grey: np.ndarray, size: tuple[int, int], filter: str) -> np.ndarray:
    """:func:`reduce` by the compiled passes."""
    h_in, w_in = grey.shape
    w, h = size
    from forensics.refs import _grids_jit  # deferred: numba loads with the search kernel

    need_h, need_v = w != w_in, h != h_in
    if not (need_h or need_v):
        return grey.copy()

    def rows(a: np.ndarray) -> np.ndarray:  # the pass reads along the first axis, row by row
        return a if a.flags.c_contiguous else np.ascontiguousarray(a)

    def horizontal(src: np.ndarray) -> np.ndarray:  # Pillow's horizontal pass, src cut to the rows it covers
        out = np.empty((w, src.shape[0]), np.uint8)
        _grids_jit.along0(rows(src.T), 0, *coefficients(w_in, w, filter), out)
        return out.T

    def vertical(src: np.ndarray, shift: int) -> np.ndarray:  # src's row 0 is the picture's row `shift`
        out = np.empty((h, src.shape[1]), np.uint8)
        _grids_jit.along0(rows(src), shift, *coefficients(h_in, h, filter), out)
        return out

    if vertical_first((w_in, h_in), size):
        a = vertical(grey, 0)
        return horizontal(a) if need_h else a
    a, first = grey, 0
    if need_h:  # only the rows the vertical pass reads, as Pillow does
        bounds = coefficients(h_in, h, filter)[0]
        first, last = int(bounds[0, 0]), int(bounds[-1, 0] + bounds[-1, 1])
        a = horizontal(grey[first:last])
    return vertical(a, first) if need_v else a
