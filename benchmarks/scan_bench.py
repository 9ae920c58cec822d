"""Scan speed against the floor: reading the bytes and decoding each JPEG at 1/8 scale.

Generates (once, seeded, cached under ``benchmarks/_data/``) 12-megapixel
phone-like JPEGs: photo-like texture and sensor noise at quality 90, 4:2:0,
full EXIF with GPS and a 160×120 thumbnail, 2–5 MB each. Then measures, in one
run, images per second for

* the floor: read the file, ``Image.draft("L", (w // 8, h // 8))``, decode;
* ``forensics.scan()`` with one and with two worker processes;
* the command line end to end (``python -m forensics scan DIR -o FILE``,
  interpreter start-up included), with one worker and with the default.

CPU time counts the worker processes too (they are this process's children).
The package's modules are byte-compiled first (``compileall``), as a wheel
install leaves them: where ``PYTHONDONTWRITEBYTECODE`` is set and the package
is installed in editable mode, every command would otherwise compile about 90
modules again (0.3–0.6 s).

Usage::

    python benchmarks/scan_bench.py [--images 24] [--repeat 3] [--profile]
    python benchmarks/scan_bench.py --images 60 --repeat 3 --only-one-worker
"""

from __future__ import annotations

import argparse
import compileall
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "_data" / "phone12mp"
SIZE = (4032, 3024)
VERSION = 2  # bump when the generated files change


def _imagegen():
    sys.path.insert(0, str(ROOT / "tests"))
    import imagegen

    return imagegen


def _make_one(args: tuple[int, str]) -> int:
    seed, path = args
    imagegen = _imagegen()
    image = imagegen.photo(seed, SIZE, noise=8.0)
    thumb = image.resize((160, 120))
    exif = imagegen.exif_bytes(
        make="Apple", model="iPhone 7", software="10.3.2",
        datetime_original=f"2016:06:{1 + seed % 28:02d} {8 + seed % 12:02d}:{seed % 60:02d}:{(seed * 7) % 60:02d}",
        offset="+03:00", gps=(36.2 + seed / 1000, 37.1 + seed / 1000), gps_utc=("2016:06:01", (6, seed % 60, 0)),
        orientation=(1, 6)[seed % 2], size=SIZE, serial=None, thumbnail=thumb,
    )  # fmt: skip
    image.save(path, "JPEG", quality=90, subsampling="4:2:0", exif=exif)
    return os.path.getsize(path)


def ensure_images(n: int) -> list[Path]:
    """The first ``n`` benchmark JPEGs, generated where missing."""
    DATA.mkdir(parents=True, exist_ok=True)
    stamp = DATA.parent / "phone12mp.version"  # beside, not inside: the folder is scanned
    if not stamp.exists() or stamp.read_text().strip() != str(VERSION):
        for p in DATA.glob("*.jpg"):
            p.unlink()
        stamp.write_text(str(VERSION))
    paths = [DATA / f"IMG_{1000 + i}.JPG" for i in range(n)]
    todo = [(i, str(p)) for i, p in enumerate(paths) if not p.exists()]
    if todo:
        print(f"generating {len(todo)} 12-MP JPEGs under {DATA} (once)…", file=sys.stderr)
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            list(pool.map(_make_one, todo))
    return paths


