"""Reference index speed: ingest rate, query latency and memory at 10^4 .. 10^6 references.

Ingest is measured on real files (seeded photo-like JPEGs written to a temporary
folder: read, hash, region hashes, batched inserts). Search is measured on
indexes filled with synthetic hashes (the cost of a Hamming scan does not
depend on the values), loaded through ``ReferenceIndex.table()`` exactly as a
match loads them:

- ``direct``: the query's own pHash against every reference (the whole cost
  when a copy was only resized, recompressed or retouched);
- ``turns+frame``: the eight turns and flips plus the framed content (10 hashes, one pass);
- ``crops``: the query and its 10 sub-crops against the regions each can overlap
  (``VIEW_REGIONS``: 43 view-region pairs), as the match does it (``all 99``: every
  view against every region, as before ``VIEW_REGIONS``);
- ``match()``: ``ReferenceIndex.match`` end to end for one picture that is
  not in the index (decode, views, every search, candidate bookkeeping);
- ``batch``: ``ReferenceIndex.match`` of a folder of query files (``--batch N``:
  a third copies of references, two thirds unrelated pictures), per query.

Every search figure is given for both kernels of ``forensics.refs.search``
(FAISS's compiled range search and the numpy scan), and ``--kernels`` compares
the kernels and FAISS's binary indexes side by side on bare arrays up to 10^7
rows (no SQLite): ``IndexBinaryFlat``, ``IndexBinaryHash`` and
``IndexBinaryMultiHash`` (multi-index hashing), the latter two with their recall
at the search radius.

``--pg-load N`` fills a PostgreSQL index (a throwaway server, as
``tests/pgserver.py`` starts one) with N synthetic references, a tenth of them
video frames (no regions), and times loading the search arrays both ways: the
rows of a ``SELECT`` packed one by one (``_pack``, the SQLite path) and the
binary ``COPY`` that ``table()`` reads on PostgreSQL; also ``table(since=)``
with nothing new, what every refresh of a matcher asks.

    python benchmarks/index_bench.py                         # 10^4 and 10^5
    python benchmarks/index_bench.py --sizes 10000,100000,1000000 --ingest 200
    python benchmarks/index_bench.py --sizes 1000000 --ingest 0 --batch 1000
    python benchmarks/index_bench.py --sizes 0 --ingest 0 --kernels 1000000,10000000
    python benchmarks/index_bench.py --sizes 0 --ingest 0 --pg-load 1000000
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from forensics.read.files import read_file  # noqa: E402
from forensics.refs.index import ReferenceIndex  # noqa: E402
from forensics.refs.match import GREY  # noqa: E402
from forensics.refs.queries import REGIONS, VIEW_REGIONS, load_picture, query_views  # noqa: E402
from forensics.refs import search  # noqa: E402
from forensics.refs.search import within, within_columns  # noqa: E402

KERNELS = [k for k in ("numpy", "faiss", "numba") if search._installed(k)]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_ingest(n: int, workers: int, size: tuple[int, int]) -> dict:
    from imagegen import photo

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pics"
        folder.mkdir()
        for i in range(n):
            photo(90_000 + i, size).save(folder / f"{i:05d}.jpg", quality=90)
        db = Path(tmp) / "ingest.db"
        t = time.perf_counter()
        with ReferenceIndex(db) as index:
            result = index.add([folder], workers=workers)
        elapsed = time.perf_counter() - t
        t = time.perf_counter()
        with ReferenceIndex(db) as index:
            again = index.add([folder], workers=workers)
        resumed = time.perf_counter() - t
        db_bytes = os.path.getsize(db) + (os.path.getsize(str(db) + "-wal") if os.path.exists(str(db) + "-wal") else 0)
    assert result.added == n and again.skipped == n
    return {"files": n, "size": size, "seconds": elapsed, "per_second": n / elapsed, "rerun_seconds": resumed, "db_bytes_per_file": db_bytes / n}


def fill(db: Path, n: int, seed: int) -> None:
    """n synthetic references (random hashes, 9 regions each), in batched transactions."""
    rng = np.random.default_rng(seed)
    with ReferenceIndex(db) as index:
        con = index._con
        step = 100_000
        for start in range(0, n, step):
            k = min(step, n - start)
            h = rng.integers(-(2**63), 2**63 - 1, (k, 2 + len(REGIONS)), dtype=np.int64)
            con.execute("BEGIN")
            con.executemany(
                "INSERT INTO files (id, sha256, path, kind, added_at) VALUES (?, ?, ?, 'image', '2026-01-01')",
                ((start + i + 1, f"{start + i:064x}", f"/synthetic/{start + i}.jpg") for i in range(k)),
            )
            con.executemany(
                "INSERT INTO refs (file_id, phash, dhash, regions) VALUES (?, ?, ?, ?)",
                ((start + i + 1, int(h[i, 0]), int(h[i, 1]), h[i, 2:].astype("<i8").tobytes()) for i in range(k)),
            )
            con.execute("COMMIT")


def timed(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def bench_search(n: int, queries: int, query_file: Path, batch: list) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "refs.db"
        t = time.perf_counter()
        fill(db, n, seed=n)
        if batch:
            plant(db, batch)
        fill_s = time.perf_counter() - t
        rss0 = rss_mb()
        with ReferenceIndex(db, create=False) as index:
            t = time.perf_counter()
            table = index.table()
            load_s = time.perf_counter() - t
            views, _ = query_views(load_picture(query_file))
            rng = np.random.default_rng(1)
            qs = [int(x) for x in rng.integers(0, 2**63, queries, dtype=np.int64)]
            radius = 10 + GREY
            it = iter(range(10**9))

            def direct() -> None:
                within(table.phash, [qs[next(it) % len(qs)]], radius)

            whole = [v.phash for v in views if v.dhash is not None]  # 8 turns + framed (when a frame was found)
            whole = (whole + whole[:2])[:10]
            crops = [v for v in views if v.anchor is not None or v.name == "identity"]
            per_column = [[v.phash for v in crops if name in VIEW_REGIONS[v.anchor or "identity"]] for name, _ in REGIONS]

            def turns() -> None:
                within_columns([table.phash], [whole], radius)

            def crop_search() -> None:
                within_columns(list(table.regions), per_column, radius)

            record = read_file(query_file)
            out = {
                "references": n,
                "fill_seconds": fill_s,
                "load_seconds": load_s,
                "bytes_per_reference": table.nbytes / n,
                "rss_growth_mb": rss_mb() - rss0,
                "kernels": {},
            }
            for kernel in KERNELS:
                os.environ[search.SEARCH_ENV] = kernel
                out["kernels"][kernel] = {
                    "direct_ms": timed(direct, queries),
                    "turns_frame_ms": timed(turns, max(3, queries // 4)),
                    "crops_ms": timed(crop_search, max(3, queries // 10)),
                    "crops_all_ms": timed(lambda: within_columns(list(table.regions), [[v.phash for v in crops]] * len(REGIONS), radius), max(3, queries // 10)),
                    "match_ms": timed(lambda: index.match([record]), 5),
                }
                if batch:
                    t = time.perf_counter()
                    index.match(batch)
                    out["kernels"][kernel]["batch_ms_per_query"] = 1000 * (time.perf_counter() - t) / len(batch)
            os.environ.pop(search.SEARCH_ENV, None)
    return out


def batch_queries(folder: Path, n: int, workers: int) -> list:
    """Records of ``n`` query files: every third a resized copy of a reference, the others unrelated pictures.

    The references are synthetic hashes, so a "copy" here is a query whose own pHash is planted in
    the index (see ``plant``); the others fall through to the crop and tilt search, as a folder of
    pictures that are not in the archive does.
    """
    from imagegen import photo

    from forensics.read.pool import read_all

    folder.mkdir()
    for i in range(n):
        photo(500_000 + i, (1280, 960)).save(folder / f"q{i:05d}.jpg", quality=90)
    return read_all(sorted(str(p) for p in folder.iterdir()), workers=workers)


def plant(db: Path, records: list) -> None:
    """Every third query's own pHash and dHash written into a synthetic reference, so that it matches."""
    from forensics.refs.queries import hex_to_int, to_signed

    with ReferenceIndex(db) as index:
        con = index._con
        con.execute("BEGIN")
        for i, r in enumerate(records[::3]):
            con.execute("UPDATE refs SET phash = ?, dhash = ? WHERE id = ?", (to_signed(hex_to_int(r.hashes.phash)), to_signed(hex_to_int(r.hashes.dhash)), 1 + 7 * i))
        con.execute("COMMIT")


