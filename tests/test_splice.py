"""Pasted regions: an area with another photo's noise is found; another per-block map can be weighed in."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from forensics.checks.pixels import pasted_severity, spliced_region
from forensics.pixels.splice import find_pasted
from forensics.records.findings import Severity
from forensics.records.pixels import Disagreement, PastedRegion, PixelAnalysis, Region
from forensics.records.record import ImageRecord
from tests.imagegen import photo

BOX = (320, 160, 480, 320)  # where the noisy square goes: 5×5 blocks of 32


def _spliced(quality: int = 92) -> Image.Image:
    """A smooth photo-like picture with a square pasted from a much noisier one."""
    clean = np.asarray(photo(5, (640, 480), noise=1.0), np.float32)
    noisy = np.asarray(photo(6, (640, 480), noise=14.0), np.float32)
    x0, y0, x1, y1 = BOX
    clean[y0:y1, x0:x1] = noisy[y0:y1, x0:x1]
    buf = io.BytesIO()
    Image.fromarray(np.clip(clean, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf)


def _overlap(r: Region) -> float:
    ax0, ay0, ax1, ay1 = r.box
    bx0, by0, bx1, by1 = BOX
    inter = max(0, min(ax1, bx1) - max(ax0, bx0)) * max(0, min(ay1, by1) - max(ay0, by0))
    return inter / ((bx1 - bx0) * (by1 - by0))


def test_a_square_with_another_photos_noise_is_found_by_the_noise() -> None:
    found = find_pasted(_spliced())
    assert found, "the pasted square was not found"
    best = found[0]
    assert _overlap(best.region) > 0.6
    assert "noise" in best.agree
    noise = next(d for d in best.measures if d.measure == "noise")
    assert noise.z > 3 and noise.fraction > 0.5


def test_an_extra_map_agreeing_on_the_area_is_counted() -> None:
    grid = np.zeros((15, 20))
    grid[5:10, 10:15] = 1.0  # the same square, in blocks of 32
    grid += np.random.default_rng(0).normal(0, 0.05, grid.shape)
    found = find_pasted(_spliced(), maps={"double-compression": grid})
    assert found and "double-compression" in found[0].agree and "noise" in found[0].agree


def test_a_uniform_picture_has_no_region() -> None:
    assert find_pasted(Image.new("RGB", (512, 384), (90, 120, 150))) == ()
    assert find_pasted(Image.new("L", (100, 100))) == ()  # too few blocks to compare


def test_one_measure_alone_is_at_most_info_two_strong_notice_three_warning() -> None:
    def region(*agree: str, z: float = 16.0) -> PastedRegion:
        return PastedRegion(Region((0, 0, 64, 64)), tuple(Disagreement(a, z, 0.8) for a in agree), agree)

    assert pasted_severity(region("noise", z=40.0)) == Severity.INFO
    assert pasted_severity(region("noise", "error-level", z=4.0)) == Severity.INFO  # common on untouched photos
    assert pasted_severity(region("noise", "error-level")) == Severity.NOTICE
    assert pasted_severity(region("noise", "error-level", "double-compression", z=-16.0)) == Severity.WARNING


def test_two_measures_count_beyond_info_only_where_untouched_photos_never_reach() -> None:
    """Two measures at z 8-14 agreed on genuine photos of the corpora (a trail camera's night sky, a turned phone photo): info."""

    def region(z_noise: float, z_error: float) -> PastedRegion:
        views = (Disagreement("noise", z_noise, 0.9), Disagreement("error-level", z_error, 0.9))
        return PastedRegion(Region((0, 0, 64, 64)), views, ("noise", "error-level"))

    assert pasted_severity(region(-10.2, -13.7)) == Severity.INFO
    assert pasted_severity(region(11.4, 12.7)) == Severity.INFO
    assert pasted_severity(region(-20.0, -14.9)) == Severity.INFO  # the weaker measure decides
    assert pasted_severity(region(-20.0, -15.0)) == Severity.NOTICE


def test_the_check_names_the_measures_and_says_how_weak_one_is() -> None:
    p = PastedRegion(Region((320, 160, 480, 320)), (Disagreement("noise", 5.2, 0.9), Disagreement("error-level", 0.4, 0.1)), ("noise",))
    record = ImageRecord(path="a.jpg", kind="image", pixels=PixelAnalysis(size=(640, 480), working=(640, 480), pasted=(p,)))
    (f,) = spliced_region(record, None)  # type: ignore[arg-type]  # the check reads the record alone
    assert f.check == "spliced-region" and f.severity == Severity.INFO
    assert "160×160 at (320, 160)" in f.message and "noise z=+5.2" in f.message and "weak evidence" in f.message


def test_a_scans_double_compression_map_is_weighed_beside_noise(tmp_path) -> None:
    """``with_pixels`` hands the record's double-compression map to the pasted-region search."""
    import dataclasses

    from forensics.pixels.analysis import with_pixels
    from forensics.read.files import read_file
    from forensics.records.encoding import Compression

    records = []
    for name in ("with-map.jpg", "without.jpg", "turned.jpg"):  # one file each: results are matched by path
        _spliced().save(tmp_path / name, "JPEG", quality=92)
        records.append(read_file(str(tmp_path / name)))
    grid = np.ones((15, 20))
    grid[5:10, 10:15] = 0.0  # the first compression's traces missing over the pasted square
    grid += np.random.default_rng(1).normal(0, 0.05, grid.shape)
    blocks = tuple(tuple(float(v) for v in row) for row in grid)
    double = Compression(True, 70.0, 92.0, True, (0, 0), 0.9, blocks, 32, "test")
    with_map = dataclasses.replace(records[0], compression=double)
    without = dataclasses.replace(records[1], compression=Compression(last_quality=92.0))
    turned = dataclasses.replace(records[2], compression=double, metadata=dataclasses.replace(records[2].metadata, orientation=6))
    got = with_pixels([with_map, without, turned], workers=1)
    measures = [{d.measure for d in (p.pixels.pasted[0].measures if p.pixels and p.pixels.pasted else ())} for p in got]
    assert "double-compression" in measures[0] and "double-compression" in got[0].pixels.pasted[0].agree
    assert "double-compression" not in measures[1]  # no double compression: no map
    assert "double-compression" not in measures[2]  # a map over the stored pixels does not lie on a turned picture


def test_a_screenshots_regions_stay_info() -> None:
    """A screen is composed of parts: its regions differing from each other is no sign of an edit."""
    import dataclasses

    region = PastedRegion(
        Region((0, 0, 64, 64), ((0.0, 0.0), (64.0, 0.0), (64.0, 64.0))),
        (Disagreement("noise", 22.0, 0.9), Disagreement("error-level", 17.0, 0.8)),
        ("noise", "error-level"),
    )
    analysed = PixelAnalysis(size=(1280, 800), working=(1280, 800), pasted=(region,))
    base = ImageRecord(path="/case/IMG_0001.JPG", kind="image", pixels=analysed)
    shot = dataclasses.replace(base, path="/case/Screen Shot 2016-06-22 at 6.31.04 PM.png")
    assert [f.severity for f in spliced_region(base, None)] == [Severity.NOTICE]
    found = list(spliced_region(shot, None))
    assert [f.severity for f in found] == [Severity.INFO] and found[0].evidence["screenshot"] is True
    assert "screenshot" in found[0].message


def test_one_worker_task_gives_what_the_two_passes_gave(tmp_path) -> None:
    """``with_pixels(compression=True)``: the coefficients' analysis and the pixels' in one task, results unchanged."""
    import dataclasses
    import io

    from forensics.pixels.analysis import with_pixels
    from forensics.pixels.double import with_compression
    from forensics.read.files import read_file

    buf = io.BytesIO()
    _spliced().save(buf, "JPEG", quality=70)  # compressed twice: a map for the pasted-region search
    Image.open(buf).save(tmp_path / "twice.jpg", "JPEG", quality=92)
    _spliced().save(tmp_path / "once.png")
    records = [read_file(str(tmp_path / "twice.jpg")), read_file(str(tmp_path / "once.png"))]
    both = with_pixels(records, workers=1, compression=True)
    apart = with_pixels(with_compression(records, workers=1), workers=1)
    assert [r.compression for r in both] == [r.compression for r in apart]
    assert [r.pixels for r in both] == [r.pixels for r in apart]
    assert both[0].compression is not None and both[0].pixels is not None and both[0].pixels.analysed
    assert both[1].compression is None and both[1].pixels is not None  # not a JPEG: pixels only
    assert dataclasses.replace(both[0], compression=None, pixels=None) == records[0]
