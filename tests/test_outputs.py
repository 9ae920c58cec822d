"""Outputs never overwrite evidence, are written whole or not at all, and never put a raw control character on a terminal."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import imagegen
import pytest
from click.testing import CliRunner

import forensics
from forensics.cli import cli
from forensics.records.atomic import atomic_binary, atomic_text
from forensics.records.text import display_path, display_text, file_name, name_list, printable_path
from forensics.render.json import dumps

POSIX_NAMES = pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs a file system that accepts any bytes in names")
HOSTILE = "x\x1b]0;PWNED\x07\x1b[31m.jpg"  # sets the terminal's title, then turns the text red


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def ev(tmp_path):
    """An evidence folder of two pictures, and their hashes to show that nothing changed."""
    folder = tmp_path / "ev"
    folder.mkdir()
    imagegen.camera_jpeg(folder / "e1.jpg", seed=1)
    imagegen.camera_jpeg(folder / "e2.jpg", seed=2)
    return folder


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: _sha(p) for p in sorted(folder.iterdir())}


def _refused(result, *words: str) -> None:
    """A usage error of one line on stderr that names what collides, before anything ran."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for w in words:
        assert w in lines[0], lines[0]


# --- outputs never name an input ---------------------------------------------------------------


@pytest.mark.parametrize("option", ["-o", "--output", "--html", "--csv"])
def test_scan_output_cannot_be_a_scanned_file(ev, option):
    before = _hashes(ev)
    extra = ["--json"] if option in ("-o", "--output") else []
    result = run("scan", ev, option, ev / "e1.jpg", *extra)
    _refused(result, option, "e1.jpg", "scanned folder")
    assert _hashes(ev) == before


@pytest.mark.parametrize("option", ["--output", "--html", "--csv"])
def test_scan_output_cannot_be_a_new_file_in_a_scanned_folder(ev, option):
    result = run("scan", ev, option, ev / "report.out")
    _refused(result, option, "inside the scanned folder")
    assert not (ev / "report.out").exists()


def test_scan_output_cannot_be_a_file_named_on_the_command_line(ev):
    before = _sha(ev / "e2.jpg")
    _refused(run("scan", ev / "e2.jpg", "--html", ev / "e2.jpg"), "--html", "would overwrite the input")
    _refused(run("scan", ev / "e2.jpg", "-o", ev / "." / "e2.jpg"), "--output")  # another spelling of the same file
    assert _sha(ev / "e2.jpg") == before


def test_scan_output_cannot_be_the_case_file_or_the_reference_index(ev, tmp_path):
    case = tmp_path / "case.toml"
    case.write_text('[[hypothesis]]\nid = "H1"\nstatement = "taken by one phone"\n', encoding="utf-8")
    before = case.read_bytes()
    _refused(run("scan", ev / "e1.jpg", "--case", case, "--csv", case), "--csv", "case.toml")
    assert case.read_bytes() == before
    db = tmp_path / "refs.db"
    assert run("index", "add", db, ev / "e1.jpg", "-q").exit_code == 0
    before = db.read_bytes()
    _refused(run("scan", ev / "e2.jpg", "--refs", db, "-o", db), "--output", "refs.db")
    assert db.read_bytes() == before


def test_a_symbolic_link_to_evidence_is_evidence(ev, tmp_path):
    before = _hashes(ev)
    (tmp_path / "link.jpg").symlink_to(ev / "e1.jpg")
    _refused(run("scan", ev, "--html", tmp_path / "link.jpg"), "--html", "link.jpg")
    (tmp_path / "evlink").symlink_to(ev, target_is_directory=True)
    _refused(run("scan", ev, "-o", tmp_path / "evlink" / "new.json"), "--output", "scanned folder")
    _refused(run("scan", tmp_path / "evlink", "-o", ev / "new.json"), "--output", "scanned folder")
    assert _hashes(ev) == before


def test_a_hard_link_to_evidence_is_evidence(ev, tmp_path):
    before = _hashes(ev)
    os.link(ev / "e2.jpg", tmp_path / "hard.jpg")
    _refused(run("scan", ev, "--csv", tmp_path / "hard.jpg"), "--csv", "hard.jpg", "e2.jpg")
    assert _hashes(ev) == before


def test_a_folder_linked_into_the_evidence_is_scanned_too(ev, tmp_path):
    """Discovery follows a link to a folder, so a report written there would be read as evidence."""
    reports = tmp_path / "reports"
    reports.mkdir()
    (ev / "more").symlink_to(reports, target_is_directory=True)
    _refused(run("scan", ev, "-o", reports / "r.json", "--json"), "--output", "scanned folder")
    assert not (reports / "r.json").exists()


