"""Search files in a reference index: discover -> read (in parallel) -> match."""

from __future__ import annotations

import os
from collections.abc import Iterable

from forensics.read.discover import discover
from forensics.read.pool import Progress, read_all
from forensics.refs.index import DEFAULT_MAX_DISTANCE, ReferenceIndex
from forensics.refs.report import MatchReport


def match(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    references: str | os.PathLike[str] | ReferenceIndex,
    *,
    max_distance: int | None = None,
    verify: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
) -> MatchReport:
    """Find the pictures and videos under ``paths`` in a reference index.

    What ``forensics match`` prints: each match names the reference with its
    provenance, the hash distances, the transform found and a confidence. No
    check runs; for matches as findings among the others use :func:`forensics.scan`
    with ``references``.

    Parameters
    ----------
    paths : str, os.PathLike or iterable of them
        Files and folders; folders are searched recursively.
    references : str, os.PathLike or ReferenceIndex
        The index to search: a path (opened, and closed again, here) or an
        open :class:`~forensics.ReferenceIndex` (left open).
    max_distance : int, optional
        Largest pHash distance (bits of 64) for a hash match; default 10.
    verify : bool
        Confirm unsure candidates (crops, overlays, frames) with local
        features; without it only hash matches are returned.
    workers : int, optional
        Processes that read files; default: one per core.
    progress : callable, optional
        Called as ``progress(done, total)`` while the files are read and then
        matched: each file counts twice, so ``total`` is twice their number.

    Returns
    -------
    MatchReport
        The matches, the number of files read, the unreadable files with the
        reason and the paths that do not exist; ``to_dict()`` is the
        ``forensics.matches/1`` document.

    Raises
    ------
    ReferenceIndexError
        When ``references`` names no index, or a file that is not one.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with ReferenceIndex(os.path.join(folder, "refs.db")) as index:
    ...         found = match([], index)
    >>> found.to_dict()["schema"], found.queries, found.matches
    ('forensics.matches/1', 0, ())
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]  # one path, not a sequence of one-letter paths
    names = [os.fsdecode(p) for p in paths]
    distance = DEFAULT_MAX_DISTANCE if max_distance is None else max_distance
    if isinstance(references, ReferenceIndex):
        return _match(names, references, references.path, distance, verify, workers, progress)
    # opened before the files are read, so that a mistyped index fails at once
    with ReferenceIndex(references, read_only=True) as index:
        return _match(names, index, index.path, distance, verify, workers, progress)  # a database URL without its password


def _match(
    paths: list[str], index: ReferenceIndex, name: str, max_distance: int, verify: bool, workers: int | None, progress: Progress | None
) -> MatchReport:
    found = discover(paths)
    reading = (lambda done, total: progress(done, 2 * total)) if progress else None
    matching = (lambda done, total: progress(total + done, 2 * total)) if progress else None
    records = read_all(found.files, workers=workers, progress=reading)
    matches = index.match(records, max_distance=max_distance, verify=verify, progress=matching)
    return MatchReport(
        references=name,
        queries=len(records),
        max_distance=max_distance,
        matches=tuple(matches),
        unreadable=tuple((r.path, r.error) for r in records if r.error),
        missing=tuple(found.missing),
    )