def bench_kernels(sizes: list[int], queries: int) -> None:
    """The search kernels and FAISS's binary indexes on bare uint64 arrays: one query, and a batch."""
    import faiss

    radius = 10 + GREY
    print(f"\nkernels on bare arrays, radius {radius} (whole-picture stage), {faiss.omp_get_max_threads()} threads available; ms per query")
    print(f"{'rows':>10} {'method':>34} {'1 query':>9} {'1,000 queries':>14} {'recall':>7} {'build s':>8} {'MB':>6}")
    rng = np.random.default_rng(7)
    for n in sizes:
        col = rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64) * np.uint64(2) + rng.integers(0, 2, n, dtype=np.uint64)
        # queries near some rows (so that there is something to find) and random ones
        planted = col[rng.integers(0, n, 500)] ^ np.uint64(0b1011_0001_0000_0100_1000_0000_0001_0000_0011)
        qs = np.concatenate([planted, rng.integers(0, 2**63, 500, dtype=np.int64).view(np.uint64)])
        one = [int(q) for q in qs[: max(queries, 5)]]
        truth = within_columns([col], [[int(q) for q in qs]], radius, kernel="numpy")[0]
        total = sum(r.size for r, _ in truth)

        def row(name: str, single, batch, recall: float = 1.0, build: float = 0.0, mb: float = n * 8 / 1e6) -> None:
            it = iter(range(10**9))
            t1 = timed(lambda: single(one[next(it) % len(one)]), len(one))
            t = time.perf_counter()
            batch()
            tb = 1000 * (time.perf_counter() - t) / len(qs)
            print(f"{n:>10} {name:>34} {t1:9.3f} {tb:14.4f} {recall:7.3f} {build:8.2f} {mb:6.0f}", flush=True)

        for kernel in KERNELS:
            row(f"forensics within_columns, {kernel}", lambda q, k=kernel: within_columns([col], [[q]], radius, kernel=k),
                lambda k=kernel: within_columns([col], [[int(q) for q in qs]], radius, kernel=k))  # fmt: skip
        codes = col.view(np.uint8).reshape(n, 8)
        qcodes = qs.view(np.uint8).reshape(-1, 8)
        t = time.perf_counter()
        flat = faiss.IndexBinaryFlat(64)
        flat.add(codes)
        build = time.perf_counter() - t
        row("faiss IndexBinaryFlat.range_search", lambda q: flat.range_search(np.array([q], np.uint64).view(np.uint8).reshape(1, 8), radius + 1),
            lambda: flat.range_search(qcodes, radius + 1), build=build, mb=2 * n * 8 / 1e6)  # fmt: skip
        del flat
        if n > 1_000_000:  # building the hash tables takes minutes beyond this
            del col, codes
            continue
        for name, make in (
            ("faiss IndexBinaryHash b=16, 2 flips", lambda: _hash_index(faiss.IndexBinaryHash(64, 16), 2)),
            ("faiss IndexBinaryMultiHash 4x16, 2 flips", lambda: _hash_index(faiss.IndexBinaryMultiHash(64, 4, 16), 2)),
            ("faiss IndexBinaryMultiHash 4x16, 4 flips", lambda: _hash_index(faiss.IndexBinaryMultiHash(64, 4, 16), 4)),
        ):
            if "4 flips" in name and n > 100_000:  # 2,517 buckets per part: seconds per query beyond this
                continue
            t = time.perf_counter()
            index = make()
            index.add(codes)
            build = time.perf_counter() - t
            lims, _, labels = index.range_search(qcodes, radius + 1)
            recall = (lims[-1] / total) if total else 1.0
            row(name, lambda q, ix=index: ix.range_search(np.array([q], np.uint64).view(np.uint8).reshape(1, 8), radius + 1),
                lambda ix=index: ix.range_search(qcodes, radius + 1), recall=recall, build=build, mb=float("nan"))  # fmt: skip
            del index
        del col, codes


