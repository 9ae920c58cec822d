"""Toward 10^8 references: the design of docs/references.md simulated on generated hashes.

The design keeps two tiers of search arrays in matcher processes, each process
holding a shard (a range of rows) of every array:

* the whole-picture tier (pHash, dHash and a row id: 20 bytes per reference),
  scanned for every query;
* the region tier (nine region pHashes: 72 bytes per reference), scanned only
  for the queries that no whole-picture hash matched, in batches.

A query is sent to every shard, each scans its rows with the compiled kernel
(``forensics.refs.search``) and the hits are merged. This script measures, on
random 64-bit hashes held in memory (a scan's cost does not depend on the
values):

1. the cost per row of one query and of a batch of queries on one core, at
   several sizes, and fits ``t = a + b * rows``;
2. the latency of one query against the same rows split over 1 and 2 shard
   processes (the cores of this machine);
3. multi-index hashing (FAISS ``IndexBinaryMultiHash``, 4 × 16 bits) at the
   sure-match radius, where it is exact, as the alternative for the first tier;
4. the cost of a refresh: appending new rows to a shard's arrays;

then extrapolates to 10^8 references with the fitted costs. Memory is kept
within ``--max-gb`` (default 6).

    python benchmarks/scale_sim.py                               # 10^6 .. 10^7
    python benchmarks/scale_sim.py --sizes 1000000,10000000,50000000 --max-gb 6
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forensics.refs import search  # noqa: E402
from forensics.refs.search import within_columns  # noqa: E402

RADIUS = 18  # the whole-picture radius of a match (max_distance 10 + the grey band of 8)
SURE = 10  # the radius of a hash match without verification
REGION_SCANS = 47  # region-column scans of a query that falls through (VIEW_REGIONS pairs)
WHOLE_BYTES = 20  # pHash + dHash + a 4-byte row id, per reference
REGION_BYTES = 72  # nine region pHashes


def column(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64) * np.uint64(2) + rng.integers(0, 2, n, dtype=np.uint64)


def timed(fn, repeat: int) -> float:
    """Median seconds of ``repeat`` calls after one warm-up call."""
    fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares ``y = a + b x``."""
    b, a = np.polyfit(np.array(xs, float), np.array(ys, float), 1)
    return float(a), float(b)


def _shard(conn, n: int, seed: int, kernel: str) -> None:
    """A matcher process: its own rows, answering query batches until told to stop."""
    os.environ[search.SEARCH_ENV] = kernel
    col = column(n, seed)
    conn.send("ready")
    while True:
        qs = conn.recv()
        if qs is None:
            return
        found = within_columns([col], [qs], RADIUS)[0]
        conn.send([r.size for r, _ in found])


