"""Worker processes: chunked, isolated from crashes, silent on stderr, gone with their parent.

:func:`map_isolated` (and :func:`imap_isolated`, which yields as it goes) runs a
function over items in worker processes and gives the results in input order.
A worker that dies (a decoder's segfault, the system ending a process out of
memory, a ``kill``) costs only the item it was working on: that item gets the
caller's crash result and every other item is completed. Scanning, adding to
a reference index and the HTML report's pictures all read files through it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from forensics.read.files import read_file
from forensics.records.record import ImageRecord

Progress = Callable[[int, int], None]  # (done, total)
T = TypeVar("T")
R = TypeVar("R")

# Below this many files a process pool costs more than it saves.
POOL_MIN_FILES = 6
# What a scanned file that kills its worker process is reported as.
READ_CRASHED = "reading this file crashed the decoding process"

# Where each item of the running map is, in a byte shared with the workers: after a crash,
# an item begun and not ended was in a process that died, and only such items are suspects.
_BEGUN, _ENDED = 1, 2  # and 0, not begun: a RawArray starts zeroed
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

_marks: ctypes.Array[ctypes.c_byte] | None = None  # in a worker: the marks of the map it serves


def available_cpus() -> int:
    """The cores this process may run on (a container or ``taskset`` may allow fewer than exist)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def worker_count(items: int, workers: int | None = None) -> int:
    """Processes worth starting for ``items`` tasks, at most ``workers`` (default: every core);
    1 means the tasks run in this process."""
    workers = max(1, workers or available_cpus())
    return 1 if items < POOL_MIN_FILES else min(workers, items)


