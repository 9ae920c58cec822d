"""The JSON documents of ``match``, ``frames``, ``meta`` and ``hash``: their keys, order and values.

These pin the documents as the commands print them, so that moving their making into the
library cannot change a byte; they also hold the library calls to the very same documents.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import json
import shutil
import struct
from pathlib import Path

import imagegen
import pytest
from click.testing import CliRunner
from videogen import Clip

import forensics
from forensics.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "stolen-phone"
REFERENCE = SAMPLE / "references" / "profile" / "2016-05-28"

MATCH_KEYS = ["path", "reference", "distances", "transform", "confidence", "region", "method", "details"]
REFERENCE_KEYS = ["id", "path", "sha256", "source", "url", "published", "label", "width", "height", "timestamp", "video"]
VIDEO_FACTS = ["duration", "fps", "frame_count", "width", "height", "codec", "creation_time"]


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def pretty(doc: object) -> str:
    """How every command prints a document: two-space indent, UTF-8 kept, one newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """An index of one published picture; queries: its re-publication, a stranger, a broken file."""
    root = tmp_path_factory.mktemp("documents")
    db = root / "refs.db"
    added = run("index", "add", db, REFERENCE, "--source", "profile", "--published", "2016-05-28", "-q", "-w", "1")
    assert added.exit_code == 0, added.output
    queries = root / "queries"
    queries.mkdir()
    shutil.copy(SAMPLE / "evidence" / "IMG_0413.JPG", queries / "IMG_0413.JPG")
    imagegen.camera_jpeg(queries / "IMG_0001.JPG", seed=5)
    (queries / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 50)
    return root, db, queries


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return Clip(3, shots=(1.0, 1.0)).write(tmp_path_factory.mktemp("clip") / "clip.mp4")


# --- forensics.matches/1 ----------------------------------------------------------------


def test_match_document(world):
    root, db, queries = world
    result = run("match", queries, root / "nope", "--refs", db, "--json", "-q", "-w", "1")
    assert result.exit_code == 1  # the broken file and the missing path
    doc = json.loads(result.stdout)
    assert result.stdout == pretty(doc)
    assert list(doc) == ["schema", "refs", "queries", "max_distance", "matches", "unreadable", "missing"]
    assert doc["schema"] == "forensics.matches/1" and doc["refs"] == str(db)
    assert doc["queries"] == 3 and doc["max_distance"] == 10
    (m,) = doc["matches"]
    assert list(m) == MATCH_KEYS and list(m["reference"]) == REFERENCE_KEYS
    assert m["path"] == str(queries / "IMG_0413.JPG")
    assert m["reference"]["path"] == str(REFERENCE / "photo_3107.jpg")
    assert (m["reference"]["source"], m["reference"]["published"]) == ("profile", "2016-05-28")
    assert m["method"] == "hash" and m["details"] == {"view": "identity"} and m["region"] is None
    assert list(m["distances"]) == ["phash", "dhash", "ahash", "whash", "colorhash"]
    (bad,) = doc["unreadable"]
    assert list(bad) == ["path", "reason"] and bad["path"] == str(queries / "broken.jpg") and bad["reason"]
    assert doc["missing"] == [str(root / "nope")]


def test_match_document_options_and_no_match(world):
    _, db, queries = world
    result = run("match", queries / "IMG_0001.JPG", "--refs", db, "--json", "--max-distance", "4", "--no-verify", "-w", "1")
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout) == {
        "schema": "forensics.matches/1", "refs": str(db), "queries": 1, "max_distance": 4,
        "matches": [], "unreadable": [], "missing": [],
    }  # fmt: skip


def test_match_text_and_stderr(world):
    root, db, queries = world
    result = run("match", queries, root / "nope", "--refs", db, "-w", "1")
    assert result.exit_code == 1
    assert "1 match(es) for 1 file(s) of 3" in result.stdout and "IMG_0413.JPG" in result.stdout
    assert "unreadable" in result.stderr and "broken.jpg" in result.stderr and "not found" in result.stderr
    assert run("match", queries, "--refs", db, "-q", "-w", "1").stderr == ""
    missing = run("match", queries, "--refs", root / "none.db")
    assert missing.exit_code == 1 and "no such reference index" in missing.stderr