def fill_pg(url: str, n: int, seed: int) -> None:
    """n synthetic references in a PostgreSQL index, every tenth without regions (a video frame)."""
    rng = np.random.default_rng(seed)
    with ReferenceIndex(url) as index, index._pg._con.cursor() as cur:
        step = 100_000
        for start in range(0, n, step):
            k = min(step, n - start)
            h = rng.integers(-(2**63), 2**63 - 1, (k, 2 + len(REGIONS)), dtype=np.int64)
            with cur.copy("COPY files (id, sha256, path, kind, added_at) FROM STDIN") as copy:
                for i in range(start, start + k):
                    copy.write_row((i + 1, f"{i:064x}", f"/synthetic/{i}.jpg", "image", "2026-01-01"))
            with cur.copy("COPY refs (file_id, phash, dhash, regions) FROM STDIN") as copy:
                for i in range(k):
                    copy.write_row((start + i + 1, int(h[i, 0]), int(h[i, 1]), None if (start + i) % 10 == 9 else h[i, 2:].astype("<i8").tobytes()))
        cur.execute("SELECT setval(pg_get_serial_sequence('files', 'id'), (SELECT MAX(id) FROM files))")
        cur.execute("VACUUM ANALYZE refs")


def bench_pg_load(n: int, repeat: int) -> None:
    """Loading the search arrays of a PostgreSQL index of n references: the SELECT packed row by row, and the binary COPY."""
    from pgserver import Server

    from forensics.refs.index import _pack

    server = Server()
    try:
        url = server.database()
        t = time.perf_counter()
        fill_pg(url, n, seed=n)
        print(f"\nPostgreSQL, {n:,} references ({n // 10:,} without regions), filled in {time.perf_counter() - t:.1f} s")
        with ReferenceIndex(url, read_only=True) as index:
            select = "SELECT id, phash, dhash, regions FROM refs ORDER BY id"
            old = _pack(index._con.execute(select).fetchall())
            new = index.table(since=0)  # not cached: loaded anew each call
            assert all(np.array_equal(getattr(old, f), getattr(new, f)) and getattr(old, f).dtype == getattr(new, f).dtype
                       for f in ("ids", "phash", "dhash", "regions", "has_regions"))  # fmt: skip
            del old, new
            times: dict[str, list[float]] = {"SELECT + _pack": [], "binary COPY": []}
            for _ in range(repeat):  # alternated, so that both see the same load
                for name, load in (("SELECT + _pack", lambda: _pack(index._con.execute(select).fetchall())), ("binary COPY", lambda: index.table(since=0))):
                    t = time.perf_counter()
                    load()
                    times[name].append(time.perf_counter() - t)
            last = len(index) and int(index._con.execute("SELECT MAX(id) FROM refs").fetchone()[0])
            idle = {
                "SELECT + _pack": timed(lambda: _pack(index._con.execute(select.replace("ORDER", "WHERE id > ? ORDER"), (last,)).fetchall()), 200),
                "binary COPY": timed(lambda: index.table(since=last), 200),
            }
        base = statistics.median(times["SELECT + _pack"])
        for name, ts in times.items():
            print(f"  {name:>15}: load {statistics.median(ts):6.2f} s (median of {repeat}; {min(ts):.2f}-{max(ts):.2f}), "
                  f"{base / statistics.median(ts):4.1f}x; since= with nothing new {idle[name]:.3f} ms")  # fmt: skip
    finally:
        server.stop()


