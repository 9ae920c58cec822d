"""Double JPEG compression from the DCT coefficients."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from forensics.pipeline.scanning import scan
from forensics.pixels import double
from forensics.pixels.double import analyse_double


def _picture(seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:384, 0:512]
    base = np.stack(
        [128 + 60 * np.sin(x / 40) + 30 * np.cos(y / 23), 100 + 50 * np.cos(x / 31 + y / 57), 90 + 40 * np.sin((x + y) / 50)], -1
    )
    return np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)


def _twice(tmp_path, q1: int, q2: int, crop: tuple[int, int] = (0, 0)) -> str:
    first = tmp_path / "first.jpg"
    Image.fromarray(_picture()).save(first, quality=q1)
    with Image.open(first) as im:
        pixels = np.asarray(im)[crop[1] :, crop[0] :]
    out = tmp_path / f"twice-{q1}-{q2}-{crop[0]}{crop[1]}.jpg"
    Image.fromarray(np.ascontiguousarray(pixels)).save(out, quality=q2)
    return str(out)


def test_single_compression_is_not_double(tmp_path):
    p = tmp_path / "once.jpg"
    Image.fromarray(_picture()).save(p, quality=85)
    c = analyse_double(p)
    assert not c.double and c.last_quality == 85 and c.error is None


@pytest.mark.parametrize(("q1", "q2"), [(70, 90), (60, 80)])
def test_aligned_double_compression_and_first_quality(tmp_path, q1, q2):
    c = analyse_double(_twice(tmp_path, q1, q2))
    assert c.double and c.aligned and c.first_quality == q1 and c.last_quality == q2
    assert c.blocks and min(min(r) for r in c.blocks) >= 0 and c.cell >= 8


def test_shifted_grid_is_found(tmp_path):
    c = analyse_double(_twice(tmp_path, 70, 90, crop=(5, 3)))
    assert c.double and c.aligned is False and c.shift == (3, 5)


def test_pixel_fallback_agrees(tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_jpeglib(name, *a, **k):
        if name == "jpeglib":
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_jpeglib)
    c = analyse_double(_twice(tmp_path, 70, 90))
    assert c.method == "decoded pixels" and c.double and c.first_quality == 70


def test_bad_input_is_data(tmp_path):
    p = tmp_path / "cut.jpg"
    Image.fromarray(_picture()).save(p, quality=80)
    p.write_bytes(p.read_bytes()[:300])
    assert analyse_double(p).error
    png = tmp_path / "a.png"
    Image.fromarray(_picture()).save(png)
    assert analyse_double(png).error == "not a JPEG"


def test_scan_pixels_reports_double_compressed(tmp_path):
    evidence = tmp_path / "ev"
    evidence.mkdir()
    src = _twice(tmp_path, 70, 90)
    (evidence / "x.jpg").write_bytes(Path(src).read_bytes())
    plain = scan([str(evidence)], workers=1)
    assert plain.images[0].compression is None
    report = scan([str(evidence)], workers=1, pixels=True)
    found = [f for f in report.findings if f.check == "double-compressed"]
    assert found and found[0].evidence["first_quality"] == 70 and "consistent with two compressions" in found[0].message
    assert report.to_dict()["images"][0]["compression"]["double"] is True
    assert double.DETECT > 0


def test_block_map_shows_a_pasted_region(tmp_path):
    img = _picture()
    first = tmp_path / "first.jpg"
    Image.fromarray(img).save(first, quality=70)
    with Image.open(first) as im:
        pixels = np.array(im)
    pixels[128:256, 192:352] = img[128:256, 192:352]  # never compressed: pasted from elsewhere
    out = tmp_path / "spliced.jpg"
    Image.fromarray(pixels).save(out, quality=90)
    c = analyse_double(out)
    assert c.double and c.aligned
    b = np.array(c.blocks)
    inside = b[128 // c.cell + 1 : 256 // c.cell - 1, 192 // c.cell + 1 : 352 // c.cell - 1]
    assert inside.mean() < 0.2 and b.mean() > 0.7


def test_the_progress_bar_goes_on_through_every_pass(tmp_path) -> None:
    """Reading, double compression and the pixel searches: one bar that never steps back and ends full."""
    import forensics
    from tests.imagegen import photo

    for i in range(2):
        photo(30 + i, (320, 240)).save(tmp_path / f"p{i}.jpg", "JPEG", quality=90)
    seen: list[tuple[int, int]] = []
    forensics.scan([str(tmp_path)], pixels=True, workers=1, progress=lambda done, total: seen.append((done, total)))
    assert seen, "no progress reported"
    dones = [d for d, _ in seen]
    assert dones == sorted(dones), f"the bar stepped back: {seen}"
    assert seen[-1][0] == seen[-1][1] == 4  # 2 read, 2 pictures analysed (coefficients and pixels in one task each)


def test_the_report_says_which_further_analyses_ran(tmp_path) -> None:
    import forensics
    from tests.imagegen import photo

    photo(40, (320, 240)).save(tmp_path / "p.jpg", "JPEG", quality=90)
    assert "analyses" not in forensics.scan([str(tmp_path)], workers=1).to_dict()["parameters"]
    asked = forensics.scan([str(tmp_path)], workers=1, pixels=True, sensor=True).to_dict()["parameters"]
    assert asked["analyses"] == ["sensor", "pixels"]