def test_two_outputs_cannot_name_the_same_file(ev, tmp_path):
    _refused(run("scan", ev, "--html", tmp_path / "r.out", "--csv", tmp_path / "." / "r.out"), "--html and --csv", "same file")
    _refused(run("scan", ev, "-o", tmp_path / "r.out", "--html", tmp_path / "r.out"), "--output and --html")
    assert not (tmp_path / "r.out").exists()


def test_outputs_beside_the_evidence_are_written(ev, tmp_path):
    result = run("scan", ev, "--json", "-o", tmp_path / "r.json", "--html", tmp_path / "r.html", "--csv", tmp_path / "r.csv", "-q")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["summary"]["files"] == 2
    assert (tmp_path / "r.html").read_text(encoding="utf-8").lower().startswith("<!doctype html>")
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").startswith("path,")
    assert run("scan", ev, "-o", "-", "--json", "-q").exit_code == 0  # `-` is stdout, never a file


def test_index_add_database_cannot_be_an_input(ev):
    before = _hashes(ev)
    _refused(run("index", "add", ev / "e1.jpg", ev / "e1.jpg", "ev/e2.jpg"), "DB", "e1.jpg")
    _refused(run("index", "add", ev / "e2.jpg", ev), "DB", "e2.jpg", "scanned folder")  # a picture the folder holds
    assert _hashes(ev) == before


