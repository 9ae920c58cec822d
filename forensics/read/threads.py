"""This process's threads: its pools, one per name, for work that releases the GIL beside the
caller, and the number of threads numpy's BLAS may start (:func:`one_blas_thread`).

A pool is made on its first use and again in a forked child, which inherits the executor but not
its threads (a task submitted there would wait for ever).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

_POOLS: dict[str, tuple[int, int, ThreadPoolExecutor]] = {}  # name: (pid, threads, executor)


def threads(name: str, workers: int = 1) -> ThreadPoolExecutor:
    """The pool ``name`` of this process, with at least ``workers`` threads (named after it).

    Examples
    --------
    >>> threads("example").submit(sum, [1, 2]).result()
    3
    >>> threads("example") is threads("example")
    True
    """
    held = _POOLS.get(name)
    if held is None or held[0] != os.getpid() or held[1] < workers:
        held = (os.getpid(), workers, ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name))
        _POOLS[name] = held
    return held[2]


# What OpenBLAS reads for its number of threads, in its order: a user's value in any of them is kept.
BLAS_THREAD_SETTINGS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def one_blas_thread() -> None:
    """numpy's BLAS on one thread in this process, unless the user has chosen otherwise.

    OpenBLAS starts a thread per core when numpy loads, and they spin for tens of milliseconds:
    beside worker processes that already fill the cores they only take cores from them. It reads
    the setting once, when numpy loads: call this before. Nothing here gains from BLAS threads (the
    largest product, the sensor's pair scores of 60 residuals, took 0.40 s on one thread and 1.46 s
    on two).
    """
    if not any(name in os.environ for name in BLAS_THREAD_SETTINGS):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
