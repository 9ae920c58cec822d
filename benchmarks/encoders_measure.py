"""Measure the encoder signatures of the JPEG encoders installed here, and write them as data.

Makes one picture (seeded noise and gradients), saves it with each encoder at
qualities 30..100 and each option set, reads every file's signature with the
toolkit's own reader, and groups consecutive qualities whose signature is the
same into one entry. Writes ``forensics/knowledge/encoders_measured.py`` (each
entry names the tool's version and the settings) and prints a summary.

    python benchmarks/encoders_measure.py [--write] [--step 1]

Encoders: Pillow (default, optimize, progressive), OpenCV ``cv2.imwrite``,
libjpeg-turbo's ``cjpeg`` (default, -optimize, -progressive), ImageMagick
``convert`` (when the real one is installed). Missing tools are skipped, named.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forensics.read.files import read_file

OUT = Path(__file__).resolve().parents[1] / "forensics" / "knowledge" / "encoders_measured.py"
FIELDS = ("sampling", "huffman", "progressive", "scans", "jfif", "comment", "restart_interval", "app_segments")


def picture() -> np.ndarray:
    rng = np.random.default_rng(13)
    y, x = np.mgrid[0:240, 0:320]
    base = np.stack([x * 0.7, y * 0.9, (x + y) * 0.4], axis=-1)
    return np.clip(base + rng.normal(0, 18, base.shape), 0, 255).astype(np.uint8)


def _version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def encoders(tmp: Path):
    """(name, kind, version, settings label, save(quality, path)) for each encoder found here."""
    from PIL import Image, features

    pixels = picture()
    png = tmp / "in.png"
    ppm = tmp / "in.ppm"
    Image.fromarray(pixels).save(png)
    Image.fromarray(pixels).save(ppm)
    pil = f"Pillow {Image.__version__} (libjpeg-turbo {features.version('libjpeg_turbo')})"
    for label, kw in (("default options", {}), ("optimize=True", {"optimize": True}), ("progressive=True", {"progressive": True})):
        yield "Pillow", "library", pil, label, lambda q, p, kw=kw: Image.fromarray(pixels).save(p, quality=q, **kw)
    try:
        import cv2

        yield ("OpenCV", "library", f"OpenCV {cv2.__version__}", "cv2.imwrite IMWRITE_JPEG_QUALITY",
               lambda q, p: cv2.imwrite(str(p), pixels[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, q]))  # fmt: skip
    except ImportError:
        print("OpenCV not installed: skipped", file=sys.stderr)
    if shutil.which("cjpeg"):
        ver = _version(["cjpeg", "-version"])
        for label, opts in (("default options", []), ("-optimize", ["-optimize"]), ("-progressive", ["-progressive"])):
            yield ("libjpeg-turbo cjpeg", "library", ver, label,
                   lambda q, p, o=opts: subprocess.run(["cjpeg", "-quality", str(q), *o, "-outfile", str(p), str(ppm)], check=True))  # fmt: skip
    else:
        print("cjpeg not installed: skipped", file=sys.stderr)
    # the first real ImageMagick on the path, or Debian's (a stand-in script may come first)
    found = [c for c in (shutil.which("magick"), shutil.which("convert"), "/usr/bin/convert") if c and os.path.exists(c)]
    convert = next((c for c in found if b"Stands in for ImageMagick" not in Path(c).read_bytes()[:400]), None)
    if convert:
        ver = _version([convert, "-version"])
        yield ("ImageMagick", "library", ver, "convert -quality",
               lambda q, p: subprocess.run([convert, str(png), "-quality", str(q), str(p)], check=True))  # fmt: skip
    else:
        print("ImageMagick convert not installed: skipped", file=sys.stderr)


def measure(step: int = 1) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for name, kind, version, label, save in encoders(tmp):
            runs: list[tuple[int, tuple]] = []
            for q in range(30, 101, step):
                path = tmp / f"out-{q}.jpg"
                save(q, path)
                r = read_file(path, hashes=False)
                jpeg, sig = r.metadata.jpeg, r.signature
                if jpeg is None or sig is None or not jpeg.standard_tables or jpeg.quality != q:
                    print(f"{name} {label} q{q}: tables not the standard ones at {q} ({jpeg and jpeg.quality})", file=sys.stderr)
                    continue
                key = tuple(getattr(sig, f) for f in FIELDS)
                if runs and runs[-1][1] == key and runs[-1][0] == q - step:
                    runs[-1] = (q, key)
                    entries[-1]["quality"] = (entries[-1]["quality"][0], q)  # type: ignore[index]
                    continue
                runs.append((q, key))
                entries.append({
                    "name": name, "kind": kind, "quality": (q, q),
                    "source": f"{version}, {label}, qualities {{}} (benchmarks/encoders_measure.py)",
                    **dict(zip(FIELDS, key)),
                })  # fmt: skip
    for e in entries:
        lo, hi = e["quality"]  # type: ignore[misc]
        e["source"] = str(e["source"]).format(f"{lo}-{hi}" if lo != hi else lo)
    return entries


def write(entries: list[dict[str, object]]) -> None:
    lines = [
        '"""Encoder signatures measured here; written by ``python benchmarks/encoders_measure.py --write``, do not edit."""',
        "",
        "MEASURED: tuple[dict[str, object], ...] = (",
    ]
    for e in entries:
        lines.append("    {")
        for k, v in e.items():
            lines.append(f"        {k!r}: {v!r},")
        lines.append("    },")
    lines.append(")")
    OUT.write_text("\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")
    ap.add_argument("--step", type=int, default=1)
    args = ap.parse_args()
    entries = measure(args.step)
    for e in entries:
        print(
            f"{e['name']:22} q{e['quality'][0]:>3}-{e['quality'][1]:<3} {e['sampling']} {e['huffman']:8} "  # type: ignore[index]
            f"{'progressive' if e['progressive'] else 'baseline':11} {','.join(e['app_segments'])} {e['jfif']}  [{e['source']}]"
        )  # type: ignore[arg-type]
    if args.write:
        write(entries)
        print(f"wrote {len(entries)} entries to {OUT}")


if __name__ == "__main__":
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    main()
