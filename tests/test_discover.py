"""Discovery: by content, OS junk skipped and counted, loops and odd names survive."""

from __future__ import annotations

import json
import os
import sys

import imagegen
import pytest
from click.testing import CliRunner

from forensics import scan
from forensics.cli import cli
from forensics.read.discover import discover, is_junk
from forensics.read.sniff import sniff


def _png(path, seed=0, size=(64, 48)):
    imagegen.photo(seed, size).save(path, "PNG")
    return path


def test_junk_is_skipped_and_counted(tmp_path):
    _png(tmp_path / "a.png")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (tmp_path / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "._a.png").write_bytes(b"\x00\x05\x16\x07")
    (tmp_path / "__MACOSX").mkdir()
    _png(tmp_path / "__MACOSX" / "b.png")
    found = discover([tmp_path])
    assert [os.path.basename(f) for f in found.files] == ["a.png"]
    assert found.skipped_junk == 3


def test_is_junk():
    assert is_junk("._IMG_0001.JPG") and is_junk(".DS_Store") and is_junk("Thumbs.db")
    assert not is_junk("IMG_0001.JPG") and not is_junk(".hidden.jpg")


def test_sorted_and_recursive(tmp_path):
    (tmp_path / "b").mkdir()
    _png(tmp_path / "b" / "z.png")
    _png(tmp_path / "a.png")
    _png(tmp_path / "c.png")
    found = discover([tmp_path])
    assert [os.path.relpath(f, tmp_path) for f in found.files] == ["a.png", os.path.join("b", "z.png"), "c.png"]


def test_missing_path_is_reported(tmp_path):
    found = discover([tmp_path / "nope"])
    assert found.files == [] and found.missing == [str(tmp_path / "nope")]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this system")
def test_symlink_loop_does_not_hang(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    _png(sub / "a.png")
    os.symlink(tmp_path, sub / "loop")  # sub/loop -> tmp_path -> sub -> ...
    os.symlink(sub / "missing", tmp_path / "dangling")
    found = discover([tmp_path])
    assert [os.path.basename(f) for f in found.files] == ["a.png"]
    assert any("broken" in reason for _, reason in found.skipped_other)


def test_content_decides_not_the_extension(tmp_path):
    png = _png(tmp_path / "photo.jpg")  # a PNG that says it is a JPEG
    video = tmp_path / "clip.bin"
    video.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64)
    assert sniff(png.read_bytes()[:64]).format == "PNG"
    assert sniff(video.read_bytes()[:64]).kind == "video"
    report = scan([tmp_path], workers=1)
    by_name = {r.name: r for r in report.images}
    assert by_name["photo.jpg"].format == "PNG"
    assert by_name["clip.bin"].kind == "video"  # listed, even if this stub cannot be decoded
    mismatch = [f for f in report.findings if f.check == "type-mismatch"]
    assert [f.evidence["detected"] for f in mismatch] == ["PNG"]


