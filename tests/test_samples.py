"""The sample case: rebuilt from its script, and scanned with the findings its walk-through promises."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics.cli import cli

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CASE = SAMPLES / "stolen-phone"
EVIDENCE = CASE / "evidence"
REFS = CASE / "references"
# written by hand, not by the script
HAND_WRITTEN = {"stolen-phone/README.md"}


@pytest.fixture(scope="module")
def make_samples():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _committed() -> set[str]:
    return {p.relative_to(SAMPLES).as_posix() for p in CASE.rglob("*") if p.is_file()} - HAND_WRITTEN


# --- the files are what the script makes ---------------------------------------


def test_committed_files_are_the_manifest(manifest):
    assert _committed() == set(manifest["files"]) | set(manifest["signed"])
    listed = {**manifest["files"], **manifest["signed"]}
    changed = [name for name, digest in listed.items() if _sha(SAMPLES / name) != digest]
    assert not changed, f"sample files differ from samples/manifest.json (rebuild with make_samples.py --write-manifest): {changed}"


def test_sample_case_is_small_and_complete(manifest):
    names = set(manifest["files"])
    evidence = [n for n in names if n.startswith("stolen-phone/evidence/")]
    assert len([n for n in evidence if n.lower().endswith(".jpg")]) == 9  # seven phone photos, two of documents
    assert len([n for n in evidence if re.search(r"/Screen Shot 2016-06-22 at \d+\.\d{2}\.\d{2} PM\.png$", n)]) == 2
    assert "stolen-phone/case.toml" in names and "stolen-phone/references/sources.toml" in names
    assert any(n.endswith(".mp4") for n in names)
    assert sum((SAMPLES / n).stat().st_size for n in names | set(manifest["signed"])) < 5_000_000


@pytest.fixture(scope="module")
def rebuilt(make_samples, tmp_path_factory) -> dict[str, Path]:
    """The sample case built afresh by the script, by name relative to ``samples/``."""
    out = tmp_path_factory.mktemp("rebuilt")
    return {p.relative_to(out).as_posix(): p for p in make_samples.build(out)}


@pytest.mark.slow
def test_script_rebuilds_the_samples(make_samples, manifest, rebuilt):
    """Byte for byte, every file, on the library versions the manifest records, whatever the CPU.

    The generator has no step whose result depends on the CPU's SIMD paths: the
    one float solve (the document photos' page placement) is pinned in
    ``PAGE_COEFFS``, and the rest is integer or correctly rounded arithmetic,
    Pillow's plain C resampling and libjpeg-turbo's integer DCT (its SIMD paths
    give the C code's bytes). On other library versions the encoders may
    differ, so only the files' shape and metadata are compared.
    """
    import forensics

    assert set(rebuilt) == set(manifest["files"])
    if make_samples.versions() == manifest["versions"]:
        assert {n: _sha(p) for n, p in rebuilt.items()} == manifest["files"]
        return
    for name, path in rebuilt.items():  # another Pillow or OpenCV encodes differently: compare what matters
        if path.suffix == ".toml":
            assert path.read_bytes() == (SAMPLES / name).read_bytes()
            continue
        new, old = forensics.read_metadata(str(path)), forensics.read_metadata(str(SAMPLES / name))
        assert (new.width, new.height, new.format) == (old.width, old.height, old.format), name
        for field in ("make", "model", "software", "datetime_original", "datetime", "gps"):
            assert getattr(new.metadata, field) == getattr(old.metadata, field), (name, field)


def test_page_coefficients_put_the_page_on_its_quad(make_samples):
    """The pinned coefficients are the solution: each corner of the quad maps onto the page's corner."""
    a, b, c, d, e, f, g, h = make_samples.PAGE_COEFFS
    pw, ph = make_samples.PAGE_SIZE
    for (x, y), (u, v) in zip(make_samples.PAGE_QUAD, [(0, 0), (pw, 0), (pw, ph), (0, ph)], strict=True):
        den = g * x + h * y + 1
        assert ((a * x + b * y + c) / den, (d * x + e * y + f) / den) == (pytest.approx(u, abs=1e-9), pytest.approx(v, abs=1e-9))


def _scalar_paths_env() -> dict[str, str]:
    """Environment that turns off the SIMD paths this CPU would use in numpy, OpenCV, OpenBLAS and libjpeg-turbo."""
    import cv2

    umath = None
    for name in ("numpy._core._multiarray_umath", "numpy.core._multiarray_umath"):  # numpy 2, numpy 1
        try:
            umath = importlib.import_module(name)
            break
        except ImportError:
            continue
    env = dict(os.environ, JSIMD_FORCENONE="1", OPENBLAS_CORETYPE="Prescott")
    features = getattr(umath, "__cpu_features__", {})
    numpy_targets = [t for t in getattr(umath, "__cpu_dispatch__", ()) if features.get(t)]
    if numpy_targets:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(numpy_targets)
    # "*AVX2" is dispatched, "*AVX2?" dispatched but already turned off
    opencv_targets = [t.strip("*?") for t in cv2.getCPUFeaturesLine().split() if t.startswith("*")]
    if opencv_targets:
        env["OPENCV_CPU_DISABLE"] = ",".join(opencv_targets)
    return env


@pytest.mark.slow
@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="the SIMD switches named are x86-64's")
def test_rebuild_does_not_depend_on_the_cpus_simd_paths(rebuilt, tmp_path):
    """Built again with numpy, OpenCV, OpenBLAS and libjpeg-turbo on their baseline code: the same bytes.

    A stand-in for a CPU with fewer vector units than this one; FFmpeg's own
    dispatch (the video's encoder) has no such switch and is not covered.
    """
    env = _scalar_paths_env()
    done = subprocess.run([sys.executable, str(SAMPLES / "make_samples.py"), "--out", str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "unknown CPU feature" not in done.stderr, done.stderr
    differ = [name for name, path in rebuilt.items() if (tmp_path / name).read_bytes() != path.read_bytes()]
    assert not differ, f"built with other bytes when SIMD paths are off: {differ}"


def test_case_file_states_two_hypotheses():
    case = tomllib.loads((CASE / "case.toml").read_text(encoding="utf-8"))
    assert [h["id"] for h in case["hypotheses"]] == ["recovered", "stolen"]
    sources = tomllib.loads((REFS / "sources.toml").read_text(encoding="utf-8"))
    for entry in sources["published"]:
        assert (REFS / entry["folder"]).is_dir()
        assert "fictional" in entry["source"]


# --- the walk-through, as a user runs it ----------------------------------------


@pytest.fixture(scope="module")
def walkthrough(tmp_path_factory) -> dict:
    """Index the references as the README does, then scan with the case, the index and an HTML report."""
    tmp = tmp_path_factory.mktemp("walkthrough")
    with pytest.MonkeyPatch.context() as mp:
        _no_network(mp)
        return _run_walkthrough(tmp)


def _no_network(mp: pytest.MonkeyPatch) -> None:
    """Any attempt to open a socket or resolve a name fails the walk-through."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            refuse()

    mp.setattr(socket, "socket", NoSocket)
    for name in ("create_connection", "getaddrinfo", "gethostbyname"):
        mp.setattr(socket, name, refuse)


def _run_walkthrough(tmp: Path) -> dict:
    db, html = tmp / "refs.db", tmp / "report.html"
    runner = CliRunner()
    sources = tomllib.loads((REFS / "sources.toml").read_text(encoding="utf-8"))
    for entry in sources["published"]:
        args = ["index", "add", str(db), str(REFS / entry["folder"]), "--source", entry["source"],
                "--published", str(entry["published"]), "--url", entry["url"], "--quiet", "--workers", "1"]  # fmt: skip
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["scan", str(EVIDENCE), "--case", str(CASE / "case.toml"), "--refs", str(db),
                                 "--html", str(html), "--json", "--quiet", "--workers", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    return {"report": report, "html": html}


def _findings(report: dict, check: str, name: str | None = None) -> list[dict]:
    return [
        f for f in report["findings"]
        if f["check"] == check and (name is None or any(Path(p).name == name for p in f["paths"]))
    ]  # fmt: skip


def _one(report: dict, check: str, name: str | None = None, severity: str | None = None) -> dict:
    found = [f for f in _findings(report, check, name) if severity is None or f["severity"] == severity]
    assert found, f"no {severity or ''} {check} finding about {name}"
    return found[0]


def test_every_file_is_read(walkthrough):
    report = walkthrough["report"]
    assert report["summary"]["files"] == 11 and report["summary"]["unreadable"] == 0


def test_place_one_photo_in_russia_the_others_in_syria(walkthrough):
    report = walkthrough["report"]
    countries = {Path(f["paths"][0]).name: f["evidence"]["country_code"] for f in _findings(report, "gps-location")}
    assert countries.pop("IMG_0409.JPG") == "RU"
    assert set(countries.values()) == {"SY"} and len(countries) == 7


def test_impossible_travel_between_syria_and_russia(walkthrough):
    f = _one(walkthrough["report"], "impossible-travel", "IMG_0409.JPG", "warning")
    assert {Path(p).name for p in f["paths"]} == {"IMG_0415.JPG", "IMG_0409.JPG"}


def test_counter_runs_against_the_clock(walkthrough):
    f = _one(walkthrough["report"], "timeline", "IMG_0409.JPG", "notice")
    assert "counter" in f["message"]


def test_published_before_it_was_taken(walkthrough):
    report = walkthrough["report"]
    f = _one(report, "reference-match", "IMG_0413.JPG", "warning")
    assert "2016-05-28" in f["message"]
    match = next(m for m in report["matches"] if Path(m["path"]).name == "IMG_0413.JPG")
    assert match["reference"]["published"].startswith("2016-05-28") and "fictional" in match["reference"]["source"]


def test_edited_after_capture(walkthrough):
    report = walkthrough["report"]
    for check in ("thumbnail-mismatch", "editing-software", "date-mismatch", "jpeg-recompressed"):
        _one(report, check, "IMG_0414.JPG")
    _one(report, "thumbnail-mismatch", "IMG_0414.JPG", "warning")
    _one(report, "thumbnail-mismatch", "IMG_0414.JPG", "warning")  # the thumbnail shows the picture before the edit


def test_second_device_and_its_clock(walkthrough):
    report = walkthrough["report"]
    f = _one(report, "device-mix", severity="notice")
    assert "SM-G900F" in f["message"] and "iPhone 5s" in f["message"]
    tz = _one(report, "time-zone", "20160617_164510.jpg", "notice")
    assert "+05:00" in tz["message"] and "+03:00" in tz["message"]


def test_bright_at_night(walkthrough):
    _one(walkthrough["report"], "daylight", "IMG_0416.JPG", "notice")


def test_document_photo_from_a_messenger(walkthrough):
    report = walkthrough["report"]
    _one(report, "metadata-stripped", "IMG-20160621-WA0003.jpg")
    assert not _findings(report, "screenshot", "IMG-20160621-WA0003.jpg")


def test_screenshots_of_the_published_video(walkthrough):
    report = walkthrough["report"]
    shots = [f for f in _findings(report, "screenshot") if "macOS" in f["message"]]
    assert len(shots) == 2
    names = {Path(m["path"]).name for m in report["matches"] if (m["reference"].get("video") or "").endswith("clip.mp4")}
    assert names == {"Screen Shot 2016-06-22 at 6.31.04 PM.png", "Screen Shot 2016-06-22 at 6.31.19 PM.png"}
    best = {}
    for m in report["matches"]:
        name = Path(m["path"]).name
        if name.startswith("Screen Shot") and (name not in best or sum(m["distances"].values()) < sum(best[name]["distances"].values())):
            best[name] = m
    assert {n: m["reference"]["timestamp"] for n, m in best.items()} == {
        "Screen Shot 2016-06-22 at 6.31.04 PM.png": 8.0, "Screen Shot 2016-06-22 at 6.31.19 PM.png": 2.0}
    assert {m["transform"] for m in best.values()} == {"framed"}
    order = _one(report, "video-screenshots", severity="notice")
    assert "rewound" in order["message"]


def test_control_photo_stays_quiet(walkthrough):
    """IMG_0412 is an untouched original in the claimed place and time: only where it was taken is said."""
    report = walkthrough["report"]
    image = next(i for i in report["images"] if Path(i["path"]).name == "IMG_0412.JPG")
    assert [f["check"] for f in image["findings"]] == ["encoder-signature", "gps-location"]
    encoding = image["findings"][0]  # its encoding is the camera's own, said at info
    assert encoding["severity"] == "info" and encoding["evidence"]["platforms"] == []
    about = [f for f in report["findings"] if any(Path(p).name == "IMG_0412.JPG" for p in f["paths"]) and f["severity"] != "info"]
    assert [f["check"] for f in about] == ["device-mix"]  # it is one of the iPhone's pictures, nothing more


def test_evidence_matrix(walkthrough):
    hyps = {h["id"]: h for h in walkthrough["report"]["hypotheses"]}
    assert set(hyps) == {"recovered", "stolen"}
    verdicts = {h: {r["criterion"]: r["verdict"] for r in hyps[h]["rows"]} for h in hyps}
    assert verdicts["recovered"]["country (GPS)"] == "inconsistent"
    assert verdicts["recovered"]["single device"] == "inconsistent"
    assert verdicts["recovered"]["taken after"] == "consistent"
    assert verdicts["stolen"]["country (GPS)"] == "inconsistent"


def test_html_report_is_written(walkthrough):
    html = walkthrough["html"].read_text(encoding="utf-8")
    assert "IMG_0409.JPG" in html and "recovered" in html
    # links a reader may click are fine; nothing may be loaded from outside
    assert not re.search(r"""src=["']?(?:https?:)?//|<link[^>]+href=["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//""", html)


# --- the Quickstart ------------------------------------------------------------


def test_readme_quickstart_scan_weighs_the_case():
    """The README's first command: the sample evidence against the case's two stories."""
    readme = (SAMPLES.parent / "README.md").read_text(encoding="utf-8")
    command = re.search(r"&& forensics (scan [^\n]+)", readme).group(1).split()
    assert command[:2] == ["scan", "samples/stolen-phone/evidence"]
    args = [str(SAMPLES.parent / a) if a.startswith("samples/") else a for a in command]
    result = CliRunner().invoke(cli, [*args, "--json", "--quiet", "--workers", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"]["files"] == 11 and {h["id"] for h in report["hypotheses"]} == {"recovered", "stolen"}


def test_quickstart_scan_of_samples_exits_cleanly():
    """`forensics scan samples/`: every picture read, the notes beside them passed over."""
    result = CliRunner().invoke(cli, ["scan", str(SAMPLES), "--json", "--quiet", "--workers", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"]["unreadable"] == 0
    assert report["summary"]["files"] == 16  # eleven pieces of evidence, three references, two signed copies
    skipped = {Path(s["path"]).name for s in report["skipped"]["other"]}
    assert {"make_samples.py", "manifest.json", "case.toml", "sources.toml", "agency-ca.pem"} <= skipped


def test_folder_walk_passes_over_notes_but_reads_pictures_whatever_their_name(tmp_path):
    from imagegen import write_jpeg

    from forensics.read.discover import discover

    (tmp_path / "notes.txt").write_text("a note", encoding="utf-8")
    (tmp_path / "index.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    write_jpeg(tmp_path / "picture.txt", seed=1)  # a JPEG under a note's name is still evidence
    (tmp_path / "broken.jpg").write_bytes(b"not a jpeg at all")  # a picture's name: read, and reported
    found = discover([tmp_path])
    assert sorted(Path(p).name for p in found.files) == ["broken.jpg", "picture.txt"]
    assert sorted(Path(p).name for p, _ in found.skipped_other) == ["index.db", "notes.txt"]
    assert discover([tmp_path / "notes.txt"]).files == [str(tmp_path / "notes.txt")]  # named explicitly: read


# --- the sensor's own pattern (walk-through, step 4) ------------------------------


@pytest.mark.slow
def test_sensor_groups_the_iphone_and_leaves_the_samsung_out():
    """`--sensor`: the seven iPhone pictures share one sensor; the Samsung's is compared and matches none."""
    result = CliRunner().invoke(cli, ["scan", str(EVIDENCE), "--case", str(CASE / "case.toml"), "--sensor",
                                      "--json", "--quiet", "--workers", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    f = _one(report, "sensor-match", severity="info")
    groups = f["evidence"]["groups"]
    assert len(groups) == 1
    iphone = {"IMG_0409.JPG", "IMG_0412.JPG", "IMG_0413.JPG", "IMG_0414.JPG", "IMG_0415.JPG", "IMG_0416.JPG", "IMG_0417.JPG"}
    assert {Path(m["path"]).name for m in groups[0]["members"]} == iphone
    assert [Path(p).name for p in f["evidence"]["alone"]] == ["20160617_164510.jpg"]
    assert {Path(n["path"]).name for n in f["evidence"]["not_compared"]} == {
        "IMG-20160621-WA0003.jpg", "Screen Shot 2016-06-22 at 6.31.04 PM.png", "Screen Shot 2016-06-22 at 6.31.19 PM.png"}
    assert "7 pictures share one sensor" in f["message"] and "1 (20160617_164510.jpg) matches no other" in f["message"]
    assert f["message"] in (SAMPLES / "stolen-phone" / "README.md").read_text(encoding="utf-8").replace("\n> ", " ")
    # the Samsung's score against the iPhone's fingerprint is what a stranger scores
    assert groups[0]["outside"] < f["evidence"]["threshold"]
    row = next(r for h in report["hypotheses"] if h["id"] == "recovered" for r in h["rows"] if r["criterion"] == "single device")
    assert row["verdict"] == "inconsistent" and "sensor noise" in row["observation"]


# --- Content Credentials (walk-through, step 5) -----------------------------------

SIGNED = CASE / "signed"


def _credentials(report: dict, name: str) -> dict:
    image = next(i for i in report["images"] if Path(i["path"]).name == name)
    return image["credentials"]


def test_signed_copies_validate_or_fail_as_the_walkthrough_says():
    """Read, not compared byte for byte: the agency's copy is valid, the press office's fails its content hash."""
    pytest.importorskip("c2pa", reason="c2pa-python has no wheel for this platform")
    runner = CliRunner()
    plain = runner.invoke(cli, ["scan", str(SIGNED), "--json", "--quiet", "--workers", "1"])
    assert plain.exit_code == 0, plain.output
    report = json.loads(plain.stdout)
    desk = _credentials(report, "desk_IMG_0412.jpg")
    assert desk["validation"] == "valid" and desk["trust"] == "not checked against a trust list"
    assert desk["chain"][0]["signer"]["organization"] == "Example News Agency (fictional)"
    assert [a["action"] for a in desk["chain"][0]["actions"]] == ["c2pa.opened", "c2pa.resized", "c2pa.published"]
    assert desk["chain"][0]["ingredients"][0]["title"] == "IMG_0412.JPG"
    _one(report, "content-credentials", "desk_IMG_0412.jpg", "info")
    press = _credentials(report, "press_IMG_0416.jpg")
    assert press["validation"] == "invalid" and "assertion.dataHash.mismatch" in [f["code"] for f in press["failures"]]
    warning = _one(report, "content-credentials", "press_IMG_0416.jpg", "warning")
    assert "assertion.dataHash.mismatch" in warning["message"]

    anchored = runner.invoke(cli, ["scan", str(SIGNED), "--trust-anchors", str(SIGNED / "agency-ca.pem"),
                                   "--json", "--quiet", "--workers", "1"])  # fmt: skip
    assert anchored.exit_code == 0, anchored.output
    report = json.loads(anchored.stdout)
    assert _credentials(report, "desk_IMG_0412.jpg")["trust"] == "on the given trust list"
    assert _credentials(report, "press_IMG_0416.jpg")["trust"] == "not on the given trust list"  # another signer, not on the agency's list


def test_no_private_key_is_committed():
    for path in SAMPLES.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes(), path


@pytest.mark.slow
def test_pixels_find_the_copied_shape_and_leave_the_screenshots_at_info():
    """`--pixels`: IMG_0415's red shape copied within the picture is a copy-move notice; screens stay info."""
    result = CliRunner().invoke(cli, ["scan", str(EVIDENCE), "--case", str(CASE / "case.toml"), "--pixels",
                                      "--json", "--quiet", "--workers", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    by_name = {Path(i["path"]).name: i for i in report["images"]}
    moved = [f for f in by_name["IMG_0415.JPG"]["findings"] if f["check"] == "copy-move"]
    assert [f["severity"] for f in moved] == ["notice"]
    source, target = moved[0]["evidence"]["copy"]["source"]["box"], moved[0]["evidence"]["copy"]["target"]["box"]
    put, taken = sorted([source, target])
    # what make_samples.py copied: (470, 460, 640, 665) to (130, 640); the regions drawn hold it, and flat
    # ground around it that matches as well, but not the picture at large
    for found, (x0, y0) in ((taken, (470, 460)), (put, (130, 640))):
        assert found[0] <= x0 + 20 and found[1] <= y0 + 20 and found[2] >= x0 + 150 and found[3] >= y0 + 185, found
        assert (found[2] - found[0]) * (found[3] - found[1]) < 5 * 170 * 205, found
    for name in ("Screen Shot 2016-06-22 at 6.31.04 PM.png", "Screen Shot 2016-06-22 at 6.31.19 PM.png"):
        assert all(f["severity"] == "info" for f in by_name[name]["findings"] if f["check"] == "spliced-region")
    untouched = ("IMG_0409.JPG", "IMG_0412.JPG", "IMG_0413.JPG", "IMG_0416.JPG", "IMG_0417.JPG", "20160617_164510.jpg")
    for name in untouched:
        assert not [f for f in by_name[name]["findings"] if f["check"] in ("copy-move", "spliced-region") and f["severity"] != "info"], name
