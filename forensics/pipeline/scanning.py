"""The scan pipeline: discover -> read (in parallel) -> check -> report."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from forensics.errors import CaseFileError
from forensics.read.decode import limited
from forensics.read.discover import discover
from forensics.read.pool import Progress, available_cpus, read_all
from forensics.records.text import printable_path

# The stages after the reading (checks, the case, set facts, the report, geodata) are imported
# while the worker processes read (:func:`_meanwhile`), not before they start: with one worker
# on two cores that is wall time the command no longer waits for.
if TYPE_CHECKING:
    from forensics.case.file import Case
    from forensics.records.record import ImageRecord
    from forensics.refs.index import ReferenceIndex
    from forensics.refs.match import Match
    from forensics.report import Report


def scan(
    paths: Iterable[str | os.PathLike[str]],
    *,
    references: str | os.PathLike[str] | ReferenceIndex | None = None,
    case: str | os.PathLike[str] | Case | None = None,
    workers: int | None = None,
    max_distance: int | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    sensor: bool = False,
    trust_anchors: str | os.PathLike[str] | None = None,
    memory_budget: int | None = None,
    time_limit: float | None = None,
    pixels: bool = False,
    ocr: bool = False,
    ocr_lang: str = "rus+eng",
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
    sensor : bool
        Also take each picture's sensor-noise residual (decoding its central
        crop at full resolution) and group the set by the sensor they share
        (``sensor-match``). Off by default: it costs about a full decode and a
        third of a second of filtering per picture.
    trust_anchors : str or os.PathLike, optional
        A PEM file of certificates to hold Content Credentials' signers against;
        without it, signers are reported as not checked against a trust list.
    memory_budget : int, optional
        Bytes decoding one picture may allocate, estimated from its header; a
        picture that needs more is reported unreadable. Default:
        ``$FORENSICS_MEMORY_BUDGET``, else 1 GiB; 0: no budget.
    time_limit : float, optional
        Seconds a worker process may spend reading one file (a video: between
        two batches of frames); one that takes longer is stopped and reported
        unreadable. Default:
        ``$FORENSICS_TIME_LIMIT``, else 60; 0: no limit (a small set is then
        read in this process).
    ocr : bool
        Also find the pictures of documents (a cheap classifier on the reduced
        picture), warp their pages flat and read them with Tesseract: words,
        dates, unit and document numbers, names (``document-text``). Off by
        default: a document costs one to a few seconds. Without Tesseract the
        documents say why they were not read (:func:`ocr_unavailable`).
    ocr_lang : str
        Tesseract's language codes joined by ``+`` (``rus+eng+ukr``).

    pixels : bool
        Also analyse the pixels in the worker processes: each JPEG's double
        compression from its DCT coefficients (``record.compression``,
        ``double-compressed``), and each picture, decoded at up to 2048 pixels
        long, for regions copied within it (``copy-move``) and regions that
        differ from the rest (``spliced-region``). Off by default: a full decode
        and a few seconds per picture.

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
    # every decode of the scan (reading, reference verification, in-set video matching) runs under them
    with limited(memory_budget=memory_budget, time_limit=time_limit):
        return _scan(paths, references=references, case=case, workers=workers, max_distance=max_distance, progress=progress, now=now,
                     sensor=sensor, trust_anchors=trust_anchors, pixels=pixels,
                     ocr_lang=ocr_lang if ocr else None)  # fmt: skip


def _scan(
    paths: Iterable[str | os.PathLike[str]],
    *,
    references: str | os.PathLike[str] | ReferenceIndex | None,
    case: str | os.PathLike[str] | Case | None,
    workers: int | None,
    max_distance: int | None,
    progress: Progress | None,
    now: dt.datetime | None,
    sensor: bool,
    trust_anchors: str | os.PathLike[str] | None,
    pixels: bool = False,
    ocr_lang: str | None = None,
) -> Report:
    # one path, not a sequence of one-letter paths
    given = [paths] if isinstance(paths, (str, bytes, os.PathLike)) else paths
    names = [os.fsdecode(p) for p in given]
    case_obj, case_error = _load_case(case, names)
    if trust_anchors is not None:
        from forensics.read.credentials import load_trust_anchors  # only with anchors: X.509 parsing

        anchors = load_trust_anchors(trust_anchors)  # a bad file fails before any reading
    else:
        anchors = None
    skip = ("case.toml",) if case_obj is not None or case is None else ()
    found = discover(names, skip=skip)
    skipped_other, errors = tuple(found.skipped_other), tuple(found.errors)
    if case_error is not None:  # listed once, as the case file it was meant to be
        skipped_other = tuple(o for o in skipped_other if os.path.normpath(o[0]) != os.path.normpath(case_error[0]))
        errors = (case_error, *errors)
    # one validation, with the anchors
    records = read_all(found.files, workers=workers, progress=progress, trust_anchors=anchors, meanwhile=_meanwhile())
    from forensics.case.assess import assess  # the stages after the reading: imported meanwhile (_meanwhile)
    from forensics.checks import CheckContext, run_checks  # (idem)
    from forensics.report import Report, ScanParameters, Skipped  # (idem)
    from forensics.sets.facts import set_facts  # (idem)

    # Each further pass goes on from where the bar stands: the files read, then the pictures decoded again.
    passed = len(records)

    def after(offset: int) -> Progress | None:
        return (lambda done, total: progress(offset + done, offset + total)) if progress else None

    if sensor:
        from forensics.sensor.residual import with_residuals  # numpy and PyWavelets: only when asked for

        records = with_residuals(records, workers=workers, progress=after(passed))
        passed += len(records)
    if pixels:
        from forensics.pixels.analysis import with_pixels  # OpenCV, numpy and jpeglib: only when asked for

        # one worker task a picture: its coefficients (double compression), then its pixels
        records = with_pixels(records, workers=workers, progress=after(passed), compression=True)
        passed += sum(1 for r in records if r.pixels is not None)
    if ocr_lang is not None:
        from forensics.documents.read import with_documents  # OpenCV, Tesseract, natasha: only when asked for

        records = with_documents(records, languages=ocr_lang, workers=workers, progress=after(passed))

    matches: tuple[Match, ...] = ()
    index_path: str | None = None
    if references is not None:
        from forensics.refs.index import ReferenceIndex  # only with references: SQLite and the reader's hashing

        if isinstance(references, ReferenceIndex):
            index_path = str(references.path)
            matches = tuple(references.match(records, max_distance=max_distance))
        else:
            index = ReferenceIndex(references, read_only=True)
            index_path = index.path  # a database URL without its password
            try:
                matches = tuple(index.match(records, max_distance=max_distance))
            finally:
                index.close()  # opened here, so closed here: a long-lived caller keeps no handle

    video_matches: tuple[Match, ...] = ()
    if any(r.kind == "video" and r.video is not None and r.video.frames for r in records):
        from forensics.refs.videos import match_set_videos  # OpenCV: only when the set holds a video

        # screenshots of a player window showing a video of this set (for video-screenshots)
        video_matches = tuple(match_set_videos(records))

    facts = set_facts(records, reference_matches=matches, video_matches=video_matches)
    context = CheckContext(now=now or dt.datetime.now(dt.timezone.utc), case=case_obj, facts=facts)
    records, set_findings = run_checks(records, context)
    all_findings = tuple(f for r in records for f in r.findings) + tuple(set_findings)
    hypotheses = tuple(assess(case_obj, records, all_findings, facts)) if case_obj is not None else ()
    return Report(
        images=tuple(records),
        set_findings=tuple(set_findings),
        parameters=ScanParameters(
            paths=tuple(names),
            references=index_path,
            case=case_obj.path if case_obj is not None else None,
            workers=workers or available_cpus(),
            max_distance=max_distance,
            analyses=(*(("sensor",) if sensor else ()), *(("pixels",) if pixels else ()), *((f"ocr:{ocr_lang}",) if ocr_lang else ())),
        ),
        facts=facts,
        hypotheses=hypotheses,
        skipped=Skipped(found.skipped_junk, skipped_other, tuple(found.missing), errors),
    )


def _load_case(case: str | os.PathLike[str] | Case | None, paths: Sequence[str]) -> tuple[Case | None, tuple[str, str] | None]:
    """The case to weigh, and why a ``case.toml`` found in a scanned folder was not used.

    A case file given by the caller must be right: a bad one raises
    :class:`CaseFileError`. One found among the evidence may be anything the
    evidence holds (malformed, huge, hostile, a link elsewhere): it must not stop
    the scan, so the files are still read and the problem is returned as
    ``(path, reason)`` for the report's ``skipped.errors``.
    """
    if case is not None:
        from forensics.case.file import Case, load_case  # only with a case: its parser is not needed before the reading

        return (case if isinstance(case, Case) else load_case(case)), None
    for p in paths:
        candidate = os.path.join(p, "case.toml")
        if not os.path.isdir(p) or not os.path.lexists(candidate) or os.path.isdir(candidate):
            continue
        inside = os.path.realpath(p).rstrip(os.sep) + os.sep
        if not os.path.realpath(candidate).startswith(inside):
            # the same rule as discovery's: a link out of the scanned folder is not followed
            target = printable_path(os.path.realpath(candidate))
            return None, (candidate, f"case file not used: a symbolic link out of the scanned folder, to {target}")
        from forensics.case.file import load_case  # only for a case file there, as above

        try:
            return load_case(candidate), None
        except CaseFileError as exc:
            # the message opens with the file's name, which the report lists beside the reason
            return None, (candidate, "case file not used" + str(exc).removeprefix(printable_path(candidate)))
    return None, None


def ocr_unavailable(languages: str = "rus+eng") -> str | None:
    """Why ``scan(..., ocr=True)`` cannot read documents in these languages here, in one line; None when it can.

    Examples
    --------
    >>> ocr_unavailable("not a language!")
    "languages must be Tesseract codes joined by '+' (rus+eng), not 'not a language!'"
    """
    from forensics.documents.ocr import tesseract_problem  # only when OCR is asked for

    return tesseract_problem(languages)


def _meanwhile() -> Callable[[Sequence[ImageRecord]], bool]:
    """What this process does while worker processes read the files, in steps.

    Each call takes one step, given the records read so far, and says whether
    there is more to do: the modules the scan needs after the reading, then the
    places of the GPS fixes read so far (the first loads the offline geodata:
    a few tenths of a second), which :func:`set_facts` then finds cached.
    :func:`forensics.read.pool.read_all` calls it on this thread, between waits
    for results, after the workers are started: no thread beside the pool, and
    no process forked while a step runs.
    """
    steps = _steps()
    looked_up = 0

    def step(records: Sequence[ImageRecord]) -> bool:
        nonlocal looked_up
        if next(steps, None) is not None:
            return True
        if looked_up < len(records):
            from forensics.sets.places import look_up_places  # loaded by the checks anyway

            look_up_places(records[looked_up:])
            looked_up = len(records)
        return True  # more records may come

    return step


def _steps() -> Iterator[str]:
    """Imports of the stages after the reading, one a step (their time is spent, not wasted: they are used next)."""
    import forensics.report  # the report, the case's assessment and the set facts

    yield forensics.report.__name__
    import forensics.checks  # every check

    yield forensics.checks.__name__
    import astral.sun  # the daylight check's sun (forensics.geo.sun loads it at its first call)

    yield astral.sun.__name__
    import forensics.read.exif  # the time checks' offset parser (forensics.sets.times loads it at its first call)

    yield forensics.read.exif.__name__
