"""The scan pipeline: discover -> read (in parallel) -> check -> report."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .checks import CheckContext, run_checks
from .discover import discover
from .reader import read_file
from .record import ImageRecord
from .report import Report, Skipped

Progress = Callable[[int, int], None]  # (done, total)

# Below this many files a process pool costs more than it saves.
POOL_MIN_FILES = 6


def available_cpus() -> int:
    """The cores this process may run on (a container or ``taskset`` may allow fewer than exist)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _read_chunk(paths: Sequence[str]) -> list[ImageRecord]:
    return [read_file(p) for p in paths]


def chunks_for(paths: Sequence[str], workers: int, *, most: int = 32) -> list[Sequence[str]]:
    """Paths in chunks for a pool: large enough that a task's overhead is negligible,
    several per worker so that all stay busy to the end."""
    size = max(1, min(most, len(paths) // (workers * 4)))
    return [paths[i : i + size] for i in range(0, len(paths), size)]


def reading_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes that read files, with C libraries' stderr silenced."""
    return ProcessPoolExecutor(max_workers=workers, initializer=_quiet_worker)


def _quiet_worker() -> None:
    """Silence C libraries in reading processes: libtiff and libjpeg print damage notes
    straight to the stderr descriptor, past Python. The reader reports damage as data;
    results and errors return to the parent through the pool, never through stderr."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def read_all(paths: Sequence[str], *, workers: int | None = None, progress: Progress | None = None) -> list[ImageRecord]:
    """Read files in parallel (``workers`` processes; default: every core), in order."""
    n = len(paths)
    workers = max(1, workers or available_cpus())
    if workers == 1 or n < POOL_MIN_FILES:
        out = []
        for i, p in enumerate(paths, 1):
            # a long video moves the bar while its frames are decoded, not only when it is done
            step = (lambda done, total, i=i: progress(i - 1 + min(1.0, done / total), n) if total else None) if progress else None
            out.append(read_file(p, progress=step))
            if progress:
                progress(i, n)
        return out
    out: list[ImageRecord] = []
    try:
        with reading_pool(workers) as pool:
            for chunk in pool.map(_read_chunk, chunks_for(paths, workers)):
                out.extend(chunk)
                if progress:
                    progress(len(out), n)
    except BrokenProcessPool:
        # A file killed its worker (a decoder crash, or the system ending a process that ran out
        # of memory). Results come in order, so the rest is read again, one process per file,
        # and the file that breaks its process is reported instead of ending the scan.
        for p in paths[len(out) :]:
            out.append(_read_isolated(p))
            if progress:
                progress(len(out), n)
    return out


def _read_isolated(path: str) -> ImageRecord:
    try:
        with reading_pool(1) as pool:
            return pool.submit(read_file, path).result()
    except BrokenProcessPool:
        return ImageRecord(path=path, error="reading this file crashed the decoding process")


def scan(
    paths: Iterable[str | os.PathLike[str]],
    *,
    references: Any = None,
    case: Any = None,
    workers: int | None = None,
    max_distance: int | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Read, hash and check every image and video under ``paths``.

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        Files and folders; folders are searched recursively.
    references : str, os.PathLike or ReferenceIndex, optional
        A reference index to match every picture against (``reference-match``).
    case : str, os.PathLike or Case, optional
        A case file whose hypotheses the findings are weighed against. When
        None, a ``case.toml`` in a scanned folder is used.
    workers : int, optional
        Processes that read files; default: one per core.
    max_distance : int, optional
        Hash distance up to which reference matches are considered.
    progress : callable, optional
        Called as ``progress(done, total)`` while files are read.
    now : datetime, optional
        The time of the scan (for ``future-date``); default: the clock.

    Returns
    -------
    Report
        Records with their findings, set-level findings, matches and the
        assessment of the case's hypotheses.

    Examples
    --------
    >>> report = scan([])
    >>> len(report.images)
    0
    """
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]  # one path, not a sequence of one-letter paths
    paths = [os.fsdecode(p) for p in paths]
    case_obj = _load_case(case, paths)
    skip = ("case.toml",) if case_obj is not None or case is None else ()
    found = discover(paths, skip=skip)
    records = read_all(found.files, workers=workers, progress=progress)

    matches: tuple[Any, ...] = ()
    index = None
    if references is not None:
        from .index import ReferenceIndex

        if isinstance(references, ReferenceIndex):
            index = references
            matches = tuple(index.match(records, max_distance=max_distance))
        else:
            index = ReferenceIndex(references, create=False)
            try:
                matches = tuple(index.match(records, max_distance=max_distance))
            finally:
                index.close()  # opened here, so closed here: a long-lived caller keeps no handle

    options: dict[str, Any] = {}
    if any(r.kind == "video" and r.video is not None and r.video.frames for r in records):
        from .videomatch import match_set_videos

        # screenshots of a player window showing a video of this set (for video-screenshots)
        options["video_matches"] = tuple(match_set_videos(records))

    context = CheckContext(now=now or dt.datetime.now(dt.timezone.utc), case=case_obj, matches=matches, options=options)
    records, set_findings = run_checks(records, context)
    all_findings = tuple(f for r in records for f in r.findings) + tuple(set_findings)

    hypotheses: tuple[Any, ...] = ()
    if case_obj is not None:
        from .case import assess

        hypotheses = tuple(assess(case_obj, records, all_findings, matches))
    from .setinfo import summarise

    extras = summarise(records)
    parameters = {
        "paths": list(paths),
        "references": os.fsdecode(references) if isinstance(references, (str, os.PathLike)) else (str(index.path) if index else None),
        "case": getattr(case_obj, "path", None),
        "workers": workers or available_cpus(),
        "max_distance": max_distance,
    }
    return Report(
        images=tuple(records),
        findings=all_findings,
        parameters=parameters,
        matches=matches,
        hypotheses=hypotheses,
        skipped=Skipped(found.skipped_junk, tuple(found.skipped_other), tuple(found.missing)),
        extras=extras,
    )


def _load_case(case: Any, paths: Sequence[str]) -> Any:
    if case is None:
        for p in paths:
            candidate = os.path.join(p, "case.toml")
            if os.path.isdir(p) and os.path.isfile(candidate):
                case = candidate
                break
        else:
            return None
    from .case import Case, load_case

    return case if isinstance(case, Case) else load_case(case)
