"""Vectorised Hamming search over packed 64-bit hashes.

A brute-force popcount scan is close to the memory-bandwidth floor at every
size up to 10^7 references (BK-trees are far slower at radius 10); the scan
runs in cache-sized chunks so that numpy's temporaries stay small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

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


def within_columns(
    columns: Sequence[np.ndarray], queries: Sequence[Sequence[int]], radius: int
) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """:func:`within` for several columns at once, each with its own query hashes.

    Each chunk of a column is read from memory once for all the queries of
    that column. (Threads do not help here: numpy's loops over a chunk that
    fits in cache are too short for two threads to overlap, and chunks that
    are long enough fall out of the cache; measured in performance.md.)

    Parameters
    ----------
    columns : sequence of numpy.ndarray
        Packed 64-bit hashes (uint64, one dimension each).
    queries : sequence of sequence of int
        The query hashes of each column (an empty sequence skips the column).
    radius : int
        Largest Hamming distance returned.

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
    out: list[list[tuple[np.ndarray, np.ndarray]]] = []
    for column, qlist in zip(columns, queries):
        qs = np.array([q & 0xFFFFFFFFFFFFFFFF for q in qlist], dtype=np.uint64)
        found = _scan(column, qs, radius) if len(qs) else []
        out.append([
            (np.concatenate(rows), np.concatenate(dists)) if rows else (np.zeros(0, np.int64), np.zeros(0, np.int16))
            for rows, dists in found
        ])  # fmt: skip
    return out


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


def distance(a: int, b: int) -> int:
    """Hamming distance of two 64-bit hashes."""
    return ((a ^ b) & 0xFFFFFFFFFFFFFFFF).bit_count()