# --- forensics.frames/1 -----------------------------------------------------------------


def test_frames_document(clip, tmp_path):
    out = tmp_path / "frames"
    result = run("frames", clip, "--out", out, "--json", "--interval", "0.5")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert result.stdout == pretty(doc)
    assert list(doc) == ["schema", "video", "info", "frames", "problems"]
    assert doc["schema"] == "forensics.frames/1" and doc["video"] == str(clip) and doc["problems"] == []
    assert list(doc["info"]) == VIDEO_FACTS
    assert (doc["info"]["frame_count"], doc["info"]["fps"], doc["info"]["width"]) == (50, 25.0, 320)
    assert [f["timestamp"] for f in doc["frames"]] == [0.0, 0.52, 1.0, 1.52]  # 0.52: the first frame at or after 0.5 s
    assert [f["scene_change"] for f in doc["frames"]] == [False, False, True, False]
    for f in doc["frames"]:
        assert list(f) == ["timestamp", "scene_change", "file", "phash"] and len(f["phash"]) == 16
        assert Path(f["file"]).parent == out and Path(f["file"]).is_file()
    assert Path(doc["frames"][2]["file"]).name == "clip_000001.000s-cut.jpg"


def test_frames_document_of_a_truncated_video(tmp_path):
    full = Clip(2, shots=(1.0, 1.0)).write(tmp_path / "full.avi", fourcc="MJPG")
    path = tmp_path / "cut.avi"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    result = run("frames", path, "--out", tmp_path / "o", "--json", "--no-scenes", "--format", "png")
    assert result.exit_code == 1 and "truncated or damaged" in result.stderr
    doc = json.loads(result.stdout)
    assert len(doc["problems"]) == 1 and "truncated or damaged" in doc["problems"][0]
    assert doc["frames"] and not any(f["scene_change"] for f in doc["frames"])
    assert all(f["file"].endswith(".png") for f in doc["frames"])


def test_frames_errors(tmp_path):
    picture = tmp_path / "still.jpg"
    imagegen.write_jpeg(picture)
    result = run("frames", picture, "--out", tmp_path / "o")
    assert result.exit_code == 1 and result.stderr == f"Error: {picture}: not a video (the content is JPEG)\n"
    result = run("frames", tmp_path / "nope.mp4", "--out", tmp_path / "o")
    assert result.exit_code == 2  # click: the path does not exist
    clip = tmp_path / "c.mp4"
    clip.write_bytes(struct.pack(">I4s4sI", 16, b"ftyp", b"isom", 0) + bytes(1000))
    result = run("frames", clip, "--out", picture / "sub")
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: cannot create {picture / 'sub'}: ")


# --- forensics.meta/1 and forensics.hashes/1 --------------------------------------------


def test_meta_document(world):
    _, _, queries = world
    result = run("meta", queries, "--json")
    assert result.exit_code == 1  # the broken file
    doc = json.loads(result.stdout)
    assert result.stdout == pretty(doc)
    assert list(doc) == ["schema", "files"] and doc["schema"] == "forensics.meta/1"
    assert [Path(f["path"]).name for f in doc["files"]] == ["IMG_0001.JPG", "IMG_0413.JPG", "broken.jpg"]
    record = forensics.read_metadata(queries / "IMG_0001.JPG")
    expected = {k: v for k, v in json.loads(json.dumps(record.to_dict(), default=str)).items() if k not in ("findings", "hashes")}
    assert doc["files"][0] == expected and list(doc["files"][0]) == list(expected)
    assert doc["files"][0]["metadata"]["raw"] in (None, {})
    assert doc["files"][2]["error"]
    with_raw = json.loads(run("meta", queries / "IMG_0001.JPG", "--json", "--all").stdout)
    assert with_raw["files"][0]["metadata"]["raw"]