def _floor_one(path: str) -> None:
    from PIL import Image

    with open(path, "rb") as f:
        data = f.read()
    im = Image.open(io.BytesIO(data))
    im.draft("L", (im.width // 8, im.height // 8))
    im.load()


def _floor_chunk(paths: list[str]) -> int:
    for p in paths:
        _floor_one(p)
    return len(paths)


def floor(paths: list[str], workers: int) -> float:
    """Seconds to read and 1/8-decode every file with ``workers`` processes."""
    t = time.perf_counter()
    if workers == 1:
        _floor_chunk(paths)
    else:
        size = max(1, len(paths) // (workers * 4))
        chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            sum(pool.map(_floor_chunk, chunks))
    return time.perf_counter() - t


def library(paths: list[str], workers: int) -> float:
    import forensics

    t = time.perf_counter()
    report = forensics.scan(paths, workers=workers)
    elapsed = time.perf_counter() - t
    if len(report.images) != len(paths) or report.unreadable:
        raise RuntimeError("every benchmark file must be read: the figures would mean nothing")
    return elapsed


def cli(folder: Path, workers: int | None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "forensics", "scan", str(folder), "--json", "-o", str(out), "--quiet"]
        if workers:
            cmd += ["--workers", str(workers)]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (pool workers, the CLI)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--images", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts")
    ap.add_argument("--profile", action="store_true", help="also print a cProfile of scan(workers=1)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--only-one-worker", action="store_true", help="only the floor, scan() and the CLI with one worker")
    args = ap.parse_args(argv)
    compileall.compile_dir(str(ROOT / "forensics"), quiet=1)

    paths = [str(p) for p in ensure_images(args.images)]
    n = len(paths)
    sizes = [os.path.getsize(p) for p in paths]
    for p in paths:  # warm the page cache
        Path(p).read_bytes()

    measures = {
        "floor, 1 process": lambda: floor(paths, 1),
        "scan(), workers=1": lambda: library(paths, 1),
        "CLI end to end, workers=1": lambda: cli(DATA, 1),
        "floor, 2 processes": lambda: floor(paths, 2),
        "scan(), workers=2": lambda: library(paths, 2),
        "CLI end to end, default workers": lambda: cli(DATA, None),
    }
    if args.only_one_worker:
        measures = {k: v for k, v in measures.items() if "1" in k}
    if args.images != len(list(DATA.glob("*.JPG"))):  # the CLI scans the whole folder
        measures = {k: v for k, v in measures.items() if not k.startswith("CLI")}
        print(f"(the CLI rows need --images {len(list(DATA.glob('*.JPG')))}: the command scans the whole folder)", file=sys.stderr)
    # Rounds interleave the measurements, so that a ratio compares runs made under the same load.
    # In-process runs also record CPU time, which other programs on the machine disturb far less.
    times: dict[str, list[float]] = {k: [] for k in measures}
    cpu: dict[str, list[float]] = {k: [] for k in measures if k.endswith(("1 process", "workers=1"))}
    for _ in range(args.repeat):
        for k, fn in measures.items():
            c = _cpu()
            times[k].append(fn())
            if k in cpu:
                cpu[k].append(_cpu() - c)
    rows = {k: min(v) for k, v in times.items()}
    cpu_rows = {k: min(v) for k, v in cpu.items()}

    base1, base2 = rows["floor, 1 process"], rows.get("floor, 2 processes", 0.0)
    result = {
        "images": n,
        "mean_mb": round(statistics.mean(sizes) / 1e6, 2),
        "cpus": os.cpu_count(),
        "rows": {
            k: {
                "seconds": round(v, 3),
                "images_per_s": round(n / v, 1),
                "ms_per_image": round(1000 * v / n, 1),
                "vs_floor_1": round(base1 / v, 2),
                "vs_floor_same_workers": round((base2 if "2" in k or "default" in k else base1) / v, 2) if base2 or "1" in k else None,
            }
            for k, v in rows.items()
        },
        "cpu": {
            k: {"cpu_seconds": round(v, 3), "ms_per_image": round(1000 * v / n, 1),
                "vs_floor": round(cpu_rows["floor, 1 process"] / v, 2)}  # fmt: skip
            for k, v in cpu_rows.items()
        },
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{n} JPEGs 4032×3024, mean {result['mean_mb']} MB, {result['cpus']} CPUs; fastest of {args.repeat} runs")
        print(f"{'':34} {'images/s':>9} {'ms/image':>9} {'× floor(1)':>11} {'× floor(same procs)':>20}")
        for k, r in result["rows"].items():
            print(f"{k:34} {r['images_per_s']:>9} {r['ms_per_image']:>9} {r['vs_floor_1']:>11} {r['vs_floor_same_workers']:>20}")
        print("CPU time (this process and its children):")
        for k, r in result["cpu"].items():
            print(f"{k:34} {'':>9} {r['ms_per_image']:>9} {r['vs_floor']:>11}")
    if args.profile:
        import cProfile
        import pstats

        import forensics

        prof = cProfile.Profile()
        prof.enable()
        forensics.scan(paths, workers=1)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
