"""Copy-move search: copies moved, scaled, turned are found where they are; untouched pictures give nothing strong."""

from __future__ import annotations

import io
import json

import cv2
import numpy as np
import pytest
from PIL import Image

from forensics.checks.pixels import copy_move, copy_move_severity, repetitive
from forensics.pixels import copymove
from forensics.pixels.analysis import analyse_picture, pixel_analysis
from forensics.pixels.copymove import find_copy_moves
from forensics.records.findings import Severity
from forensics.records.pixels import CopyMove, PixelAnalysis, Region
from forensics.records.record import ImageRecord
from tests.imagegen import photo


def _textured(seed: int, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """A photo-like picture with fine texture everywhere (keypoints to hold)."""
    rng = np.random.default_rng(seed)
    base = np.asarray(photo(seed, size, noise=2.0), np.float32)
    grain = cv2.GaussianBlur(rng.normal(0, 40, (size[1], size[0])).astype(np.float32), (0, 0), 1.5)
    return np.clip(base + grain[..., None], 0, 255).astype(np.uint8)


def _jpeg(a: np.ndarray, quality: int = 90) -> Image.Image:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf)


def _forged(seed: int, m: np.ndarray, box: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The picture with ``box`` copied through the affine ``m``, and the copy's mask."""
    a = _textured(seed)
    h, w = a.shape[:2]
    x0, y0, x1, y1 = box
    square = np.zeros((h, w), np.uint8)
    square[y0:y1, x0:x1] = 1
    target = cv2.warpAffine(square, m, (w, h), flags=cv2.INTER_NEAREST).astype(bool)
    moved = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR)
    a[target] = moved[target]
    return a, target


def _box_iou(r: Region, mask: np.ndarray) -> float:
    x0, y0, x1, y1 = r.box
    pred = np.zeros_like(mask)
    pred[y0:y1, x0:x1] = True
    return float((pred & mask).sum()) / float((pred | mask).sum())


def test_a_moved_copy_is_found_with_its_shift_and_regions() -> None:
    m = np.float32([[1, 0, 330], [0, 1, 200]])
    a, target = _forged(1, m, (60, 60, 180, 180))
    found = find_copy_moves(_jpeg(a, 85))
    assert found.detector in ("sift", "orb") and found.keypoints > 100
    assert found.copies, "the copy was not found"
    c = found.copies[0]
    assert c.source.box[0] < 100 and c.target.box[0] > 300  # the source is the one nearer the top left
    assert c.transform[2] == pytest.approx(330, abs=2) and c.transform[5] == pytest.approx(200, abs=2)
    assert c.scale == pytest.approx(1, abs=0.02) and abs(c.rotation) < 1
    assert _box_iou(c.target, target) > 0.6
    assert c.similarity > 0.8 and c.matches >= 10
    assert copy_move_severity(c) > Severity.INFO


@pytest.mark.parametrize(("angle", "scale"), [(25.0, 1.0), (0.0, 1.2), (-15.0, 0.85)])
def test_a_turned_or_scaled_copy_is_found_with_its_transform(angle: float, scale: float) -> None:
    m = cv2.getRotationMatrix2D((120, 120), angle, scale)
    m[:, 2] += (330, 180)
    a, target = _forged(2, m, (60, 60, 180, 180))
    copies = find_copy_moves(_jpeg(a, 90)).copies
    assert copies, "the copy was not found"
    c = copies[0]
    assert c.scale == pytest.approx(scale, rel=0.05)
    assert c.rotation == pytest.approx(angle, abs=2)  # counter-clockwise on screen, as OpenCV's angle
    assert _box_iou(c.target, target) > 0.5


def test_an_untouched_picture_draws_nothing_above_info() -> None:
    found = find_copy_moves(_jpeg(_textured(3), 90))
    assert all(copy_move_severity(c) == Severity.INFO for c in found.copies)