def sharded_latency(n: int, shards: int, kernel: str, queries: list[int], repeat: int) -> float:
    """Seconds for one query sent to ``shards`` processes holding n / shards rows each, answers merged."""
    ctx = mp.get_context("fork")
    pipes, procs = [], []
    for s in range(shards):
        a, b = ctx.Pipe()
        p = ctx.Process(target=_shard, args=(b, n // shards, 100 + s, kernel), daemon=True)
        p.start()
        pipes.append(a)
        procs.append(p)
    for a in pipes:
        a.recv()
    it = iter(range(10**9))

    def one() -> None:
        q = [queries[next(it) % len(queries)]]
        for a in pipes:
            a.send(q)
        for a in pipes:
            a.recv()

    t = timed(one, repeat)
    for a in pipes:
        a.send(None)
    for p in procs:
        p.join()
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000,3000000,10000000", help="rows per simulated tier (comma-separated)")
    ap.add_argument("--batch", type=int, default=200, help="queries per batch")
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--max-gb", type=float, default=6.0, help="largest memory the simulation may take")
    args = ap.parse_args(argv)
    sizes = [int(v) for v in args.sizes.split(",")]
    # the largest tier held: one column for the whole-picture runs, 9 for the region tier at 10^7 at most
    need = max(sizes) * 8 * 2 / 1e9
    if need > args.max_gb:
        raise SystemExit(f"{max(sizes)} rows need about {need:.1f} GB; raise --max-gb or give smaller --sizes")
    kernels = ["numpy"] + (["faiss"] if search._faiss_module() is not None else [])
    rng = np.random.default_rng(1)
    queries = [int(q) for q in rng.integers(0, 2**63, 64, dtype=np.int64)]
    batch = [int(q) for q in rng.integers(0, 2**63, args.batch, dtype=np.int64)]
    print(f"cores: {os.cpu_count()}, numpy {np.__version__}, kernels: {', '.join(kernels)}, radius {RADIUS}")

    # 1. cost per row, one core
    print(f"\n1. one column on one core, ms (one query; per query of a batch of {args.batch})")
    print(f"{'rows':>11} {'kernel':>6} {'1 query':>9} {'batched':>9} {'ns/row 1':>9} {'ns/row b':>9}")
    single: dict[str, list[tuple[int, float]]] = {k: [] for k in kernels}
    batched: dict[str, list[tuple[int, float]]] = {k: [] for k in kernels}
    for n in sizes:
        col = column(n, n)
        for k in kernels:
            os.environ[search.SEARCH_ENV] = k
            it = iter(range(10**9))
            t1 = timed(lambda: within_columns([col], [[queries[next(it) % len(queries)]]], RADIUS), args.repeat)
            tb = timed(lambda: within_columns([col], [batch], RADIUS), max(1, args.repeat // 3)) / len(batch)
            single[k].append((n, t1))
            batched[k].append((n, tb))
            print(f"{n:>11} {k:>6} {1000 * t1:9.2f} {1000 * tb:9.3f} {1e9 * t1 / n:9.3f} {1e9 * tb / n:9.3f}", flush=True)
        del col
    os.environ.pop(search.SEARCH_ENV, None)
    best = "faiss" if "faiss" in kernels else "numpy"

    # 2. the same rows over 1 and 2 shard processes
    print("\n2. one query, the rows split over shard processes (fork, pipes), ms")
    print(f"{'rows':>11} {'shards':>7} {'latency':>9}")
    shard_rows = []
    for n in sizes[-2:]:
        for shards in (1, 2):
            t = sharded_latency(n, shards, best, queries, args.repeat)
            shard_rows.append((n, shards, t))
            print(f"{n:>11} {shards:>7} {1000 * t:9.2f}", flush=True)

    # 3. multi-index hashing at the sure radius
    mih = []
    if "faiss" in kernels:
        import faiss

        print(f"\n3. multi-index hashing, FAISS IndexBinaryMultiHash 4 x 16 bits, 2 flips (exact to radius 11), radius {SURE}")
        print(f"{'rows':>11} {'build s':>8} {'1 query ms':>11} {'scan ms':>8} {'same hits':>10}")
        for n in [n for n in sizes if n <= 1_000_000][:2] or sizes[:1]:
            col = column(n, n)
            faiss.omp_set_num_threads(1)
            t = time.perf_counter()
            index = faiss.IndexBinaryMultiHash(64, 4, 16)
            index.nflip = 2
            index.add(col.view(np.uint8).reshape(n, 8))
            build = time.perf_counter() - t
            near = [int(col[i]) ^ 0b1000_0010_0000_0001_0100 for i in range(0, n, n // 16)]  # 4 bits off rows
            it = iter(range(10**9))

            def one_mih() -> None:
                q = near[next(it) % len(near)]
                index.range_search(np.array([q], np.uint64).view(np.uint8).reshape(1, 8), SURE + 1)

            tm = timed(one_mih, args.repeat)
            ts = timed(lambda: within_columns([col], [[near[0]]], SURE), args.repeat)
            lims, _, labels = index.range_search(np.array(near, np.uint64).view(np.uint8).reshape(-1, 8), SURE + 1)
            truth = within_columns([col], [near], SURE)[0]
            same = all(sorted(labels[lims[i] : lims[i + 1]].tolist()) == r.tolist() for i, (r, _) in enumerate(truth))
            mih.append((n, build, tm))
            print(f"{n:>11} {build:8.1f} {1000 * tm:11.3f} {1000 * ts:8.2f} {str(same):>10}", flush=True)
            del index, col
            faiss.omp_set_num_threads(os.cpu_count() or 1)

    # 4. refresh: new rows appended to a shard's arrays
    print("\n4. refresh: appending new rows to a shard of 10^7 rows (20 bytes each), ms")
    n = min(max(sizes), 10_000_000)
    cap = column(n + 200_000, 7)  # arrays with spare capacity at the end, grown by doubling
    used = n
    for k in (1_000, 10_000, 100_000):
        new = column(k, k)
        t = time.perf_counter()
        cap[used : used + k] = new  # in place: no copy of the rows already there
        used += k
        t_in = time.perf_counter() - t
        t = time.perf_counter()
        np.concatenate([cap[:n], new])  # what reloading or regrowing the array would cost
        t_copy = time.perf_counter() - t
        print(f"  {k:>7} rows: in place {1000 * t_in:7.2f}, copying the shard {1000 * t_copy:7.1f}")
    del cap

    # extrapolation: the cost per row at the largest size measured (arrays far beyond the caches,
    # the memory-bound regime a 10^8 shard is in), times the rows of a shard
    n_big, t_big = single[best][-1]
    _, tb_big = batched[best][-1]
    b1, bb = t_big / n_big, tb_big / n_big
    a1, b_fit = fit([n for n, _ in single[best]], [t for _, t in single[best]])
    N = 100_000_000
    print(f"\ncost per row at {n_big} rows ({best}): one query {1e9 * b1:.3f} ns, per query in a batch {1e9 * bb:.3f} ns "
          f"(least squares over the sizes: {1e3 * a1:.3f} ms + {1e9 * b_fit:.3f} ns/row)")  # fmt: skip
    print("extrapolated to 10^8 references, each shard a process on its own core with this core's share of memory bandwidth:")
    print(f"{'shards':>7} {'whole-picture query ms':>23} {'batched ms/query':>17} {'crop search ms':>15} {'tier-1 GB/shard':>16} {'tier-2 GB/shard':>16}")
    for shards in (1, 2, 4, 8, 16, 32):
        rows = N / shards
        whole = b1 * rows
        per_q = bb * rows
        crop = REGION_SCANS * per_q  # fall-through queries are batched against the region tier
        print(f"{shards:>7} {1e3 * whole:23.1f} {1e3 * per_q:17.2f} {1e3 * crop:15.1f} {rows * WHOLE_BYTES / 1e9:16.2f} {rows * REGION_BYTES / 1e9:16.2f}")
    if mih:
        n_m, _, t_m = mih[-1]
        print(f"multi-index hashing, radius {SURE}: about {1e3 * t_m * N / n_m:.0f} ms per query at 10^8 if its cost stays linear "
              f"(its buckets fill as rows grow), 8 bytes of code + 4 x 8 of row ids per reference")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
