"""The `forensics scan` command: outputs, options, exit status, nothing but the report on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import imagegen
import pytest
from click.testing import CliRunner

import forensics
from forensics.cli import cli


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    d = tmp_path_factory.mktemp("case")
    imagegen.camera_jpeg(d / "IMG_0001.JPG", seed=1)
    imagegen.camera_jpeg(d / "IMG_0002.JPG", seed=2, datetime_original="2016:06:19 15:00:00")
    imagegen.write_jpeg(d / "edited.jpg", seed=3, software="Adobe Photoshop CC 2015 (Windows)",
                        thumbnail=imagegen.photo(50, (160, 120)))  # fmt: skip
    (d / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    return d


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_text_report(case):
    result = run("scan", case)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "3 file(s)" in out and "IMG_0001.JPG" in out and "WARNING" in out and "thumbnail-mismatch" in out
    assert "1 OS junk file(s) skipped" in out
    assert max(len(line) for line in out.splitlines()) <= 160  # wide enough when piped, bounded


def test_json_report(case):
    result = run("scan", case, "--json", "--workers", "1")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["schema"] == "forensics.report/1"
    assert doc["tool"] == {"name": "forensics", "version": forensics.__version__}
    assert doc["generated_at"].endswith("+00:00")
    assert doc["parameters"]["paths"] == [str(case)] and doc["parameters"]["workers"] == 1
    assert [len(i["sha256"]) for i in doc["images"]] == [64, 64, 64]
    assert doc["summary"]["files"] == 3 and doc["skipped"]["junk"] == 1
    one = doc["images"][0]
    assert one["metadata"]["make"] == "Apple" and len(one["hashes"]["phash"]) == 16
    assert {"check", "severity", "paths", "message", "evidence"} <= set(doc["findings"][0])


def test_jsonl_report(case):
    result = run("scan", case, "--jsonl")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["type"] == "header" and lines[0]["schema"] == "forensics.report/1"
    assert [line["type"] for line in lines[1:4]] == ["image"] * 3


def test_output_file(case, tmp_path):
    out = tmp_path / "r.json"
    result = run("scan", case, "--json", "--output", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["files"] == 3
    txt = tmp_path / "r.txt"
    run("scan", case, "-o", txt)
    assert "IMG_0002.JPG" in txt.read_text(encoding="utf-8")


def test_fail_on(case):
    assert run("scan", case, "--fail-on", "warning").exit_code == 1
    assert run("scan", case / "IMG_0001.JPG", "--fail-on", "warning").exit_code == 0
    assert run("scan", case, "--fail-on", "bogus").exit_code == 2


def test_workers_give_the_same_report(case):
    docs = [json.loads(run("scan", case, "--json", "--workers", w).stdout) for w in (1, 2)]
    for d in docs:
        d.pop("generated_at"), d["parameters"].pop("workers")
    assert docs[0] == docs[1]


def test_usage_errors(case):
    assert run("scan", case, "--json", "--jsonl").exit_code == 2
    assert run("scan").exit_code == 2
    assert run("scan", case, "--workers", "0").exit_code == 2


def test_quiet_and_stderr(tmp_path):
    (tmp_path / "bad.jpg").write_bytes(b"")
    result = run("scan", tmp_path, "--json")
    assert result.exit_code == 1 and "could not be read" in result.stderr
    json.loads(result.stdout)  # stdout stays pure JSON
    result = run("scan", tmp_path, "--json", "--quiet")
    assert result.exit_code == 1 and result.stderr == ""


def test_missing_path(tmp_path):
    result = run("scan", tmp_path / "nope", "--json")
    assert json.loads(result.stdout)["skipped"]["missing"] == [str(tmp_path / "nope")]


def test_python_m_forensics_and_silent_imports(case):
    """`python -m forensics` works, and no library prints or logs on import or use."""
    help_ = subprocess.run([sys.executable, "-m", "forensics", "--help"], capture_output=True, text=True, check=True)
    assert "scan" in help_.stdout and help_.stderr == ""
    code = (
        "import forensics, logging; logging.basicConfig(level=logging.INFO);"
        f"r = forensics.scan([{str(case)!r}], workers=1); assert len(r.images) == 3;"
        f"forensics.read_file({str(case / 'IMG_0001.JPG')!r}, all_tags=True)"
    )
    run_ = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run_.stdout == "" and run_.stderr == "", run_.stderr


def test_progress_only_on_a_terminal(case, monkeypatch):
    from forensics.cli.common import progress_bar

    with progress_bar("Reading") as p:  # pytest's stderr is not a terminal
        assert p is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with progress_bar("Reading", quiet=True) as p:
        assert p is None


def test_names_that_are_not_utf8_survive_json_files_and_text(tmp_path):
    """Messages and evidence name files too: every output stays valid UTF-8."""
    import json as _json

    if sys.platform == "darwin":
        pytest.skip("macOS file systems refuse names that are not UTF-8")
    folder = tmp_path / "n"
    folder.mkdir()
    imagegen.camera_jpeg(folder / "ok.jpg", seed=3)
    bad = os.path.join(os.fsencode(folder), b"bad\xff\xfe.jpg")
    with open(bad, "wb") as f:
        f.write((folder / "ok.jpg").read_bytes())
    out = tmp_path / "r.json"
    runner = CliRunner()
    result = runner.invoke(cli, ["scan", str(folder), "--json", "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    doc = _json.loads(out.read_bytes().decode("utf-8"))
    assert any("bad\\xff\\xfe.jpg" in f["message"] for f in doc["findings"])  # the near-duplicate names both
    text = tmp_path / "r.txt"
    assert runner.invoke(cli, ["scan", str(folder), "-o", str(text), "--quiet"]).exit_code == 0
    text.read_bytes().decode("utf-8")


def test_missing_path_and_unwritable_output_fail_before_and_after_the_scan(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["scan", str(tmp_path / "nope"), "--quiet"])
    assert result.exit_code == 1 and "not found" in result.output
    (tmp_path / "ev").mkdir()
    imagegen.write_jpeg(tmp_path / "ev" / "a.jpg")
    result = runner.invoke(cli, ["scan", str(tmp_path / "ev"), "-o", str(tmp_path / "no" / "r.json")])
    assert result.exit_code == 1 and "cannot write" in result.output and "Traceback" not in result.output


def test_meta_and_hash_take_folders_like_scan(tmp_path):
    imagegen.camera_jpeg(tmp_path / "a.jpg", seed=1)
    (tmp_path / "sub").mkdir()
    imagegen.camera_jpeg(tmp_path / "sub" / "b.jpg", seed=2)
    runner = CliRunner()
    for command in ("meta", "hash"):
        result = runner.invoke(cli, [command, str(tmp_path), "--json"])
        assert result.exit_code == 0, result.output
        assert len(json.loads(result.output)["files"]) == 2
    assert runner.invoke(cli, ["meta", str(tmp_path / "nope")]).exit_code == 1


def test_commands_call_the_library_and_do_not_read_files_themselves():
    """A command parses, makes one library call and renders: no reading stage is driven from the CLI."""
    import ast
    from pathlib import Path

    stages = {"discover", "read_all", "read_file", "read_metadata", "VideoReader", "hash_frame", "find_matches", "run_checks"}
    driven = {}
    for module in sorted((Path(forensics.__file__).parent / "cli").glob("*.py")):
        names = {
            alias.name
            for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        if names & stages:
            driven[module.name] = sorted(names & stages)
    assert driven == {}
