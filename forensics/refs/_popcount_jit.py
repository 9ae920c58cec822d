"""The numba-compiled loops of :mod:`forensics.refs.popcount` (importing this module loads numba)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

BLOCK = 128  # rows counted before looking for hits: a block with a hit is rescanned, so small blocks rescan less


@intrinsic
def popcount(typingctx: Any, x: Any) -> Any:
    """LLVM's ``ctpop`` of a uint64, which the loop vectoriser widens to SIMD population counts."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen


count: Any = popcount  # the same intrinsic, typed loosely for the type checker


@njit(nogil=True, cache=True, error_model="numpy")
def hits_in(seg: Any, q: Any, r: Any) -> Any:
    """How many rows of ``seg`` lie within ``r`` bits of ``q`` (a loop without branches, vectorised)."""
    c = 0
    for i in range(seg.shape[0]):
        c += count(seg[i] ^ q) <= r
    return c


@njit(nogil=True, cache=True, error_model="numpy")
def scan(col: Any, qs: Any, radius: Any, rows: Any, which: Any, dists: Any, start: Any) -> Any:
    """Hits of every query of ``qs`` in ``col`` within ``radius``, block by block from row ``start``,
    written to the buffers while a whole block's hits are sure to fit: returns how many were written
    and the row to go on from (the column's length when done)."""
    n = 0
    cap = rows.shape[0]
    m = qs.shape[0]
    r = np.uint64(radius)
    for b in range(start, col.shape[0], BLOCK):
        if n + BLOCK * m > cap:
            return n, b
        seg = col[b : b + BLOCK]
        for j in range(m):
            q = qs[j]
            if hits_in(seg, q, r):
                for i in range(seg.shape[0]):
                    d = count(seg[i] ^ q)
                    if d <= r:
                        rows[n] = b + i
                        which[n] = j
                        dists[n] = d
                        n += 1
    return n, col.shape[0]
