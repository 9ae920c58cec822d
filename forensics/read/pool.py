"""Worker processes that read files: chunked, isolated from crashes, silent on stderr."""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from forensics.read.files import read_file
from forensics.records.record import ImageRecord

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
