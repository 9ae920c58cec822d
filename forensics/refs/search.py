"""Vectorised Hamming search over packed 64-bit hashes.

A brute-force popcount scan is close to the memory-bandwidth floor at every
size up to 10^7 references (BK-trees are far slower at radius 10, and
multi-index hashing at the crop search's 18 bits probes more rows than it
skips). Three kernels give the same rows and distances: a loop compiled by
numba with SIMD population counts (:mod:`forensics.refs.popcount`, the
default where numba is installed), FAISS's ``hamming_range_search`` (one
query and one row at a time, about three times slower), and a numpy scan in
cache-sized chunks so that its temporaries stay small. ``FORENSICS_SEARCH``
chooses one (``benchmarks/index_bench.py`` measures them side by side).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from forensics.read.threads import threads as thread_pool

CHUNK = 1 << 16  # rows per step: the temporaries (XOR and popcount, 576 KB) stay in L2


@dataclass
class HashTable:
    """The search arrays of a reference index, one row per reference.

    ``ids`` are reference ids; ``phash`` and ``dhash`` the hashes of the whole
    picture; ``regions`` the pHashes of the indexed sub-regions, one array per
    region (contiguous), with ``has_regions`` False where none were computed
    (video frames). 8 + 8 + 8 + 9 × 8 + 1 = 97 bytes per reference.
    """

    ids: np.ndarray  # int64
    phash: np.ndarray  # uint64
    dhash: np.ndarray  # uint64
    regions: np.ndarray  # uint64, shape (n_regions, N)
    has_regions: np.ndarray  # bool

    @classmethod
    def empty(cls, n_regions: int) -> HashTable:
        z = np.zeros(0, np.uint64)
        return cls(np.zeros(0, np.int64), z, z.copy(), np.zeros((n_regions, 0), np.uint64), np.zeros(0, bool))

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.ids, self.phash, self.dhash, self.regions, self.has_regions))


def within(column: np.ndarray, queries: Sequence[int], radius: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each query hash, the rows of ``column`` within ``radius`` bits and their distances.

    Parameters
    ----------
    column : numpy.ndarray
        Packed 64-bit hashes (uint64, one dimension).
    queries : sequence of int
        Query hashes.
    radius : int
        Largest Hamming distance returned.

    Returns
    -------
    list of (rows, distances)
        One pair of arrays per query, rows in increasing order.

    Examples
    --------
    >>> col = np.array([0, 0b1011, 2**64 - 1], dtype=np.uint64)
    >>> [(r.tolist(), d.tolist()) for r, d in within(col, [0b1], 2)]
    [([0, 1], [1, 2])]
    """
    return within_columns([column], [queries], radius)[0]


SEARCH_ENV = "FORENSICS_SEARCH"  # "numba", "faiss" or "numpy"; default: the first installed
BACKENDS = ("numba", "faiss", "numpy")
THREADED_QUERIES = 32  # from this many queries on one column, FAISS spreads them over the cores


@functools.lru_cache(maxsize=1)
def _faiss_module() -> Any:
    try:
        import faiss  # deferred: a 20 MB native library, loaded on the first search
    except ImportError:
        return None
    return faiss if hasattr(faiss, "hamming_range_search") else None


COMPILED_AFTER = 2_000_000_000
"""Query-rows a process searches before it loads the compiled kernel (unless a search alone is that
large). Loading numba and the kernel's cached machine code costs about 0.5 s once per process, which
FAISS's slower loop only costs over about 3 × 10^9 query-rows (some 50 queries that fall through to
the crop search at 10^6): a one-off ``forensics match`` stays on FAISS, a matcher process or a
folder of queries moves to the compiled kernel."""

_searched = 0  # query-rows searched by this process so far


def preload() -> str:
    """Load the compiled kernel now, where it is installed and no kernel is forced: for a process
    that will search a large index many times (a matcher), which then never searches slower
    first. Returns the kernel its searches will use.

    Examples
    --------
    >>> preload() in BACKENDS
    True
    """
    from forensics.refs import popcount  # deferred: numba loads here, on purpose

    if not os.environ.get(SEARCH_ENV) and popcount.available():
        popcount.compiled()
    return backend()


