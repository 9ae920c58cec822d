"""Videos: container facts, sampling at an interval and at cuts, frame_at, the
``frames`` command, damaged videos, and the ``video-screenshots`` set check."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import struct
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from videogen import Clip, plain_screenshot, player_screenshot, rgb

from forensics.checks import CheckContext, run_checks
from forensics.checks.video import frame_matches
from forensics.cli import cli
from forensics.errors import UnreadableFile
from forensics.pipeline.scanning import scan
from forensics.read import video as video_mod
from forensics.read.files import read_file
from forensics.read.video import SCENE_STEP, VideoReader, frame_at, mp4_creation_time
from forensics.records.record import hex_distance
from forensics.refs.match import Match, Reference
from forensics.sets.facts import set_facts

CLIP = Clip(1)  # shots of 3.0, 2.5 and 3.5 s: cuts at 3.0 and 5.5 s


@pytest.fixture(scope="module")
def clip_path(tmp_path_factory) -> Path:
    return CLIP.write(tmp_path_factory.mktemp("video") / "clip.mp4")


@pytest.fixture(scope="module")
def clip_record(clip_path):
    return read_file(clip_path)


def _save(img, path: Path, **kw) -> Path:
    img.save(path, **kw)
    return path


# --- container facts and sampling -------------------------------------------------------


def test_container_facts(clip_record):
    r = clip_record
    assert r.error is None and r.problems == ()
    assert r.kind == "video" and r.format == "MP4"
    v = r.video
    assert (v.fps, v.frame_count, v.duration, v.width, v.height) == (25.0, 225, 9.0, 320, 240)
    assert (r.width, r.height) == (320, 240)
    assert v.codec  # the fourcc OpenCV reports ("FMP4" for mp4v)
    assert v.creation_time is None  # OpenCV's muxer leaves mvhd's time at zero


def test_fixed_interval_and_cuts(clip_record):
    frames = clip_record.video.frames
    times = [f.timestamp for f in frames]
    assert times == sorted(times) and times[0] == 0.0
    fixed = [t for t in times if t > 0]
    assert max(np.diff([0.0, *fixed])) <= video_mod.DEFAULT_INTERVAL + 1 / 25 + 1e-6
    cuts = [f.timestamp for f in frames if f.scene_change]
    assert len(cuts) == len(CLIP.cuts)
    for found, true in zip(cuts, CLIP.cuts):
        assert true <= found <= true + SCENE_STEP + 1e-6


def test_no_cut_within_a_moving_shot(tmp_path):
    # one long panning shot: motion over one texture is not a cut
    path = Clip(3, shots=(6.0,)).write(tmp_path / "pan.mp4")
    frames = read_file(path).video.frames
    assert not any(f.scene_change for f in frames)
    assert len(frames) == 12


@pytest.mark.parametrize("fourcc,name,fmt", [("MJPG", "clip.avi", "AVI"), ("XVID", "clip.mkv", "MKV")])
def test_other_containers(tmp_path, fourcc, name, fmt):
    path = Clip(2, shots=(1.0, 1.0)).write(tmp_path / name, fourcc=fourcc)
    r = read_file(path)
    assert r.error is None and r.format == fmt
    assert r.video.frame_count == 50 and r.video.duration == 2.0
    assert [f.timestamp for f in r.video.frames if f.scene_change] == [1.0]


def test_sampled_hashes_are_the_frames(clip_record):
    # each sampled frame's hash is that of the picture the clip shows at its time
    from forensics.read.files import hash_image

    for f in clip_record.video.frames[::4]:
        truth = hash_image(rgb(CLIP.frame(f.timestamp)))
        assert hex_distance(truth.phash, f.hashes.phash) <= 6


def test_long_video_stays_bounded(clip_path, monkeypatch):
    monkeypatch.setattr(video_mod, "MAX_SAMPLES", 4)
    with VideoReader(clip_path) as v:
        fixed = [f for f in v.sample(scenes=False)]
    assert 4 <= len(fixed) <= 5  # the interval widened to 9 s / 4


def test_progress_is_reported(clip_path):
    calls = []
    read_file(clip_path)  # warm
    rec = video_mod.read_video(read_file(clip_path), progress=lambda done, total: calls.append((done, total)))
    assert rec.error is None
    assert calls[-1] == (225, 225)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and len(calls) > 3


def test_scan_progress_moves_while_a_video_is_decoded(clip_path):
    calls = []
    scan([clip_path], workers=1, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (1, 1)
    assert any(0 < done < 1 for done, _ in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_metadata_only_reads_no_frames(clip_path):
    from forensics.read.files import read_metadata

    r = read_metadata(clip_path)
    assert r.error is None and r.video.frames == () and r.video.duration == 9.0


def test_interval_zero_keeps_first_frame_and_cuts(clip_path):
    with VideoReader(clip_path) as v:
        frames = list(v.sample(interval=0))
    assert frames[0].timestamp == 0.0 and not frames[0].scene_change
    assert len(frames) == 1 + len(CLIP.cuts) and all(f.scene_change for f in frames[1:])


# --- frame_at ------------------------------------------------------------------------


@pytest.mark.parametrize("t", [0.0, 2.0, 4.52, 7.2])
def test_frame_at_is_the_frame_shown(clip_path, t):
    from forensics.read.files import hash_image

    img = frame_at(clip_path, t)
    assert img.size == (320, 240) and img.mode == "RGB"
    truth = hash_image(rgb(CLIP.frame(t)))
    assert hex_distance(hash_image(img).phash, truth.phash) <= 6


def test_frame_at_outside_the_video(clip_path):
    with pytest.raises(UnreadableFile, match="no frame at 60 s"):
        frame_at(clip_path, 60.0)
    with pytest.raises(UnreadableFile):
        frame_at(clip_path, -1)


# --- creation time (mvhd) -------------------------------------------------------------


def _set_mvhd_time(data: bytes, when: dt.datetime) -> bytes:
    i = data.index(b"mvhd")
    seconds = int((when - dt.datetime(1904, 1, 1, tzinfo=dt.timezone.utc)).total_seconds())
    b = bytearray(data)
    assert b[i + 4] == 0  # version 0: 32-bit times
    b[i + 8 : i + 12] = struct.pack(">I", seconds)
    return bytes(b)


def test_creation_time_from_mvhd(clip_path, tmp_path):
    when = dt.datetime(2016, 6, 19, 14, 22, 33, tzinfo=dt.timezone.utc)
    path = tmp_path / "dated.mp4"
    path.write_bytes(_set_mvhd_time(clip_path.read_bytes(), when))
    assert mp4_creation_time(path) == when
    assert read_file(path).video.creation_time == when


def test_rotated_phone_video_is_as_shown(tmp_path):
    # a phone writes a 90° display matrix in tkhd instead of rotating the pixels
    data = bytearray(Clip(2, shots=(1.0, 1.0)).write(tmp_path / "upright.mp4").read_bytes())
    body = data.index(b"tkhd") + 4
    matrix = body + 4 + 5 * 4 + 8 + 4 * 2
    assert struct.unpack(">9i", data[matrix : matrix + 36])[0] == 0x10000
    data[matrix : matrix + 36] = struct.pack(">9i", 0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 1 << 30)
    path = tmp_path / "rotated.mp4"
    path.write_bytes(bytes(data))
    r = read_file(path)
    assert (r.width, r.height, r.video.width, r.video.height) == (240, 320, 240, 320)
    assert frame_at(path, 0.5).size == (240, 320)


def test_creation_time_version_1_and_large_sizes(tmp_path):
    when = dt.datetime(2020, 2, 29, 23, 59, 59, tzinfo=dt.timezone.utc)
    secs = int((when - dt.datetime(1904, 1, 1, tzinfo=dt.timezone.utc)).total_seconds())
    mvhd_body = bytes([1, 0, 0, 0]) + struct.pack(">QQ", secs, secs) + bytes(96)
    mvhd = struct.pack(">I4s", 8 + len(mvhd_body), b"mvhd") + mvhd_body
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    ftyp = struct.pack(">I4s4sI", 16, b"ftyp", b"isom", 0)
    mdat = struct.pack(">I4sQ", 1, b"mdat", 16 + 100) + bytes(100)  # a 64-bit box size
    path = tmp_path / "v1.mp4"
    path.write_bytes(ftyp + mdat + moov)
    assert mp4_creation_time(path) == when


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x00\x00\x08ftyp", struct.pack(">I4s", 4, b"moov"), struct.pack(">I4s", 1 << 31, b"moov") + b"x" * 20,
     struct.pack(">I4s", 16, b"moov") + struct.pack(">I4s", 8, b"mvhd"), b"\x00" * 64],
)  # fmt: skip
def test_creation_time_of_damaged_boxes_is_none(tmp_path, data):
    path = tmp_path / "bad.mp4"
    path.write_bytes(data)
    assert mp4_creation_time(path) is None


def test_creation_time_never_raises_on_random_boxes(tmp_path):
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    path = tmp_path / "fuzz.mp4"
    box = st.tuples(st.integers(0, 300), st.sampled_from([b"moov", b"mvhd", b"mdat", b"free", b"trak"]), st.binary(max_size=40))

    @hypothesis.settings(max_examples=150, deadline=None)
    @hypothesis.given(st.lists(box, max_size=6), st.binary(max_size=30))
    def run(boxes, tail):
        data = b"".join(struct.pack(">I4s", size, kind) + body for size, kind, body in boxes) + tail
        path.write_bytes(data)
        when = mp4_creation_time(path)
        assert when is None or 1970 <= when.year <= 2100

    run()


# --- damaged videos --------------------------------------------------------------------


def test_truncated_mp4_is_unreadable(clip_path, tmp_path):
    path = tmp_path / "cut.mp4"
    path.write_bytes(clip_path.read_bytes()[: clip_path.stat().st_size // 2])
    r = read_file(path)
    assert r.error and "cannot be opened" in r.error
    report = scan([path])
    [f] = [f for f in report.findings if f.check == "unreadable"]
    assert f.severity.value == "warning" and f.paths == (str(path),)


def test_truncated_avi_keeps_what_was_decoded(tmp_path):
    full = Clip(2, shots=(2.0, 2.0)).write(tmp_path / "full.avi", fourcc="MJPG")
    path = tmp_path / "cut.avi"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    r = read_file(path)
    assert r.error is None
    assert r.problems and "truncated or damaged" in r.problems[0]
    assert 0 < len(r.video.frames) < 9
    records, _ = run_checks([r], CheckContext())
    [f] = [f for f in records[0].findings if f.check == "unreadable"]
    assert f.severity.value == "notice"


def test_a_video_mostly_lost_is_unreadable_but_keeps_its_first_frames(tmp_path):
    full = Clip(2, shots=(2.0, 2.0)).write(tmp_path / "full.avi", fourcc="MJPG")
    path = tmp_path / "stub.avi"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 5])
    r = read_file(path)
    assert r.error and "truncated or damaged" in r.error and "only the frames before the damage" in r.error
    assert r.video.frames  # what was decoded is still there to match
    records, _ = run_checks([r], CheckContext())
    [f] = [f for f in records[0].findings if f.check == "unreadable"]
    assert f.severity.value == "warning"


def test_decoding_far_past_the_declared_length_stops(clip_path, monkeypatch):
    monkeypatch.setattr(video_mod, "_OVERRUN_SLACK", 0)
    with VideoReader(clip_path) as v:
        v.info = dataclasses.replace(v.info, frame_count=50)  # as a damaged header might say
        frames = list(v.sample())
    assert v.decoded <= 101 and frames[-1].timestamp < 4.1
    assert any("twice the 50" in p for p in v.problems)


def test_garbage_with_a_video_header_is_unreadable(tmp_path):
    path = tmp_path / "junk.mp4"
    path.write_bytes(struct.pack(">I4s4sI", 16, b"ftyp", b"isom", 0) + np.random.default_rng(0).bytes(5000))
    r = read_file(path)
    assert r.error
    records, _ = run_checks([r], CheckContext())
    assert [f.check for f in records[0].findings if f.check == "unreadable"] == ["unreadable"]


def test_intact_video_is_not_unreadable(clip_record):
    records, _ = run_checks([clip_record], CheckContext())
    assert not [f for f in records[0].findings if f.check == "unreadable"]


# --- forensics frames ------------------------------------------------------------------


def test_frames_command_writes_frames(clip_path, tmp_path):
    out = tmp_path / "frames"
    result = CliRunner().invoke(cli, ["frames", str(clip_path), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == "forensics.frames/1" and doc["info"]["frame_count"] == 225
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == len(doc["frames"]) == 18
    assert "clip_000000.000s.jpg" in files and "clip_000003.000s-cut.jpg" in files
    assert [f["timestamp"] for f in doc["frames"] if f["scene_change"]][0] == 3.0


def test_frames_command_text_and_options(clip_path, tmp_path):
    out = tmp_path / "cuts"
    result = CliRunner().invoke(cli, ["frames", str(clip_path), "--out", str(out), "--interval", "0", "--format", "png"])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.png"))) == 3
    assert "FMP4" in result.stdout and "yes" in result.stdout


def test_frames_command_on_a_broken_video(tmp_path):
    path = tmp_path / "broken.mp4"
    path.write_bytes(struct.pack(">I4s4sI", 16, b"ftyp", b"isom", 0) + bytes(1000))
    result = CliRunner().invoke(cli, ["frames", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "cannot be opened" in result.stderr and "Traceback" not in result.output


def test_frames_command_refuses_a_picture(tmp_path):
    from imagegen import photo

    path = _save(photo(1, (320, 240)), tmp_path / "still.jpg")
    result = CliRunner().invoke(cli, ["frames", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "not a video (the content is JPEG)" in result.stderr


def test_frames_command_on_a_truncated_video_keeps_what_it_decoded(tmp_path):
    full = Clip(2, shots=(2.0, 2.0)).write(tmp_path / "full.avi", fourcc="MJPG")
    path = tmp_path / "cut.avi"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["frames", str(path), "--out", str(out), "--json"])
    assert result.exit_code == 1
    assert "truncated or damaged" in result.stderr
    doc = json.loads(result.stdout)
    assert doc["problems"] and 0 < len(doc["frames"]) == len(list(out.iterdir()))


# --- video-screenshots: screenshots of a video in the same scan -------------------------

NAMES = [  # file-name times in the order the screenshots were taken
    "Screen Shot 2016-06-22 at 6.31.04 PM.png",
    "Screen Shot 2016-06-22 at 6.31.09 PM.png",
    "Screen Shot 2016-06-22 at 6.31.15 PM.jpg",
]


def _screenshots(folder: Path, times: list[float], names: list[str]) -> list[Path]:
    out = []
    for t, name in zip(times, names):
        img = plain_screenshot(CLIP.frame(t), scale=1.0 + 0.25 * len(out))
        out.append(_save(img, folder / name, **({"quality": 80} if name.endswith(".jpg") else {})))
    return out


def _video_findings(paths):
    report = scan(paths, workers=1)
    return [f for f in report.findings if f.check == "video-screenshots"]


def test_screenshots_grouped_in_video_order(clip_path, tmp_path):
    times = [1.2, 4.1, 7.5]
    shots = _screenshots(tmp_path, times, NAMES)
    findings = _video_findings([clip_path, *shots])
    [group] = findings  # names agree with the video's order: nothing else to say
    assert group.severity.value == "info"
    assert group.evidence["video"] == str(clip_path) and group.evidence["source"] == "scan"
    listed = group.evidence["screenshots"]
    assert [Path(s["path"]).name for s in listed] == NAMES
    for s, t in zip(listed, times):
        lo, hi = s["between"]
        assert lo <= t <= hi and abs(s["time"] - t) <= video_mod.DEFAULT_INTERVAL
    assert listed[0]["name_time"] == "2016-06-22T18:31:04"
    assert str(clip_path) in group.paths


def test_names_against_the_video_order(clip_path, tmp_path):
    # the screenshot named first shows the latest frame
    shots = _screenshots(tmp_path, [7.5, 1.2, 4.1], NAMES)
    findings = _video_findings([clip_path, *shots])
    [order] = [f for f in findings if f.severity.value == "notice"]
    assert "run against the order" in order.message
    assert len(order.evidence["pairs"]) == 2  # 6.31.04 (7.5 s) before both 6.31.09 (1.2 s) and 6.31.15 (4.1 s)


def test_screenshots_days_apart(clip_path, tmp_path):
    names = ["Screen Shot 2016-06-22 at 6.31.04 PM.png", "Screen Shot 2016-06-29 at 9.02.44 AM.png"]
    shots = _screenshots(tmp_path, [1.0, 6.0], names)
    [spread] = [f for f in _video_findings([clip_path, *shots]) if "day(s) apart" in f.message]
    assert spread.severity.value == "notice" and spread.evidence["span_seconds"] > 6 * 86400


def test_screenshot_named_before_the_video_existed(clip_path, tmp_path):
    dated = tmp_path / "dated.mp4"
    dated.write_bytes(_set_mvhd_time(clip_path.read_bytes(), dt.datetime(2016, 7, 1, 12, 0, tzinfo=dt.timezone.utc)))
    shots = _screenshots(tmp_path, [2.0], NAMES[:1])
    [early] = [f for f in _video_findings([dated, *shots]) if "before the video file was created" in f.message]
    assert early.evidence["video_created"] == "2016-07-01T12:00:00+00:00"


def test_unrelated_pictures_are_not_matched(clip_path, tmp_path):
    other = Clip(7)
    shots = [_save(plain_screenshot(other.frame(t)), tmp_path / n) for t, n in zip([1.0, 4.0], NAMES[:2])]
    from imagegen import photo

    shots.append(_save(photo(5, (640, 480)), tmp_path / "photo.png"))
    shots.append(_save(rgb(np.zeros((240, 320, 3), np.uint8)), tmp_path / "black.png"))  # a flat picture
    assert _video_findings([clip_path, *shots]) == []


def test_no_video_no_finding(tmp_path):
    shots = _screenshots(tmp_path, [1.0, 4.0], NAMES[:2])
    assert _video_findings(shots) == []


# --- video-screenshots: reference matches to indexed videos -----------------------------


def test_reference_matches_to_video_frames_are_grouped(tmp_path):
    shots = _screenshots(tmp_path, [1.0, 4.0], NAMES[:2])
    records = [read_file(p) for p in shots]
    ref = lambda i, t: Reference(id=i, path=f"frame{i}", video="/archive/clip.mp4", timestamp=t, source="archive")  # noqa: E731
    matches = (
        Match(str(shots[0]), ref(1, 6.0), {"phash": 2}),  # named first, shown later in the video
        Match(str(shots[1]), ref(2, 2.0), {"phash": 3}),
        Match(str(shots[1]), Reference(id=3, path="photo.jpg"), {"phash": 1}),  # not a video frame: ignored
    )
    found = frame_matches(records, matches)
    assert [(Path(m.path).name, m.timestamp, m.source) for m in found] == [(NAMES[0], 6.0, "reference"), (NAMES[1], 2.0, "reference")]
    _, findings = run_checks(records, CheckContext(facts=set_facts(records, reference_matches=matches)), only=["video-screenshots"])
    assert {f.severity.value for f in findings} == {"info", "notice"}
    info = next(f for f in findings if f.severity.value == "info")
    assert [s["time"] for s in info.evidence["screenshots"]] == [2.0, 6.0]
    assert info.evidence["video"] == "/archive/clip.mp4"


# --- item 2: a screenshot with player chrome matched to an indexed video ------------------


def _index_and_scan(clip_path: Path, tmp_path: Path, shots: dict[str, tuple[float, object]]) -> dict:
    """Index the clip with ``forensics index add``, scan the screenshots with --refs; the JSON report."""
    pytest.importorskip("forensics.refs.index", reason="the reference index is not in this build")
    folder = tmp_path / "shots"
    folder.mkdir()
    for name, (_, img) in shots.items():
        _save(img, folder / name, **({"quality": 70} if name.endswith(".jpg") else {}))
    db = tmp_path / "refs.db"
    runner = CliRunner()
    added = runner.invoke(cli, ["index", "add", str(db), str(clip_path), "--source", "test archive"])
    assert added.exit_code == 0, added.output
    result = runner.invoke(cli, ["scan", str(folder), "--refs", str(db), "--json", "-w", "1"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _best_matches(doc: dict) -> dict[str, dict]:
    best: dict[str, dict] = {}
    for m in doc["matches"]:
        name = Path(m["path"]).name
        if name not in best or m["confidence"] > best[name]["confidence"]:
            best[name] = m
    return best


def _assert_found(doc: dict, shots: dict[str, tuple[float, object]]) -> None:
    best = _best_matches(doc)
    assert set(best) == set(shots), f"not matched: {sorted(set(shots) - set(best))}"
    for name, (t, _) in shots.items():
        ref = best[name]["reference"]
        assert Path(ref["video"]).name == "clip.mp4"
        assert abs(ref["timestamp"] - t) <= video_mod.DEFAULT_INTERVAL, (name, ref["timestamp"], t)


def test_player_screenshot_found_in_an_index_of_videos(clip_path, tmp_path):
    # the frame at its own size in a player window: title bar, black pillarbox bars, control bar
    at_1x = {"window": (600, 420), "video_box": (40, 60, 427, 240)}
    shots = {
        "Screen Shot 2016-06-22 at 6.31.04 PM.png": (4.3, player_screenshot(CLIP.frame(4.3), seed=1, **at_1x)),
        "Screen Shot 2016-06-22 at 6.31.20 PM.png": (7.1, player_screenshot(CLIP.frame(7.1), seed=2, **at_1x)),
        "Screenshot_20160622-183130.png": (1.6, player_screenshot(CLIP.frame(1.6), seed=3, **at_1x)),
    }
    doc = _index_and_scan(clip_path, tmp_path, shots)
    _assert_found(doc, shots)
    # the set check orders them by video time, against their file-name times
    [group] = [f for f in doc["findings"] if f["check"] == "video-screenshots" and f["severity"] == "info"]
    assert [Path(s["path"]).name for s in group["evidence"]["screenshots"]] == sorted(shots, key=lambda n: shots[n][0])
    assert group["evidence"]["source"] == "reference"
    [order] = [f for f in doc["findings"] if f["check"] == "video-screenshots" and f["severity"] == "notice"]
    assert len(order["evidence"]["pairs"]) == 2  # the Android-named one (1.6 s) is named last


def test_full_screen_screenshot_scaled_and_recompressed_found_in_index(clip_path, tmp_path):
    shots = {
        "Screen Shot 2016-06-22 at 6.31.04 PM.jpg": (1.6, plain_screenshot(CLIP.frame(1.6), scale=2.5)),
        "Screen Shot 2016-06-22 at 6.31.09 PM.jpg": (4.3, plain_screenshot(CLIP.frame(4.3), scale=1.5)),
    }
    _assert_found(_index_and_scan(clip_path, tmp_path, shots), shots)


@pytest.mark.parametrize("variant", ["scaled-1.5x", "scaled-2.2x-16:9", "jpeg-q70"])
def test_scaled_or_recompressed_player_screenshot_found(clip_path, tmp_path, variant):
    # a player scales the video up (smooth pixels, little detail per pixel) or the window is saved as JPEG
    layout = {
        "scaled-1.5x": {"window": (700, 500), "video_box": (40, 40, 480, 360)},
        "scaled-2.2x-16:9": {},
        "jpeg-q70": {"window": (600, 420), "video_box": (40, 60, 320, 240)},
    }[variant]
    name = "Screen Shot 2016-06-22 at 6.31.04 PM." + ("jpg" if variant.startswith("jpeg") else "png")
    shots = {name: (7.1, player_screenshot(CLIP.frame(7.1), seed=5, **layout))}
    _assert_found(_index_and_scan(clip_path, tmp_path, shots), shots)


def test_player_chrome_is_beyond_whole_picture_hashes(clip_path, clip_record, tmp_path):
    # why item 2 needs the content rectangle: the chrome moves the whole-picture hashes away from the frame,
    # so the in-scan comparison (hashes only) finds the plain screenshot but not the one in a player window
    frame = CLIP.frame(4.0)
    shot = read_file(_save(player_screenshot(frame), tmp_path / "s.png"))
    plain = read_file(_save(plain_screenshot(frame), tmp_path / "p.png"))
    found = frame_matches([clip_record, shot, plain])
    assert [(Path(m.path).name, m.timestamp) for m in found] == [("p.png", 4.0)]


def test_player_screenshots_of_a_video_in_the_same_scan(clip_path, tmp_path):
    # no index: the scan itself cuts out the content rectangle of each player window
    layouts = {
        "Screen Shot 2016-06-22 at 6.31.04 PM.png": (1.6, {"window": (600, 420), "video_box": (40, 60, 427, 240)}),
        "Screen Shot 2016-06-22 at 6.31.09 PM.jpg": (4.3, {"window": (700, 500), "video_box": (40, 40, 480, 360)}),
        "Screen Shot 2016-06-22 at 6.31.15 PM.png": (7.1, {}),  # 16:9 box, video scaled 2.2×, pillarboxed
    }
    shots = []
    for name, (t, layout) in layouts.items():
        shots.append(_save(player_screenshot(CLIP.frame(t), seed=4, **layout), tmp_path / name,
                           **({"quality": 75} if name.endswith(".jpg") else {})))  # fmt: skip
    other = _save(player_screenshot(Clip(7).frame(2.0), seed=4), tmp_path / "Screen Shot 2016-06-22 at 6.40.00 PM.png")
    report = scan([clip_path, *shots, other], workers=1)
    [group] = [f for f in report.findings if f.check == "video-screenshots"]
    listed = group.evidence["screenshots"]
    assert [Path(s["path"]).name for s in listed] == list(layouts)
    for s, (t, _) in zip(listed, layouts.values()):
        assert abs(s["time"] - t) <= video_mod.DEFAULT_INTERVAL, (s, t)
        assert s["region"] is not None and s["method"] in ("hash", "features")
    assert str(other) not in group.paths


def test_set_matching_leaves_camera_photos_and_plain_frames_alone(clip_path, clip_record, tmp_path):
    from imagegen import camera_jpeg

    from forensics.refs.videos import match_set_videos

    plain = read_file(_save(plain_screenshot(CLIP.frame(2.0)), tmp_path / "plain.png"))  # found from the record alone
    photo = read_file(camera_jpeg(tmp_path / "IMG_0001.JPG", seed=3))
    window = read_file(_save(player_screenshot(CLIP.frame(6.5), seed=1), tmp_path / "window.png"))
    found = match_set_videos([clip_record, plain, photo, window])
    assert [Path(m.path).name for m in found] == ["window.png"]
    m = found[0]
    assert m.reference.video == str(clip_path) and abs(m.reference.timestamp - 6.5) <= video_mod.DEFAULT_INTERVAL
    x, y, w, h = m.region
    assert 145 <= x <= 170 and 50 <= y <= 70 and 680 <= w <= 740 and 500 <= h <= 560  # the 4:3 picture (158, 60, 708 × 531)
    assert match_set_videos([plain, photo]) == []  # no video: nothing opened


def test_record_json_carries_frames(clip_record):
    d = clip_record.to_dict()
    f0 = d["video"]["frames"][0]
    assert f0["timestamp"] == 0.0 and set(f0["hashes"]) >= {"phash", "dhash"} and f0["scene_change"] is False
    json.dumps(d)


def test_sampled_frame_to_image(clip_path):
    with VideoReader(clip_path) as v:
        first = next(iter(v.sample()))
        img = first.to_image()
    assert img.size == (320, 240)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    assert dataclasses.is_dataclass(first)
