"""Hostile input against the further analyses: each test builds the file that once broke a promise."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from forensics.cli import cli
from forensics.read import decode


def _noise_jpeg(side: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray((np.random.default_rng(0).random((side, side, 3)) * 255).astype(np.uint8)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def test_the_pixel_searches_keep_to_the_memory_budget():
    # the searches take about 260 bytes per working pixel: a 1024² picture would need 270 MB against a 64 MB budget
    pytest.importorskip("cv2")
    from forensics.pixels.analysis import BYTES_PER_PIXEL, pixel_analysis

    data = _noise_jpeg(1024)
    with decode.limited(memory_budget=64 << 20):
        found = pixel_analysis(data)
    assert found.analysed and found.size == (1024, 1024)
    assert max(found.working) ** 2 * BYTES_PER_PIXEL <= 64 << 20 and max(found.working) >= 480
    with decode.limited(memory_budget=1 << 20):  # not even 128² fits: said, not run
        found = pixel_analysis(data)
    assert not found.analysed and found.reason is not None and "memory budget" in found.reason
    with decode.limited(memory_budget=0):  # no budget: the full working size
        assert pixel_analysis(data).working == (1024, 1024)


def test_a_password_in_a_url_libpq_cannot_parse_is_never_shown():
    # urllib refuses the broken IPv6 host, so the password was not known to scrub; libpq quotes the URL whole
    pytest.importorskip("psycopg")
    for url in ("postgresql://desk:s3cretPW@[::1/db", "postgresql://desk:s3cret%50W@[::1/db?password=0therPW"):
        result = CliRunner().invoke(cli, ["index", "stats", url])
        assert result.exit_code != 0 and "cannot connect" in result.output
        assert "s3cret" not in result.output and "0therPW" not in result.output and "Traceback" not in result.output


def test_the_coefficient_analysis_keeps_to_the_memory_budget(tmp_path):
    # jpeglib holds every component's coefficients twice: a 9000² progressive 4:4:4 file took 1.7 GB under a 1 GiB budget
    from forensics.pixels.double import analyse_double

    path = tmp_path / "p.jpg"
    ramp = np.add.outer(np.arange(512), np.arange(512)) % 256
    picture = Image.fromarray(np.stack([ramp, ramp.T, 255 - ramp], axis=2).astype(np.uint8))
    picture.save(path, "JPEG", quality=90, progressive=True, subsampling=0)
    # the decode fits in 3 MiB (2.5 MiB: the picture and the coefficients, 2 bytes a pixel per component); the analysis does not
    with decode.limited(memory_budget=3 << 20):
        assert decode.refusal(decode.open_picture(path.read_bytes())) is None
        found = analyse_double(path)
    assert found.error is not None and found.error.startswith("refused: analysing its coefficients would need about")
    with decode.limited(memory_budget=64 << 20):
        assert analyse_double(path).error is None


def test_the_calibration_in_strips_is_the_whole_picture_s():
    from forensics.pixels import double

    rng = np.random.default_rng(2)
    steps = np.arange(1, 65).reshape(8, 8)
    for shape in ((100, 130), (8, 8), (12, 20), (2049, 1031)):
        luma = (rng.random(shape) * 255).astype(np.uint8)
        whole = double._blocks(luma, 4, 4)
        expected = np.stack([np.rint(whole[:, :, r, c].ravel() / steps[r, c]) for r, c in double.MODES], axis=1)
        assert np.array_equal(double._calibration(luma, steps), expected.reshape(-1, len(double.MODES)))


def test_an_analysis_that_did_not_run_is_said(tmp_path):
    # a baseline JPEG declaring 9000² (4 KB of data) is read, but its coefficients would take 1.2 GiB: said, not silent
    pytest.importorskip("cv2")
    src = io.BytesIO()
    Image.fromarray((np.random.default_rng(3).random((96, 128, 3)) * 255).astype(np.uint8)).save(src, "JPEG", quality=85)
    data = bytearray(src.getvalue())
    at = data.find(b"\xff\xc0")
    data[at + 5 : at + 9] = (9000).to_bytes(2, "big") * 2
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "big.jpg").write_bytes(bytes(data))
    result = CliRunner().invoke(cli, ["scan", str(tmp_path / "ev"), "--pixels", "--json", "-q", "-w", "1", "--memory-budget", "256M"])
    image = json.loads(result.stdout)["images"][0]
    assert image["error"] is None
    said = {f["evidence"]["analysis"]: f["message"] for f in image["findings"] if f["check"] == "pixels-not-analysed"}
    assert "double-compression" in said and "budget" in said["double-compression"], image["findings"]
