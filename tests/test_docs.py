"""The documentation cannot drift: every command, option and check is documented, examples run,
and real reports validate against the published JSON Schema."""

from __future__ import annotations

import importlib
import importlib.resources
import importlib.util
import json
import pkgutil
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _load_script(name: str):
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_docs_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen_cli_docs():
    return _load_script("gen_cli_docs")


def _registered_check_ids() -> list[str]:
    import forensics.checks
    import forensics.pipeline.scanning  # noqa: F401  (whatever a scan runs is registered by now)
    from forensics.checks.registry import iter_ids

    for info in pkgutil.iter_modules(forensics.checks.__path__, "forensics.checks."):
        importlib.import_module(info.name)
    return list(iter_ids())


# --- CLI reference ------------------------------------------------------------


def test_cli_reference_is_generated_and_current(gen_cli_docs):
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert current == gen_cli_docs.render(), "docs/cli.md is stale: run `python scripts/gen_cli_docs.py`"


def test_every_command_has_a_section_in_the_cli_reference(gen_cli_docs):
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    paths = gen_cli_docs.command_paths()
    assert {"forensics", "forensics scan", "forensics meta", "forensics hash"} <= set(paths)
    missing = [p for p in paths if f"## `{p}`" not in text]
    assert not missing, f"commands missing from docs/cli.md (run `python scripts/gen_cli_docs.py`): {missing}"


def test_every_option_appears_in_the_cli_reference(gen_cli_docs):
    import click

    from forensics.cli import cli

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = []
    for cmd, ctx in gen_cli_docs.walk(cli, gen_cli_docs._context(cli, "forensics")):
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden:
                missing += [f"{ctx.command_path} {o}" for o in param.opts if o not in text]
    assert not missing, f"options missing from docs/cli.md: {missing}"


def test_check_mode_of_the_generator_reports_staleness(gen_cli_docs, tmp_path, monkeypatch):
    monkeypatch.setattr(gen_cli_docs, "TARGET", tmp_path / "cli.md")
    monkeypatch.setattr(gen_cli_docs, "ROOT", tmp_path)
    assert gen_cli_docs.main(["--check"]) == 1  # absent
    assert gen_cli_docs.main([]) == 0
    assert gen_cli_docs.main(["--check"]) == 0
    (tmp_path / "cli.md").write_text("# hand-edited\n", encoding="utf-8")
    assert gen_cli_docs.main(["--check"]) == 1


# --- checks reference ---------------------------------------------------------