def backend(name: str | None = None, *, work: int = 0) -> str:
    """The search kernel for a search of ``work`` query-rows: ``name`` or ``$FORENSICS_SEARCH`` if
    given; else ``numba`` where it is installed and the process has loaded it or searched
    :data:`COMPILED_AFTER` query-rows with this one, else ``faiss`` where installed, else ``numpy``.

    Raises
    ------
    ValueError
        For a name that is not in :data:`BACKENDS`, or a kernel asked for whose package is not installed.
    """
    chosen = name or os.environ.get(SEARCH_ENV) or None
    if chosen is None:
        from forensics.refs import popcount  # deferred: numba itself loads only when the kernel is first used

        if popcount.available() and (popcount.loaded() or _searched + work >= COMPILED_AFTER):
            return "numba"
        return _uncompiled()
    if chosen not in BACKENDS:
        raise ValueError(f"unknown search kernel {chosen!r} (one of {', '.join(BACKENDS)})")
    if not _installed(chosen):
        raise ValueError(f"the {chosen} search kernel needs the {_PACKAGES[chosen]} package")
    return chosen


_PACKAGES = {"numba": "numba", "faiss": "faiss-cpu"}


def _uncompiled() -> str:
    """The kernel without numba: FAISS where installed, else numpy."""
    return "faiss" if _faiss_module() is not None else "numpy"


def _installed(kernel: str) -> bool:
    if kernel == "numba":
        from forensics.refs import popcount  # deferred: numba itself loads only when the kernel is first used

        return popcount.available()
    return kernel == "numpy" or _faiss_module() is not None