def test_index_add_database_may_sit_in_the_folder_it_indexes(ev):
    result = run("index", "add", ev / "refs.db", ev, "-q", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 2  # the index itself is passed over
    again = run("index", "add", ev / "refs.db", ev, "-q", "--json")  # and so it is once it exists
    assert again.exit_code == 0 and json.loads(again.stdout)["skipped"] == 2


def test_index_export_output_cannot_be_the_index_and_is_written_whole(ev, tmp_path):
    db = tmp_path / "refs.db"
    assert run("index", "add", db, ev, "-q").exit_code == 0
    before = db.read_bytes()
    _refused(run("index", "export", db, "--jsonl", "-o", db), "--output", "refs.db")
    assert db.read_bytes() == before
    out = tmp_path / "refs.jsonl"
    assert run("index", "export", db, "--jsonl", "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8") == run("index", "export", db, "--jsonl").stdout
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


# --- frames never overwrite a file ---------------------------------------------------------------


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    from videogen import Clip

    return Clip(5, shots=(1.0, 1.0)).write(tmp_path_factory.mktemp("clip") / "clip.mp4")


def test_frames_refuse_to_overwrite_existing_files(clip, tmp_path):
    out = tmp_path / "frames"
    first = run("frames", clip, "--out", out, "--interval", "0", "--json")
    assert first.exit_code == 0, first.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["clip_000000.000s.jpg", "clip_000001.000s-cut.jpg"]
    (out / names[0]).write_bytes(b"kept")  # a file of a frame's name: it must survive
    again = run("frames", clip, "--out", out, "--interval", "0")
    _refused(again, "--out", "already holds 2 frame file(s)", "clip_000000.000s.jpg")
    assert (out / names[0]).read_bytes() == b"kept" and sorted(p.name for p in out.iterdir()) == names
    with pytest.raises(forensics.ForensicsError, match="never written over"):
        forensics.extract_frames(clip, out=out, interval=0)
    other = run("frames", clip, "--out", out, "--interval", "0", "--format", "png", "-q")
    assert other.exit_code == 0, other.output  # other names in the same folder are fine


def test_a_frame_is_never_written_over_a_file_that_appears_meanwhile(clip, tmp_path, monkeypatch):
    """Even when the folder changes between the check and the write, an existing file is kept."""
    from forensics.pipeline import frames

    out = tmp_path / "f"
    out.mkdir()
    (out / "clip_000001.000s-cut.jpg").write_bytes(b"kept")
    monkeypatch.setattr(frames, "existing_frames", lambda *a, **k: [])  # as if it had appeared after the check
    with pytest.raises(forensics.ForensicsError, match="already exists"):
        frames.extract_frames(clip, out=out, interval=0)
    assert (out / "clip_000001.000s-cut.jpg").read_bytes() == b"kept"
    assert sorted(p.name for p in out.iterdir()) == ["clip_000000.000s.jpg", "clip_000001.000s-cut.jpg"]  # no temporary file


# --- outputs are written whole or not at all ---------------------------------------------------


def test_a_writer_failing_halfway_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "r.txt"
    target.write_text("old report", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_text(target) as f:
        f.write("half of a new")
        f.flush()
        raise RuntimeError("stopped")
    assert target.read_text(encoding="utf-8") == "old report"
    assert os.listdir(tmp_path) == ["r.txt"]
    with pytest.raises(KeyboardInterrupt), atomic_binary(tmp_path / "new.bin") as b:  # Ctrl-C as well
        b.write(b"\x00" * 100)
        raise KeyboardInterrupt
    assert os.listdir(tmp_path) == ["r.txt"]


def test_a_finished_write_replaces_the_file_and_keeps_its_permissions(tmp_path):
    target = tmp_path / "r.txt"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o600)
    with atomic_text(target) as f:
        f.write("new")
        assert target.read_text(encoding="utf-8") == "old"  # not yet: only once complete
    assert target.read_text(encoding="utf-8") == "new" and os.listdir(tmp_path) == ["r.txt"]
    if sys.platform != "win32":
        assert (target.stat().st_mode & 0o777) == 0o600


def test_no_overwrite_keeps_an_existing_file(tmp_path):
    target = tmp_path / "f.jpg"
    target.write_bytes(b"evidence")
    with pytest.raises(FileExistsError), atomic_binary(target, overwrite=False) as f:
        f.write(b"frame")
    assert target.read_bytes() == b"evidence" and os.listdir(tmp_path) == ["f.jpg"]


def test_a_link_is_written_through_and_a_device_in_place(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(real)
    with atomic_text(tmp_path / "link.txt") as f:
        f.write("new")
    assert (tmp_path / "link.txt").is_symlink() and real.read_text(encoding="utf-8") == "new"
    if os.path.exists(os.devnull) and sys.platform != "win32":
        with atomic_text(os.devnull) as f:  # a device is not replaced by a regular file
            f.write("nothing")
        assert not Path(os.devnull).is_file()


def test_a_read_only_file_is_not_replaced(tmp_path):
    if sys.platform == "win32" or os.geteuid() == 0:
        pytest.skip("permissions do not bind this user")
    target = tmp_path / "r.txt"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o444)
    with pytest.raises(PermissionError), atomic_text(target) as f:
        f.write("new")
    assert target.read_text(encoding="utf-8") == "old"


def test_scan_interrupted_while_writing_keeps_the_old_report(ev, tmp_path, monkeypatch):

    out = tmp_path / "r.jsonl"
    out.write_text("the previous report\n", encoding="utf-8")

    def broken(report):
        yield '{"type": "header"}'
        raise OSError(28, "No space left on device")

    import forensics.render.json as renderers  # the command imports its renderer when it renders

    monkeypatch.setattr(renderers, "render_jsonl", broken)
    result = run("scan", ev, "--jsonl", "-o", out, "-q")
    assert result.exit_code == 1 and "cannot write" in result.stderr and "No space left" in result.stderr
    assert out.read_text(encoding="utf-8") == "the previous report\n"
    assert sorted(os.listdir(tmp_path)) == ["ev", "r.jsonl"]


@pytest.mark.parametrize("option", ["--csv", "--html"])
def test_html_and_csv_failing_keep_the_old_files(ev, tmp_path, monkeypatch, option):
    out = tmp_path / "r.out"
    out.write_text("old", encoding="utf-8")

    def full_disk(fd):  # the data written so far never reaches the disk
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    result = run("scan", ev, option, out, "-q", "--no-ela")
    assert result.exit_code == 1 and "cannot write" in result.stderr and "r.out" in result.stderr and ".tmp" not in result.stderr
    assert out.read_text(encoding="utf-8") == "old" and sorted(os.listdir(tmp_path)) == ["ev", "r.out"]


# --- names shown on a terminal -------------------------------------------------------------------


def test_display_path_escapes_what_a_terminal_would_act_on():
    assert display_path(HOSTILE) == "x\\x1b]0;PWNED\\x07\\x1b[31m.jpg"
    assert display_path("photo\u202egpj.exe") == "photo\\u202egpj.exe"  # a bidi override would show "photoexe.jpg"
    assert display_path("a\nb\tc\rd\x7f\x9b") == "a\\nb\\tc\\rd\\x7f\\u009b"  # C1 CSI is a character, not a byte
    assert display_path("zero\u200bwidth\u00a0nbsp") == "zero\\u200bwidth\\u00a0nbsp"
    assert display_path("tag\U000e0041") == "tag\\U000e0041"
    for ordinary in ("IMG_0001.JPG", "évidence/фото 1.jpg", "写真.png", "[x] (1) ~$#.jpg", "😀.jpg"):
        assert display_path(ordinary) == ordinary


def test_a_byte_that_is_not_utf8_and_a_backslash_in_a_name_stay_apart():
    undecodable = os.fsdecode(b"bad\xff")  # a surrogate escape
    literal = "bad\\xff"  # backslash, x, f, f
    assert display_path(undecodable) == "bad\\xff" and display_path(literal) == "bad\\\\xff"
    assert file_name(f"/ev/{literal}") == "bad\\\\xff" and name_list([undecodable, literal]) == "bad\\xff, bad\\\\xff"
    # JSON keeps every name readable and, when it is valid UTF-8, exactly as it is
    assert printable_path(undecodable) == "bad\\xff" and printable_path(literal) == literal and printable_path(HOSTILE) == HOSTILE


def test_windows_paths_keep_their_separators(monkeypatch):
    import forensics.records.text as text

    monkeypatch.setattr(text, "_BACKSLASH_IN_NAMES", False)  # as on Windows, where no name holds a backslash
    assert text.display_path("C:\\ev\\a\x1b.jpg") == "C:\\ev\\a\\x1b.jpg"


def test_display_text_keeps_backslashes_and_escapes_controls():
    assert display_text("C:\\photos \x1b[2J") == "C:\\photos \\x1b[2J"
    assert display_text("plain text") == "plain text"


def test_json_escapes_what_json_dumps_leaves_raw_and_the_value_is_the_same():
    data = {"path": "a\x9b31m\u202e\u2028\U000e0041.jpg", "ok": "é 写真 😀", "c0": "\x1b"}
    text = dumps(data)
    assert json.loads(text) == data
    assert "\\u009b" in text and "\\u202e" in text and "\\u2028" in text and "\\udb40\\udc41" in text
    assert not any(c in text for c in "\x1b\x9b\u202e\u2028")
    assert "é 写真 😀" in text  # readable UTF-8 stays readable
    assert dumps({"a": "IMG_0001.JPG"}) == '{\n  "a": "IMG_0001.JPG"\n}'


@POSIX_NAMES
def test_scan_text_output_shows_hostile_names_inert_and_json_exact(tmp_path):
    folder = tmp_path / "term"
    folder.mkdir()
    imagegen.camera_jpeg(folder / HOSTILE, seed=1, make="Evil\x1b[2J", model="Cam\x9bera")
    imagegen.camera_jpeg(folder / "twin.jpg", seed=1, make="Evil\x1b[2J", model="Cam\x9bera")  # a near-duplicate: a message names both
    result = run("scan", folder)
    assert result.exit_code == 0, result.output
    assert not any(c in result.output for c in "\x1b\x07\x9b")
    assert "x\\x1b]0;PWNED\\x07\\x1b[31m.jpg" in result.stdout
    doc = json.loads(run("scan", folder, "--json").stdout)
    assert {os.path.basename(i["path"]) for i in doc["images"]} == {HOSTILE, "twin.jpg"}  # JSON: the exact name
    csv_file = tmp_path / "r.csv"
    assert run("scan", folder, "--csv", csv_file, "-q").exit_code == 0


@POSIX_NAMES
def test_scan_text_output_tells_a_byte_from_a_backslash(tmp_path):
    folder = tmp_path / "n"
    folder.mkdir()
    imagegen.camera_jpeg(os.fsdecode(os.path.join(os.fsencode(folder), b"bad\xff.jpg")), seed=1)
    imagegen.camera_jpeg(folder / "bad\\xff.jpg", seed=2)
    out = run("scan", folder).stdout
    assert "bad\\xff.jpg" in out and "bad\\\\xff.jpg" in out


@POSIX_NAMES
def test_meta_hash_index_and_match_show_hostile_names_inert(tmp_path):
    folder = tmp_path / "term"
    folder.mkdir()
    imagegen.camera_jpeg(folder / HOSTILE, seed=4, make="Evil\x1b[2J", software="\x9b31mSoft")
    db = tmp_path / "refs.db"
    assert run("index", "add", db, folder, "--source", "src\x1b[5m", "-q").exit_code == 0
    for args in (("meta", folder), ("hash", folder), ("index", "ls", db), ("index", "stats", db), ("match", folder, "--refs", db)):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        assert "\x1b" not in result.output and "\x07" not in result.output and "\x9b" not in result.output, args
        assert "\\x1b" in result.stdout, args


@POSIX_NAMES
def test_messages_on_stderr_are_inert_too(tmp_path):
    gone = tmp_path / "gone\x1b[31m.jpg"
    scan = run("scan", gone)
    assert scan.exit_code == 1 and "gone\\x1b[31m.jpg" in scan.stderr and "\x1b" not in scan.output
    match = run("match", gone, "--refs", tmp_path / "none\x1b[5m.db")  # a library error names the index
    assert match.exit_code == 1 and "\x1b" not in match.output and "none\\x1b[5m.db" in match.stderr
    option = run("scan", "--bad\x1b[31m", tmp_path)  # click's own message quotes what was typed
    assert option.exit_code == 2 and "\x1b" not in option.output


def test_emoji_codes_in_names_stay_text(tmp_path):
    imagegen.camera_jpeg(tmp_path / ":warning:.jpg", seed=1)
    out = run("scan", tmp_path).stdout
    assert ":warning:.jpg" in out and "\u26a0" not in out
