"""Worker processes: chunked, isolated from crashes, timed, silent on stderr, gone with their parent.

:func:`map_isolated` (and :func:`imap_isolated`, which yields as it goes) runs a
function over items in worker processes and gives the results in input order.
A worker that dies (a decoder's segfault, the system ending a process out of
memory, a ``kill``) costs only the item it was working on: that item gets the
caller's crash result and every other item is completed. A worker still on one
item past the time limit (:func:`forensics.read.decode.limits`) is killed by a
watchdog in the parent, however deep in C code it is, and that item gets the
caller's time-out result the same way. Scanning, adding to a reference index
and the HTML report's pictures all read files through it.
"""

from __future__ import annotations

import ctypes
import functools
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout  # the builtin TimeoutError only from Python 3.11
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, TypeVar

from forensics.read.decode import TIME_LIMIT_ENV, Limits, limits, use_limits
from forensics.read.threads import one_blas_thread

if TYPE_CHECKING:  # the reader is imported by the worker processes that run it, after they are started
    from forensics.read.credentials import TrustAnchors
    from forensics.records.record import ImageRecord

Progress = Callable[[int, int], None]  # (done, total); between items done may carry a fraction, as a bar takes
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

# In a worker: the marks of the map it serves, and its slot in the watch of the pool it is in.
_marks: ctypes.Array[ctypes.c_byte] | None = None
_slot: _Slot | None = None
# How often a caller waiting for results hears how far the workers are through their items.
_TICK = 0.02  # seconds: often enough to see a short video's frames come (a wake-up costs microseconds)


def stopped_reason(seconds: float) -> str:
    """What a file that ran past the time limit is reported as."""
    return f"reading stopped after {seconds:g} s, the time limit per file; set {TIME_LIMIT_ENV} or --time-limit to allow more"


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
    The workers decode under the limits in force here (:func:`forensics.read.decode.limits`).
    """
    return _pool(workers, None)


def _pool(workers: int, marks: ctypes.Array[ctypes.c_byte] | None, watch: _Watch | None = None) -> ProcessPoolExecutor:
    slots = watch.slots if watch is not None else None
    return ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(marks, limits(), slots))


def _start_worker(marks: ctypes.Array[ctypes.c_byte] | None, in_force: Limits, slots: _Slots | None) -> None:
    global _marks, _slot
    _die_with_parent()
    _quiet_worker()
    # A process a core already: BLAS threads would only take cores from the other workers (it
    # holds where numpy loads after the fork; the command forks before loading it)
    one_blas_thread()
    _marks = marks
    use_limits(in_force, progress=item_progress)
    if slots is not None:
        taken = slots.taken
        with taken.get_lock():  # a synchronized multiprocessing.Value
            index = taken.value
            taken.value += 1
        if index < len(slots.item):
            slots.pids[index] = os.getpid()
            _slot = _Slot(slots, index)


class _Slots:
    """Shared between a pool's workers and its parent, one entry per worker: the item it is
    on (-1 between items), its last sign of progress (``time.monotonic()``, one clock for
    every process: when it began, or when it last said how far it is), how far through it
    (0..1), and the worker's process."""

    def __init__(self, processes: int) -> None:
        self.item = multiprocessing.RawArray(ctypes.c_long, [-1] * processes)
        self.alive = multiprocessing.RawArray(ctypes.c_double, processes)
        self.fraction = multiprocessing.RawArray(ctypes.c_double, processes)
        self.pids = multiprocessing.RawArray(ctypes.c_int, processes)
        self.taken = multiprocessing.Value(ctypes.c_int, 0)  # slots handed to workers as they start


class _Slot:
    """A worker's own entry in :class:`_Slots`."""

    def __init__(self, slots: _Slots, index: int) -> None:
        self.slots, self.index = slots, index

    def begin(self, item: int) -> None:
        self.slots.alive[self.index] = time.monotonic()  # before the item: whoever sees the item sees its start
        self.slots.fraction[self.index] = 0.0
        self.slots.item[self.index] = item

    def end(self) -> None:
        self.slots.item[self.index] = -1


def item_progress(done: float, total: float) -> None:
    """In a worker: say how far the current item is (``done`` of ``total``), for the caller's
    progress bar. It is a sign of progress, which renews the item's time limit: a long video
    whose frames keep coming is not stopped. A no-op elsewhere; reached through
    :func:`forensics.read.decode.progressing`."""
    if _slot is not None:
        _slot.slots.alive[_slot.index] = time.monotonic()
        if total:
            _slot.slots.fraction[_slot.index] = min(1.0, max(0.0, done / total))


