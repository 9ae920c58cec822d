"""Camera and phone quantisation tables measured on originals: stripped files still name their maker."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from forensics.checks import CheckContext, run_checks
from forensics.knowledge.cameras_measured import CAMERAS
from forensics.knowledge.encoders import camera_entry, maker, tables_key
from forensics.read.files import read_file

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
SUBSAMPLING = {"111111": 0, "211111": 1, "221111": 2}  # Pillow's subsampling= for each sampling


def _entry(*, at_least: int = 1) -> dict[str, object]:
    """The measured camera entry with the most files that Pillow can rebuild."""
    for e in CAMERAS:
        if not e["standard"] and int(e["files"]) >= at_least and e["sampling"] in SUBSAMPLING:
            return e
    pytest.skip("no such entry measured")


def _save(path: Path, entry: dict[str, object] | None = None, *, make: bytes | None = None, quality: int = 80) -> str:
    pixels = (np.random.default_rng(3).random((96, 128, 3)) * 255).astype("uint8")
    kw: dict[str, object] = {}
    if entry is not None:
        kw = {"qtables": [list(t) for t in entry["tables"]], "subsampling": SUBSAMPLING[str(entry["sampling"])]}  # type: ignore[attr-defined]
    else:
        kw = {"quality": quality}
    if make is not None:
        import piexif

        kw["exif"] = piexif.dump({"0th": {piexif.ImageIFD.Make: make, piexif.ImageIFD.Model: b"Model X"}, "Exif": {}})
    Image.fromarray(pixels).save(path, "JPEG", **kw)
    return str(path)


def _sig_findings(path: str):
    records, _ = run_checks([read_file(path)], CheckContext())
    return [f for f in records[0].findings if f.check == "encoder-signature"]


def test_every_entry_names_its_source_and_rebuilds_to_its_key():
    assert CAMERAS, "the measured table is empty"
    for e in CAMERAS:
        assert str(e["source"]).startswith("measured here on corpus files: ")
        assert tables_key(e["tables"]) == e["key"]  # type: ignore[arg-type]
        assert e["makes"] and e["models"] and int(e["files"]) >= 1  # type: ignore[arg-type]
    assert any(e["phone"] for e in CAMERAS)


def test_stripped_file_with_a_cameras_tables_names_the_make(tmp_path):
    entry = _entry()
    findings = _sig_findings(_save(tmp_path / "stripped.jpg", entry))
    main = [f for f in findings if "history" in f.evidence]
    assert len(main) == 1
    f = main[0]
    make = entry["makes"][0]  # type: ignore[index]
    assert f"consistent with the own encoder of {make} " in f.message
    assert "not with a platform's re-encode" in f.message
    assert f.evidence["platforms"] == [] and f.severity.value == "notice"
    assert [e["kind"] for e in f.evidence["encoders"]] == ["camera"]
    assert " is " not in f.message.split("(")[0]


def test_shared_tables_name_every_make(tmp_path, monkeypatch):
    from forensics.knowledge import encoders

    entry = {**_entry(), "makes": ("Nikon", "Sony"), "models": ("Nikon E885", "Sony DSC-P10"), "phone": False}
    monkeypatch.setattr(encoders, "_CAMERAS", {(str(entry["key"]), str(entry["sampling"])): entry})
    f = next(f for f in _sig_findings(_save(tmp_path / "shared.jpg", entry)) if "history" in f.evidence)
    a, b = entry["makes"]  # type: ignore[misc]
    assert f"{a} or {b}" in f.message


def test_standard_tables_get_no_camera_attribution(tmp_path):
    # many cameras use the IJG tables (the corpora hold 17 such entries): those are never a camera's
    f = next(f for f in _sig_findings(_save(tmp_path / "std.jpg", quality=90)) if "history" in f.evidence)
    assert "own encoder" not in f.message and all(e["kind"] != "camera" for e in f.evidence["encoders"])
    standard = next((e for e in CAMERAS if e["standard"]), None)
    if standard is not None:
        assert camera_entry(standard["tables"], str(standard["sampling"])) is None  # type: ignore[arg-type]


def test_make_mismatch_fires_and_stays_silent(tmp_path):
    entry = _entry(at_least=2)
    make = str(entry["makes"][0])  # type: ignore[index]
    other = b"NIKON CORPORATION" if make != "Nikon" else b"Canon"
    wrong = [f for f in _sig_findings(_save(tmp_path / "wrong.jpg", entry, make=other)) if "metadata_make" in f.evidence]
    assert len(wrong) == 1 and wrong[0].severity.value == "notice"
    from forensics.render.encoding import history as rendered_history

    records, _ = run_checks([read_file(str(tmp_path / "wrong.jpg"))], CheckContext())
    assert rendered_history(records[0])  # the HTML still shows the chain beside the mismatch
    assert wrong[0].evidence["table_makes"] == [make] and make in wrong[0].message
    right = _sig_findings(_save(tmp_path / "right.jpg", entry, make=make.upper().encode()))
    assert not [f for f in right if "metadata_make" in f.evidence]
    history = next(f for f in right if "history" in f.evidence).evidence["history"]
    assert any("measured here for the own encoder" in e for e in history[0]["evidence"])
    assert not [f for f in _sig_findings(_save(tmp_path / "std.jpg", make=other)) if "metadata_make" in f.evidence]


def test_a_single_file_of_another_make_is_only_info(tmp_path):
    entry = next((e for e in CAMERAS if not e["standard"] and e["files"] == 1 and e["sampling"] in SUBSAMPLING), None)
    if entry is None:
        pytest.skip("no single-file entry")
    other = b"NIKON CORPORATION" if "Nikon" not in entry["makes"] else b"Canon"  # type: ignore[operator]
    found = [f for f in _sig_findings(_save(tmp_path / "one.jpg", entry, make=other)) if "metadata_make" in f.evidence]
    assert len(found) == 1 and found[0].severity.value == "info"


def test_maker_names():
    assert maker("NIKON CORPORATION") == maker("NIKON") == "Nikon"
    assert maker("EASTMAN KODAK COMPANY") == "Kodak" and maker("Samsung Techwin") == "Samsung"
    assert maker("Sony Ericsson") == "Sony Ericsson" and maker("SONY") == "Sony"
    assert maker(None) is None


@pytest.mark.skipif(not CORPORA.is_dir(), reason="the real-file corpora are not beside the project")
@pytest.mark.slow
def test_genuine_originals_never_draw_the_mismatch():
    from forensics import scan

    files = sorted(str(p) for p in (CORPORA / "camera-jpegs").iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))
    report = scan(files, workers=1)
    assert not [f for f in report.findings if f.check == "encoder-signature" and "metadata_make" in f.evidence]


def test_apple_tables_say_imageio_resaves_share_them(tmp_path):
    entry = next((e for e in CAMERAS if "Apple" in e["makes"] and not e["standard"] and e["sampling"] in SUBSAMPLING), None)  # type: ignore[operator]
    if entry is None:
        pytest.skip("no Apple entry measured")
    f = next(f for f in _sig_findings(_save(tmp_path / "apple.jpg", entry)) if "history" in f.evidence)
    assert "phones" in f.message and any("ImageIO" in b for b in f.evidence["encoders"][0]["basis"])


def test_a_make_mismatch_weighs_against_originals(tmp_path):
    from forensics.case.file import parse_case
    from forensics.pipeline.scanning import scan

    entry = _entry(at_least=2)
    other = b"NIKON CORPORATION" if "Nikon" not in entry["makes"] else b"Canon"  # type: ignore[operator]
    _save(tmp_path / "DSC_0001.JPG", entry, make=other)
    case = parse_case('[[hypotheses]]\nid = "o"\nstatement = "as the camera wrote them"\noriginals = true\n')
    row = next(r for r in scan([str(tmp_path)], case=case, workers=1).hypotheses[0].rows if r.criterion == "originals")
    assert row.verdict.value == "inconsistent"