def test_the_block_search_finds_a_copy_in_a_flat_smooth_area() -> None:
    # smooth shading under a faint grain, without corners: few keypoints, but blocks that match once moved
    rng = np.random.default_rng(4)
    small = rng.normal(128, 30, (12, 16)).astype(np.float32)
    grain = cv2.GaussianBlur(rng.normal(0, 40, (480, 640)).astype(np.float32), (0, 0), 2.0)
    a = np.clip(cv2.resize(small, (640, 480), interpolation=cv2.INTER_CUBIC) + grain, 0, 255).astype(np.uint8)
    a[300:400, 400:500] = a[60:160, 80:180]
    gray = np.asarray(_jpeg(a, 90).convert("L"))
    copies = copymove._block_copies(gray, similar=copymove.SIMILAR)
    assert copies and copies[0].method == "blocks"
    c = copies[0]
    assert (c.transform[2], c.transform[5]) == (pytest.approx(320, abs=1), pytest.approx(240, abs=1))


def test_results_scale_to_the_full_picture_and_serialise() -> None:
    c = CopyMove(Region((10, 20, 30, 40), ((10.0, 20.0), (30.0, 40.0))), Region((50, 20, 70, 40)), (1, 0, 40, 0, 1, 0), 12, 0.95, 0.7,
                 "sift", ((10.0, 20.0, 50.0, 20.0),))  # fmt: skip
    big = c.scaled(2.0)
    assert big.source.box == (20, 40, 60, 80) and big.transform[2] == 80 and big.points[0] == (20.0, 40.0, 100.0, 40.0)
    d = json.loads(json.dumps(PixelAnalysis(size=(80, 40), working=(40, 20), copy_moves=(big,)).to_dict()))
    assert d["copy_moves"][0]["source"]["box"] == [20, 40, 60, 80] and d["copy_moves"][0]["scale"] == 1.0


def test_the_check_reports_each_copy_with_where_and_how() -> None:
    c = CopyMove(Region((10, 20, 110, 120)), Region((300, 20, 400, 120)), (1, 0, 290, 0, 1, 0), 40, 0.97, 0.9, "sift")
    record = ImageRecord(path="a.jpg", kind="image", pixels=PixelAnalysis(size=(640, 480), working=(640, 480), copy_moves=(c,)))
    (f,) = copy_move(record, None)  # type: ignore[arg-type]  # the check reads the record alone
    assert f.check == "copy-move" and f.severity == Severity.WARNING
    assert "100×100 at (10, 20)" in f.message and "consistent with" in f.message and "repetitive" in f.message
    assert f.evidence["copy"]["target"]["box"] == [300, 20, 400, 120]
    assert list(copy_move(ImageRecord(path="b.jpg", kind="image"), None)) == []  # type: ignore[arg-type]


def test_a_picture_that_matches_itself_in_many_places_weighs_each_match_one_step_less() -> None:
    """Rows of windows or railings match in three places or more; a copy is one match (the corpora's two repetitive originals)."""

    def copy(x: int, score: float, similarity: float = 0.95) -> CopyMove:
        return CopyMove(Region((x, 20, x + 100, 60)), Region((x, 200, x + 100, 240)), (1, 0, 0, 0, 1, 180), 30, similarity, score, "sift")

    strong, pattern = copy(0, 0.97, 0.97), [copy(200, 0.87, 0.91), copy(400, 0.58), copy(600, 0.55)]
    assert not repetitive([strong, pattern[0], copy(600, 0.3)]) and repetitive(pattern)
    assert copy_move_severity(pattern[0]) == Severity.NOTICE and copy_move_severity(pattern[0], repeated=True) == Severity.INFO
    assert copy_move_severity(strong, repeated=True) == Severity.NOTICE
    record = ImageRecord(path="a.jpg", kind="image", pixels=PixelAnalysis(size=(800, 480), working=(800, 480), copy_moves=tuple(pattern)))
    found = list(copy_move(record, None))  # type: ignore[arg-type]  # the check reads the record alone
    assert [f.severity for f in found] == [Severity.INFO] * 3 and "matches itself in 3 places" in found[0].message


def test_the_analysis_reports_in_full_size_coordinates_and_says_why_not() -> None:
    m = np.float32([[1, 0, 330], [0, 1, 200]])
    a, _ = _forged(1, m, (60, 60, 180, 180))
    found = analyse_picture(_jpeg(a, 90), full_size=(1280, 960))
    assert found.copy_moves and found.copy_moves[0].transform[2] == pytest.approx(660, abs=4)
    assert analyse_picture(Image.new("RGB", (100, 60))).reason == "smaller than 128 pixels on a side"
    assert pixel_analysis(b"not a picture").reason.startswith("cannot be decoded")  # type: ignore[union-attr]


