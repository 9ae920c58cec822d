"""The numba-compiled passes of :mod:`forensics.refs.grids` (importing this module loads numba).

A pass reduces a 2-D uint8 array along its first axis with Pillow's fixed-point weights, in 32-bit
integers as Pillow's C does: a row of sums updated tap by tap, the innermost loop running along a
row (contiguous memory, vectorised). A pass along the other axis is one along this axis of the
transpose, copied: 0.05 ms for a 320 x 240 crop where short dot products along each row took 0.29.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from forensics.refs import _popcount_jit  # noqa: F401 - numba's CPU features chosen there before the first compile here

BITS = 22  # grids.PRECISION_BITS, Pillow's for 8-bit pictures (not imported: grids loads this module)


@njit(nogil=True, cache=True, error_model="numpy")
def along0(src: Any, shift: Any, bounds: Any, kk: Any, out: Any) -> None:
    """``out[r, c]``: the weights of output ``r`` over ``src[bounds[r, 0] - shift ..., c]``, settled."""
    half = np.int32(1 << (BITS - 1))
    acc = np.empty(out.shape[1], np.int32)
    for r in range(out.shape[0]):
        acc[:] = half
        lo = bounds[r, 0] - shift
        for t in range(bounds[r, 1]):
            k = kk[r, t]
            row = src[lo + t]
            for c in range(acc.shape[0]):
                acc[c] += np.int32(row[c]) * k
        for c in range(acc.shape[0]):
            v = acc[c] >> BITS
            out[r, c] = 0 if v < 0 else (255 if v > 255 else v)
