"""A matcher: the search arrays of a shared index held in memory, kept up to date by what changed.

A long-lived process that answers "have we published this?" for a desk loads
the packed hashes once (:meth:`ReferenceIndex.table`) and then, before a
search or on a timer, :meth:`Matcher.refresh` asks the index only for the
references added since the largest id it holds (ids are never handed out
twice, and rise in commit order) and for the removals logged since the last
one it applied. A refresh with nothing new costs two indexed look-ups. New rows
go into arrays with room to spare (grown by half when full), so that adding a
few references to 10^7 copies nothing; a removal compacts them once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from forensics.records.record import ImageRecord
from forensics.refs.index import DEFAULT_MAX_DISTANCE, Progress, ReferenceIndex
from forensics.refs.match import Match, Reference, find_matches
from forensics.refs.search import HashTable, preload

PRELOAD_ROWS = 100_000  # from this index size a matcher loads the compiled search kernel as it starts


@dataclass(frozen=True)
class Refresh:
    """What one refresh brought in: references added and removed, and the size after it."""

    added: int
    removed: int
    references: int

    def to_dict(self) -> dict[str, int]:
        return {"added": self.added, "removed": self.removed, "references": self.references}


class Matcher:
    """Search a reference index from arrays held in memory, refreshed incrementally.

    Parameters
    ----------
    index : ReferenceIndex
        The index (an SQLite file or a PostgreSQL database) to follow; the
        matcher reads it, never writes it.

    Examples
    --------
    >>> import tempfile, os
    >>> from forensics.refs.index import ReferenceIndex
    >>> with tempfile.TemporaryDirectory() as d:
    ...     with ReferenceIndex(os.path.join(d, "refs.db")) as index:
    ...         matcher = Matcher(index)
    ...         matcher.refresh().to_dict()
    {'added': 0, 'removed': 0, 'references': 0}
    """

    def __init__(self, index: ReferenceIndex) -> None:
        self.index = index
        self._removal = index.last_removal()  # read before the arrays: a removal between the two is applied twice, harmlessly
        self._store = index.table(since=0)  # the arrays with room to spare; the first _n rows are the references
        self._n = len(self._store)
        self._last_id = int(self._store.ids[-1]) if self._n else 0
        self._table = self._store
        if self._n >= PRELOAD_ROWS:  # a long-lived process over a large index: the fastest kernel from its first search
            preload()

    def __len__(self) -> int:
        return self._n

    def table(self) -> HashTable:
        """The arrays as held (what :func:`find_matches` searches); :meth:`refresh` brings them up to date."""
        return self._table

    def refresh(self) -> Refresh:
        """Apply the removals logged and the references added since the last refresh."""
        gone, self._removal = self.index.removed(since=self._removal)
        new = self.index.table(since=self._last_id)
        removed = 0
        if gone:
            held = self._table
            keep = ~np.isin(held.ids, np.asarray(gone, np.int64))
            removed = int(len(held) - keep.sum())
            if removed:
                self._store = HashTable(held.ids[keep], held.phash[keep], held.dhash[keep], held.regions[:, keep], held.has_regions[keep])
                self._n = len(self._store)
        if len(new):
            self._append(new)
            self._last_id = int(new.ids[-1])
        if removed or len(new):
            s, n = self._store, self._n
            self._table = HashTable(s.ids[:n], s.phash[:n], s.dhash[:n], s.regions[:, :n], s.has_regions[:n])
        return Refresh(added=len(new), removed=removed, references=self._n)

    def _append(self, new: HashTable) -> None:
        """New rows after the held ones, in place while there is room, else in arrays half as large again."""
        s, n, k = self._store, self._n, len(new)
        if n + k > len(s):
            room = max(n + k, int(1.5 * n), 1024)
            grown = HashTable(
                np.empty(room, np.int64), np.empty(room, np.uint64), np.empty(room, np.uint64),
                np.empty((s.regions.shape[0], room), np.uint64), np.zeros(room, bool),
            )  # fmt: skip
            for old, big in ((s.ids, grown.ids), (s.phash, grown.phash), (s.dhash, grown.dhash), (s.has_regions, grown.has_regions)):
                big[:n] = old[:n]
            grown.regions[:, :n] = s.regions[:, :n]
            self._store = s = grown
        s.ids[n : n + k] = new.ids
        s.phash[n : n + k] = new.phash
        s.dhash[n : n + k] = new.dhash
        s.regions[:, n : n + k] = new.regions
        s.has_regions[n : n + k] = new.has_regions
        self._n = n + k

    # what find_matches asks of an index besides the arrays: answered by the index itself
    def references(self, ids: Iterable[int]) -> dict[int, tuple[Reference, dict[str, Any]]]:
        return self.index.references(ids)

    def contains_sha256(self, sha256: str) -> list[int]:
        return self.index.contains_sha256(sha256)

    def match(
        self,
        records: Iterable[ImageRecord],
        *,
        max_distance: int | None = None,
        verify: bool = True,
        refresh: bool = True,
        progress: Progress | None = None,
    ) -> list[Match]:
        """:meth:`ReferenceIndex.match` from the arrays in memory (refreshed first unless ``refresh=False``)."""
        if refresh:
            self.refresh()
        return find_matches(
            cast(ReferenceIndex, self),
            list(records),
            max_distance=DEFAULT_MAX_DISTANCE if max_distance is None else max_distance,
            verify=verify,
            progress=progress,
        )
