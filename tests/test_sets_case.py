"""Case files: parsing, clear errors naming the line, and the evidence matrix of each hypothesis."""

from __future__ import annotations

import datetime as dt
import json
import os
from importlib import resources

import pytest
from click.testing import CliRunner
from imagegen import camera_jpeg

from forensics import scan
from forensics.case.assess import Verdict, assess
from forensics.case.file import Case, load_case, parse_case
from forensics.cli import cli
from forensics.errors import CaseFileError
from forensics.refs.match import Match, Reference
from forensics.sets.facts import set_facts

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
SIZE = (320, 240)

CASE = """\
title = "Photos said to come from a soldier's phone"

[[hypotheses]]
id = "recovered"
statement = "Taken by the soldier in Syria before 2016-06-22"
country = "SY"
taken_after = 2016-05-01
taken_before = 2016-06-22
single_device = true

[[hypotheses]]
id = "stolen"
statement = "Taken in Russia on a phone stolen there"
country = "RU"
unpublished_before = 2016-06-22
"""


def _soldier_set(folder, *, moscow=False):
    """Three pictures of one phone in Damascus on 19 June 2016; optionally a fourth from Moscow."""
    for i in range(3):
        camera_jpeg(folder / f"IMG_{i + 1:04d}.JPG", seed=i, size=SIZE, datetime_original=f"2016:06:19 1{i}:00:00",
                    offset="+03:00", gps=(33.51 + i * 0.001, 36.28), gps_utc=("2016:06:19", (7 + i, 0, 0)))  # fmt: skip
    if moscow:
        camera_jpeg(folder / "IMG_0004.JPG", seed=4, size=SIZE, datetime_original="2016:06:24 12:00:00",
                    offset="+03:00", gps=(55.75, 37.62), gps_utc=("2016:06:24", (9, 0, 0)),
                    make="samsung", model="SM-G930F")  # fmt: skip


def _rows(assessment):
    return {r.criterion: r for r in assessment.rows}


# ------------------------------------------------------------------ parsing


def test_parse_case_reads_every_criterion():
    case = parse_case(CASE)
    a, b = case.hypotheses
    assert case.title.startswith("Photos")
    assert (a.id, a.country, a.taken_after, a.taken_before, a.single_device) == (
        "recovered", ("SY",), dt.date(2016, 5, 1), dt.date(2016, 6, 22), True)
    assert b.unpublished_before == dt.date(2016, 6, 22) and b.single_device is None


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[[hypotheses]]\nid = "a"\nstatement = "x"\ncountry = "Syria"\n', 4, "two-letter"),
        ('[[hypotheses]]\nid = "a"\nstatement = "x"\ntaken_befor = 2016-06-22\n', 4, "unknown key 'taken_befor'"),
        ('[[hypotheses]]\nid = "a"\nstatement = "x"\n\n[[hypotheses]]\nid = "b"\nstatement = "y"\ntaken_after = 12\n', 8, "taken_after"),
        ('[[hypotheses]]\nid = "a"\nstatement = "x"\nsingle_device = "yes"\n', 4, "true or false"),
        ('[[hypotheses]]\nid = "a"\nstatement = "x"\n[[hypotheses]]\nid = "a"\nstatement = "y"\n', 5, "used twice"),
        ('[[hypotheses]]\nid = "a"\n', 1, "needs a statement"),
        ('title = "t"\n[[hypotheses]]\nid = "a"\nstatement = "x\n', 4, "not valid TOML"),
        ('title = "no hypotheses"\n', None, "at least one"),
        ('[[hypotheses]]\nid = "a"\nstatement = "x"\ncountry = "UK"\n', 4, "the United Kingdom is GB"),
        ('[[hypotheses]]\nid = "a"\nstatement = "x"\ntaken_after = 2016-05-01\ntaken_before = 2015-01-01\n', 4, "is not before"),
    ],
)
def test_malformed_case_names_the_line(text, line, words):
    with pytest.raises(CaseFileError) as exc:
        parse_case(text, path="case.toml")
    message = str(exc.value)
    assert words in message
    if line is not None:
        assert f"line {line}" in message


def test_load_case_errors_are_clean(tmp_path):
    with pytest.raises(CaseFileError, match="cannot read"):
        load_case(tmp_path / "absent.toml")
    (tmp_path / "bad.toml").write_bytes(b'title = "\xff"\n')
    with pytest.raises(CaseFileError, match="line 1"):
        load_case(tmp_path / "bad.toml")


# ------------------------------------------------------------------ weighing