@pytest.mark.slow
def test_a_scan_with_pixels_reports_the_copy_in_json_csv_and_html(tmp_path) -> None:
    import importlib.resources

    import jsonschema

    from forensics import scan
    from forensics.render.csv import render_csv
    from forensics.render.html import render_html

    m = np.float32([[1, 0, 330], [0, 1, 200]])
    a, _ = _forged(1, m, (60, 60, 180, 180))
    Image.fromarray(a).save(tmp_path / "forged.jpg", quality=92)
    Image.fromarray(_textured(3)).save(tmp_path / "plain.jpg", quality=92)
    plain = scan([tmp_path], workers=1, time_limit=0)
    assert all(r.pixels is None for r in plain.images) and "pixels" not in plain.to_dict()["images"][0]
    report = scan([tmp_path], workers=1, time_limit=0, pixels=True)
    doc = report.to_dict()
    schema = json.loads(importlib.resources.files("forensics").joinpath("schema/report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    forged = next(i for i in doc["images"] if i["path"].endswith("forged.jpg"))
    assert forged["pixels"]["analysed"] and forged["pixels"]["copy_moves"]
    assert any(f["check"] == "copy-move" and f["severity"] != "info" for f in forged["findings"])
    assert "copy_moves" in render_csv(report).splitlines()[0]
    page = render_html(report, ela=False, workers=1)
    assert 'class="overlay"' in page and "<polygon" in page


@pytest.mark.slow
def test_the_scan_command_takes_pixels_and_prints_the_finding(tmp_path) -> None:
    from click.testing import CliRunner

    from forensics.cli import cli

    m = np.float32([[1, 0, 330], [0, 1, 200]])
    a, _ = _forged(1, m, (60, 60, 180, 180))
    Image.fromarray(a).save(tmp_path / "forged.jpg", quality=92)
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--pixels", "--json", "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["images"][0]["pixels"]["copy_moves"]
    assert "copy-move" in {f["check"] for f in doc["findings"]}


def test_a_copy_half_flat_is_reported_whole() -> None:
    """Its textured half finds it; its flat half, matching under the same shift where the surroundings do not, is part of it."""
    a = _textured(4)
    a[120:240, 30:210] = (200, 190, 180)  # a flat wall, the source square's lower half and around it
    box = (60, 60, 180, 180)
    m = np.float32([[1, 0, 330], [0, 1, 200]])  # onto texture: there the copy's wall matches its source, its surroundings do not
    h, w = a.shape[:2]
    square = np.zeros((h, w), np.uint8)
    square[60:180, 60:180] = 1
    target = cv2.warpAffine(square, m, (w, h), flags=cv2.INTER_NEAREST).astype(bool)
    moved = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR)
    a[target] = moved[target]
    copies = find_copy_moves(_jpeg(a, 85)).copies
    assert copies, "the copy was not found"
    c = copies[0]
    assert _box_iou(c.target, target) > 0.8, c.target.box
    assert c.source.box[3] >= box[3] - 6  # the flat half is in the source too


def _soft_turned_copy(seed: int) -> tuple[Image.Image, np.ndarray]:
    """Soft shading of a few grey levels (haze, bands of cloud) with a square of it turned by 25° and put elsewhere."""
    rng = np.random.default_rng(seed)
    h, w = 480, 640
    soft = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 3.0)
    a = 128 + 4.0 * soft / soft.std()
    m = cv2.getRotationMatrix2D((120, 120), 25.0, 1.0)
    m[:, 2] += (330, 180)
    square = np.zeros((h, w), np.uint8)
    square[60:180, 60:180] = 1
    target = cv2.warpAffine(square, m, (w, h), flags=cv2.INTER_NEAREST).astype(bool)
    a[target] = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR)[target]
    return _jpeg(np.clip(a, 0, 255).astype(np.uint8), 90), target


