"""This process's thread pools, one per name, for work that releases the GIL beside the caller.

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