def test_matrix_separates_consistent_inconsistent_and_silent(tmp_path):
    _soldier_set(tmp_path)
    report = scan([str(tmp_path)], workers=1, now=NOW, case=parse_case(CASE))
    recovered, stolen = report.hypotheses
    rows = _rows(recovered)
    assert {c: r.verdict for c, r in rows.items()} == {
        "country (GPS)": Verdict.CONSISTENT,
        "country (time zone)": Verdict.CONSISTENT,
        "taken after": Verdict.CONSISTENT,
        "taken before": Verdict.CONSISTENT,
        "single device": Verdict.CONSISTENT,
    }
    rows = _rows(stolen)
    assert rows["country (GPS)"].verdict is Verdict.INCONSISTENT
    assert rows["country (time zone)"].verdict is Verdict.CONSISTENT  # Moscow also kept +03:00: not diagnostic
    assert rows["unpublished before"].verdict is Verdict.SILENT  # no references were searched
    gps_ids = [i for i, f in enumerate(report.findings) if f.check == "gps-location"]
    assert set(gps_ids) <= set(recovered.consistent) and set(gps_ids) <= set(stolen.inconsistent)
    assert set(recovered.silent).isdisjoint(gps_ids)


def test_another_country_and_device_contradict_the_single_phone_story(tmp_path):
    _soldier_set(tmp_path, moscow=True)
    report = scan([str(tmp_path)], workers=1, now=NOW, case=parse_case(CASE))
    rows = _rows(report.hypotheses[0])
    assert rows["country (GPS)"].verdict is Verdict.INCONSISTENT
    assert [p.rsplit("/", 1)[-1] for p in rows["country (GPS)"].paths] == ["IMG_0004.JPG"]
    assert rows["taken before"].verdict is Verdict.INCONSISTENT
    assert rows["single device"].verdict is Verdict.INCONSISTENT
    mix = [i for i, f in enumerate(report.findings) if f.check == "device-mix"]
    assert mix and set(mix) <= set(report.hypotheses[0].inconsistent)
    assert rows["single device"].findings == tuple(mix)


def test_reference_publications_against_unpublished_and_taken_after(tmp_path):
    _soldier_set(tmp_path)
    report = scan([str(tmp_path)], workers=1, now=NOW)
    path = report.images[0].path
    early = Match(path=path, reference=Reference(id=1, path="ref.jpg", source="news.example", published=dt.date(2016, 4, 2)))
    late = Match(path=path, reference=Reference(id=2, path="ref2.jpg", published=dt.datetime(2016, 7, 1, 9, 0)))
    case = parse_case(CASE)
    _, stolen = assess(case, report.images, report.findings, set_facts(report.images, reference_matches=[early]))
    row = _rows(stolen)["unpublished before"]
    assert row.verdict is Verdict.INCONSISTENT and "2016-04-02" in row.observation and "news.example" in row.observation
    recovered, _ = assess(case, report.images, report.findings, set_facts(report.images, reference_matches=[early]))
    assert _rows(recovered)["taken after"].verdict is Verdict.INCONSISTENT  # it existed before 1 May
    _, stolen = assess(case, report.images, report.findings, set_facts(report.images, reference_matches=[late]))
    assert _rows(stolen)["unpublished before"].verdict is Verdict.CONSISTENT


def test_criteria_without_evidence_are_silent(tmp_path):
    camera_jpeg(tmp_path / "a.jpg", size=SIZE, make=None, model=None, datetime_original=None, camera_fields=False)
    report = scan([str(tmp_path)], workers=1, now=NOW, case=parse_case(CASE))
    recovered = report.hypotheses[0]
    assert {r.verdict for r in recovered.rows} == {Verdict.SILENT}
    assert recovered.consistent == () and recovered.inconsistent == ()


def test_datetime_bounds_with_offsets_compare_in_utc(tmp_path):
    _soldier_set(tmp_path)  # the last picture: 12:00 +03:00 = 09:00 UTC
    report = scan([str(tmp_path)], workers=1, now=NOW)
    text = '[[hypotheses]]\nid = "h"\nstatement = "s"\ntaken_before = 2016-06-19T09:30:00Z\n'
    (a,) = assess(parse_case(text), report.images, report.findings)
    assert a.rows[0].verdict is Verdict.CONSISTENT
    text = text.replace("09:30:00Z", "08:30:00Z")
    (a,) = assess(parse_case(text), report.images, report.findings)
    assert a.rows[0].verdict is Verdict.INCONSISTENT