def _hash_index(index, flips: int):
    index.nflip = flips
    return index


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated index sizes (default 10000,100000)")
    ap.add_argument("--ingest", type=int, default=60, help="real files to ingest (default 60; 0 skips)")
    ap.add_argument("--ingest-size", default="1280x960", help="pixel size of the ingested JPEGs")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--queries", type=int, default=40, help="repetitions of the direct query")
    ap.add_argument("--batch", type=int, default=0, help="also match a folder of this many query files, per query")
    ap.add_argument("--kernels", default="", help="comma-separated sizes for the kernel and FAISS index comparison on bare arrays")
    ap.add_argument("--pg-load", type=int, default=0, help="load the arrays of a PostgreSQL index of this many references both ways (0 skips)")
    ap.add_argument("--pg-repeat", type=int, default=5, help="loads of each kind for --pg-load (default 5)")
    args = ap.parse_args(argv)

    print(f"cores: {os.cpu_count()}, numpy {np.__version__}")
    if args.ingest:
        w, h = (int(v) for v in args.ingest_size.split("x"))
        r = bench_ingest(args.ingest, args.workers, (w, h))
        print(
            f"ingest: {r['files']} JPEGs {w}x{h}, {args.workers} workers: {r['per_second']:.1f} files/s "
            f"({r['seconds']:.1f} s); rerun (all skipped) {r['rerun_seconds']:.2f} s; {r['db_bytes_per_file']:.0f} bytes of SQLite per file"
        )
    if args.kernels:
        bench_kernels([int(v) for v in args.kernels.split(",")], args.queries)
    if args.pg_load:
        bench_pg_load(args.pg_load, args.pg_repeat)
    sizes = [int(v) for v in args.sizes.split(",") if int(v)]
    if not sizes:
        return 0
    from imagegen import photo

    with tempfile.TemporaryDirectory() as tmp:
        qfile = Path(tmp) / "query.jpg"
        photo(12345, (1280, 960)).save(qfile, quality=90)
        batch = batch_queries(Path(tmp) / "batch", args.batch, args.workers) if args.batch else []
        print(f"\n{'refs':>9} {'kernel':>6} {'fill s':>7} {'load s':>7} {'B/ref':>6} {'RSS+ MB':>8} {'direct ms':>10} {'turns+frame ms':>15} {'crops ms':>9} {'all 99':>7} {'match() ms':>11} {'batch ms/q':>11}")
        for n in sizes:
            r = bench_search(n, args.queries, qfile, batch)
            for kernel, k in r["kernels"].items():
                print(
                    f"{n:>9} {kernel:>6} {r['fill_seconds']:7.1f} {r['load_seconds']:7.2f} {r['bytes_per_reference']:6.0f} {r['rss_growth_mb']:8.0f} "
                    f"{k['direct_ms']:10.2f} {k['turns_frame_ms']:15.2f} {k['crops_ms']:9.1f} {k['crops_all_ms']:7.1f} {k['match_ms']:11.1f} "
                    f"{k.get('batch_ms_per_query', float('nan')):11.1f}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