@pytest.mark.parametrize(
    "head, fmt",
    [
        (b"\xff\xd8\xff\xe0", "JPEG"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"GIF89a", "GIF"),
        (b"II*\x00", "TIFF"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "WEBP"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIF"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "MOV"),
        (b"\x1a\x45\xdf\xa3\x01\x00\x00\x00webm", "WEBM"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "AVI"),
        (b"hello world", None),
    ],
)
def test_sniff(head, fmt):
    assert sniff(head + b"\x00" * 64).format == fmt


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs a file system that accepts any bytes in names")
def test_non_utf8_file_name_survives(tmp_path):
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9-\xff.png")
    imagegen.photo(1, (64, 48)).save(raw, "PNG")
    report = scan([tmp_path], workers=1)
    assert len(report.images) == 1 and report.images[0].error is None
    doc = report.to_dict()
    text = json.dumps(doc, ensure_ascii=False)
    text.encode("utf-8")  # no lone surrogates left
    assert "caf\\xe9-\\xff.png" in doc["images"][0]["path"]

    runner = CliRunner()
    result = runner.invoke(cli, ["scan", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["images"][0]["path"].endswith("caf\\xe9-\\xff.png")
    result = runner.invoke(cli, ["scan", str(tmp_path)])
    assert result.exit_code == 0 and "caf\\xe9-\\xff.png" in result.output
    # named on the command line: the report's parameters stay valid UTF-8 too
    result = runner.invoke(cli, ["scan", os.fsdecode(raw), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["parameters"]["paths"][0].endswith("caf\\xe9-\\xff.png")


def test_deep_nesting_does_not_overflow(tmp_path):
    # a nesting deeper than the recursion limit allows (lowered for the test, so that the tree
    # stays small enough for ordinary tools to delete)
    import inspect

    folder = tmp_path
    for _ in range(200):
        folder = folder / "d"
        folder.mkdir()
    _png(folder / "deep.png")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 60)
    try:
        found = discover([tmp_path])
    finally:
        sys.setrecursionlimit(limit)
    assert [os.path.basename(f) for f in found.files] == ["deep.png"]


def test_a_reference_index_beside_the_evidence_is_passed_over(tmp_path):
    """An index kept in the case folder (and SQLite's -wal/-shm files) is not evidence."""
    from forensics import ReferenceIndex

    imagegen.write_jpeg(tmp_path / "a.jpg")
    idx = ReferenceIndex(tmp_path / "refs.db")
    (tmp_path / "refs.db-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\x00" * 60)
    (tmp_path / "refs.db-shm").write_bytes(b"\x00" * 64)
    found = discover([tmp_path])
    idx.close()
    assert [os.path.basename(f) for f in found.files] == ["a.jpg"]
    assert {os.path.basename(p) for p, _ in found.skipped_other} >= {"refs.db", "refs.db-wal", "refs.db-shm"}


def test_one_file_named_three_ways_is_read_once(tmp_path, monkeypatch):
    imagegen.write_jpeg(tmp_path / "a.jpg")
    monkeypatch.chdir(tmp_path)
    found = discover(["a.jpg", "./a.jpg", str(tmp_path / "a.jpg"), str(tmp_path)])
    assert found.files == ["a.jpg"]


def test_a_single_path_string_is_one_path(tmp_path):
    imagegen.write_jpeg(tmp_path / "a.jpg")
    assert [os.path.basename(f) for f in discover(str(tmp_path)).files] == ["a.jpg"]
    assert len(scan(str(tmp_path), workers=1).images) == 1


def _beyond_path_max(top):
    """A chain of folders under ``top`` whose path is longer than the system allows, a picture at its end.

    Made one level at a time relative to the folder above (dir_fd), as no call can name it whole.
    Returns the name of the first folder of the chain.
    """
    limit = os.pathconf(top, "PC_PATH_MAX") if hasattr(os, "pathconf") else 4096
    name = "d" * 200
    fd = os.open(top, os.O_RDONLY)
    try:
        for _ in range(limit // (len(name) + 1) + 2):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        out = os.open("deep.jpg", os.O_WRONLY | os.O_CREAT, dir_fd=fd)
        with open(out, "wb") as f:
            imagegen.photo(2, (32, 24)).save(f, "JPEG")
    finally:
        os.close(fd)
    return name


@pytest.mark.skipif(os.mkdir not in os.supports_dir_fd, reason="needs mkdir relative to a folder (dir_fd)")
def test_a_folder_beyond_the_path_limit_is_an_error_not_a_silent_skip(tmp_path):
    import shutil

    _png(tmp_path / "a.png")
    first = _beyond_path_max(tmp_path)
    try:
        found = discover([tmp_path])
        assert [os.path.basename(f) for f in found.files] == ["a.png"]
        ((path, reason),) = found.errors
        assert path.startswith(str(tmp_path / first)) and len(os.fsencode(path)) > 4000
        assert "longer than the system allows" in reason
        assert not found.skipped_other  # not passed over as if it were a note
        report = scan([tmp_path], workers=1)
        assert report.skipped.errors == ((path, reason),)
        assert report.to_dict()["skipped"]["errors"] == [{"path": path, "reason": reason}]
    finally:
        shutil.rmtree(tmp_path / first)  # relative to open folders: no path length limit


def test_a_folder_that_cannot_be_listed_is_an_error(tmp_path, monkeypatch):
    _png(tmp_path / "a.png")
    locked = tmp_path / "locked"
    locked.mkdir()
    _png(locked / "b.png")
    scandir = os.scandir

    def refuse(path):  # what chmod 000 does, but for root too
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    found = discover([tmp_path])
    assert [os.path.basename(f) for f in found.files] == ["a.png"]
    assert found.errors == [(str(locked), "folder not examined: cannot open it: Permission denied")]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this system")
def test_links_out_of_the_scanned_folders_are_named_not_followed(tmp_path):
    evidence, elsewhere = tmp_path / "evidence", tmp_path / "elsewhere"
    (evidence / "sub").mkdir(parents=True)
    elsewhere.mkdir()
    _png(evidence / "sub" / "a.png")
    _png(elsewhere / "b.png", seed=1)
    _png(elsewhere / "c.png", seed=2)
    os.symlink(elsewhere, evidence / "archive")  # a folder elsewhere
    os.symlink(elsewhere / "c.png", evidence / "c.png")  # a file elsewhere
    os.symlink(evidence / "sub", evidence / "again")  # within: followed (and read once)
    found = discover([evidence])
    assert [os.path.relpath(f, evidence) for f in found.files] == [os.path.join("again", "a.png")]
    assert sorted(found.skipped_other) == [
        (str(evidence / "archive"), f"symbolic link out of the scanned folders, to {elsewhere}: not followed"),
        (str(evidence / "c.png"), f"symbolic link out of the scanned folders, to {elsewhere / 'c.png'}: not followed"),
    ]
    assert not found.errors
    # scanning the target too makes the links lead within: each file is then read once
    both = discover([evidence, elsewhere])
    assert sorted(os.path.basename(f) for f in both.files) == ["a.png", "b.png", "c.png"] and not both.skipped_other
    report = scan([evidence], workers=1)
    assert {os.path.basename(r.path) for r in report.images} == {"a.png"}
    assert {o["path"] for o in report.to_dict()["skipped"]["other"]} == {str(evidence / "archive"), str(evidence / "c.png")}


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this system")
def test_a_link_to_the_root_does_not_walk_the_machine(tmp_path):
    _png(tmp_path / "a.png")
    os.symlink(os.path.abspath(os.sep), tmp_path / "root")
    found = discover([tmp_path])
    assert [os.path.basename(f) for f in found.files] == ["a.png"]
    assert found.skipped_other == [(str(tmp_path / "root"), f"symbolic link out of the scanned folders, to {os.sep}: not followed")]


def test_scan_exits_1_when_a_found_case_file_cannot_be_used(tmp_path):
    """The scan runs, but it is incomplete: the exit status says so, and stderr names the file."""
    from PIL import Image

    Image.new("RGB", (32, 24), "gray").save(tmp_path / "a.jpg")
    (tmp_path / "case.toml").write_text("x = " + "[" * 5000 + "]" * 5000, encoding="utf-8")
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--json", "--quiet", "--workers", "1"])
    assert result.exit_code == 1, result.output
    assert "not examined" in result.stderr and "case.toml" in result.stderr
    report = json.loads(result.stdout)
    assert len(report["images"]) == 1 and report["skipped"]["errors"]
