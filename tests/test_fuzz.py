"""Fuzzing every supported format: a damaged or hostile file never takes a scan down.

Seeds of each format (JPEG baseline and progressive, PNG, WebP, GIF, TIFF, BMP,
HEIF where pillow-heif writes it, MP4 and AVI from OpenCV) are mutated: bytes
flipped, the file cut, junk inserted, the size declared in its headers made
huge. Each mutant is read here, its peak memory measured (the kernel's
high-water mark of this process, reset before each read: C allocations count,
which ``tracemalloc`` would miss, but only the pages written). Then all of them
are scanned together in worker processes, in a child process whose address
space leaves room for the budget and little more, so that an allocation past
the budget fails, written to or not, and shows in the report.
"""

from __future__ import annotations

import io
import json
import os
import re
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import imagegen
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.read.files import read_file
from forensics.read.pool import READ_CRASHED

BUDGET = 64 << 20  # small, so that a modest declared size already needs more
SLACK = 48 << 20  # resident besides the decode: the file, Python's objects, the video decoder's first buffers
MARGIN = 192 << 20  # address space besides the decode: the pool's threads, their stacks, the file, the hashes
SIZE = (77, 51)  # odd numbers, found in a header only where they are the size
VIDEO_SIZE = (88, 72)
HUGE = (3000, 6000, 9000, 12000, 16383, 46341, 65535, 1 << 20)  # within the pixel limits and past them
HEADER = 4096  # where most damage goes


def _save(image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kwargs)
    return buf.getvalue()


def _video(path: Path, fourcc: str) -> bytes:
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 10, VIDEO_SIZE)
    if not writer.isOpened():
        pytest.skip(f"OpenCV cannot write {fourcc}")
    for i in range(8):
        writer.write(np.asarray(imagegen.photo(i, VIDEO_SIZE))[:, :, ::-1].copy())
    writer.release()
    return path.read_bytes()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, bytes]:
    picture = imagegen.photo(5, SIZE)
    out = {
        "baseline.jpg": _save(picture, "JPEG", quality=85),
        "progressive.jpg": _save(picture, "JPEG", quality=85, progressive=True),
        "rgba.png": _save(picture.convert("RGBA"), "PNG"),
        "photo.webp": _save(picture, "WEBP", quality=80),
        "palette.gif": _save(picture.convert("P"), "GIF"),
        "photo.tif": _save(picture, "TIFF", compression="tiff_lzw"),
        "photo.bmp": _save(picture, "BMP"),
    }
    try:
        import pillow_heif

        buf = io.BytesIO()
        pillow_heif.from_pillow(picture).save(buf, quality=70)
        out["photo.heic"] = buf.getvalue()
    except Exception:  # noqa: BLE001 - no HEIF encoder in this build: the other formats still run
        pass
    folder = tmp_path_factory.mktemp("videos")
    out["clip.mp4"] = _video(folder / "clip.mp4", "mp4v")
    out["clip.avi"] = _video(folder / "clip.avi", "MJPG")
    return out


# --- mutations ---------------------------------------------------------------------------------

# in the header mostly, past the signatures (which sniffing refuses at once), anywhere else too
position = st.one_of(st.integers(12, HEADER), st.floats(0.01, 1))
damage = st.one_of(
    st.tuples(st.just("flip"), st.lists(st.tuples(position, st.integers(0, 255)), min_size=1, max_size=8)),
    st.tuples(st.just("cut"), st.floats(0.02, 0.98)),
    st.tuples(st.just("insert"), position, st.binary(min_size=1, max_size=64)),
)
declared = st.none() | st.tuples(st.sampled_from(("both", "width", "height")), st.sampled_from(HUGE))


def _at(data: bytes | bytearray, where: int | float) -> int:
    return min(where, len(data) - 1) if isinstance(where, int) else int(where * (len(data) - 1))


def _encodings(value: int):
    """How headers write a size, longest first (a 16-bit pattern lies inside the 32-bit ones)."""
    yield struct.pack(">I", value << 16), lambda v: struct.pack(">I", min(v, 0xFFFF) << 16)  # 16.16 fixed (MP4)
    yield struct.pack(">I", value), lambda v: struct.pack(">I", v)
    yield struct.pack("<I", value), lambda v: struct.pack("<I", v)
    yield struct.pack(">H", value), lambda v: struct.pack(">H", min(v, 0xFFFF))
    yield struct.pack("<H", value), lambda v: struct.pack("<H", min(v, 0xFFFF))


def declare(data: bytes, value: int, huge: int) -> bytes:
    """``data`` with every encoding of ``value`` replaced by ``huge``: in its headers, wherever
    they are (a TIFF's directory may follow the pixels; each frame of an MJPEG video has its
    own), and by chance in its data, which is damage as well."""
    for pattern, encode in _encodings(value):
        data = data.replace(pattern, encode(huge))
    return data


