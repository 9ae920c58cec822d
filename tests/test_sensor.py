"""Sensor noise (PRNU): residuals, scores, groups, the ``sensor-match`` check and what weighs it.

Simulated devices: a fixed multiplicative pattern per device over seeded
photo-like pictures, saved as camera JPEGs with EXIF. Crops of 512 pixels keep
the tests fast; the scan's own 1024-pixel crop runs in the slow tests.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from forensics.case.assess import assess
from forensics.case.file import Case, Hypothesis
from forensics.checks import CheckContext, run_checks
from forensics.read.files import read_file
from forensics.records.sensor import SensorNoise
from forensics.sensor.groups import group_noises, group_sensors
from forensics.sensor.residual import arrays, crop_box, quantise, residual_of, sensor_noise, why_not, with_residuals
from forensics.sensor.scores import NULL, NullModel, correlation, fingerprint, fingerprint_score, pair_scores
from forensics.sets.facts import set_facts
from tests.imagegen import exif_bytes, photo, write_jpeg

SIDE = 512
FRAME = (576, 544)


def _pattern(device: int, size: tuple[int, int] = FRAME, strength: float = 0.02) -> np.ndarray:
    """A device's pattern: stronger than a phone's (1%), so that a fast test on 512 pixels is decisive."""
    w, h = size
    return np.random.default_rng(1000 + device).normal(0.0, strength, (h, w, 1)).astype(np.float32)


def _shot(seed: int, device: int, *, size: tuple[int, int] = FRAME) -> Image.Image:
    """A picture of scene ``seed`` taken by simulated device ``device``."""
    scene = np.asarray(photo(seed, size, noise=2.0), dtype=np.float32)
    rng = np.random.default_rng(seed + 7)
    taken = scene * (1.0 + _pattern(device, size)) + rng.normal(0.0, 1.5, scene.shape)
    return Image.fromarray(np.clip(np.rint(taken), 0, 255).astype(np.uint8))


def _camera(tmp: Path, name: str, seed: int, device: int, *, model: str = "Pixel 3", quality: int = 95, **kw: object) -> Path:
    return write_jpeg(tmp / name, _shot(seed, device), quality=quality, make="Google", model=model, thumbnail=False, **kw)


@pytest.fixture(scope="module")
def two_devices(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    tmp = tmp_path_factory.mktemp("sensor")
    return [_camera(tmp, f"{'ab'[d]}{i}.jpg", seed=10 * d + i, device=d) for d in (0, 1) for i in range(3)]


@pytest.fixture(scope="module")
def two_device_records(two_devices: list[Path]):
    return with_residuals([read_file(p) for p in two_devices], side=SIDE, workers=1)


# --- residuals ----------------------------------------------------------------------------


def test_residual_keeps_the_pattern_and_drops_the_scene():
    k = _pattern(0, (SIDE, SIDE))[..., 0]
    a = np.asarray(_shot(1, 0, size=(SIDE, SIDE)).convert("L"), np.float32)
    scene = np.asarray(photo(1, (SIDE, SIDE), noise=2.0).convert("L"), np.float32)
    w = residual_of(a)
    assert w.shape == a.shape and w.dtype == np.float32
    assert correlation(w, a * k) > 0.1  # the pattern, as the scene modulates it
    assert abs(correlation(w, scene)) < 0.05  # little of the scene itself


def test_zero_mean_rows_and_columns():
    w = residual_of(np.asarray(_shot(2, 0, size=(SIDE, SIDE)).convert("L"), np.float32))
    for dy in (0, 1):
        for dx in (0, 1):
            sub = w[dy::2, dx::2]
            assert abs(sub.mean(axis=0)).max() < 0.05 and abs(sub.mean(axis=1)).max() < 0.05


def test_quantised_residual_travels_compactly_and_faithfully():
    lum = np.asarray(_shot(3, 0, size=(SIDE, SIDE)).convert("L"), np.float32)
    w = residual_of(lum)
    n = quantise(w, lum, frame=(SIDE, SIDE))
    assert len(n.residual) == SIDE * SIDE and len(n.luma) == SIDE * SIDE  # 1 byte a pixel each
    back, i = arrays(n)
    assert correlation(back, w) > 0.995
    assert np.array_equal(i, np.rint(lum))


def test_crop_box_is_central_and_on_the_colour_lattice():
    box = crop_box(4000, 3001, 1024)
    assert box[2] - box[0] == box[3] - box[1] == 1024
    assert box[0] % 2 == 0 and box[1] % 2 == 0
    assert abs((box[0] + box[2]) / 2 - 2000) <= 2


# --- what may be compared -----------------------------------------------------------------


def test_a_resized_copy_is_refused_not_matched(tmp_path: Path, two_devices: list[Path]):
    original = Image.open(two_devices[0])
    small = original.resize((original.width * 15 // 16, original.height * 15 // 16), Image.Resampling.LANCZOS)
    copy = write_jpeg(tmp_path / "resized.jpg", small, quality=95, exif=exif_bytes(make="Google", model="Pixel 3", size=original.size))
    record = read_file(copy)
    assert why_not(record, side=SIDE).startswith("resized: 540×510 pixels, the camera's EXIF says 576×544")
    records = with_residuals([read_file(p) for p in two_devices] + [record], side=SIDE, workers=1)
    refused = records[-1].sensor
    assert refused is not None and not refused.taken and refused.reason.startswith("resized")
    groups = group_sensors(records)
    assert all(str(copy) not in g.paths for g in groups.groups)
    assert (str(copy), refused.reason) in groups.not_compared


def test_low_quality_screenshots_and_small_pictures_are_refused(tmp_path: Path):
    low = read_file(_camera(tmp_path, "low.jpg", 1, 0, quality=60))
    assert "JPEG quality 60" in why_not(low, side=SIDE)
    shot = tmp_path / "shot.png"
    _shot(1, 0).save(shot)
    assert why_not(read_file(shot), side=SIDE) == "no camera metadata (a screenshot, or metadata stripped)"
    assert why_not(read_file(_camera(tmp_path, "ok.jpg", 1, 0)), side=SIDE) is None
    assert why_not(read_file(_camera(tmp_path, "ok2.jpg", 1, 0)), side=1024) == "smaller than the 1024×1024 pixels compared"
    stripped = write_jpeg(tmp_path / "nosize.jpg", _shot(1, 0), quality=95, thumbnail=False, exif=_exif_without_size())
    assert "EXIF pixel size" in why_not(read_file(stripped), side=SIDE)


def _exif_without_size() -> bytes:
    import piexif

    return piexif.dump({"0th": {piexif.ImageIFD.Make: "Google", piexif.ImageIFD.Model: "Pixel 3"},
                        "Exif": {piexif.ExifIFD.ExposureTime: (1, 100)}, "GPS": {}, "1st": {}})  # fmt: skip


def test_an_undecodable_picture_says_why():
    noise = sensor_noise(b"\xff\xd8\xff\xe0 not a jpeg", side=SIDE)
    assert not noise.taken and noise.reason.startswith("cannot be decoded at full resolution")


# --- scores and groups --------------------------------------------------------------------


def test_two_simulated_devices_separate_and_each_groups_together(two_device_records):
    found = group_sensors(two_device_records)
    names = sorted(sorted(Path(p).name for p in g.paths) for g in found.groups)
    assert names == [["a0.jpg", "a1.jpg", "a2.jpg"], ["b0.jpg", "b1.jpg", "b2.jpg"]]
    assert not found.alone and not found.not_compared
    for g in found.groups:
        assert g.pair_low >= found.threshold
        assert all(m.score >= found.threshold and m.false_match < 1e-6 for m in g.members)
        assert g.outside is not None and g.outside < found.threshold  # its fingerprint was tested against the others
    (frame,) = found.frames
    assert frame.frame == FRAME and len(frame.scores) == 6


def test_unrelated_residuals_score_like_the_null():
    rng = np.random.default_rng(5)
    z = pair_scores([rng.normal(size=(128, 128)).astype(np.float32) for _ in range(30)])
    values = z[np.triu_indices(30, 1)]
    assert abs(values.mean()) < 0.3 and 0.8 < values.std() < 1.2


def test_pair_scores_in_blocks_equal_one_product():
    rng = np.random.default_rng(6)
    rs = [rng.normal(size=(32, 32)).astype(np.float32) for _ in range(9)]
    assert np.allclose(pair_scores(rs, block=2), pair_scores(rs, block=64), atol=1e-4)


def test_fingerprint_is_the_ml_estimate():
    rng = np.random.default_rng(8)
    k = rng.normal(0, 0.02, (64, 64)).astype(np.float32)
    lumas = [rng.uniform(50, 200, (64, 64)).astype(np.float32) for _ in range(20)]
    residuals = [i * k + rng.normal(0, 1, i.shape).astype(np.float32) for i in lumas]
    est = fingerprint(residuals, lumas)
    assert correlation(est, k) > 0.9
    assert fingerprint_score(est, residuals[0], lumas[0]) > 10


def test_null_threshold_grows_with_comparisons_and_gives_the_chance():
    null = NullModel(0.0, 1.0, 1000, 4.0, "test")
    assert null.threshold(1) < null.threshold(1000) < null.threshold(10**6)
    t = null.threshold(100, alpha=0.01)
    assert null.false_match(t) == pytest.approx(1e-4, rel=1e-3)
    assert NULL.pairs > 1000 and NULL.std > 0  # measured, not assumed


def test_pictures_of_another_frame_are_not_compared():
    rng = np.random.default_rng(9)
    lum = rng.uniform(60, 200, (64, 64)).astype(np.float32)
    n = quantise(rng.normal(size=(64, 64)).astype(np.float32), lum, frame=(640, 480))
    found = group_noises({"a.jpg": n, "b.jpg": dataclasses.replace(n, frame=(480, 640)), "c.jpg": SensorNoise(reason="resized: x")})
    assert found.compared == 0 and not found.frames
    reasons = dict(found.not_compared)
    assert reasons["a.jpg"] == "the only picture of its size and orientation (640×480)"
    assert reasons["c.jpg"] == "resized: x"


# --- the check, device-mix and the case ---------------------------------------------------


def _findings(records, case: Case | None = None):
    facts = set_facts(records)
    out, set_findings = run_checks(records, CheckContext(facts=facts, case=case))
    return out, set_findings, facts


def test_sensor_match_reports_groups_and_device_mix_sees_two_bodies(two_device_records):
    _, found, _ = _findings(two_device_records)
    (sm,) = [f for f in found if f.check == "sensor-match"]
    assert sm.message.startswith("3 pictures share one sensor (")
    assert "chance of a false match below 1e-9); 3 come from at least one other (1 group(s) of 3)." in sm.message
    assert sm.severity.value == "notice"
    assert len(sm.evidence["groups"]) == 2 and sm.evidence["frames"][0]["scores"][0][0] == 0
    assert "Iuliani" in sm.evidence["caveat"]
    mix = [f for f in found if f.check == "device-mix"]
    assert any("come from 2 sensors" in f.message and f.message.startswith("Google Pixel 3") for f in mix)


def test_two_model_names_on_one_sensor_point_to_edited_tags(tmp_path: Path):
    paths = [_camera(tmp_path, f"m{i}.jpg", seed=40 + i, device=2, model=("Pixel 3" if i < 2 else "Pixel 4")) for i in range(4)]
    records = with_residuals([read_file(p) for p in paths], side=SIDE, workers=1)
    _, found, facts = _findings(records)
    assert facts.sensor is not None and len(facts.sensor.groups) == 1
    edited = [f for f in found if f.check == "device-mix" and "share one sensor" in f.message]
    assert edited and edited[0].evidence["devices"] == ["Google Pixel 3", "Google Pixel 4"]
    case = Case(hypotheses=(Hypothesis(id="one", statement="one phone", single_device=True),))
    (a,) = assess(case, records, [f for r in records for f in r.findings] + found, facts)
    (row,) = a.rows
    assert row.verdict.value == "consistent"  # one sensor outweighs two model names
    assert "sensor noise: 4 pictures share one sensor" in row.observation


def test_case_weighs_two_sensors_against_one_device(two_device_records):
    records, found, facts = _findings(two_device_records)
    case = Case(hypotheses=(Hypothesis(id="one", statement="one phone", single_device=True),
                            Hypothesis(id="two", statement="two phones", single_device=False)))  # fmt: skip
    every = [f for r in records for f in r.findings] + found
    one, two = assess(case, records, every, facts)
    assert one.rows[0].verdict.value == "inconsistent" and two.rows[0].verdict.value == "consistent"
    assert any(every[i].check == "sensor-match" for i in one.rows[0].findings)


def test_cannot_be_compared_is_said(tmp_path: Path):
    records = with_residuals([read_file(_camera(tmp_path, f"q{i}.jpg", i, 0, quality=50)) for i in range(2)], side=SIDE, workers=1)
    _, found, _ = _findings(records)
    (sm,) = [f for f in found if f.check == "sensor-match"]
    assert sm.message == "The set's pictures cannot be compared by their sensor noise (2 recompressed)."


def test_without_residuals_nothing_changes(two_devices: list[Path]):
    records = [read_file(p) for p in two_devices]
    _, found, facts = _findings(records)
    assert facts.sensor is None and not [f for f in found if f.check == "sensor-match"]
    assert "sensor" not in records[0].to_dict()


def test_record_json_says_where_not_what(two_device_records):
    d = two_device_records[0].to_dict()["sensor"]
    assert d == {"taken": True, "reason": None, "frame": list(FRAME), "side": SIDE}


# --- the scan -----------------------------------------------------------------------------


@pytest.mark.slow
def test_scan_with_sensor_groups_one_device(tmp_path: Path):
    from click.testing import CliRunner

    from forensics import scan
    from forensics.cli import cli

    size = (1088, 1056)
    for i in range(3):
        img = Image.fromarray(np.clip(np.asarray(photo(60 + i, size, noise=2.0), np.float32)
                                      * (1 + _pattern(3, size)), 0, 255).astype(np.uint8))  # fmt: skip
        write_jpeg(tmp_path / f"p{i}.jpg", img, quality=95, make="Google", model="Pixel 3", thumbnail=False)
    buf = io.BytesIO()
    photo(99, (800, 600)).save(buf, "PNG")
    (tmp_path / "screen.png").write_bytes(buf.getvalue())
    seen: list[tuple[int, int]] = []
    report = scan([tmp_path], sensor=True, workers=1, progress=lambda d, t: seen.append((d, t)))
    assert report.facts.sensor is not None and len(report.facts.sensor.groups) == 1
    assert len(report.facts.sensor.groups[0].paths) == 3
    assert seen[-1] == (7, 7)  # four files read, then three pictures decoded again
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--sensor", "--quiet"])
    assert "3 pictures share one sensor" in result.output


def test_html_shows_the_groups_and_the_score_matrix(two_device_records):
    from forensics.render.html import render_html
    from forensics.report import Report

    records, found, facts = _findings(two_device_records)
    html = render_html(Report(images=tuple(records), set_findings=tuple(found), facts=facts), ela=False, workers=1)
    assert html.count("pictures (576×544)</h3>") == 2 and "Sensor 2: 3 pictures" in html and "<td>below 1e-9</td>" in html
    assert "pairwise scores, 576×544 (6 pictures)" in html and html.count('class="hit"') == 12  # 2 × 3 × 2 ordered pairs
    assert "Sensor noise" not in render_html(Report(images=tuple(records[:1])), ela=False, workers=1)


def test_the_report_with_residuals_fits_the_schema(two_device_records):
    import json

    import jsonschema

    from forensics.report import Report

    records, found, facts = _findings(two_device_records)
    doc = Report(images=tuple(records), set_findings=tuple(found), facts=facts).to_dict()
    schema = json.loads((Path(__file__).resolve().parents[1] / "forensics" / "schema" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    assert doc["images"][0]["sensor"]["taken"] is True
    json.dumps(doc)  # every value JSON-safe, no residual bytes
    assert len(json.dumps(doc)) < 200_000


def _slow_residual(item: object) -> SensorNoise:
    import time

    time.sleep(30)
    return SensorNoise(reason="never")


def test_a_residual_past_the_time_limit_says_so(two_devices: list[Path], monkeypatch: pytest.MonkeyPatch):
    from forensics.read.decode import limited
    from forensics.sensor import residual

    monkeypatch.setattr(residual, "_task", _slow_residual)
    with limited(time_limit=1):
        (r,) = with_residuals([read_file(two_devices[0])], side=SIDE, workers=1)
    assert r.sensor is not None and r.sensor.reason == "decoding it at full resolution ran past 1 s, the time limit per file"
