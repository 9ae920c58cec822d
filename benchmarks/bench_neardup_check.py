"""Cost of the ``near-duplicate`` set check, against a floor.

Builds ``--images`` picture records in memory (no files) in three shapes:

* ``identical``: every record the same picture (one cluster of all of them);
* ``near``: variants of a few pictures, each a few bits off its original
  (a few large clusters whose members are all distinct hashes);
* ``random``: unrelated pictures (no cluster).

The floor is the least any version of the check must do: turn the records'
hex hashes into the packed 64-bit arrays it compares (``_items`` and two
``numpy.array`` calls). The check's time is printed in milliseconds and as a
multiple of that floor.

Usage::

    python benchmarks/bench_neardup_check.py [--images 8000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable


def records(n: int, shape: str, seed: int = 7) -> list:
    from forensics.records.record import Hashes, ImageRecord

    rng = random.Random(seed)
    bases = [(rng.getrandbits(64), rng.getrandbits(64)) for _ in range(max(1, n // 1000))]
    out = []
    for i in range(n):
        if shape == "identical":
            p, d = bases[0]
        elif shape == "near":
            p, d = bases[i % len(bases)]
            for _ in range(rng.randint(0, 3)):  # at most 3 bits off: every pair in a group stays within 10 and 18
                p ^= 1 << rng.randrange(64)
                d ^= 1 << rng.randrange(64)
        else:
            p, d = rng.getrandbits(64), rng.getrandbits(64)
        ph, dh = f"{p:016x}", f"{d:016x}"
        sha = "0" * 64 if shape == "identical" else f"{i:064x}"
        out.append(ImageRecord(path=f"/set/IMG_{i:05d}.JPG", kind="image", format="JPEG", sha256=sha,
                               hashes=Hashes(ph, dh, ph, ph, dh[:14])))  # fmt: skip
    return out


def _median(fn: Callable[[], list], repeat: int) -> tuple[float, list]:
    """The median time of ``repeat`` calls, and what the last one returned."""
    times, out = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=8000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    import numpy as np

    from forensics.checks import CheckContext
    from forensics.checks.references import _items, near_duplicate

    ctx = CheckContext()

    def floor(recs: list) -> list:
        items = _items(recs)
        return [np.array([i[2] for i in items], dtype=np.uint64), np.array([i[3] for i in items], dtype=np.uint64)]

    print(f"near-duplicate on {args.images} records, median of {args.repeat}")
    for shape in ("identical", "near", "random"):
        recs = records(args.images, shape)
        base, _ = _median(lambda recs=recs: floor(recs), args.repeat)
        check, found = _median(lambda recs=recs: list(near_duplicate(recs, ctx)), args.repeat)
        sizes = sorted((len(f.paths) for f in found), reverse=True)
        print(f"{shape:10s} floor {base * 1000:8.1f} ms   check {check * 1000:9.1f} ms   {check / base:7.1f}x the floor"
              f"   clusters {len(found)} (largest {sizes[0] if sizes else 0})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
