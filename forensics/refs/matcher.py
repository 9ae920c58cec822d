"""A matcher: the search arrays of a shared index held in memory, kept up to date by what changed.

A long-lived process that answers "have we published this?" for a desk loads
the packed hashes once (:meth:`ReferenceIndex.table`) and then, before a
search or on a timer, :meth:`Matcher.refresh` asks the index only for the
references added since the largest id it holds (ids are never handed out
twice, and rise in commit order) and for the removals logged since the last
one it applied. A refresh with nothing new costs two indexed look-ups; the
arrays are rebuilt only by the rows that changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from forensics.records.record import ImageRecord
from forensics.refs.index import DEFAULT_MAX_DISTANCE, Progress, ReferenceIndex
from forensics.refs.match import Match, Reference, find_matches
from forensics.refs.search import HashTable


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
        self._table = index.table(since=0)
        self._last_id = int(self._table.ids[-1]) if len(self._table) else 0

    def __len__(self) -> int:
        return len(self._table)

    def table(self) -> HashTable:
        """The arrays as held (what :func:`find_matches` searches); :meth:`refresh` brings them up to date."""
        return self._table

    def refresh(self) -> Refresh:
        """Apply the removals logged and the references added since the last refresh."""
        gone, self._removal = self.index.removed(since=self._removal)
        new = self.index.table(since=self._last_id)
        table = self._table
        removed = 0
        if gone:
            keep = ~np.isin(table.ids, np.asarray(gone, np.int64))
            removed = int(len(table) - keep.sum())
            if removed:
                table = HashTable(table.ids[keep], table.phash[keep], table.dhash[keep], table.regions[:, keep], table.has_regions[keep])
        if len(new):
            table = HashTable(
                np.concatenate([table.ids, new.ids]),
                np.concatenate([table.phash, new.phash]),
                np.concatenate([table.dhash, new.dhash]),
                np.concatenate([table.regions, new.regions], axis=1),
                np.concatenate([table.has_regions, new.has_regions]),
            )
            self._last_id = int(new.ids[-1])
        self._table = table
        return Refresh(added=len(new), removed=removed, references=len(table))

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