def _headings(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^#{2,4} ", line)]


def test_every_registered_check_has_a_section_in_checks_md():
    headings = _headings((DOCS / "checks.md").read_text(encoding="utf-8"))
    ids = _registered_check_ids()
    assert "unreadable" in ids and len(ids) >= 10
    missing = [i for i in ids if not any(re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", h) for h in headings)]
    assert not missing, f"checks without a section (a heading naming the id) in docs/checks.md: {missing}"


def test_checks_md_sections_name_only_real_checks():
    """A section for a check that does not exist (renamed, removed) misleads readers."""
    ids = set(_registered_check_ids())
    text = (DOCS / "checks.md").read_text(encoding="utf-8")
    named = set(re.findall(r"^#{3,4} `([a-z0-9-]+)`", text, re.M))
    assert named <= ids, f"docs/checks.md documents unknown checks: {sorted(named - ids)}"


# --- links and pages ----------------------------------------------------------

PAGES = ["getting-started.md", "cli.md", "api.md", "checks.md", "json-schema.md", "privacy-and-limits.md"]


@pytest.mark.parametrize("page", PAGES)
def test_documentation_page_exists(page):
    assert (DOCS / page).is_file()


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md")), *sorted((ROOT / "samples").glob("*/README.md"))]


def test_relative_links_resolve():
    broken = []
    for md in _markdown_files():
        text = md.read_text(encoding="utf-8")
        text = re.sub(r"```.*?```", "", text, flags=re.S)  # links inside code blocks are examples
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            path = target.split("#", 1)[0]
            if path and not (md.parent / path).exists():
                broken.append(f"{md.relative_to(ROOT)} -> {target}")
    assert not broken, f"broken links: {broken}"


# --- library API examples -----------------------------------------------------


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_api_examples_run(tmp_path, monkeypatch, capsys):
    """The examples in docs/api.md run, in order, from a folder holding a copy of samples/."""
    blocks = _python_blocks(DOCS / "api.md")
    assert len(blocks) >= 2
    shutil.copytree(ROOT / "samples" / "stolen-phone", tmp_path / "samples" / "stolen-phone")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"docs/api.md[python block {i + 1}]", "exec"), namespace)
        except SystemExit as exc:  # a verification script ends with its exit status
            assert exc.code in (0, 1, None), exc.code
    out = capsys.readouterr().out
    assert "IMG_0409.JPG" in out


# --- JSON Schema --------------------------------------------------------------


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    text = importlib.resources.files("forensics").joinpath("schema/report.schema.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _errors(validator, doc) -> list[str]:
    return [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(doc)]


def test_schema_validates_a_report_of_varied_files(validator, tmp_path):
    from imagegen import camera_jpeg, write_jpeg

    import forensics

    camera_jpeg(tmp_path / "IMG_0001.JPG", seed=1, gps=(48.85, 2.35), gps_utc=("2016:06:19", (12, 22, 33)), offset="+02:00")
    write_jpeg(tmp_path / "stripped.jpg", seed=2, exif=b"", thumbnail=False)
    forensics_png = tmp_path / "Screen Shot 2016-06-22 at 6.31.04 PM.png"
    from imagegen import photo

    photo(3, (1440, 900)).save(forensics_png)
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 50)
    (tmp_path / "notes.txt").write_text("not evidence", encoding="utf-8")
    doc = forensics.scan([tmp_path], workers=1).to_dict()
    assert _errors(validator, doc) == []
    assert len(doc["images"]) == 4 and doc["summary"]["unreadable"] == 1


def test_schema_validates_the_sample_case_report(validator, tmp_path):
    """With a case and a reference index: matches and hypotheses validate, and their indices point at findings."""
    import forensics

    case = ROOT / "samples" / "stolen-phone"
    with forensics.ReferenceIndex(tmp_path / "refs.db") as index:
        index.add([case / "references"], source="sample", published="2016-05-28", workers=1)
    doc = forensics.scan([case / "evidence"], case=case / "case.toml", references=str(tmp_path / "refs.db"), workers=1).to_dict()
    assert _errors(validator, doc) == []
    assert doc["matches"] and doc["hypotheses"]
    n = len(doc["findings"])
    for h in doc["hypotheses"]:
        for row in h["rows"]:
            assert all(0 <= i < n for i in row["findings"] + row["caveats"]), row


def test_schema_describes_each_json_lines_record(validator):
    """`--jsonl` lines carry the same objects as the document, plus a type."""
    from click.testing import CliRunner

    from forensics.cli import cli

    result = CliRunner().invoke(cli, ["scan", str(ROOT / "samples" / "stolen-phone" / "evidence"), "--jsonl", "--quiet", "--workers", "1"])
    assert result.exit_code == 0, result.output
    defs = validator.schema["$defs"]
    kinds = set()
    for line in result.stdout.splitlines():
        record = json.loads(line)
        kind = record.pop("type")
        kinds.add(kind)
        if kind == "header":
            continue
        sub = validator.evolve(schema={"$defs": defs, "$ref": f"#/$defs/{kind}"})
        assert _errors(sub, record) == [], kind
    assert {"header", "image", "finding"} <= kinds


def test_schema_validates_cli_json(validator):
    from click.testing import CliRunner

    from forensics.cli import cli

    result = CliRunner().invoke(cli, ["scan", str(ROOT / "samples"), "--json", "--quiet", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert _errors(validator, json.loads(result.stdout)) == []


def test_schema_rejects_what_breaks_the_contract(validator):
    import forensics

    doc = forensics.scan([]).to_dict()
    assert _errors(validator, doc) == []
    for bad in (
        {**doc, "schema": "forensics.report/2"},
        {k: v for k, v in doc.items() if k != "findings"},
        {**doc, "findings": [{"check": "x", "severity": "fatal", "paths": [], "message": "m", "evidence": {}}]},
        {**doc, "matches": [{"reference": {"path": "r.jpg"}}]},
        {**doc, "hypotheses": [{"statement": "no id"}]},
    ):
        assert _errors(validator, bad), bad


def test_schema_describes_matches_of_the_match_command(validator, tmp_path):
    """`forensics match --json` lists the same *match* objects as the report."""
    from click.testing import CliRunner

    from forensics.cli import cli

    case = ROOT / "samples" / "stolen-phone"
    db = str(tmp_path / "refs.db")
    runner = CliRunner()
    added = runner.invoke(cli, ["index", "add", db, str(case / "references" / "profile" / "2016-05-28"), "--published", "2016-05-28", "-q", "-w", "1"])
    assert added.exit_code == 0, added.output
    result = runner.invoke(cli, ["match", str(case / "evidence" / "IMG_0413.JPG"), "--refs", db, "--json", "-q", "-w", "1"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == "forensics.matches/1" and len(doc["matches"]) == 1
    sub = validator.evolve(schema={"$defs": validator.schema["$defs"], "$ref": "#/$defs/match"})
    assert _errors(sub, doc["matches"][0]) == []
