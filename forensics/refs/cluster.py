"""Reading and hashing for ``index add`` on a Dask cluster (``distributed``), committed by the client.

The client (the ``forensics index add`` process) lists the files and leaves out
those already indexed, then hands chunks of paths to the cluster's workers,
which must see the files under the same paths (a shared mount). Each worker
reads its chunk as a local add does, in a process of its own per chunk under
the per-file memory and time limits (a file that kills its reader costs no
other file, and not the worker). What comes back is written by the client in
batches, one transaction each, as a local add writes them.

A crash costs at most what is not yet committed: the scheduler runs a lost
worker's chunks again elsewhere; a chunk that keeps killing workers is split
and its files run one by one, and a file that still kills its worker is
remembered as a crash (skipped while unchanged, as locally); a rerun after
the client's crash skips every path committed. Only a bounded number of
chunks is under way at once, so the client holds little and the scheduler is
not flooded by an archive of millions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, TypeVar

from forensics.errors import ReferenceIndexError
from forensics.read.decode import Limits, limited, limits
from forensics.read.pool import available_cpus

if TYPE_CHECKING:
    from distributed import Client

T = TypeVar("T")

CHUNK = 16  # files per task: enough to pay for the reader process it starts, few enough to spread
IN_FLIGHT = 3  # chunks under way per worker thread: none idles while the client writes
CONNECT_TIMEOUT = 30.0  # seconds to reach a scheduler
INSTALL_HINT = "reading on a Dask cluster needs distributed: pip install 'forensics[dask]' (or pip install distributed)"


def read_on_cluster(
    paths: Sequence[str],
    cluster: str | Client,
    *,
    read: Callable[[Sequence[str]], Iterable[T]],
    read_here: Callable[[str], T],
    on_crash: Callable[[str], T],
    on_error: Callable[[str, str], T],
    chunk: int = CHUNK,
) -> Iterator[T]:
    """Read ``paths`` on a Dask cluster, yielding each file's item as its chunk comes back (in no set order).

    Parameters
    ----------
    paths : sequence of str
        Absolute paths, the same on the workers as here.
    cluster : str or distributed.Client
        A scheduler's address (``tcp://host:8786``), ``"local"`` for a
        cluster of this machine's cores, or a client already connected.
    read : callable
        On a worker: the items of a chunk of paths, read in a process of its
        own (module-level, so that the workers import it by name).
    read_here : callable
        On a daemonic worker, which may not start processes: one path's item, read in place.
    on_crash, on_error : callable
        Here: the item of a file that killed every worker it was given to,
        and of one whose reading raised on the worker (with the reason).
    chunk : int
        Files per task.
    """
    try:
        import distributed
    except ImportError as exc:
        raise ReferenceIndexError(INSTALL_HINT) from exc
    if not paths:
        return
    with ExitStack() as stack:
        client = _client(cluster, stack)
        in_force = limits()
        threads = max(1, sum(client.nthreads().values()))
        parts = [list(paths[i : i + chunk]) for i in range(0, len(paths), chunk)]
        waiting = iter(parts)
        of: dict[object, list[str]] = {}
        running = distributed.as_completed()

        def submit(part: list[str]) -> None:
            fut = client.submit(_read_chunk, read, read_here, part, in_force, pure=False)
            of[fut.key] = part
            running.add(fut)

        for part in waiting:
            submit(part)
            if len(of) >= IN_FLIGHT * threads:
                break
        for fut in running:
            part = of.pop(fut.key)
            try:
                items = fut.result()
            except distributed.KilledWorker:
                # the chunk killed every worker it was given to: its files alone, to find the one
                if len(part) > 1:
                    for path in part:
                        submit([path])
                    continue
                items = [on_crash(part[0])]
            except Exception as exc:  # noqa: BLE001  (a worker-side failure is one chunk's, not the add's)
                if len(part) > 1:
                    for path in part:
                        submit([path])
                    continue
                items = [on_error(part[0], f"reading on the cluster failed ({type(exc).__name__}: {exc})")]
            finally:
                fut.release()
            yield from items
            for more in waiting:  # one chunk back, one more under way
                submit(more)
                break


def _client(cluster: str | Client, stack: ExitStack) -> Client:
    import distributed

    if not isinstance(cluster, str):
        return cluster
    try:
        if cluster == "local":
            import dask

            stack.enter_context(dask.config.set({"distributed.worker.daemon": False}))  # each worker starts its reader process
            local = stack.enter_context(
                distributed.LocalCluster(n_workers=available_cpus(), threads_per_worker=1, dashboard_address=":0", silence_logs=40)
            )
            return stack.enter_context(distributed.Client(local))
        return stack.enter_context(distributed.Client(cluster, timeout=CONNECT_TIMEOUT))
    except OSError as exc:
        raise ReferenceIndexError(f"cannot reach the Dask scheduler at {cluster} ({exc})") from None


def _read_chunk(read: Callable[[Sequence[str]], Iterable[T]], read_here: Callable[[str], T], paths: list[str], in_force: Limits) -> list[T]:
    """On a worker: the chunk read as a local add reads it (one reader process, the client's limits)."""
    import multiprocessing

    with limited(memory_budget=in_force.memory_budget, time_limit=in_force.time_limit):
        if multiprocessing.current_process().daemon:
            # a daemonic worker (dask's default under a nanny; DASK_DISTRIBUTED__WORKER__DAEMON=False lifts it)
            # cannot start a reader process: read here. A file that kills the reader then kills the worker, and
            # the scheduler's retries and the split above find it; the time limit is not enforced.
            return [read_here(path) for path in paths]
        return list(read(paths))