def chunks_for(items: Sequence[T], workers: int, *, most: int = 32) -> list[Sequence[T]]:
    """Items in chunks for a pool: large enough that a task's overhead is negligible,
    several per worker so that all stay busy to the end."""
    size = max(1, min(most, len(items) // (workers * 4)))
    return [items[i : i + size] for i in range(0, len(items), size)]


def reading_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes with C libraries' stderr silenced, killed when this process dies.

    A crashing worker breaks the whole pool; :func:`map_isolated` survives that.
    """
    return _pool(workers, None)


def _pool(workers: int, marks: ctypes.Array[ctypes.c_byte] | None) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(marks,))


def _start_worker(marks: ctypes.Array[ctypes.c_byte] | None) -> None:
    global _marks
    _die_with_parent()
    _quiet_worker()
    _marks = marks


def _die_with_parent() -> None:
    """Have this worker end when the process that started it dies.

    A parent killed with SIGKILL runs no clean-up, and its workers, blocked on a
    pipe they hold open themselves, would otherwise live on (and go on reading).
    On Linux the kernel does it (``PR_SET_PDEATHSIG``) when that process is the
    worker's own parent; where it is not (a fork server started the worker, the
    default from Python 3.14) or elsewhere, a thread watching the parent does.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    if parent.pid == os.getppid() and _linux_death_signal():
        if not parent.is_alive():
            os._exit(1)  # the parent died before the request took hold
        return
    threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _linux_death_signal() -> bool:
    """Ask Linux to send SIGKILL to this process when its parent ends; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):  # no prctl in this C library
        return False


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _quiet_worker() -> None:
    """Silence C libraries in reading processes: libtiff and libjpeg print damage notes
    straight to the stderr descriptor, past Python. The reader reports damage as data;
    results and errors return to the parent through the pool, never through stderr."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _run_chunk(func: Callable[[T], R], indices: Sequence[int], items: Sequence[T]) -> list[R]:
    """In a worker: ``func`` over a chunk, marking each item begun and ended."""
    out = []
    for i, item in zip(indices, items, strict=True):
        if _marks is not None:
            _marks[i] = _BEGUN
        out.append(func(item))
        if _marks is not None:
            _marks[i] = _ENDED
    return out


def map_isolated(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    on_crash: Callable[[T], R],
    workers: int | None = None,
    progress: Progress | None = None,
    most: int = 32,
) -> list[R]:
    """``func`` over ``items`` in worker processes, in order; an item that kills its process
    gives ``on_crash(item)`` and costs no other item.

    Parameters
    ----------
    func : callable
        A module-level function (it is sent to the workers by name) of one item.
    items : sequence
        Its arguments; picklable.
    on_crash : callable
        The result for an item whose process died while working on it.
    workers : int, optional
        Processes; default: every core. With one, or a small set, everything runs here.
    progress : callable, optional
        Called as ``progress(done, total)``.
    most : int
        Largest number of items sent to a worker at once.

    Returns
    -------
    list
        One result per item, in the order of ``items``.

    Examples
    --------
    >>> map_isolated(abs, [-2, 3], on_crash=lambda x: None)
    [2, 3]
    """
    out: list[R] = []
    for result in imap_isolated(func, items, on_crash=on_crash, workers=workers, most=most):
        out.append(result)
        if progress:
            progress(len(out), len(items))
    return out


def imap_isolated(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    on_crash: Callable[[T], R],
    workers: int | None = None,
    most: int = 32,
    isolate: bool = False,
) -> Iterator[R]:
    """:func:`map_isolated`, yielding each result in input order as soon as it and those
    before it are in, so that a caller can keep what is done (an index commits it).
    With ``isolate`` even one worker's or a small set's items run in a worker process,
    for a caller that must outlive an item that kills its process (an index remembers it).

    When a worker dies the pool breaks and every task in it ends. The chunks that
    came back are kept; of the rest, the items begun and not ended (at most one per
    worker: the culprit, and the items its fellow workers were stopped in) run again
    one process each, and the others go to a new pool. An item that kills its own
    process gets ``on_crash(item)``. Items of a chunk that broke are run again even
    if they had ended, as a chunk's results return only together.
    """
    n = len(items)
    processes = worker_count(n, workers)
    if processes == 1 and not isolate:
        yield from map(func, items)
        return
    results: dict[int, R] = {}
    emitted = 0
    settled = bytearray(n)  # has a result, emitted or not
    marks = multiprocessing.RawArray(ctypes.c_byte, n)
    todo = list(range(n))

    def ready() -> Iterator[R]:
        nonlocal emitted
        while emitted in results:
            yield results.pop(emitted)
            emitted += 1

    def keep(indices: Sequence[int], part: list[R]) -> None:
        for i, r in zip(indices, part, strict=True):
            results[i] = r
            settled[i] = 1

    while todo:
        before = len(todo)
        submitted: list[tuple[Sequence[int], Future[list[R]]]] = []
        broken = False
        pool = _pool(processes, marks)
        try:
            try:
                for chunk in chunks_for(todo, processes, most=most):
                    submitted.append((chunk, pool.submit(_run_chunk, func, chunk, [items[i] for i in chunk])))
            except BrokenProcessPool:
                broken = True
            for chunk, fut in submitted:
                try:
                    part = fut.result()
                except BrokenProcessPool:
                    broken = True
                    break
                keep(chunk, part)
                yield from ready()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if not broken:
            break
        for chunk, fut in submitted:  # chunks that ended after the one found broken
            if fut.done() and not fut.cancelled() and fut.exception() is None and not settled[chunk[0]]:
                keep(chunk, fut.result())
        todo = [i for i in todo if not settled[i]]
        suspects = [i for i in todo if marks[i] == _BEGUN]
        if not suspects and len(todo) == before:
            suspects = todo  # it broke outside any item and nothing came back: trust no pool with the rest
        for i in suspects:
            results[i] = _run_alone(func, items[i], on_crash)
            settled[i] = 1
        yield from ready()
        todo = [i for i in todo if not settled[i]]
    yield from ready()


def _run_alone(func: Callable[[T], R], item: T, on_crash: Callable[[T], R]) -> R:
    """``func(item)`` in a process of its own; ``on_crash(item)`` if that process dies."""
    with _pool(1, None) as pool:
        try:
            return pool.submit(func, item).result()
        except BrokenProcessPool:
            return on_crash(item)


def read_all(paths: Sequence[str], *, workers: int | None = None, progress: Progress | None = None) -> list[ImageRecord]:
    """Read files in parallel (``workers`` processes; default: every core), in order.

    A file that kills its reading process (a decoder crash, the system ending a
    process out of memory) comes back as a record with that error; the others are read.
    """
    n = len(paths)
    if worker_count(n, workers) > 1:
        return map_isolated(read_file, paths, on_crash=_crashed_record, workers=workers, progress=progress)
    out = []
    for i, p in enumerate(paths, 1):
        # a long video moves the bar while its frames are decoded, not only when it is done
        step = (lambda done, total, i=i: progress(i - 1 + min(1.0, done / total), n) if total else None) if progress else None
        out.append(read_file(p, progress=step))
        if progress:
            progress(i, n)
    return out


def _crashed_record(path: str) -> ImageRecord:
    return ImageRecord(path=path, error=READ_CRASHED)