def test_hash_document(world):
    _, _, queries = world
    result = run("hash", queries, "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert result.stdout == pretty(doc)
    assert list(doc) == ["schema", "files"] and doc["schema"] == "forensics.hashes/1"
    good, _, bad = doc["files"]
    assert list(good) == ["path", "sha256", "phash", "dhash", "ahash", "whash", "colorhash"]
    hashes = forensics.hash_image(queries / "IMG_0001.JPG")
    assert good == {
        "path": str(queries / "IMG_0001.JPG"),
        "sha256": forensics.read_file(queries / "IMG_0001.JPG").sha256,
        **hashes.to_dict(),
    }
    assert list(bad) == ["path", "sha256", "error"] and bad["path"].endswith("broken.jpg") and len(bad["sha256"]) == 64


def test_meta_and_hash_text_and_missing_paths(world):
    _, _, queries = world
    meta = run("meta", queries)
    assert meta.exit_code == 1 and "IMG_0413.JPG" in meta.stdout and "decoded; EXIF says" in meta.stdout
    hashed = run("hash", queries)
    assert hashed.exit_code == 1 and forensics.hash_image(queries / "IMG_0001.JPG").phash in hashed.stdout
    for command in ("meta", "hash"):
        result = run(command, queries / "nope", queries / "nope2")
        assert result.exit_code == 1
        assert result.stderr == f"Error: not found: {queries / 'nope'}, {queries / 'nope2'}\n"


def test_hash_text_of_a_video(clip):
    result = run("hash", clip)
    assert result.exit_code == 0, result.output
    assert "clip.mp4" in result.stdout and "Traceback" not in result.output


# --- the library calls behind the commands ----------------------------------------------


def test_match_call_is_the_command(world):
    root, db, queries = world
    calls: list[tuple[float, float]] = []
    report = forensics.match([queries, root / "nope"], db, workers=1, progress=lambda done, total: calls.append((done, total)))
    assert isinstance(report, forensics.MatchReport) and isinstance(report.matches[0], forensics.Match)
    cli_out = run("match", queries, root / "nope", "--refs", db, "--json", "-q", "-w", "1").stdout
    assert pretty(report.to_dict()) == cli_out
    assert report.queries == 3 and report.max_distance == 10 and report.missing == (str(root / "nope"),)
    assert [Path(p).name for p, _ in report.unreadable] == ["broken.jpg"]
    assert calls[-1] == (6, 6) and [d for d, _ in calls] == sorted(d for d, _ in calls)  # read, then matched
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.queries = 0  # type: ignore[misc]


def test_match_call_takes_an_open_index_and_leaves_it_open(world):
    _, db, queries = world
    with forensics.ReferenceIndex(db, create=False) as index:
        one = forensics.match(queries / "IMG_0413.JPG", index, max_distance=4, verify=False)
        assert index.stats()["files"] == 1  # still usable
    assert one.references == str(db) and one.queries == 1 and one.max_distance == 4 and len(one.matches) == 1
    with pytest.raises(forensics.ReferenceIndexError):
        forensics.match(queries, db.parent / "none.db")


def test_match_document_of_a_name_that_is_not_utf8(world, tmp_path):
    import os
    import sys

    if sys.platform == "darwin":
        pytest.skip("macOS file systems refuse names that are not UTF-8")
    _, db, _ = world
    gone = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"gone\xff.jpg"))
    doc = forensics.match([gone], db).to_dict()
    assert doc["missing"] == [str(tmp_path / "gone\\xff.jpg")]
    json.dumps(doc, ensure_ascii=False).encode("utf-8")  # writable as UTF-8


def test_extract_frames_call_is_the_command(clip, tmp_path):
    calls: list[tuple[int, int]] = []
    written = forensics.extract_frames(clip, out=tmp_path / "a", progress=lambda done, total: calls.append((done, total)))
    assert isinstance(written, forensics.FrameExtraction) and isinstance(written.frames[0], forensics.ExtractedFrame)
    for f in (tmp_path / "a").iterdir():  # frames are never written over: make room for the command's
        f.unlink()
    assert pretty(written.to_dict()) == run("frames", clip, "--out", tmp_path / "a", "--json").stdout
    assert calls and calls[-1] == (50, 50)
    kept = forensics.extract_frames(clip, interval=1.0, scenes=False)  # nothing written
    assert [f.timestamp for f in kept.frames] == [0.0, 1.0] and all(f.file is None for f in kept.frames)
    assert [f.phash for f in kept.frames] == [written.frames[0].phash, written.frames[2].phash]
    assert kept.to_dict()["frames"][0]["file"] is None
    png = forensics.extract_frames(str(clip), out=str(tmp_path / "p"), interval=0, format="png")
    assert [Path(f.file).name for f in png.frames if f.file] == ["clip_000000.000s.png", "clip_000001.000s-cut.png"]