def test_a_turned_copy_of_soft_detail_is_found_by_the_low_contrast_pass(monkeypatch) -> None:
    """At the usual contrast SIFT finds a few dozen points there and no copy; the second pass over keypoint-poor areas finds it."""
    image, target = _soft_turned_copy(1)
    found = find_copy_moves(image)
    assert found.copies, "the copy was not found"
    c = found.copies[0]
    assert c.method == "sift" and copy_move_severity(c) > Severity.INFO
    assert _box_iou(c.target, target) > 0.5 and c.rotation == pytest.approx(25, abs=2)
    monkeypatch.setattr(copymove, "POOR_SHARE", 2.0)  # no second pass
    without = find_copy_moves(image)
    assert without.keypoints < found.keypoints / 10 and not without.copies


def test_a_copy_stops_at_flat_ground_whose_grain_is_its_own() -> None:
    """A textured square copied into a flat frame like its source's: the frames match in level, not in grain, and are left out."""
    rng = np.random.default_rng(3)
    h, w = 480, 640
    a = cv2.GaussianBlur(rng.normal(128, 40, (h, w)), (0, 0), 1.2)
    for x, y in ((60, 60), (380, 260)):  # flat ground (grey 100, its own grain) round the source and round the target
        a[y - 40 : y + 140, x - 40 : x + 140] = 100 + rng.normal(0, 2.0, (180, 180))
    patch = cv2.GaussianBlur(rng.normal(128, 50, (100, 100)), (0, 0), 1.5)
    a[60:160, 60:160] = patch
    a[260:360, 380:480] = patch  # the copy is the textured square alone
    copies = find_copy_moves(_jpeg(np.clip(a, 0, 255).astype(np.uint8), 90)).copies
    assert copies, "the copy was not found"
    c = copies[0]
    sx0, sy0, sx1, sy1 = c.source.box
    tx0, ty0, tx1, ty1 = c.target.box
    assert sx0 >= 45 and sy0 >= 45 and sx1 <= 175 and sy1 <= 175, c.source.box  # not the frame (20..200)
    assert tx0 >= 365 and ty0 >= 245 and tx1 <= 495 and ty1 <= 375, c.target.box
    assert sx1 - sx0 >= 100 and ty1 - ty0 >= 100  # the whole square


def test_the_keypoints_kept_are_shared_out_over_the_picture() -> None:
    """A cell with few weak keypoints keeps them all; the busy cell gives up its weakest to stay within the total."""
    busy = [cv2.KeyPoint(10.0 + i % 40, 10.0 + i // 40, 3.0, -1, 1.0 + i) for i in range(100)]
    dim = [cv2.KeyPoint(300.0 + i, 300.0, 3.0, -1, 0.01) for i in range(5)]
    kept = copymove._spread(busy + dim, 20)
    assert len(kept) == 20
    assert sum(k.pt[0] >= 300 for k in kept) == 5
    assert min(k.response for k in kept if k.pt[0] < 300) == 86.0  # the busy cell's strongest 15


def test_a_copy_of_dim_texture_in_a_busy_picture_keeps_its_keypoints(monkeypatch) -> None:
    """Kept by strength over the whole picture, the keypoints all go to its busy parts and the dim copy is missed."""
    rng = np.random.default_rng(5)
    h, w = 480, 640
    a = cv2.GaussianBlur(rng.normal(128, 60, (h, w)), (0, 0), 1.2)  # busy: strong keypoints everywhere
    soft = cv2.GaussianBlur(rng.normal(0, 1, (h, w)), (0, 0), 1.5)
    dim = 128 + 8.0 * soft / soft.std()  # textured, at a tenth of the contrast (a trunk in shade, asphalt)
    for x0, x1 in ((40, 260), (380, 600)):
        a[40:440, x0:x1] = dim[40:440, x0:x1]
    a[260:380, 420:540] = a[80:200, 80:200]  # moved within the dim ground
    image = _jpeg(np.clip(a, 0, 255).astype(np.uint8), 90)
    found = find_copy_moves(image, max_keypoints=2000, blocks=False).copies
    assert found and copy_move_severity(found[0]) > Severity.INFO
    assert found[0].source.box[:2] == pytest.approx((80, 80), abs=6) and found[0].target.box[:2] == pytest.approx((420, 260), abs=6)
    monkeypatch.setattr(copymove, "SPREAD_CELL", 10**6)  # one cell: the strongest over the whole picture, as SIFT's own cap keeps
    assert not find_copy_moves(image, max_keypoints=2000, blocks=False).copies
