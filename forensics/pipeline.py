"""The scan pipeline: discover -> read (in parallel) -> check -> report."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from typing import Any

from forensics.checks import CheckContext, run_checks
from forensics.read.discover import discover
from forensics.read.pool import Progress, available_cpus, read_all
from forensics.report import Report, Skipped


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
        from forensics.refs.index import ReferenceIndex

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
        from forensics.refs.videos import match_set_videos

        # screenshots of a player window showing a video of this set (for video-screenshots)
        options["video_matches"] = tuple(match_set_videos(records))

    context = CheckContext(now=now or dt.datetime.now(dt.timezone.utc), case=case_obj, matches=matches, options=options)
    records, set_findings = run_checks(records, context)
    all_findings = tuple(f for r in records for f in r.findings) + tuple(set_findings)

    hypotheses: tuple[Any, ...] = ()
    if case_obj is not None:
        from forensics.case.assess import assess

        hypotheses = tuple(assess(case_obj, records, all_findings, matches))
    from forensics.sets.summary import summarise

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
    from forensics.case.file import Case, load_case

    return case if isinstance(case, Case) else load_case(case)