def _png_crcs(data: bytes) -> bytes:
    """A PNG with each chunk's CRC made right again, so that the decoder meets the sizes, not a checksum."""
    out, i = bytearray(data[:8]), 8
    while i + 12 <= len(data):
        length = int.from_bytes(data[i : i + 4], "big")
        body = data[i + 4 : i + 8 + length]
        if i + 12 + length > len(data):
            break
        out += data[i : i + 8 + length] + struct.pack(">I", zlib.crc32(body))
        i += 12 + length
    return bytes(out + data[i:])


def mutate(name: str, data: bytes, size, steps) -> bytes:
    """The seed with its declared size made huge (``size``: which side, to what; None: as it is),
    then damaged by each step."""
    if size is not None:
        which, huge = size
        width, height = VIDEO_SIZE if name.startswith("clip") else SIZE
        if which in ("width", "both"):
            data = declare(data, width, huge)
        if which in ("height", "both"):
            data = declare(data, height, huge)
        if name.endswith(".png"):
            data = _png_crcs(data)
    for step in steps:
        kind = step[0]
        if kind == "flip":
            buf = bytearray(data)
            for where, value in step[1]:
                buf[_at(buf, where)] = value
            data = bytes(buf)
        elif kind == "cut":
            data = data[: max(1, int(len(data) * step[1]))]
        else:
            at = _at(data, step[1])
            data = data[:at] + step[2] + data[at:]
    return data


# --- the test ----------------------------------------------------------------------------------


def _peak_tracker():
    """Measure the growth of this process's resident size during a call, C allocations included
    (Linux: the high-water mark is reset by writing 5 to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return None

    def field(name: str) -> int:
        with open("/proc/self/status") as f:
            return int(re.search(rf"{name}:\s+(\d+)", f.read()).group(1)) * 1024

    def peak(call):
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = field("VmRSS")
        result = call()
        return result, field("VmHWM") - before

    return peak


@pytest.mark.slow  # about ten seconds: 160 mutants read here, then all of them scanned in a child process
def test_fuzzed_files_of_every_format_never_take_a_scan_down(seeds, tmp_path):
    folder = tmp_path / "mutants"
    folder.mkdir()
    peak = _peak_tracker()
    for name, data in seeds.items():  # the decoders' libraries loaded and warm before anything is measured
        (tmp_path / name).write_bytes(data)
        assert read_file(tmp_path / name).error is None, name
    written: list[Path] = []

    @settings(max_examples=160, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(name=st.sampled_from(sorted(seeds)), size=declared, steps=st.lists(damage, max_size=2))
    def read_one(name, size, steps):
        path = folder / f"{len(written):04d}-{name}"
        path.write_bytes(mutate(name, seeds[name], size, steps))
        written.append(path)
        call = lambda: read_file(path, memory_budget=BUDGET)  # noqa: E731
        record, grew = peak(call) if peak else (call(), 0)
        assert record.sha256 and (record.error or record.hashes is not None or record.kind == "video")
        assert not (record.error and _failed(record.error)), f"{path.name}: {record.error}"
        assert grew < BUDGET + SLACK, f"{path.name}: resident size grew by {grew >> 20} MiB ({record.error})"

    read_one()

    # All of them at once, as a scan reads them: in workers, in a child process whose address
    # space leaves room for the budget and little more. The libraries are loaded (and the seeds
    # read) first, so that what is left is for the files; an allocation past it fails, and the
    # error says so in the report.
    seed_paths = [str(tmp_path / name) for name in seeds]
    script = textwrap.dedent(
        f"""
        import json, re, resource
        import cv2, numpy, PIL.Image
        from forensics import read_file, scan
        for path in {seed_paths!r}:
            read_file(path)
        with open("/proc/self/status") as f:
            size = int(re.search(r"VmSize:\\s+(\\d+)", f.read()).group(1)) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size + {BUDGET + MARGIN}, resource.RLIM_INFINITY))
        report = scan([{str(folder)!r}], workers=2, memory_budget={BUDGET}, time_limit=30)
        print(json.dumps({{
            "errors": {{r.name: r.error for r in report.images}},
            "children_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        }}))
        """
    )
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}  # each thread's malloc arena would reserve 64 MiB of address space
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]  # no exception escaped scan()
    out = json.loads(done.stdout.strip().splitlines()[-1])
    errors = out["errors"]
    assert sorted(errors) == sorted(p.name for p in written)  # every file is in the report
    failures = {n: e for n, e in errors.items() if e and _failed(e)}
    assert not failures
    assert out["children_rss"] < 200 << 20, f"a worker's resident size reached {out['children_rss'] >> 20} MiB"


def _failed(error: str) -> bool:
    """An error that is the reader's failure, not the file's: an allocation the budget should
    have prevented, a crashed worker, a read stopped at the time limit."""
    if error == READ_CRASHED or "reading stopped" in error:
        return True
    return bool(re.search(r"memory|alloc", error, re.IGNORECASE)) and "budget per file" not in error
