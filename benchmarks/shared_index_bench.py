"""The shared index, SQLite beside PostgreSQL: ingest throughput, commit cost, matcher refresh, query latency.

For each back end, on the same files in the same run:

- ``floor``: reading the bytes and a 1/8 ``draft()`` decode of every file, on
  the same number of processes as the ingest (what no ingest can beat);
- ``add``: ``ReferenceIndex.add`` end to end (``--workers`` processes), and
  with ``--dask`` the same on a local Dask cluster of as many single-thread
  workers (reading and hashing on the workers, commits here);
- ``commit``: only the database's part, the batches of already-read files
  written again under new SHA-256s (64 files a transaction);
- on an index of ``--refs`` synthetic references (random hashes: a scan's
  cost does not depend on the values): loading the search arrays, a
  :class:`~forensics.refs.matcher.Matcher`'s refresh with nothing new and
  after another editor added 1,000, and one whole-picture query end to end
  (``match(verify=False)`` of a picture that is in the index: the scan in
  memory, then the look-ups of the reference's facts in the database).

PostgreSQL is a throwaway server started in a temporary folder (as
``tests/pgserver.py`` does; Debian's ``postgresql`` package), or ``--pg URL``.

    python benchmarks/shared_index_bench.py                      # 200 files, 10^5 references
    python benchmarks/shared_index_bench.py --files 400 --refs 1000000 --dask
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from index_bench import timed  # noqa: E402  (the same median timer as the single-machine benchmark)

from forensics.read.files import read_file  # noqa: E402
from forensics.refs.index import ReferenceIndex, _read_items  # noqa: E402
from forensics.refs.matcher import Matcher  # noqa: E402
from forensics.refs.queries import REGIONS  # noqa: E402


def _floor_one(path: str) -> int:
    from PIL import Image

    data = Path(path).read_bytes()
    import io

    with Image.open(io.BytesIO(data)) as im:
        im.draft("RGB", (im.width // 8, im.height // 8))
        im.load()
    return len(data)


def floor(paths: list[str], workers: int) -> float:
    t = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_floor_one, paths, chunksize=8))
    return time.perf_counter() - t


def make_files(folder: Path, n: int, size: tuple[int, int]) -> list[str]:
    from imagegen import photo

    folder.mkdir(parents=True)
    for i in range(n):
        photo(70_000 + i, size).save(folder / f"{i:05d}.jpg", quality=90)
    return sorted(str(p) for p in folder.iterdir())


def bench_add(target: str, folder: Path, workers: int, dask: object | None) -> float:
    t = time.perf_counter()
    with ReferenceIndex(target) as index:
        result = index.add([folder], workers=workers, dask=dask)  # type: ignore[arg-type]
    assert result.added == len(list(folder.iterdir())), result
    return time.perf_counter() - t


def bench_commit(target: str, paths: list[str], rounds: int) -> float:
    items = list(_read_items(paths, workers=2))
    with ReferenceIndex(target) as index:
        t = time.perf_counter()
        for r in range(rounds):
            fresh = [
                dataclasses.replace(
                    it,
                    record=dataclasses.replace(it.record, sha256=hashlib.sha256(f"{r}:{it.record.sha256}".encode()).hexdigest()),
                )
                for it in items
            ]
            for i in range(0, len(fresh), 64):
                index._write(fresh[i : i + 64], [], source=None, url=None, published=None, label=None)
        return (time.perf_counter() - t) / (rounds * len(items))


def fill(target: str, n: int, *, start: int = 0, seed: int = 1) -> None:
    """n synthetic references (random hashes, 9 regions each) in transactions of 50,000."""
    rng = np.random.default_rng(seed)
    with ReferenceIndex(target) as index:
        con = index._con
        step = 50_000
        for s in range(start, start + n, step):
            k = min(step, start + n - s)
            h = rng.integers(-(2**63), 2**63 - 1, (k, 2 + len(REGIONS)), dtype=np.int64)
            with index._writing():
                files = [(s + i + 1, f"{s + i:064x}", f"/synthetic/{s + i}.jpg", "image", "2026-01-01") for i in range(k)]
                refs = [(s + i + 1, int(h[i, 0]), int(h[i, 1]), h[i, 2:].astype("<i8").tobytes()) for i in range(k)]
                if index._pg is not None:
                    raw = index._pg._con
                    with raw.cursor() as cur:
                        with cur.copy("COPY files (id, sha256, path, kind, added_at) FROM STDIN") as copy:
                            for row in files:
                                copy.write_row(row)
                        with cur.copy("COPY refs (file_id, phash, dhash, regions) FROM STDIN") as copy:
                            for row in refs:
                                copy.write_row(row)
                else:
                    con.executemany("INSERT INTO files (id, sha256, path, kind, added_at) VALUES (?, ?, ?, ?, ?)", files)
                    con.executemany("INSERT INTO refs (file_id, phash, dhash, regions) VALUES (?, ?, ?, ?)", refs)
        if index._pg is not None:  # COPY with explicit ids leaves the identity behind them
            con.execute("SELECT setval(pg_get_serial_sequence('files', 'id'), (SELECT MAX(id) FROM files))")
            con.execute("ANALYZE")


def bench_queries(target: str, n: int, query: Path) -> dict[str, float]:
    fill(target, n)
    with ReferenceIndex(target) as editor:
        editor.add([query], workers=1)
    out: dict[str, float] = {}
    with ReferenceIndex(target, read_only=True) as index:
        t = time.perf_counter()
        index.table()
        out["load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        matcher = Matcher(index)
        out["matcher_load_s"] = time.perf_counter() - t
        out["refresh_idle_ms"] = timed(matcher.refresh, 20)
        for key, start in (("refresh_grow_ms", n + 10), ("refresh_1000_ms", n + 2000)):  # another editor adds 1,000, twice
            fill(target, 1000, start=start, seed=start)
            t = time.perf_counter()
            r = matcher.refresh()
            out[key] = (time.perf_counter() - t) * 1000  # the first grows the arrays by half; the second writes in place
            assert r.added == 1000, r
        record = read_file(query)
        found = matcher.match([record], verify=False, refresh=False)
        assert found, "the query picture is in the index"
        out["query_ms"] = timed(lambda: matcher.match([record], verify=False), 20)  # with its refresh
        rid = int(found[0].reference.id)
        out["lookups_ms"] = timed(lambda: (index.contains_sha256(record.sha256 or ""), index.references([rid])), 50)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=200, help="files to ingest (1: only the query picture, no ingest figures)")
    ap.add_argument("--size", default="1280x960")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--refs", type=int, default=100_000)
    ap.add_argument("--dask", action="store_true", help="also ingest on a local Dask cluster")
    ap.add_argument("--pg", help="a PostgreSQL database to use (emptied tables expected); default: a throwaway server")
    args = ap.parse_args()
    size = tuple(int(x) for x in args.size.split("x"))
    server = None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pics"
        paths = make_files(folder, args.files, size)  # type: ignore[arg-type]
        if args.pg:
            targets = {"sqlite": lambda name: str(Path(tmp) / f"{name}.db"), "postgresql": lambda name: args.pg}
        else:
            from pgserver import Server

            server = Server()
            targets = {"sqlite": lambda name: str(Path(tmp) / f"{name}.db"), "postgresql": lambda name: server.database()}
        client = cluster = None
        if args.dask:
            import distributed

            cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=":0", silence_logs=40)
            client = distributed.Client(cluster)
        try:
            fl = floor(paths, args.workers)
            print(f"{args.files} JPEGs of {args.size}, {args.workers} processes; floor (read + 1/8 draft decode): {args.files / fl:.0f} files/s")
            for name, target in targets.items() if args.files > 1 else ():
                add_s = bench_add(target("add"), folder, args.workers, None)
                line = f"{name:10s} add: {args.files / add_s:6.0f} files/s ({fl / add_s:.2f} x floor)"
                if client is not None:
                    dask_s = bench_add(target("dask"), folder, args.workers, client)
                    line += f"; on Dask: {args.files / dask_s:6.0f} files/s ({fl / dask_s:.2f} x floor)"
                commit = bench_commit(target("commit"), paths[:128], rounds=4)
                line += f"; commit alone: {commit * 1e3:.2f} ms/file ({1 / commit:,.0f} files/s)"
                print(line, flush=True)
            for name, target in targets.items():
                q = bench_queries(target("query"), args.refs, Path(paths[0]))
                print(
                    f"{name:10s} {args.refs:,} refs: load arrays {q['load_s']:.2f} s, matcher {q['matcher_load_s']:.2f} s, "
                    f"refresh idle {q['refresh_idle_ms']:.2f} ms, refresh +1,000 {q['refresh_1000_ms']:.1f} ms "
                    f"({q['refresh_grow_ms']:.1f} ms when the arrays grow), "
                    f"whole-picture query with refresh {q['query_ms']:.2f} ms (of which the database's look-ups {q['lookups_ms']:.2f} ms)",
                    flush=True,
                )
        finally:
            if client is not None:
                client.close()
                cluster.close()  # type: ignore[union-attr]
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