class _Watch:
    """The time limit of one pool: each worker's slot says which item it is on and since when
    (written by the worker), and a thread here kills a worker that stays on one item too long.

    The kill breaks the pool, as a crash does; the items in :attr:`expired` then get the
    time-out result, and are not run again.
    """

    def __init__(self, processes: int, seconds: float) -> None:
        self.seconds = seconds
        self.slots = _Slots(processes)
        self.expired: set[int] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin watching; called once the pool's first task is submitted, so that the
        thread does not exist yet when the workers are forked."""
        if self.seconds and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="forensics-time-limit", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def in_flight(self) -> float:
        """How far the workers are through the items they are on, added up."""
        slots = self.slots
        return sum(slots.fraction[k] for k in range(len(slots.item)) if slots.item[k] >= 0)

    def _run(self) -> None:
        step = min(0.25, self.seconds / 4)
        slots = self.slots
        while not self._stop.wait(step):
            now = time.monotonic()
            for slot in range(len(slots.item)):
                i = slots.item[slot]
                if i < 0 or i in self.expired or now - slots.alive[slot] <= self.seconds:
                    continue
                pid = slots.pids[slot]
                if pid > 0 and slots.item[slot] == i:  # still on that item: not moved on meanwhile
                    self.expired.add(i)
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:  # it ended by itself meanwhile
                        pass


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


def _run_chunk(
    func: Callable[[T], R],
    indices: Sequence[int],
    items: Sequence[T],
    ahead: Callable[[T | None, Callable[[], None] | None], None] | None = None,
    after: tuple[int, T] | None = None,
) -> list[R]:
    """In a worker: ``func`` over a chunk, marking each item begun and ended, and
    saying in its slot which item it is on since when; ``ahead`` hears of the next
    item as each begins (see :func:`map_isolated`), the last of the chunk of
    ``after`` (index and item), the first of the chunk this process runs next."""
    out = []
    following = [*zip(indices[1:], items[1:], strict=True), *([after] if after is not None else []), None]
    for (i, item), nxt in zip(zip(indices, items, strict=True), following):
        if _slot is not None:
            _slot.begin(i)
        _mark_begun(i)
        if ahead is not None:
            ahead(nxt[1] if nxt else None, functools.partial(_mark_begun, nxt[0]) if nxt else None)
        out.append(func(item))
        if _marks is not None:
            _marks[i] = _ENDED
        if _slot is not None:
            _slot.end()
    return out


def _mark_begun(i: int) -> None:
    if _marks is not None:
        _marks[i] = _BEGUN


def map_isolated(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    on_crash: Callable[[T], R],
    on_timeout: Callable[[T], R] | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    most: int = 32,
    time_limit: float | None = None,
    meanwhile: Callable[[Sequence[R]], bool] | None = None,
    ahead: Callable[[T | None, Callable[[], None] | None], None] | None = None,
) -> list[R]:
    """``func`` over ``items`` in worker processes, in order; an item that kills its process
    gives ``on_crash(item)``, one that runs past the time limit ``on_timeout(item)``, and
    neither costs any other item.

    Parameters
    ----------
    func : callable
        A module-level function (it is sent to the workers by name) of one item.
    items : sequence
        Its arguments; picklable.
    on_crash : callable
        The result for an item whose process died while working on it.
    on_timeout : callable, optional
        The result for an item stopped at the time limit; default: ``on_crash``.
    workers : int, optional
        Processes; default: every core. With one, or a small set, and no time
        limit, everything runs here; with a time limit, in one worker process.
    progress : callable, optional
        Called as ``progress(done, total)``.
    most : int
        Largest number of items sent to a worker at once.
    time_limit : float, optional
        Seconds a worker may spend on one item; default: the limits in force
        (:func:`forensics.read.decode.limits`); 0: none.
    meanwhile : callable, optional
        Work for this process while the workers run, in steps: called on this
        thread between waits for results, once the workers are started (so no
        process is forked while a step runs), with the results in so far; it
        returns whether it has more to do. A step that raises ends it (what it
        would have prepared is then done when first used). Not called when the
        items run here.
    ahead : callable, optional
        A module-level function a worker calls as each item begins, with the
        next item of its chunk (None at the last) and a function that marks
        that item begun: ``func`` may then start on it early (see
        :func:`forensics.read.files.offer_next`); an item started early that
        kills its process is a suspect with the one under way.

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
    shown = 0.0
    report: Callable[..., None] | None = progress  # called with fractions of items too

    def waiting(under_way: float) -> None:  # between results: how far the items under way are
        nonlocal shown
        if report and len(out) + under_way > shown:
            shown = len(out) + under_way
            report(shown, len(items))

    for result in imap_isolated(
        func, items, on_crash=on_crash, on_timeout=on_timeout, workers=workers, most=most, time_limit=time_limit,
        on_wait=waiting if progress else None, meanwhile=(lambda: meanwhile(out)) if meanwhile else None, ahead=ahead,
    ):  # fmt: skip
        out.append(result)
        if progress:
            shown = len(out)
            progress(shown, len(items))
    return out


