"""How long the HTML report takes and how large it gets, for a set of N phone-like photos.

    python benchmarks/bench_html.py [N] [--side 1280] [--workers 2] [--folder DIR]

Makes N seeded JPEGs (camera EXIF, GPS, thumbnail) in a temporary folder, scans
them, then times ``render_html`` with and without error level analysis, and
prints seconds, ms per file and the size of the page.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def make(folder: Path, n: int, side: int) -> None:
    import numpy as np
    from imagegen import camera_jpeg, photo
    from PIL import Image

    base = [photo(s, (640, 480)) for s in range(8)]
    rng = np.random.default_rng(0)
    for i in range(n):
        img = base[i % 8].resize((side, side * 3 // 4), Image.Resampling.BILINEAR)
        arr = np.asarray(img, np.int16) + rng.integers(-12, 13, (side * 3 // 4, side, 1), dtype=np.int16)
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
        day, minute = 12 + (i // 100) % 10, i % 60
        camera_jpeg(folder / f"IMG_{i:04d}.JPG", image=img, gps=(34.5 + (i % 7) * 0.1, 38.2 + (i % 5) * 0.1),
                    datetime_original=f"2016:06:{day:02d} {9 + i % 10:02d}:{minute:02d}:00")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=200)
    ap.add_argument("--side", type=int, default=1280)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--folder", help="keep the pictures here and reuse them on the next run")
    args = ap.parse_args()

    from forensics import scan
    from forensics.render.html import render_html

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.folder) if args.folder else Path(tmp) / "set"
        if not (folder.is_dir() and len(list(folder.iterdir())) == args.n):
            folder.mkdir(parents=True, exist_ok=True)
            t = time.perf_counter()
            make(folder, args.n, args.side)
            print(f"made {args.n} JPEGs of {args.side} px in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        report = scan([str(folder)], workers=args.workers)
        scan_s = time.perf_counter() - t
        print(f"scan: {scan_s:.1f} s ({1000 * scan_s / args.n:.1f} ms/file)")
        for ela in (False, True):
            t = time.perf_counter()
            page = render_html(report, ela=ela, workers=args.workers)
            s = time.perf_counter() - t
            print(f"render_html(ela={ela}): {s:.1f} s ({1000 * s / args.n:.1f} ms/file), "
                  f"{len(page.encode()) / 1e6:.1f} MB ({len(page.encode()) / 1e3 / args.n:.0f} kB/file)")  # fmt: skip


if __name__ == "__main__":
    main()
