"""What Content Credentials cost a read: nothing for a file without them, the reader's validation for one with them.

Uses the 12-megapixel phone JPEGs of ``scan_bench.py`` (generated once under
``benchmarks/_data/``) and signs copies of them with a certificate chain made
here (``tests/c2pagen.py``). Measures, fastest of ``--repeat`` rounds:

* the header walk that looks for a store (:func:`forensics.read.jumbf.survey`) on
  unsigned files of each format, per file;
* the credentials step on the unsigned JPEGs, against the whole ``read_file``:
  what files without credentials pay;
* ``read_credentials`` on signed JPEGs (the SDK validating the whole file), per file and per MB;
* loading the SDK, once per process (the first signed file a worker meets).

Usage::

    python benchmarks/credentials_bench.py [--images 8] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import c2pagen
    from imagegen import photo
    from PIL import Image
    from scan_bench import ensure_images

    from forensics.read.credentials import read_credentials
    from forensics.read.files import read_file
    from forensics.read.jumbf import survey
    from forensics.read.sniff import sniff

    paths = ensure_images(args.images)
    datas = [p.read_bytes() for p in paths]
    mb = sum(len(d) for d in datas) / len(datas) / 1e6
    print(f"{len(paths)} unsigned 12-MP JPEGs, {mb:.1f} MB on average")

    # 1. the header walk, per format, on files without a store
    samples = {"JPEG": datas}
    big = photo(1, (4032, 3024))
    for fmt in ("PNG", "WEBP", "TIFF"):
        buf = io.BytesIO()
        big.save(buf, fmt, **({"compress_level": 1} if fmt == "PNG" else {"quality": 90} if fmt == "WEBP" else {}))
        samples[fmt] = [buf.getvalue()]
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
        buf = io.BytesIO()
        big.save(buf, "HEIF", quality=90)
        samples["HEIF"] = [buf.getvalue()]
    except ImportError:
        pass
    for fmt, blobs in samples.items():
        per = _best(lambda blobs=blobs, fmt=fmt: [survey(b, fmt) for b in blobs], args.repeat * 20) / len(blobs)
        print(f"survey, {fmt:5s} without a store ({len(blobs[0]) / 1e6:5.1f} MB): {per * 1e6:7.1f} µs per file")

    # 2. what the credentials step adds to reading an unsigned file, against the whole read
    ftype = sniff(datas[0][:64])
    step = _best(lambda: [read_credentials(str(p), d, ftype) for p, d in zip(paths, datas)], args.repeat * 20) / len(paths)
    whole = _best(lambda: [read_file(p) for p in paths], args.repeat) / len(paths)
    print(f"read_credentials, unsigned 12-MP JPEG: {step * 1e6:.1f} µs per file, {100 * step / whole:.3f}% of read_file "
          f"({whole * 1e3:.0f} ms); timing read_file with and without the step cannot tell them apart (±5% between runs)")  # fmt: skip

    # 3. signed JPEGs: the SDK validates the whole file
    chain = c2pagen.make_chain()
    signed = [c2pagen.sign(d, c2pagen.manifest(), chain) for d in datas]
    per = _best(lambda: [read_credentials("x.jpg", d, ftype) for d in signed], args.repeat) / len(signed)
    print(f"read_credentials, signed 12-MP JPEG: {per * 1e3:.1f} ms per file ({per * 1e3 / mb:.1f} ms per MB)")
    small = io.BytesIO()
    Image.new("RGB", (64, 48)).save(small, "JPEG")
    tiny = c2pagen.sign(small.getvalue(), c2pagen.manifest(), chain)
    per = _best(lambda: [read_credentials("x.jpg", tiny, ftype) for _ in range(20)], args.repeat) / 20
    print(f"read_credentials, signed tiny JPEG ({len(tiny)} bytes): {per * 1e3:.2f} ms per file (the fixed part)")

    # 4. loading the SDK once per process: the same tiny picture, signed and not
    with tempfile.TemporaryDirectory() as tmp:
        timings = {}
        for name, blob in (("signed", tiny), ("unsigned", small.getvalue())):
            path = Path(tmp) / f"{name}.jpg"
            path.write_bytes(blob)
            code = ("import time; from forensics.read.files import read_file; t = time.perf_counter(); "
                    f"read_file({str(path)!r}, hashes=False); print(time.perf_counter() - t)")  # fmt: skip
            runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout) for _ in range(3)]
            timings[name] = min(runs)
    print(f"first file read in a fresh process: {timings['signed'] * 1e3:.0f} ms signed (the SDK loads), "
          f"{timings['unsigned'] * 1e3:.0f} ms unsigned")

if __name__ == "__main__":
    main()
