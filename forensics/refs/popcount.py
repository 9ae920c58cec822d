"""The compiled Hamming range scan: XOR and population count over a column, vectorised by LLVM.

FAISS's ``hamming_range_search`` compares one query with one row at a time
(about 0.33 ns per pair on one core here); this loop, compiled by numba for
the CPU it runs on, counts the rows of a block of 128 within the radius of four
queries at once with SIMD population counts (AVX-512's ``vpopcntq`` in 512-bit vectors
where the CPU has it, AVX2's byte-table count elsewhere) and looks at a block
row by row only when it holds a hit, so a scan runs near the memory
bandwidth: 10^6 rows against 45 queries on nine columns in about 4 ms of one
core of an AMD EPYC, a third of FAISS's time
(``benchmarks/index_bench.py --kernels`` measures them side by side).

The machine code is compiled on the first search of a process (about 0.5 s)
and cached on disk beside this module (numba's cache, keyed by the CPU), so
later processes load it.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np

_KERNEL: Any = None
_BROKEN = False  # numba is installed but could not compile the kernel here


def compiled() -> Any:
    """The compiled scan (numba loaded on the first call), or None where numba cannot be imported or
    cannot compile here (then :mod:`forensics.refs.search` uses FAISS or numpy)."""
    global _KERNEL, _BROKEN
    if _KERNEL is None and not _BROKEN:
        try:
            from forensics.refs import _popcount_jit  # deferred: numba and LLVM load on the first search

            kernel = _popcount_jit.scan
            one = np.zeros(1, np.uint64)  # its machine code compiled or loaded from the cache now, in this thread
            big = _popcount_jit.BLOCK
            kernel(one, one, 0, np.empty(big, np.int64), np.empty(big, np.int32), np.empty(big, np.int16), 0)
        except ImportError:  # numba missing (or hidden a moment: geo.zones): the other kernels, same results
            return None
        except Exception:  # noqa: BLE001 - numba unable to compile or cache here: not tried again by this process
            _BROKEN = True
            return None
        _KERNEL = kernel
    return _KERNEL


def loaded() -> bool:
    """Whether this process has loaded the compiled kernel already (so that using it costs nothing more)."""
    return _KERNEL is not None


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """Whether the compiled kernel can run here: numba is installed (found, not imported)."""
    import importlib.util

    return importlib.util.find_spec("numba") is not None


def scan(column: np.ndarray, qs: np.ndarray, radius: int) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
    """Rows of ``column`` within ``radius`` bits of each of ``qs`` and their distances, rows in increasing
    order (the pieces format of ``forensics.refs.search``: one array, or none, per query).

    Examples
    --------
    >>> col = np.array([0, 0b1011, 2**64 - 1], dtype=np.uint64)
    >>> [(r[0].tolist(), d[0].tolist()) for r, d in scan(col, np.array([1], np.uint64), 2)]
    [([0, 1], [1, 2])]
    """
    kernel = compiled()
    if kernel is None:
        raise RuntimeError("the numba search kernel needs the numba package")
    from forensics.refs._popcount_jit import BLOCK  # loaded already: compiled() imported it

    col = np.ascontiguousarray(column, dtype=np.uint64)
    q = np.ascontiguousarray(qs, dtype=np.uint64)
    cap = max(1 << 16, 4 * BLOCK * q.shape[0])
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    start = 0
    while start < col.shape[0] or not pieces:  # the kernel stops where its buffers could overflow: go on in larger ones
        rows, which, dists = np.empty(cap, np.int64), np.empty(cap, np.int32), np.empty(cap, np.int16)
        n, start = kernel(col, q, radius, rows, which, dists, start)
        pieces.append((rows[:n], which[:n], dists[:n]))
        cap *= 2
    rows, which, dists = (np.concatenate(p) for p in zip(*pieces)) if len(pieces) > 1 else pieces[0]
    if q.shape[0] > 1:  # hits come block by block: grouped by query, rows stay in increasing order
        order = np.argsort(which, kind="stable")
        rows, which, dists = rows[order], which[order], dists[order]
    lims = np.searchsorted(which, np.arange(q.shape[0] + 1))
    return [([rows[a:b]], [dists[a:b]]) if b > a else ([], []) for a, b in itertools.pairwise(lims)]