# ------------------------------------------------------------------ CLI, JSON, text


def test_case_toml_in_folder_is_found_and_json_follows_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    _soldier_set(tmp_path, moscow=True)
    (tmp_path / "case.toml").write_text(CASE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--json", "-q", "-w", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    schema = json.loads(resources.files("forensics").joinpath("schema/report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    ids = [h["id"] for h in data["hypotheses"]]
    assert ids == ["recovered", "stolen"]
    row = data["hypotheses"][0]["rows"][0]
    assert set(row) >= {"criterion", "expectation", "observation", "verdict", "paths", "findings"}
    assert data["set"]["countries"][0]["code"] == "SY"


def test_text_report_shows_set_summary_and_matrix(tmp_path):
    _soldier_set(tmp_path, moscow=True)
    case_file = tmp_path.parent / f"{tmp_path.name}-case.toml"
    case_file.write_text(CASE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--case", str(case_file), "-q", "-w", "1"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Across the set" in out and "Damascus" in out
    assert "recovered: Taken by the soldier" in out and "inconsistent" in out and "not a verdict" in out


def test_malformed_case_file_is_a_clean_cli_error(tmp_path):
    _soldier_set(tmp_path)
    case_file = tmp_path.parent / f"{tmp_path.name}-bad.toml"
    case_file.write_text('[[hypotheses]]\nid = "a"\nstatement = "x"\ncountry = 7\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--case", str(case_file), "-q"])
    assert result.exit_code == 1
    assert "line 4" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, CaseFileError) or result.exit_code == 1


def test_case_object_passes_through_scan():
    case = Case(hypotheses=())
    assert scan([], case=case).hypotheses == ()


def test_several_devices_hypothesis_and_untestable_hypothesis(tmp_path):
    _soldier_set(tmp_path, moscow=True)
    text = ('[[hypotheses]]\nid = "two"\nstatement = "Two phones"\nsingle_device = false\n'
            '[[hypotheses]]\nid = "vague"\nstatement = "Someone took them"\n')  # fmt: skip
    case_file = tmp_path.parent / f"{tmp_path.name}-case.toml"
    case_file.write_text(text, encoding="utf-8")
    report = scan([str(tmp_path)], workers=1, now=NOW, case=str(case_file))
    two, vague = report.hypotheses
    assert _rows(two)["single device"].verdict is Verdict.CONSISTENT
    assert vague.rows == () and vague.consistent == () and len(vague.silent) == len(report.findings)
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--case", str(case_file), "-q", "-w", "1"])
    assert "states nothing the files can test" in result.stdout
    lines = CliRunner().invoke(cli, ["scan", str(tmp_path), "--case", str(case_file), "--jsonl", "-q", "-w", "1"]).stdout
    kinds = [json.loads(line)["type"] for line in lines.splitlines()]
    assert kinds.count("hypothesis") == 2


# ------------------------------------------------------------------ hostile case files


def test_a_case_file_is_read_only_up_to_its_size_limit(tmp_path):
    from forensics.case.file import MAX_CASE_BYTES

    at_limit = tmp_path / "at.toml"
    at_limit.write_text(CASE + "#" * (MAX_CASE_BYTES - len(CASE.encode())), encoding="utf-8")
    assert len(load_case(at_limit).hypotheses) == 2
    huge = tmp_path / "huge.toml"
    with open(huge, "wb") as f:
        f.write(CASE.encode())
        f.truncate(2**40)  # sparse: claims a terabyte; reading it whole would never end
    with pytest.raises(CaseFileError, match="larger than 256 KiB"):
        load_case(huge)
    with pytest.raises(CaseFileError, match="larger than 256 KiB"):
        parse_case(CASE + " " * MAX_CASE_BYTES)


@pytest.mark.skipif(not os.path.exists("/dev/zero") or not hasattr(os, "mkfifo"), reason="needs /dev/zero and FIFOs")
def test_devices_pipes_and_folders_are_refused_at_once(tmp_path):
    fifo = tmp_path / "case.toml"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    for path in ("/dev/zero", fifo):
        with pytest.raises(CaseFileError, match="not a regular file"):
            load_case(path)
    with pytest.raises(CaseFileError, match=r"a folder, not a regular file|cannot read"):
        load_case(tmp_path)


@pytest.mark.parametrize(
    "text, words",
    [
        ("x = " + "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("x = " + "{a = " * 20_000 + "1" + "}" * 20_000, "nested too deeply"),
        ("a" + ".a" * 100_000 + " = 1", "dotted key of more than 32 parts"),  # quadratic in tomllib: exhausts memory
        ("[" + "a." * 100_000 + "a]", "dotted key of more than 32 parts"),
        ('title = "x"\n"=" ' + '. "a.b" ' * 40 + "= 1", "line 2: a dotted key"),  # quoted parts, an = inside one
        ("x = 1\nx = 2", "not valid TOML"),
        ("x = " + "1" * 5000, "not valid TOML: a number too large"),  # a ValueError of Python's, not a TOMLDecodeError
        ('[[hypotheses]]\nid = "a"\nstatement = "s"\ntaken_before = 9999-12-31T23:59:59-23:00', "line 4: taken_before of 'a' is out of range"),
        ("".join(f'[[hypotheses]]\nid = "h{i}"\nstatement = "s"\n' for i in range(101)), "line 301: more than 100 hypotheses"),
        ('title = """\n' + "word." * 40 + '\n"""\n[[hypotheses]]\nid = "a"\nstatement = "s"', None),  # not a key: no = after it
    ],
)
def test_hostile_toml_is_one_clean_line(text, words):
    if words is None:
        assert parse_case(text).hypotheses[0].id == "a"
        return
    with pytest.raises(CaseFileError) as exc:
        parse_case(text, path="case.toml")
    message = str(exc.value)
    assert words in message and "\n" not in message and len(message) < 200


def test_a_file_name_cannot_break_the_error_line(tmp_path):
    with pytest.raises(CaseFileError) as exc:
        load_case(tmp_path / "no\nsuch\x1b[31m.toml")
    assert "\n" not in str(exc.value) and "\x1b" not in str(exc.value) and "no\\x0asuch\\x1b[31m.toml" in str(exc.value)


def test_a_bad_case_file_found_in_the_folder_does_not_stop_the_scan(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    _soldier_set(tmp_path)
    (tmp_path / "case.toml").write_text("x = " + "[" * 100_000 + "]" * 100_000, encoding="utf-8")
    report = scan([str(tmp_path)], workers=1, now=NOW)
    assert len(report.images) == 3 and report.hypotheses == () and report.parameters.case is None
    ((path, reason),) = report.skipped.errors
    assert path == str(tmp_path / "case.toml") and reason == "case file not used: not valid TOML: arrays or tables nested too deeply"
    assert all(p != path for p, _ in report.skipped.other)  # listed once, as the case file it was meant to be
    doc = report.to_dict()
    jsonschema.validate(doc, json.loads(resources.files("forensics").joinpath("schema/report.schema.json").read_text(encoding="utf-8")))
    assert doc["skipped"]["errors"] == [{"path": path, "reason": reason}]

    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "-q", "-w", "1"])
    assert "Traceback" not in result.output and not isinstance(result.exception, CaseFileError)
    assert f"not examined: {path}: case file not used" in " ".join(result.stdout.split())


def test_a_malformed_case_file_found_is_reported_with_its_line(tmp_path):
    _soldier_set(tmp_path)
    (tmp_path / "case.toml").write_text('[[hypotheses]]\nid = "a"\nstatement = "x"\ncountry = 7\n', encoding="utf-8")
    ((_, reason),) = scan([str(tmp_path)], workers=1, now=NOW).skipped.errors
    assert reason.startswith("case file not used, line 4: country of 'a'")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this system")
def test_a_case_file_found_that_links_out_of_the_folder_is_not_used(tmp_path):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    _soldier_set(evidence)
    (tmp_path / "elsewhere.toml").write_text(CASE, encoding="utf-8")
    os.symlink(tmp_path / "elsewhere.toml", evidence / "case.toml")
    report = scan([str(evidence)], workers=1, now=NOW)
    assert report.hypotheses == ()
    ((_, reason),) = report.skipped.errors
    assert "symbolic link out of the scanned folder" in reason and "elsewhere.toml" in reason


def test_a_case_file_given_stays_strict(tmp_path):
    _soldier_set(tmp_path)
    bad = tmp_path.parent / f"{tmp_path.name}-nested.toml"
    bad.write_text("x = " + "[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(CaseFileError, match="nested too deeply"):
        scan([str(tmp_path)], workers=1, case=str(bad))
    for given in (str(bad), "/dev/zero"):
        result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--case", given, "-q", "-w", "1"])
        assert result.exit_code == 1 and "Traceback" not in result.output
        (line,) = result.output.strip().splitlines()  # one line on stderr, nothing read or printed
        assert line.startswith("Error: ") and ("nested too deeply" in line or "not a regular file" in line)
