"""Bad input never raises: each broken file becomes an `unreadable` finding and the scan goes on."""

from __future__ import annotations

import io
import json
import os
import struct
import sys
import zlib

import imagegen
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics import read_file, scan
from forensics.cli import cli


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` pixels, with almost no data behind it."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (width + 1) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def exif_past_end() -> bytes:
    """A JPEG whose EXIF IFD0 points its Make string and its Exif IFD far past the end of the file."""
    tiff = b"MM\x00*" + struct.pack(">I", 8)
    entries = [
        struct.pack(">HHII", 0x010F, 2, 40, 0x7FFFFF00),  # Make: 40 bytes at an offset past the end
        struct.pack(">HHII", 0x8769, 4, 1, 0x7FFFFFF0),  # ExifIFD pointer past the end
    ]
    ifd = struct.pack(">H", len(entries)) + b"".join(entries) + struct.pack(">I", 0x7FFFFFFF)
    payload = b"Exif\x00\x00" + tiff + ifd
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    buf = io.BytesIO()
    imagegen.photo(0, (64, 48)).save(buf, "JPEG")
    data = buf.getvalue()
    return data[:2] + app1 + data[2:]


def _jpeg(seed=0, size=(96, 72)) -> bytes:
    buf = io.BytesIO()
    imagegen.photo(seed, size).save(buf, "JPEG", exif=imagegen.exif_bytes(thumbnail=imagegen.photo(seed, (32, 24))))
    return buf.getvalue()


BAD = {
    "empty.jpg": (b"", "empty file"),
    "truncated.jpg": (None, "truncated"),  # filled in below
    "cut-in-header.jpg": (None, "cannot open as JPEG"),
    "text.jpg": (b"just some text, not a picture\n", "not a recognised image"),
    "bomb.png": (bomb_png(30000, 30000), "decompression bomb"),
    "bomb-warning.png": (bomb_png(15000, 15000), "decompression bomb"),
    "header-only.jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", "cannot"),
    "garbage.png": (b"\x89PNG\r\n\x1a\n" + os.urandom(0) + b"\x00" * 40, "cannot"),
}


@pytest.fixture
def bad_folder(tmp_path):
    good = _jpeg()
    big = _jpeg(1, (320, 240))
    cuts = {"truncated.jpg": big[: len(big) * 4 // 5], "cut-in-header.jpg": good[:300]}
    for name, (data, _) in BAD.items():
        (tmp_path / name).write_bytes(cuts[name] if data is None else data)
    (tmp_path / "good.jpg").write_bytes(good)
    (tmp_path / "exif-past-end.jpg").write_bytes(exif_past_end())
    return tmp_path


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_bad_file_has_a_reason(bad_folder, name):
    r = read_file(bad_folder / name)
    assert r.error and BAD[name][1] in r.error, r.error


def test_metadata_of_a_truncated_file_is_kept(bad_folder):
    r = read_file(bad_folder / "truncated.jpg")
    assert r.metadata.make == "Apple" and r.metadata.thumbnail.present


def test_exif_offsets_past_the_end_are_survived(bad_folder):
    r = read_file(bad_folder / "exif-past-end.jpg")
    assert r.error is None and r.hashes is not None  # the picture is fine; the metadata is simply not there
    assert r.metadata.make is None


def test_scan_goes_on_and_reports_every_file(bad_folder):
    report = scan([bad_folder], workers=1)
    assert len(report.images) == len(BAD) + 2
    unreadable = {os.path.basename(f.paths[0]) for f in report.findings if f.check == "unreadable" and f.severity.value == "warning"}
    assert unreadable == set(BAD)
    good = next(r for r in report.images if r.name == "good.jpg")
    assert good.error is None and good.hashes is not None


def test_cli_exit_status_and_no_traceback(bad_folder):
    runner = CliRunner()
    result = runner.invoke(cli, ["scan", str(bad_folder), "--json"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    doc = json.loads(result.stdout)
    assert doc["summary"]["unreadable"] == len(BAD)
    result = runner.invoke(cli, ["scan", str(bad_folder / "good.jpg")])
    assert result.exit_code == 0


def test_unreadable_permission(tmp_path):
    path = tmp_path / "locked.jpg"
    path.write_bytes(_jpeg())
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # root reads through chmod 000; simulate the refusal the way the OS reports it
        import builtins

        real_open = builtins.open

        def deny(file, *args, **kwargs):
            if os.fspath(file) == str(path):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(file, *args, **kwargs)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(builtins, "open", deny)
            r = read_file(path)
    else:
        path.chmod(0)
        try:
            r = read_file(path)
        finally:
            path.chmod(0o644)
    assert r.error == "cannot read file: Permission denied"


def test_fifo_does_not_block(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    r = read_file(fifo)
    assert r.error == "cannot read file: not a regular file"


def test_animated_and_odd_modes(tmp_path):
    frames = [imagegen.photo(i, (64, 48)) for i in range(3)]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:])
    imagegen.photo(0, (64, 48)).convert("CMYK").save(tmp_path / "cmyk.jpg")
    imagegen.photo(0, (64, 48)).convert("I;16").save(tmp_path / "deep.png")
    imagegen.photo(0, (64, 48)).convert("RGBA").save(tmp_path / "alpha.webp")
    imagegen.photo(0, (64, 48)).save(tmp_path / "b.bmp")
    imagegen.photo(0, (64, 48)).save(tmp_path / "c.tif", compression="tiff_lzw")
    report = scan([tmp_path], workers=1)
    assert [r.error for r in report.images] == [None] * 6
    assert all(r.hashes is not None for r in report.images)


_SEED_JPEG = _jpeg(3, (80, 60))


@settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cut=st.integers(min_value=0, max_value=len(_SEED_JPEG)),
    flips=st.lists(st.tuples(st.integers(0, len(_SEED_JPEG) - 1), st.integers(0, 255)), max_size=12),
    insert=st.binary(max_size=64),
    at=st.integers(0, len(_SEED_JPEG)),
)
def test_fuzz_read_file_never_raises(tmp_path_factory, cut, flips, insert, at):
    data = bytearray(_SEED_JPEG)
    for i, v in flips:
        data[i] = v
    data = bytes(data[:at]) + insert + bytes(data[at:])
    data = data[: max(cut, 1)] if cut < len(_SEED_JPEG) // 2 else data
    path = tmp_path_factory.mktemp("fuzz") / "f.jpg"
    path.write_bytes(data)
    r = read_file(path)  # must not raise
    assert r.sha256 and (r.error or r.hashes is not None)


def test_exif_ifd_loops_end(tmp_path):
    """IFD0's next-IFD pointer and its Exif IFD pointer both point back at IFD0."""
    tiff = b"MM\x00*" + struct.pack(">I", 8)
    entries = [struct.pack(">HHII", 0x010F, 2, 4, 0x41424300), struct.pack(">HHII", 0x8769, 4, 1, 8)]
    ifd = struct.pack(">H", len(entries)) + b"".join(entries) + struct.pack(">I", 8)
    payload = b"Exif\x00\x00" + tiff + ifd
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    data = _jpeg()
    (tmp_path / "loop.jpg").write_bytes(data[:2] + app1 + data[2:])
    (tmp_path / "loop.tif").write_bytes(tiff + ifd)
    jpeg, tif = read_file(tmp_path / "loop.jpg"), read_file(tmp_path / "loop.tif")
    assert jpeg.error is None and jpeg.metadata.make == "ABC"
    assert tif.error and tif.metadata.make == "ABC"  # no picture in it, but what EXIF says is kept


def test_a_200_megapixel_phone_jpeg_is_read_not_refused(tmp_path):
    """Reduced decoding makes a 200-MP JPEG cheap, so only absurd sizes are refused as bombs."""
    from PIL import Image

    from forensics import read_file

    path = tmp_path / "200mp.jpg"
    Image.new("L", (16320, 12240), 128).save(path, quality=50)
    record = read_file(path)
    assert record.error is None, record.error
    assert (record.width, record.height) == (16320, 12240) and record.hashes is not None


def test_damaged_tiffs_leave_stderr_clean_in_a_parallel_scan(tmp_path):
    """libtiff prints damage notes to the stderr descriptor; reading processes silence them."""
    import random
    import subprocess

    import numpy as np
    from PIL import Image

    base = tmp_path / "base.tif"
    Image.fromarray((np.random.default_rng(1).random((300, 400, 3)) * 255).astype("uint8")).save(base, compression="tiff_lzw")
    data = base.read_bytes()
    for k in range(8):
        b, r = bytearray(data), random.Random(k)
        for _ in range(30):
            b[r.randrange(200, len(b))] = r.randrange(256)
        (tmp_path / f"d{k}.tif").write_bytes(bytes(b))
    done = subprocess.run(
        [sys.executable, "-m", "forensics", "scan", str(tmp_path), "--json", "--quiet", "--workers", "2"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode in (0, 1) and json.loads(done.stdout)["summary"]["files"] == 9
    assert done.stderr == ""
