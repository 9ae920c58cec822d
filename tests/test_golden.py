"""The sample case's JSON report, pinned: moving code must not change what a scan says.

The pinned document is the scan of ``samples/stolen-phone/evidence`` with its
case file and its references, as the walk-through runs it. Only what differs
by nature between runs is normalised: ``generated_at``, the temporary folder,
floats beyond six significant digits, and a few bits of a perceptual hash
(decoders may round differently on other CPUs). Regenerate after a deliberate
change with ``FORENSICS_REGOLD=1 python -m pytest tests/test_golden.py``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics.cli import cli

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "samples" / "stolen-phone"
GOLDEN = Path(__file__).with_name("golden") / "stolen-phone.report.json"
HASH_KEYS = {"phash", "dhash", "ahash", "whash", "colorhash", "pdq"}
HASH_SLACK = 4  # bits


def _scan(tmp: Path) -> dict:
    db = tmp / "refs.db"
    runner = CliRunner()
    sources = tomllib.loads((CASE / "references" / "sources.toml").read_text(encoding="utf-8"))
    for entry in sources["published"]:
        args = ["index", "add", str(db), str(CASE / "references" / entry["folder"]), "--source", entry["source"],
                "--published", str(entry["published"]), "--url", entry["url"], "--quiet", "--workers", "1"]  # fmt: skip
        assert runner.invoke(cli, args).exit_code == 0
    result = runner.invoke(cli, ["scan", str(CASE / "evidence"), "--case", str(CASE / "case.toml"), "--refs", str(db),
                                 "--json", "--quiet", "--workers", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return _normalise(json.loads(result.stdout), {str(tmp): "<tmp>", str(ROOT): "<root>"})


def _normalise(value: object, paths: dict[str, str]) -> object:
    if isinstance(value, dict):
        return {k: _normalise(v, paths) for k, v in value.items() if k != "generated_at"}
    if isinstance(value, list):
        return [_normalise(v, paths) for v in value]
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, str):
        for old, new in paths.items():
            value = value.replace(old, new)
        return value
    return value


def _differences(got: object, want: object, where: str = "$") -> list[str]:
    if isinstance(want, dict) and isinstance(got, dict):
        out = [f"{where}.{k}: missing" for k in want.keys() - got.keys()]
        out += [f"{where}.{k}: unexpected" for k in got.keys() - want.keys()]
        for k in want.keys() & got.keys():
            if k in HASH_KEYS and isinstance(want[k], str) and isinstance(got[k], str) and _close_hex(got[k], want[k]):
                continue
            out += _differences(got[k], want[k], f"{where}.{k}")
        return out
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return [f"{where}: {len(got)} items, pinned {len(want)}"]
        return [d for i, (g, w) in enumerate(zip(got, want)) for d in _differences(g, w, f"{where}[{i}]")]
    return [] if got == want else [f"{where}: {got!r}, pinned {want!r}"]


def _close_hex(a: str, b: str) -> bool:
    if len(a) != len(b) or not re.fullmatch(r"[0-9a-f]*", a + b):
        return False
    return bin(int(a or "0", 16) ^ int(b or "0", 16)).count("1") <= HASH_SLACK


def test_sample_case_report_is_unchanged(tmp_path):
    got = _scan(tmp_path)
    if os.environ.get("FORENSICS_REGOLD"):
        GOLDEN.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.skip("golden report rewritten")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    diffs = _differences(got, want)
    assert not diffs, "the sample case's report changed:\n" + "\n".join(diffs[:40])
