"""Matching against a reference index: transforms, confirmation by features, JSON, scan findings."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from imagegen import camera_jpeg, photo
from PIL import Image, ImageDraw

import forensics
from forensics import Match, ReferenceIndex
from forensics.cli import cli
from forensics.read.files import read_file
from forensics.refs.queries import content_box, map_box
from forensics.refs.search import within

BASES = 6
TARGET = 3  # the base the query variants are made from


def _player(picture: Image.Image) -> Image.Image:
    """The picture inside an app window: title bar, dark surround, controls under it."""
    shot = Image.new("RGB", (1200, 860), (24, 24, 28))
    draw = ImageDraw.Draw(shot)
    draw.rectangle((0, 0, 1200, 50), fill=(48, 48, 52))
    draw.text((20, 18), "Video - Player", fill=(240, 240, 240))
    shot.paste(picture.resize((800, 600)), (200, 90))
    draw.rectangle((200, 720, 1000, 726), fill=(90, 90, 90))
    draw.rectangle((200, 720, 520, 726), fill=(220, 30, 30))
    draw.polygon([(210, 760), (210, 800), (240, 780)], fill=(250, 250, 250))
    draw.text((900, 770), "1:07 / 3:12", fill=(250, 250, 250))
    return shot


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("match")
    refs = root / "refs"
    refs.mkdir()
    for i in range(BASES):
        photo(i, (800, 600)).save(refs / f"base{i}.jpg", quality=92)
    base = Image.open(refs / f"base{TARGET}.jpg").convert("RGB")
    q = root / "queries"
    q.mkdir()
    base.resize((400, 300)).save(q / "resized.jpg", quality=70)
    base.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(q / "mirrored.jpg", quality=90)
    base.transpose(Image.Transpose.ROTATE_270).save(q / "rotated.jpg", quality=90)  # turned 90° clockwise
    base.crop((117, 88, 117 + 566, 88 + 424)).save(q / "crop-half.jpg", quality=90)  # keeps half the picture
    base.crop((0, 0, 620, 465)).save(q / "crop-corner.jpg", quality=90)
    _player(base).save(q / "screenshot.png")
    over = base.copy()
    d = ImageDraw.Draw(over)
    d.rectangle((0, 500, 800, 600), fill=(180, 0, 0))
    d.text((30, 530), "BREAKING NEWS", fill=(255, 255, 255))
    over.save(q / "overlay.jpg", quality=90)
    photo(1000, (800, 600)).save(q / "unrelated.jpg", quality=90)
    db = root / "refs.db"
    with ReferenceIndex(db) as index:
        index.add([refs], source="Example News", published="2016-05-01", url="https://example.org/story", workers=1)
    return root, db


@pytest.fixture(scope="module")
def found(world):
    root, db = world
    records = [read_file(p) for p in sorted((root / "queries").iterdir())]
    with ReferenceIndex(db, create=False) as index:
        matches = index.match(records)
    by = {}
    for m in matches:
        by.setdefault(Path(m.path).name, []).append(m)
    return by


def _only(found, name) -> Match:
    assert name in found, f"{name} not found"
    ms = found[name]
    assert len(ms) == 1, ms
    m = ms[0]
    assert Path(m.reference.path).name == f"base{TARGET}.jpg"
    return m


def test_unrelated_picture_has_no_entry(found):
    assert "unrelated.jpg" not in found


def test_resized_copy_matches_by_hash_with_every_distance(found):
    m = _only(found, "resized.jpg")
    assert m.method == "hash" and m.transform == "resized" and m.confidence > 0.8
    assert set(m.distances) == {"phash", "dhash", "ahash", "whash", "colorhash"} and m.distances["phash"] <= 4
    ref = m.reference
    assert (ref.source, ref.url, ref.published) == ("Example News", "https://example.org/story", dt.date(2016, 5, 1))


def test_mirrored_and_rotated_copies_name_their_transform(found):
    assert _only(found, "mirrored.jpg").transform == "mirrored"
    assert _only(found, "rotated.jpg").transform == "rotated-90"


def test_crop_keeping_half_the_picture_is_confirmed_by_features(found):
    m = _only(found, "crop-half.jpg")
    assert m.method == "features" and "cropped" in m.transform
    x, y, w, h = m.details["reference_region"]  # the part of the reference the query shows
    assert abs(x - 117 / 800) < 0.03 and abs(y - 88 / 600) < 0.03 and abs(w - 566 / 800) < 0.03 and abs(h - 424 / 600) < 0.03
    assert m.details["inliers"] >= 20
    m = _only(found, "crop-corner.jpg")
    assert "cropped" in m.transform


def test_picture_inside_a_player_screenshot_is_found_with_its_region(found):
    m = _only(found, "screenshot.png")
    assert m.transform.startswith("framed")
    x, y, w, h = m.region
    assert abs(x - 200) <= 12 and abs(y - 90) <= 12 and abs(w - 800) <= 24 and abs(h - 600) <= 24


def test_overlay_is_found(found):
    assert _only(found, "overlay.jpg").confidence > 0.5


def test_match_dict_is_json_safe(found):
    d = _only(found, "crop-half.jpg").to_dict()
    json.dumps(d, allow_nan=False)
    assert d["reference"]["published"] == "2016-05-01" and "timestamp" in d["reference"]


def test_without_verification_crops_are_not_claimed(world):
    root, db = world
    with ReferenceIndex(db, create=False) as index:
        matches = index.match([read_file(root / "queries" / "crop-half.jpg")], verify=False)
    assert matches == []


def test_exact_copy_is_identical_by_sha256(world):
    root, db = world
    with ReferenceIndex(db, create=False) as index:
        (m,) = index.match([read_file(root / "refs" / "base1.jpg")])
    assert (m.method, m.transform, m.confidence) == ("sha256", "identical", 1.0)


def test_cli_match_json(world):
    root, db = world
    result = CliRunner().invoke(cli, ["match", str(root / "queries"), "--refs", str(db), "--json", "--quiet", "-w", "1"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    assert doc["schema"] == "forensics.matches/1"
    paths = {Path(m["path"]).name for m in doc["matches"]}
    assert "unrelated.jpg" not in paths and {"resized.jpg", "screenshot.png", "crop-half.jpg"} <= paths
    m = doc["matches"][0]
    assert {"path", "reference", "distances", "transform", "confidence"} <= set(m)
    assert {"path", "source", "url", "published", "timestamp"} <= set(m["reference"])


def test_cli_match_text_and_no_match(world, tmp_path):
    root, db = world
    result = CliRunner().invoke(cli, ["match", str(root / "queries" / "mirrored.jpg"), "--refs", str(db)])
    assert result.exit_code == 0 and "mirrored" in result.stdout
    photo(2000, (200, 150)).save(tmp_path / "new.jpg")
    result = CliRunner().invoke(cli, ["match", str(tmp_path / "new.jpg"), "--refs", str(db), "--quiet"])
    assert result.exit_code == 0 and "No match" in result.stdout


def test_scan_with_refs_adds_reference_match_findings(world, tmp_path):
    root, db = world
    # the camera original of a picture that was already published before its claimed capture
    camera_jpeg(tmp_path / "IMG_0001.JPG", seed=77, size=(800, 600), datetime_original="2016:06:19 14:22:33")
    refs = tmp_path / "published"
    refs.mkdir()
    photo(77, (800, 600)).resize((640, 480)).save(refs / "story.jpg", quality=80)
    db2 = tmp_path / "r.db"
    with ReferenceIndex(db2) as index:
        index.add([refs], source="Agency", published="2016-01-10", workers=1)
    report = forensics.scan([tmp_path / "IMG_0001.JPG"], references=db2, workers=1)
    found = [f for f in report.findings if f.check == "reference-match"]
    assert len(found) == 1 and report.matches
    f = found[0]
    assert f.severity.value == "warning" and f.evidence["published_before_capture"] is True
    assert f.evidence["reference"]["source"] == "Agency"
    # published after the capture: a notice, not a warning
    with ReferenceIndex(db2) as index:
        index.remove(source="Agency")
        index.add([refs / "story.jpg"], source="Agency", published="2016-07-01", workers=1)
    report = forensics.scan([tmp_path / "IMG_0001.JPG"], references=db2, workers=1)
    (f,) = [f for f in report.findings if f.check == "reference-match"]
    assert f.severity.value == "notice"
    # the text and JSON reports carry the match
    result = CliRunner().invoke(cli, ["scan", str(tmp_path / "IMG_0001.JPG"), "--refs", str(db2), "--quiet", "-w", "1"])
    assert "reference match" in result.stdout and "story.jpg" in result.stdout.replace("\n", "")
    result = CliRunner().invoke(cli, ["scan", str(tmp_path / "IMG_0001.JPG"), "--refs", str(db2), "--json", "--quiet", "-w", "1"])
    assert json.loads(result.stdout)["matches"][0]["reference"]["source"] == "Agency"


def test_scan_without_matches_has_no_reference_findings(world):
    root, db = world
    report = forensics.scan([root / "queries" / "unrelated.jpg"], references=db, workers=1)
    assert not [f for f in report.findings if f.check == "reference-match"]


def test_near_duplicate_clusters_copies_within_the_set(tmp_path):
    base = photo(5, (640, 480))
    base.save(tmp_path / "a.jpg", quality=92)
    base.resize((320, 240)).save(tmp_path / "b.jpg", quality=70)
    base.save(tmp_path / "c.png")
    photo(6, (640, 480)).save(tmp_path / "other.jpg")
    report = forensics.scan([tmp_path], workers=1)
    found = [f for f in report.findings if f.check == "near-duplicate"]
    assert len(found) == 1
    f = found[0]
    assert {Path(p).name for p in f.paths} == {"a.jpg", "b.jpg", "c.png"}  # one cluster, not three pairs
    assert f.severity.value == "notice" and len(f.evidence["members"]) == 3


def test_near_duplicate_is_silent_on_distinct_pictures(tmp_path):
    for i in range(4):
        photo(10 + i, (320, 240)).save(tmp_path / f"{i}.jpg")
    report = forensics.scan([tmp_path], workers=1)
    assert not [f for f in report.findings if f.check == "near-duplicate"]


def test_exact_copies_are_an_info_cluster(tmp_path):
    photo(8, (320, 240)).save(tmp_path / "a.jpg")
    (tmp_path / "b.jpg").write_bytes((tmp_path / "a.jpg").read_bytes())
    report = forensics.scan([tmp_path], workers=1)
    (f,) = [f for f in report.findings if f.check == "near-duplicate"]
    assert f.severity.value == "info" and f.evidence["identical"]


def test_screenshot_of_a_video_matches_a_frame_reference(tmp_path):
    pytest.importorskip("cv2")
    from videogen import Clip, player_screenshot

    clip = Clip(4, (2.0, 2.0), size=(320, 240))
    video = clip.write(tmp_path / "clip.mp4")
    shot = tmp_path / "shot.png"
    player_screenshot(clip.frame(3.0), seed=1).save(shot)
    with ReferenceIndex(tmp_path / "v.db") as index:
        index.add([video], source="TV", published="2016-03-01", workers=1)
        matches = index.match([read_file(shot)])
    assert len(matches) == 1, "one match per video: the closest frame"
    ref = matches[0].reference
    assert ref.video == str(video) and ref.timestamp is not None and abs(ref.timestamp - 3.0) <= 1.0
    assert matches[0].to_dict()["reference"]["timestamp"] == ref.timestamp


# --- building blocks --------------------------------------------------------------------------


def test_within_finds_every_hash_in_radius():
    rng = np.random.default_rng(0)
    col = rng.integers(0, 2**63, 70_000, dtype=np.int64).view(np.uint64)
    q = int(col[40_000]) ^ 0b1011  # 3 bits off one stored hash
    (rows, dists), (rows0, _) = within(col, [q, 12345], 3)
    assert 40_000 in rows.tolist() and dists[rows.tolist().index(40_000)] == 3
    brute = [i for i, v in enumerate(col.tolist()) if (v ^ q).bit_count() <= 3]
    assert rows.tolist() == brute


def test_content_box_finds_the_picture_in_a_frame_and_not_in_a_plain_photo():
    pic = photo(3, (400, 300))
    assert content_box(pic) is None
    shot = Image.new("RGB", (600, 500), (20, 20, 20))
    shot.paste(pic, (100, 80))
    ImageDraw.Draw(shot).rectangle((100, 400, 500, 404), fill=(200, 0, 0))
    box = content_box(shot)
    assert box is not None and all(abs(a - b) <= 3 for a, b in zip(box, (100, 80, 500, 380)))


@pytest.mark.parametrize("op", ["FLIP_LEFT_RIGHT", "FLIP_TOP_BOTTOM", "ROTATE_90", "ROTATE_180", "ROTATE_270", "TRANSPOSE", "TRANSVERSE"])
def test_map_box_undoes_each_turn(op):
    img = Image.new("L", (40, 30), 0)
    ImageDraw.Draw(img).rectangle((5, 3, 14, 9), fill=255)  # pixels x 5..14, y 3..9
    view = img.transpose(getattr(Image.Transpose, op))
    ys, xs = np.nonzero(np.asarray(view))
    box = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    assert tuple(round(v) for v in map_box(box, op, img.size)) == (5, 3, 15, 10)


def test_reference_match_is_exported():
    assert "ReferenceIndex" in forensics.__all__ and "Match" in forensics.__all__
    assert forensics.ReferenceIndex is ReferenceIndex


def test_pdq_photos_edits_and_turns_match_their_original(corpora, tmp_path):
    pdq = corpora / "pdq-photos"
    if not pdq.is_dir():
        pytest.skip("pdq-photos not present")
    with ReferenceIndex(tmp_path / "p.db") as index:
        index.add([pdq / "bridge-mods" / "aaa-orig.jpg"], workers=1)
        queries = sorted((pdq / "bridge-mods").glob("*.jpg")) + sorted((pdq / "dih").glob("*.jpg"))
        distractors = sorted((pdq / "labelme-subset").glob("*.jpg"))
        records = forensics.scan(queries + distractors, workers=2).images
        matched = {m.path for m in index.match(records)}
    assert {str(q) for q in queries} <= matched
    assert not matched & {str(q) for q in distractors}


def test_near_duplicate_links_videos_that_share_frames_but_not_a_still_of_one(tmp_path):
    pytest.importorskip("cv2")
    from videogen import Clip, rgb

    clip = Clip(6, (1.5, 1.5), size=(160, 120))
    clip.write(tmp_path / "a.mp4")
    clip.write(tmp_path / "b.avi", fourcc="MJPG")
    rgb(clip.frame(1.0)).save(tmp_path / "still.png")
    report = forensics.scan([tmp_path], workers=1)
    found = [f for f in report.findings if f.check == "near-duplicate"]
    assert len(found) == 1 and {Path(p).name for p in found[0].paths} == {"a.mp4", "b.avi"}


def test_a_video_query_matches_a_video_reference_frame_by_frame(tmp_path):
    pytest.importorskip("cv2")
    from videogen import Clip

    clip = Clip(9, (1.5, 1.5), size=(160, 120))
    clip.write(tmp_path / "broadcast.mp4")
    clip.write(tmp_path / "copy.avi", fourcc="MJPG")
    with ReferenceIndex(tmp_path / "v.db") as index:
        index.add([tmp_path / "broadcast.mp4"], source="TV", workers=1)
        (m,) = index.match([read_file(tmp_path / "copy.avi")])
        assert index.match([read_file(tmp_path / "copy.avi")], verify=False)
    assert m.reference.video == str(tmp_path / "broadcast.mp4") and "query_timestamp" in m.details
    assert m.method == "hash" and m.distances["phash"] <= 10


@pytest.mark.parametrize("brand", [b"heim", b"msf1"])
def test_a_heif_reference_of_any_brand_is_loaded_for_verification(tmp_path, brand):
    import subprocess
    import sys

    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    path = tmp_path / "ref.heic"
    photo(5, (320, 240)).save(path, format="HEIF", quality=80)
    data = bytearray(path.read_bytes())
    assert data[4:8] == b"ftyp"
    data[8:12] = brand  # a major brand the reader knows, that libheif decodes
    path.write_bytes(bytes(data))
    # a fresh interpreter: nothing has registered the HEIF opener yet
    code = "import sys; from forensics.refs.queries import load_picture; print(load_picture(sys.argv[1]).size)"
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(320, 240)"
