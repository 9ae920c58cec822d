"""The numba-compiled loops of :mod:`forensics.refs.popcount` (importing this module loads numba)."""

from __future__ import annotations

from typing import Any

import numpy as np


def _wide_vectors() -> None:
    """Let LLVM use 512-bit vectors on a CPU with AVX-512's vector population count.

    LLVM's tuning for Intel's AVX-512 CPUs prefers 256-bit vectors (to spare the clock the wide
    units cost on the first of them, which have no ``vpopcntq``); on those that have it (Ice Lake
    and later) the scan runs 1.6 times as fast in 512-bit ones: 0.11 against 0.18 ms a query over
    10^6 rows on a Rocket Lake core. numba compiles for the features it is given (and keys its
    cache by them); a choice of the user's (``NUMBA_CPU_FEATURES``, ``NUMBA_CPU_NAME``,
    ``NUMBA_ENABLE_AVX=0``, or their ``.numba_config.yaml`` forms) is kept.
    """
    import numba.core.config as config

    if getattr(config, "CPU_NAME", None) or getattr(config, "CPU_FEATURES", None) or not getattr(config, "ENABLE_AVX", True):
        return
    try:
        from numba.core.codegen import get_host_cpu_features

        features = get_host_cpu_features()
    except Exception:  # noqa: BLE001 - no answer from LLVM: numba's own choice
        return
    if "+avx512vpopcntdq" in features.split(","):
        # numba reads it as it first compiles in a process: for these loops, unless another
        # library's numba code was compiled before (then numba's own choice stays)
        config.CPU_FEATURES = features + ",-prefer-256-bit"  # type: ignore[attr-defined]


_wide_vectors()

from numba import njit, types  # noqa: E402 - after the features are chosen (the codegen reads them once)
from numba.extending import intrinsic  # noqa: E402

BLOCK = 128  # rows counted before looking for hits: a block with a hit is rescanned, so small blocks rescan less


@intrinsic
def popcount(typingctx: Any, x: Any) -> Any:
    """LLVM's ``ctpop`` of a uint64, which the loop vectoriser widens to SIMD population counts."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen


count: Any = popcount  # the same intrinsic, typed loosely for the type checker


@intrinsic
def prefetch_row(typingctx: Any, column: Any, row: Any) -> Any:
    """LLVM's ``prefetch`` of a row of a 1-D array: its cache line asked for before it is read."""
    from llvmlite import ir
    from numba.core import cgutils

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1]], wraparound=False, boundscheck=False)
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]), "llvm.prefetch.p0i8")
        # a read (0), kept in every cache level (3), of data (1)
        builder.call(fn, [builder.bitcast(ptr, i8p), ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return types.void(column, row), codegen


prefetch: Any = prefetch_row
AHEAD = 512  # rows prefetched ahead of the block being scanned (4 KB: far enough for memory to answer)


@njit(nogil=True, cache=True, error_model="numpy")
def hits_in(seg: Any, q: Any, r: Any) -> Any:
    """How many rows of ``seg`` lie within ``r`` bits of ``q`` (a loop without branches, vectorised)."""
    c = np.int64(0)
    for i in range(seg.shape[0]):
        c += np.int64(count(seg[i] ^ q)) <= r
    return c


@njit(nogil=True, cache=True, error_model="numpy")
def hits4(seg: Any, q0: Any, q1: Any, q2: Any, q3: Any, r: Any, out: Any) -> None:
    """How many rows of ``seg`` lie within ``r`` bits of each of four queries, into ``out[:4]``: each
    row is loaded once for the four (XOR, count, compare, add: a loop without branches, vectorised).
    Counts compared as signed integers: AVX2 has no unsigned 64-bit compare or minimum, and the
    sign flips and blends they cost made the loop 10% slower on a Zen 3 core."""
    c0 = c1 = c2 = c3 = np.int64(0)
    for i in range(seg.shape[0]):
        x = seg[i]
        c0 += np.int64(count(x ^ q0)) <= r
        c1 += np.int64(count(x ^ q1)) <= r
        c2 += np.int64(count(x ^ q2)) <= r
        c3 += np.int64(count(x ^ q3)) <= r
    out[0], out[1], out[2], out[3] = c0, c1, c2, c3


@njit(nogil=True, cache=True, error_model="numpy")
def hits2(seg: Any, q0: Any, q1: Any, r: Any, out: Any) -> None:
    """:func:`hits4` for two queries, into ``out[:2]`` (half its work)."""
    c0 = c1 = np.int64(0)
    for i in range(seg.shape[0]):
        x = seg[i]
        c0 += np.int64(count(x ^ q0)) <= r
        c1 += np.int64(count(x ^ q1)) <= r
    out[0], out[1] = c0, c1


@njit(nogil=True, cache=True, error_model="numpy")
def take(seg: Any, q: Any, r: Any, b: Any, j: Any, rows: Any, which: Any, dists: Any, n: Any) -> Any:
    """Write the rows of ``seg`` (block ``b``) within ``r`` of query ``j`` after the ``n`` written."""
    for i in range(seg.shape[0]):
        d = count(seg[i] ^ q)
        if d <= r:
            rows[n] = b + i
            which[n] = j
            dists[n] = d
            n += 1
    return n


@njit(nogil=True, cache=True, error_model="numpy")
def scan(col: Any, qs: Any, radius: Any, rows: Any, which: Any, dists: Any, start: Any) -> Any:
    """Hits of every query of ``qs`` in ``col`` within ``radius``, block by block from row ``start``,
    written to the buffers while a whole block's hits are sure to fit: returns how many were written
    and the row to go on from (the column's length when done). Queries go four at a time over a
    block (the last three as four, the last two as two, the last one alone); in a block, hits come
    query by query."""
    n = 0
    cap = rows.shape[0]
    m = qs.shape[0]
    r = np.uint64(radius)
    ri = np.int64(radius)
    near = np.empty(4, np.int64)  # how many rows of a block lie within the radius of each of up to four queries
    for b in range(start, col.shape[0], BLOCK):
        if n + BLOCK * m > cap:
            return n, b
        ahead = b + AHEAD  # one row a cache line (8 of 8 bytes) of the block AHEAD rows on
        for o in range(ahead, min(ahead + BLOCK, col.shape[0]), 8):
            prefetch(col, o)
        seg = col[b : b + BLOCK]
        j = 0
        while j < m:
            width = min(4, m - j)
            if width == 1:  # one query: count its hits, as the whole-picture search does
                if hits_in(seg, qs[j], ri):
                    n = take(seg, qs[j], r, b, j, rows, which, dists, n)
                break
            if width == 2:
                hits2(seg, qs[j], qs[j + 1], ri, near)
            else:  # three go as four, the last repeated (its hits taken once)
                hits4(seg, qs[j], qs[j + 1], qs[j + 2], qs[min(j + 3, m - 1)], ri, near)
            for t in range(width):
                if near[t]:
                    n = take(seg, qs[j + t], r, b, j + t, rows, which, dists, n)
            j += width
    return n, col.shape[0]