def imap_isolated(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    on_crash: Callable[[T], R],
    on_timeout: Callable[[T], R] | None = None,
    workers: int | None = None,
    most: int = 32,
    isolate: bool = False,
    time_limit: float | None = None,
    ahead: Callable[[T | None, Callable[[], None] | None], None] | None = None,
    on_wait: Callable[[float], None] | None = None,
    meanwhile: Callable[[], bool] | None = None,
) -> Iterator[R]:
    """:func:`map_isolated`, yielding each result in input order as soon as it and those
    before it are in, so that a caller can keep what is done (an index commits it).
    With ``isolate`` even one worker's or a small set's items run in a worker process,
    for a caller that must outlive an item that kills its process (an index remembers it);
    a time limit isolates them too, as only a process of their own can be stopped.

    When a worker dies the pool breaks and every task in it ends. The chunks that
    came back are kept; of the rest, the items begun and not ended (at most one per
    worker: the culprit, and the items its fellow workers were stopped in) run again
    one process each, and the others go to a new pool. An item that kills its own
    process gets ``on_crash(item)``. Items of a chunk that broke are run again even
    if they had ended, as a chunk's results return only together. A worker killed
    at the time limit breaks the pool the same way; its item gets ``on_timeout(item)``
    at once and is not run again.

    While it waits for workers, ``on_wait(under_way)`` is called 50 times a second
    with how far they are through their current items, added up (an item's
    function reports it with :func:`forensics.read.decode.progressing`, which also
    renews the item's time limit). ``meanwhile`` is called as :func:`map_isolated`
    says (without arguments: a caller that wants the results in so far keeps them).
    """
    n = len(items)
    seconds = max(0.0, limits().time_limit if time_limit is None else time_limit)  # 0 (or less): none
    timed_out = on_timeout or on_crash
    processes = worker_count(n, workers)
    if processes == 1 and not isolate and not seconds:
        yield from map(func, items)
        return
    idle = _Meanwhile(meanwhile)
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
        watch = _Watch(processes, seconds)
        pool = _pool(processes, marks, watch)
        try:
            try:
                chunks = chunks_for(todo, processes, most=most)
                for k, chunk in enumerate(chunks):
                    # one process takes every chunk in turn: its last item reads ahead into the next chunk
                    after = (chunks[k + 1][0], items[chunks[k + 1][0]]) if ahead and processes == 1 and k + 1 < len(chunks) else None
                    submitted.append((chunk, pool.submit(_run_chunk, func, chunk, [items[i] for i in chunk], ahead, after)))
                    watch.start()
            except BrokenProcessPool:
                broken = True
            for chunk, fut in submitted:
                try:
                    part = _wait(fut, watch, on_wait, idle)
                except BrokenProcessPool:
                    broken = True
                    break
                keep(chunk, part)
                yield from ready()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            watch.stop()
        if not broken:
            break
        for chunk, fut in submitted:  # chunks that ended after the one found broken
            if fut.done() and not fut.cancelled() and fut.exception() is None and not settled[chunk[0]]:
                keep(chunk, fut.result())
        for i in sorted(watch.expired):  # stopped at the time limit: not run again
            if not settled[i]:
                results[i] = timed_out(items[i])
                settled[i] = 1
        todo = [i for i in todo if not settled[i]]
        suspects = [i for i in todo if marks[i] == _BEGUN]
        if not suspects and len(todo) == before:
            suspects = todo  # it broke outside any item and nothing came back: trust no pool with the rest
        for i in suspects:
            results[i] = _run_alone(func, items[i], on_crash, timed_out, seconds, on_wait)
            settled[i] = 1
        yield from ready()
        todo = [i for i in todo if not settled[i]]
    yield from ready()