def test_extract_frames_refuses_what_is_not_a_video(tmp_path):
    picture = tmp_path / "still.jpg"
    imagegen.write_jpeg(picture)
    with pytest.raises(forensics.UnreadableFile, match="not a video"):
        forensics.extract_frames(picture)
    with pytest.raises(forensics.UnreadableFile, match="no such file"):
        forensics.extract_frames(tmp_path / "nope.mp4")
    with pytest.raises(ValueError, match="format"):
        forensics.extract_frames(picture, format="gif")  # type: ignore[arg-type]
    with pytest.raises(forensics.ForensicsError, match="cannot create"):
        forensics.extract_frames(picture, out=picture / "sub")


def test_describe_and_hash_files_calls_are_the_commands(world):
    _, _, queries = world
    listing = forensics.describe(queries)
    assert isinstance(listing, forensics.MetadataListing) and len(listing.files) == 3
    assert pretty(listing.to_dict()) == run("meta", queries, "--json").stdout
    assert [Path(r.path).name for r in listing.unreadable] == ["broken.jpg"]
    assert forensics.describe(str(queries / "IMG_0001.JPG"), all_tags=True).files[0].metadata.raw
    hashes = forensics.hash_files([queries])
    assert isinstance(hashes.files[0], forensics.FileHashes)
    assert pretty(hashes.to_dict()) == run("hash", queries, "--json").stdout
    assert hashes.files[0].hashes == forensics.hash_image(queries / "IMG_0001.JPG")
    assert [Path(f.path).name for f in hashes.unreadable] == ["broken.jpg"]
    for call in (forensics.describe, forensics.hash_files):
        with pytest.raises(forensics.UnreadableFile, match=r"not found: .*nope"):
            call([queries, queries / "nope"])


# --- matches.schema.json ----------------------------------------------------------------


@pytest.fixture(scope="module")
def matches_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(importlib.resources.files("forensics").joinpath("schema/matches.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _errors(validator, doc) -> list[str]:
    return [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(doc)]


def test_match_json_validates_against_its_schema(matches_schema, world, tmp_path):
    root, db, queries = world
    full = json.loads(run("match", queries, root / "nope", "--refs", db, "--json", "-q", "-w", "1").stdout)
    assert full["matches"] and full["unreadable"] and full["missing"]
    assert _errors(matches_schema, full) == []
    none = json.loads(run("match", queries / "IMG_0001.JPG", "--refs", db, "--json", "-q").stdout)
    assert _errors(matches_schema, none) == []
    # a video frame as the reference: timestamp and video
    clip = Clip(4, shots=(1.0,)).write(tmp_path / "clip.mp4")
    frames_db = tmp_path / "frames.db"
    assert run("index", "add", frames_db, clip, "-q", "-w", "1").exit_code == 0
    shot = tmp_path / "shot.png"
    forensics.extract_frames(clip, out=tmp_path / "f", interval=0)
    shutil.copy(next((tmp_path / "f").iterdir()), shot)
    framed = json.loads(run("match", shot, "--refs", frames_db, "--json", "-q").stdout)
    assert framed["matches"] and framed["matches"][0]["reference"]["video"] == str(clip)
    assert _errors(matches_schema, framed) == []


def test_matches_schema_rejects_what_breaks_the_contract(matches_schema):
    doc = forensics.MatchReport(references="refs.db", queries=0, max_distance=10).to_dict()
    assert _errors(matches_schema, doc) == []
    for bad in (
        {**doc, "schema": "forensics.matches/2"},
        {k: v for k, v in doc.items() if k != "missing"},
        {**doc, "queries": -1},
        {**doc, "max_distance": 65},
        {**doc, "unreadable": [{"path": "a.jpg"}]},
        {**doc, "matches": [{"reference": {"path": "r.jpg"}}]},
    ):
        assert _errors(matches_schema, bad), bad


def test_matches_schema_shares_the_reports_match_objects(matches_schema):
    report = json.loads(importlib.resources.files("forensics").joinpath("schema/report.schema.json").read_text(encoding="utf-8"))
    for name, definition in matches_schema.schema["$defs"].items():
        assert definition == report["$defs"][name], name
