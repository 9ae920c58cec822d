"""Hostile input against the further analyses: each test builds the file that once broke a promise."""

from __future__ import annotations

import io

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
    # SIFT's scale space takes about 240 bytes per working pixel: a 1024² picture would need 250 MB against a 64 MB budget
    pytest.importorskip("cv2")
    from forensics.pixels.analysis import BYTES_PER_PIXEL, pixel_analysis

    data = _noise_jpeg(1024)
    with decode.limited(memory_budget=64 << 20):
        found = pixel_analysis(data)
    assert found.analysed and found.size == (1024, 1024)
    assert max(found.working) ** 2 * BYTES_PER_PIXEL <= 64 << 20 and max(found.working) >= 500
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
