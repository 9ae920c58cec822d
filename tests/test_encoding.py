"""Encoder signatures, platform traces and the originals criterion."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from forensics.case.file import parse_case
from forensics.checks import CheckContext, run_checks
from forensics.knowledge.filenames import platform_name
from forensics.pipeline.scanning import scan
from forensics.read.files import read_file
from forensics.read.jpeg import frame, segments
from forensics.read.signature import encoder_signature

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def _noise(w: int, h: int, seed: int = 1) -> Image.Image:
    return Image.fromarray((np.random.default_rng(seed).random((h, w, 3)) * 255).astype("uint8"))


def _sig(**save):
    buf = io.BytesIO()
    _noise(64, 48).save(buf, "JPEG", **save)
    data = buf.getvalue()
    return encoder_signature(data, segments(data), frame(data), quality=save.get("quality"), standard_tables=True)


def test_signature_tells_baseline_optimised_progressive_apart():
    base, opt, prog = _sig(quality=75), _sig(quality=75, optimize=True), _sig(quality=75, progressive=True)
    assert (base.huffman, opt.huffman) == ("standard", "custom")
    assert not base.progressive and prog.progressive and len(prog.scans) > 1
    assert base.app_segments == ("APP0:JFIF",) and base.jfif.startswith("1.01")
    assert base.digest == opt.digest != _sig(quality=76).digest  # same tables, same digest
    assert "Pillow" in [m.name for m in base.encoders]
    assert _sig(quality=75, subsampling=0).sampling == "111111"


def test_exiftool_digest_matches_photoshop_entry():
    from forensics.knowledge.encoders import ADOBE_DIGESTS

    assert any("Photoshop, Quality 12" in n for _, _, n in ADOBE_DIGESTS)
    assert all(len(d) == 32 for d, _, _ in ADOBE_DIGESTS)


def test_platform_names():
    assert platform_name("IMG-20160621-WA0003.jpg").source == "WhatsApp"
    assert platform_name("photo_2016-06-21_10-30-05.jpg").source == "Telegram"
    assert platform_name("signal-2016-06-21-103005.jpg").source == "Signal"
    assert platform_name("FB_IMG_1466504000000.jpg").source == "Facebook / Messenger"
    assert platform_name("received_10153998877665544.jpeg").source == "Facebook / Messenger"
    assert platform_name("IMG_20160621_103005.jpg") is None
    assert platform_name("DSC_0042.JPG") is None


def _findings(path: str):
    records, _ = run_checks([read_file(path)], CheckContext())
    return records[0].findings


def test_whatsapp_name_and_long_side_give_a_whatsapp_reencode(tmp_path):
    p = tmp_path / "IMG-20160621-WA0003.jpg"
    _noise(1600, 1200).save(p, quality=80)
    sig = [f for f in _findings(str(p)) if f.check == "encoder-signature"]
    assert sig and "consistent with a WhatsApp re-encode" in sig[0].message
    assert sig[0].evidence["platforms"] == ["WhatsApp"]
    assert " is " not in sig[0].message.split("(")[0]  # "consistent with", never "is"


def test_camera_metadata_is_never_attributed_to_a_platform(tmp_path):
    import piexif

    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: b"Apple", piexif.ImageIFD.Model: b"iPhone 6"}, "Exif": {}})
    p = tmp_path / "IMG-20160621-WA0003.jpg"  # even under a WhatsApp name, at WhatsApp's size
    _noise(1600, 1200).save(p, quality=80, exif=exif)
    sig = [f for f in _findings(str(p)) if f.check == "encoder-signature"]
    assert sig and sig[0].evidence["platforms"] == []
    assert sig[0].severity.value == "info"


@pytest.mark.skipif(not CORPORA.is_dir(), reason="the real-file corpora are not beside the project")
@pytest.mark.slow
def test_corpus_originals_are_not_attributed_to_platforms():
    files = sorted(p for p in (CORPORA / "camera-jpegs").iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))
    report = scan([str(p) for p in files], workers=1)
    with_camera = [r for r in report.images if r.metadata.make or r.metadata.model]
    attributed = [f for f in report.findings if f.check == "encoder-signature" and f.evidence.get("platforms")
                  and f.paths[0] in {r.path for r in with_camera}]  # fmt: skip
    assert with_camera and len(attributed) <= 0.01 * len(with_camera)


def test_originals_criterion(tmp_path):
    _noise(1600, 1200).save(tmp_path / "IMG-20160621-WA0003.jpg", quality=80)
    case = parse_case('[[hypotheses]]\nid = "o"\nstatement = "as the phone wrote them"\noriginals = true\n'
                      '[[hypotheses]]\nid = "r"\nstatement = "re-encoded"\noriginals = false\n')  # fmt: skip
    report = scan([str(tmp_path)], case=case, workers=1)
    rows = {h.id: [r for r in h.rows if r.criterion == "originals"][0] for h in report.hypotheses}
    assert rows["o"].verdict.value == "inconsistent"
    assert rows["r"].verdict.value == "consistent"
    with pytest.raises(Exception, match="originals"):
        parse_case('[[hypotheses]]\nid = "o"\nstatement = "s"\noriginals = "yes"\n')


def test_signature_in_json_and_csv(tmp_path):
    from forensics.render.csv import rows

    _noise(64, 48).save(tmp_path / "a.jpg", quality=70)
    report = scan([str(tmp_path)], workers=1)
    d = report.to_dict()
    assert d["images"][0]["signature"]["huffman"] == "standard"
    assert "compression" not in d["images"][0]  # only with pixels=True
    row = next(rows(report))
    assert "Pillow" in row["encoders"] and row["double_compressed"] is None


def test_hostile_headers_do_not_break_the_signature():
    data = b"\xff\xd8\xff\xc4\x00\x05\x00\xff\xff\xff\xda\x00\x02" + b"\xff\xda\x00\x00" * 100
    sig = encoder_signature(data, segments(data), frame(data))
    assert sig.huffman is None and sig.huffman_tables == 0  # a cut table is no table; nothing raises


def test_standard_tables_among_a_devices_own_are_noticed(tmp_path):
    import piexif

    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: b"Apple", piexif.ImageIFD.Model: b"iPhone 5s"}, "Exif": {}})
    own = [[round(v * 0.7) or 1 for v in range(2, 66)], [round(v * 0.9) or 1 for v in range(3, 67)]]  # a camera's tables
    for i in range(3):
        _noise(64, 48, seed=i).save(tmp_path / f"IMG_{i}.JPG", qtables=own, exif=exif)
    _noise(64, 48, seed=9).save(tmp_path / "IMG_8.JPG", quality=90, exif=exif)  # the same size: another model of one name?
    _noise(60, 40, seed=9).save(tmp_path / "IMG_9.JPG", quality=90, exif=exif)  # cropped and re-saved by a library
    report = scan([str(tmp_path)], workers=1)
    found = {Path(f.paths[0]).name: f for f in report.set_findings if f.check == "encoder-signature"}
    assert sorted(found) == ["IMG_8.JPG", "IMG_9.JPG"]
    assert found["IMG_8.JPG"].severity.value == "info" and found["IMG_9.JPG"].severity.value == "notice"
    assert len(found["IMG_9.JPG"].evidence["own_tables"]) == 3