def within_columns(
    columns: Sequence[np.ndarray], queries: Sequence[Sequence[int]], radius: int, *, kernel: str | None = None, threads: int | None = None
) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """:func:`within` for several columns at once, each with its own query hashes.

    Each chunk of a column is read from memory once for all the queries of
    that column. A search of more than :data:`PARALLEL_WORK` query-rows is
    cut into row ranges, one per core, scanned on threads (both kernels
    release the GIL while they count bits); the pieces are joined in row
    order, so the result is the same as from one thread.

    Parameters
    ----------
    columns : sequence of numpy.ndarray
        Packed 64-bit hashes (uint64, one dimension each).
    queries : sequence of sequence of int
        The query hashes of each column (an empty sequence skips the column).
    radius : int
        Largest Hamming distance returned.
    kernel : str, optional
        ``numba``, ``faiss`` or ``numpy`` (see :func:`backend`); all return the same.
    threads : int, optional
        Threads to spread a large search over; default one per core this
        process may run on.

    Returns
    -------
    list of list of (rows, distances)
        For each column, one pair of arrays per query, rows in increasing order.

    Examples
    --------
    >>> col = np.array([0, 0b1011, 2**64 - 1], dtype=np.uint64)
    >>> [[(r.tolist(), d.tolist()) for r, d in c] for c in within_columns([col, col], [[0b1], []], 2)]
    [[([0, 1], [1, 2])], []]
    """
    global _searched
    qarrays = [np.array([q & 0xFFFFFFFFFFFFFFFF for q in qlist], dtype=np.uint64) for qlist in queries]
    jobs = [(k, col) for k, (col, qs) in enumerate(zip(columns, qarrays)) if len(qs) and radius >= 0 and col.shape[0]]
    work = sum(col.shape[0] * len(qarrays[k]) for k, col in jobs)
    chosen = backend(kernel, work=work)
    _searched += work
    if chosen == "numba":
        from forensics.refs import popcount  # deferred: numba loads on the first search

        if popcount.compiled() is None:  # numba installed but failing to load: the next kernel, same results
            chosen = _uncompiled()
    cores = threads if threads is not None else _cores()
    parts = min(cores, max(1, work // PARALLEL_WORK)) if cores > 1 else 1
    # (column, first row, rows): each column cut into `parts` ranges, so every thread gets a share of each
    pieces = [(k, start, col[start:stop]) for k, col in jobs for start, stop in _ranges(col.shape[0], parts)]

    def run(piece: tuple[int, int, np.ndarray]) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
        k, _, part = piece
        if chosen == "numba":
            return popcount.scan(part, qarrays[k], radius)
        if chosen == "faiss":  # one OpenMP thread: the pieces share the cores, and a forked child has no OpenMP team (it would hang)
            return _scan_faiss(part, qarrays[k], radius, threads=1)
        return _scan(part, qarrays[k], radius)

    results = list(thread_pool("hamming", parts).map(run, pieces)) if parts > 1 else [run(p) for p in pieces]
    found: list[list[tuple[list[np.ndarray], list[np.ndarray]]]] = [[([], []) for _ in qs] for qs in qarrays]
    for (k, start, _), res in zip(pieces, results):
        for i, (rows, dists) in enumerate(res):
            found[k][i][0].extend(r + start if start else r for r in rows)
            found[k][i][1].extend(dists)
    return [
        [
            (np.concatenate(rows), np.concatenate(dists)) if rows else (np.zeros(0, np.int64), np.zeros(0, np.int16))
            for rows, dists in per_query
        ]
        for per_query in found
    ]


PARALLEL_WORK = 2_000_000  # query-rows (about 1.3 ms on one core) below which a search stays on one thread


def _ranges(n: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` consecutive row ranges covering ``n`` rows, cut at multiples of :data:`CHUNK`."""
    if parts <= 1 or n <= CHUNK:
        return [(0, n)]
    step = -(-n // parts // CHUNK) * CHUNK
    return [(start, min(n, start + step)) for start in range(0, n, step)]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _scan(column: np.ndarray, qs: np.ndarray, radius: int) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
    """Rows of ``column`` within ``radius`` of each of ``qs``, and their distances, as lists of pieces."""
    found: list[tuple[list[np.ndarray], list[np.ndarray]]] = [([], []) for _ in qs]
    n = column.shape[0]
    buf = np.empty(min(CHUNK, max(n, 1)), np.uint64)
    cnt = np.empty(buf.shape[0], np.uint8)
    for start in range(0, n, CHUNK):
        part = column[start : start + CHUNK]
        k = part.shape[0]
        b, c = buf[:k], cnt[:k]
        for i, q in enumerate(qs):
            np.bitwise_xor(part, q, out=b)
            np.bitwise_count(b, out=c)
            hit = np.flatnonzero(c <= radius)
            if hit.size:
                found[i][0].append(hit + start)
                found[i][1].append(c[hit].astype(np.int16))
    return found


def _scan_faiss(
    column: np.ndarray, qs: np.ndarray, radius: int, *, threads: int | None = None
) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
    """:func:`_scan` by FAISS's compiled range search over the column in place (OpenMP ``threads``, by default
    every core from :data:`THREADED_QUERIES` queries on)."""
    faiss = _faiss_module()
    col = np.ascontiguousarray(column, dtype=np.uint64)
    n, m = col.shape[0], qs.shape[0]
    if n == 0:
        return [([], []) for _ in qs]
    res = faiss.RangeSearchResult(m)
    # queries are spread over the cores; a few of them are not worth waking the other threads for
    if threads is None:
        threads = faiss.omp_get_max_threads() if m >= THREADED_QUERIES else 1
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(threads)
    try:  # FAISS keeps distances strictly below its radius
        faiss.hamming_range_search(faiss.swig_ptr(qs.view(np.uint8)), faiss.swig_ptr(col.view(np.uint8)), m, n, radius + 1, 8, res)
    finally:
        faiss.omp_set_num_threads(before)
    lims = faiss.rev_swig_ptr(res.lims, m + 1).astype(np.int64)
    total = int(lims[-1])
    rows = faiss.rev_swig_ptr(res.labels, total).astype(np.int64) if total else np.zeros(0, np.int64)
    dists = faiss.rev_swig_ptr(res.distances, total).astype(np.int16) if total else np.zeros(0, np.int16)
    out: list[tuple[list[np.ndarray], list[np.ndarray]]] = []
    for i in range(m):
        r, d = rows[lims[i] : lims[i + 1]], dists[lims[i] : lims[i + 1]]
        if r.size > 1 and bool(np.any(r[1:] < r[:-1])):  # rows in increasing order, as the numpy scan gives them
            order = np.argsort(r, kind="stable")
            r, d = r[order], d[order]
        out.append(([r], [d]) if r.size else ([], []))
    return out


def distance(a: int, b: int) -> int:
    """Hamming distance of two 64-bit hashes."""
    return ((a ^ b) & 0xFFFFFFFFFFFFFFFF).bit_count()