class _Meanwhile:
    """A caller's work done while the workers run (``map_isolated(meanwhile=...)``), a step at a time."""

    def __init__(self, step: Callable[[], bool] | None) -> None:
        self._step = step

    @property
    def pending(self) -> bool:
        return self._step is not None

    def step(self) -> None:
        if self._step is None:
            return
        try:
            more = self._step()
        except Exception:  # noqa: BLE001 - preparation only: what it would have loaded loads when first used (and says why)
            more = False
        if not more:
            self._step = None


def _wait(fut: Future[list[R]], watch: _Watch, on_wait: Callable[[float], None] | None, idle: _Meanwhile | None = None) -> list[R]:
    """The chunk's results; while they are not in, ``on_wait`` hears how far the workers are, and
    ``idle`` takes its steps."""
    while on_wait is not None or (idle is not None and idle.pending):
        if idle is not None and not fut.done():
            idle.step()
        try:
            return fut.result(timeout=_TICK)
        except FutureTimeout:
            if on_wait is not None:
                on_wait(watch.in_flight())
    return fut.result()


def _run_alone(
    func: Callable[[T], R], item: T, on_crash: Callable[[T], R], on_timeout: Callable[[T], R], seconds: float,
    on_wait: Callable[[float], None] | None,
) -> R:  # fmt: skip
    """``func(item)`` in a process of its own; ``on_crash(item)`` if that process dies,
    ``on_timeout(item)`` if it is stopped at the time limit."""
    watch = _Watch(1, seconds)
    pool = _pool(1, multiprocessing.RawArray(ctypes.c_byte, 1), watch)
    try:
        fut = pool.submit(_run_chunk, func, [0], [item])
        watch.start()
        try:
            return _wait(fut, watch, on_wait)[0]
        except BrokenProcessPool:
            return on_timeout(item) if watch.expired else on_crash(item)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        watch.stop()


def read_all(
    paths: Sequence[str], *, workers: int | None = None, progress: Progress | None = None, trust_anchors: TrustAnchors | None = None,
    meanwhile: Callable[[Sequence[ImageRecord]], bool] | None = None,
) -> list[ImageRecord]:  # fmt: skip
    """Read files in parallel (``workers`` processes; default: every core), in order,
    under the limits in force (:func:`forensics.read.decode.limits`); Content
    Credentials' signers are held against ``trust_anchors``, when given, in the
    workers' one validation of each file.

    A file that kills its reading process (a decoder crash, the system ending a
    process out of memory) comes back as a record with that error, and so does
    one still being read at the time limit (its process is killed and replaced);
    the others are read. Without a time limit a small set is read in this process.
    ``meanwhile`` is this process's work while the workers read (:func:`map_isolated`).
    """
    n = len(paths)
    seconds = limits().time_limit
    if worker_count(n, workers) > 1 or seconds:

        def stopped(path: str) -> ImageRecord:
            from forensics.records.record import ImageRecord  # see _read_file

            return ImageRecord(path=path, error=stopped_reason(seconds))

        read = functools.partial(_read_file, trust_anchors=trust_anchors) if trust_anchors is not None else _read_file
        return map_isolated(
            read, paths, on_crash=_crashed_record, on_timeout=stopped, workers=workers, progress=progress, meanwhile=meanwhile,
            ahead=offer_next,
        )  # fmt: skip
    from forensics.read.files import read_file  # read here: see _read_file

    out = []
    for i, p in enumerate(paths, 1):
        # a long video moves the bar while its frames are decoded, not only when it is done
        step = (lambda done, total, i=i: progress(i - 1 + min(1.0, done / total), n) if total else None) if progress else None
        out.append(read_file(p, progress=step, trust_anchors=trust_anchors))
        if progress:
            progress(i, n)
    return out


def _read_file(path: str, *, trust_anchors: TrustAnchors | None = None) -> ImageRecord:
    """:func:`forensics.read.files.read_file`, sent to a worker by this name: the reader and the
    libraries it decodes with are imported by the worker, after it is started, not by this
    process before it starts the workers (which it would wait for)."""
    from forensics.read.files import read_file  # in the worker, once: the parent never waits for it

    return read_file(path, trust_anchors=trust_anchors)


def offer_next(path: str | None, begun: Callable[[], None] | None) -> None:
    """A reading worker's next file, which the reader may start on while it waits for a decode: the
    ``ahead`` of :func:`map_isolated` for functions that read files with
    :func:`forensics.read.files.read_file` (see :func:`forensics.read.files.offer_next`)."""
    from forensics.read import files  # see _read_file

    files.offer_next(path, begun)


def _crashed_record(path: str) -> ImageRecord:
    from forensics.records.record import ImageRecord  # see _read_file

    return ImageRecord(path=path, error=READ_CRASHED)
