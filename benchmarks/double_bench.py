"""Double-compression detection and false alarms per quality pair, on camera-like originals.

Camera-like originals: the corpus's camera JPEGs (``../shared/corpora``), decoded,
halved (the resampling removes the camera's own block grid, so the result is a
never-compressed picture with a camera's texture and noise) and cut to at most
``--side`` pixels. Each is then saved

* once at Q2 (the control: a false alarm when reported double),
* at Q1 then at Q2 on the same grid (aligned),
* at Q1, cropped by (5, 3) pixels, then at Q2 (shifted),

with Pillow (libjpeg-turbo, 4:2:0), and analysed by ``analyse_double``. Then every
corpus JPEG that names a camera is analysed as it is (single-compressed by its
camera): the share reported ``double-compressed`` above ``info`` is the false alarm
on genuine originals.

    python benchmarks/double_bench.py [--limit 24] [--side 768]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forensics.checks.encoding import DOUBLE_NOTICE  # noqa: E402
from forensics.pixels.double import analyse_double  # noqa: E402
from forensics.read.files import read_file  # noqa: E402

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
FIRST = (60, 70, 80, 90)
SECOND = (70, 80, 90, 95)


def camera_files() -> list[Path]:
    out = []
    for folder in ("camera-jpegs", "exif-samples"):
        for p in sorted((CORPORA / folder).rglob("*")):
            if p.suffix.lower() in (".jpg", ".jpeg") and "invalid" not in p.parts:
                out.append(p)
    return out


def originals(files: list[Path], side: int, limit: int) -> list[np.ndarray]:
    out = []
    for p in files:
        try:
            with Image.open(p) as im:
                rgb = im.convert("RGB")
        except Exception:  # noqa: BLE001 - a damaged sample is skipped
            continue
        rgb = rgb.resize((rgb.width // 2, rgb.height // 2), Image.Resampling.LANCZOS)
        if min(rgb.size) < 256:
            continue
        w, h = min(rgb.width, side), min(rgb.height, side)
        x, y = (rgb.width - w) // 2, (rgb.height - h) // 2
        out.append(np.asarray(rgb.crop((x, y, x + w, y + h))))
        if len(out) >= limit:
            break
    return out


def _save(pixels: np.ndarray, q: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buf, "JPEG", quality=q)
    return buf.getvalue()


def _decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"))


def _analyse(data: bytes, tmp: Path):
    tmp.write_bytes(data)
    return analyse_double(tmp, data=data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=24, help="camera-like originals to make")
    ap.add_argument("--side", type=int, default=768, help="largest side of each original")
    args = ap.parse_args()
    if not CORPORA.is_dir():
        sys.exit(f"no corpora at {CORPORA}")
    files = camera_files()
    pics = originals(files, args.side, args.limit)
    tmp = Path("/tmp") / "double_bench.jpg"
    print(f"{len(pics)} camera-like originals (from {len(files)} corpus JPEGs), at most {args.side} px\n")
    print(
        f"{'Q1':>3} {'Q2':>3} | {'aligned det.':>12} {'q1 right':>8} | {'shifted det.':>12} {'shift right':>11} {'≥ notice':>8} | {'single false alarm':>18}"
    )
    t0, analyses = time.perf_counter(), 0
    for q2 in SECOND:
        singles = [_analyse(_save(p, q2), tmp) for p in pics]
        analyses += len(singles)
        false = sum(c.double for c in singles) / len(singles)
        for q1 in FIRST:
            if q1 == q2:
                continue
            aligned, shifted = [], []
            for p in pics:
                first = _decode(_save(p, q1))
                aligned.append(_analyse(_save(first, q2), tmp))
                shifted.append(_analyse(_save(first[3:, 5:], q2), tmp))
            analyses += 2 * len(pics)
            a_det = sum(c.double for c in aligned) / len(pics)
            a_ok = sum(c.double and c.first_quality == q1 for c in aligned) / len(pics)
            s_det = sum(c.double for c in shifted) / len(pics)
            s_ok = sum(c.double and c.shift == (3, 5) for c in shifted) / len(pics)
            s_notice = sum(c.double and c.score >= DOUBLE_NOTICE for c in shifted) / len(pics)
            print(f"{q1:>3} {q2:>3} | {a_det:>12.0%} {a_ok:>8.0%} | {s_det:>12.0%} {s_ok:>11.0%} {s_notice:>8.0%} | {false:>18.0%}")
    per = (time.perf_counter() - t0) / max(analyses, 1)
    print(f"\n{analyses} files analysed, {per * 1000:.0f} ms each (encoding included)")
    # genuine single-compressed originals, as the cameras wrote them
    fired = notice = total = 0
    names = []
    for p in files:
        r = read_file(p, hashes=False)
        if r.error or not (r.metadata.make or r.metadata.model):
            continue
        c = analyse_double(p)
        if c.error:
            continue
        total += 1
        fired += c.double
        if c.double and c.score >= DOUBLE_NOTICE:
            notice += 1
            names.append(f"{p.parent.name}/{p.name} (first ~{c.first_quality:g}, score {c.score:.2f})")
    print(f"\ncorpus camera JPEGs analysed as they are: {total}; reported double: {fired} ({fired / max(total, 1):.1%}); "
          f"above info: {notice} ({notice / max(total, 1):.1%})")  # fmt: skip
    for n in names:
        print("  ", n)


if __name__ == "__main__":
    main()
