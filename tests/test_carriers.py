"""EXIF and XMP from camera raw and editors' formats (CR3, RAF, RW2, MRW, X3F, PSD, MIFF, BPG, XCF).

Every fixture is built here, byte by byte, in each format's layout; the real
files of ExifTool's test suite are read where the corpora are present.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import struct

import imagegen
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics import read_file, read_metadata
from forensics.checks.image import unreadable
from forensics.read import carriers
from forensics.read.containers import Embedded
from forensics.read.iptc import iim_fields
from forensics.read.sniff import sniff

XMP = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="GIMP 2.10"/>'
    '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
).encode()
KEY = {
    "make": "Canon", "model": "Canon EOS R5", "software": "Firmware 1.2.0",
    "datetime_original": "2021:05:04 10:20:30", "gps": (48.8584, 2.2945), "serial": "032021001234",
}  # fmt: skip
EXIF = imagegen.exif_bytes(**KEY)  # type: ignore[arg-type]  # "Exif\0\0" then the TIFF structure
TIFF = EXIF[6:]


def _assert_key_fields(m) -> None:
    assert (m.make, m.model, m.software, m.serial) == (KEY["make"], KEY["model"], KEY["software"], KEY["serial"])
    assert m.datetime_original == dt.datetime(2021, 5, 4, 10, 20, 30)
    assert m.gps is not None and (m.gps.lat, m.gps.lon) == pytest.approx(KEY["gps"], abs=1e-5)


def _jpeg(*, exif: bytes = EXIF, xmp: bytes | None = XMP) -> bytes:
    """A small JPEG preview with an EXIF APP1 segment (and an XMP one)."""
    buf = io.BytesIO()
    imagegen.photo(3, (32, 24)).save(buf, "JPEG", exif=exif, quality=80)
    data = buf.getvalue()
    if xmp is not None:
        body = b"http://ns.adobe.com/xap/1.0/\x00" + xmp
        data = data[:2] + b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body + data[2:]
    return data


# --- the formats, built by hand ----------------------------------------------------------------


def _ifd_tiff(entries: list[tuple[int, int, bytes, int]]) -> bytes:
    """A little-endian TIFF structure with one IFD of (tag, type, value bytes, count)."""
    n = len(entries)
    values_at = 8 + 2 + 12 * n + 4
    ifd, values = struct.pack("<H", n), b""
    for tag, typ, value, count in sorted(entries):
        if len(value) <= 4:
            ifd += struct.pack("<HHI", tag, typ, count) + value.ljust(4, b"\x00")
        else:
            ifd += struct.pack("<HHII", tag, typ, count, values_at + len(values))
            values += value + b"\x00" * (len(value) % 2)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00\x00\x00\x00" + values


def _ascii(tag: int, text: str) -> tuple[int, int, bytes, int]:
    raw = text.encode() + b"\x00"
    return (tag, 2, raw, len(raw))


def _dms(tag: int, degrees: float) -> tuple[int, int, bytes, int]:
    d = int(degrees)
    m = int((degrees - d) * 60)
    s = round(((degrees - d) * 60 - m) * 60 * 10000)
    return (tag, 5, struct.pack("<6I", d, 1, m, 1, s, 10000), 3)


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def cr3() -> bytes:
    cmt1 = _ifd_tiff([_ascii(0x010F, KEY["make"]), _ascii(0x0110, KEY["model"]), _ascii(0x0131, KEY["software"]),
                      (0x0112, 3, struct.pack("<H", 6), 1), (0x8769, 4, struct.pack("<I", 9999), 1)])  # fmt: skip
    cmt2 = _ifd_tiff([_ascii(0x9003, KEY["datetime_original"]), _ascii(0xA431, KEY["serial"])])
    cmt4 = _ifd_tiff([_ascii(0x0001, "N"), _dms(0x0002, 48.8584), _ascii(0x0003, "E"), _dms(0x0004, 2.2945)])
    canon = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
    moov = _box(b"moov", _box(b"uuid", canon + _box(b"CMT1", cmt1) + _box(b"CMT2", cmt2) + _box(b"CMT4", cmt4)))
    xmp = _box(b"uuid", bytes.fromhex("be7acfcb97a942e89c71999491e3afac") + XMP)
    return _box(b"ftyp", b"crx \x00\x00\x00\x01crx isom") + moov + xmp + _box(b"mdat", b"\x00" * 64)


def raf() -> bytes:
    head = b"FUJIFILMCCD-RAW 0201FF392201" + b"FinePix Test".ljust(32, b"\x00") + b"0106" + b"\x00" * 20
    jpeg = _jpeg()
    at = len(head) + 24 + 16
    return head + struct.pack(">6I", at, len(jpeg), 0, 0, 0, 0) + b"\x00" * 16 + jpeg + b"\x00" * 32


def rw2() -> bytes:
    jpeg = _jpeg()
    tiff = _ifd_tiff([(0x0001, 7, b"0300", 4), _ascii(0x010F, "Panasonic"), (0x002E, 7, jpeg, len(jpeg))])
    return b"IIU\x00" + tiff[4:]


def mrw() -> bytes:
    prd = b"\x00PRD" + struct.pack(">I", 24) + b"27200001" + b"\x00" * 16
    ttw = b"\x00TTW" + struct.pack(">I", len(TIFF)) + TIFF
    blocks = prd + ttw
    return b"\x00MRM" + struct.pack(">I", len(blocks)) + blocks + b"\x00" * 64


def x3f() -> bytes:
    head = b"FOVb" + struct.pack("<I", 0x00020003) + b"\x00" * 248
    jpeg = _jpeg()
    section = b"SECi" + struct.pack("<6I", 0x00020000, 2, 18, 32, 24, len(jpeg)) + jpeg
    camf = b"SECc" + b"\x00" * 20
    sections = [(len(head), len(section), b"IMA2"), (len(head) + len(section), len(camf), b"CAMF")]
    directory_at = len(head) + len(section) + len(camf)
    directory = b"SECd" + struct.pack("<II", 0x00020000, len(sections))
    directory += b"".join(struct.pack("<II", o, n) + kind for o, n, kind in sections)
    return head + section + camf + directory + struct.pack("<I", directory_at)


def psd(*, size: tuple[int, int] = (6, 4)) -> bytes:
    w, h = size
    resources = b""
    iim = b"\x1c\x02\x00\x00\x02\x00\x04" + b"\x1c\x02\x05\x00\x04Test" + b"\x1c\x02\x19\x00\x03one" + b"\x1c\x02\x19\x00\x03two"
    for rid, body in ((1028, iim), (1058, TIFF), (1060, XMP)):
        resources += b"8BIM" + struct.pack(">H", rid) + b"\x00\x00" + struct.pack(">I", len(body)) + body
        resources += b"\x00" * (len(body) % 2)
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, h, w, 8, 3)
    pixels = bytes(range(3 * w * h))
    return header + struct.pack(">I", 0) + struct.pack(">I", len(resources)) + resources + struct.pack(">I", 0) + b"\x00\x00" + pixels


def miff() -> bytes:
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + XMP
    header = (
        f"id=ImageMagick\nclass=DirectClass  matte=False\ncolumns=2  rows=2  depth=8\nprofile-APP1={len(EXIF)}\nprofile-APP1={len(xmp)}\n\n"
    ).encode()
    return header + b":\x1a" + EXIF + xmp + b"\x80" * 12


def _ue7(n: int) -> bytes:
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def bpg() -> bytes:
    ext = b""
    for tag, body in ((1, b"\x00" + TIFF), (3, XMP)):  # bpgenc writes a byte before the TIFF header
        ext += _ue7(tag) + _ue7(len(body)) + body
    return b"BPG\xfb" + bytes([0x40, 0x08]) + _ue7(16) + _ue7(16) + _ue7(0) + _ue7(len(ext)) + ext


def xcf() -> bytes:
    def parasite(name: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(name) + 1) + name + b"\x00" + struct.pack(">II", 1, len(body)) + body

    parasites = parasite(b"gimp-metadata", b"GIMP_XMP_1" + XMP) + parasite(b"exif-data", EXIF)
    props = struct.pack(">II", 17, 1) + b"\x00" + struct.pack(">II", 21, len(parasites)) + parasites + struct.pack(">II", 0, 0)
    return b"gimp xcf file\x00" + struct.pack(">III", 8, 8, 0) + props + b"\x00" * 16


BUILDERS = {"CR3": cr3, "RAF": raf, "RW2": rw2, "MRW": mrw, "X3F": x3f, "PSD": psd, "MIFF": miff, "BPG": bpg, "XCF": xcf}


# --- what is read -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_sniffed_by_content(fmt):
    t = sniff(BUILDERS[fmt]()[:64])
    assert (t.kind, t.format) == ("image", fmt)


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_key_fields_read_into_the_same_record(tmp_path, fmt):
    path = tmp_path / f"picture.{fmt.lower()}"
    path.write_bytes(BUILDERS[fmt]())
    r = read_file(path)
    assert r.format == fmt and r.kind == "image"
    if fmt in ("MRW",):  # the TTW block carries the TIFF IFDs, no XMP
        assert r.metadata.xmp is None
    else:
        assert r.metadata.xmp is not None and r.metadata.xmp.creator_tool == "GIMP 2.10", r.problems
    if fmt == "CR3":  # only the tags put in the boxes
        m = r.metadata
        assert (m.make, m.model, m.software, m.serial, m.orientation) == ("Canon", "Canon EOS R5", "Firmware 1.2.0", KEY["serial"], 6)
        assert m.datetime_original == dt.datetime(2021, 5, 4, 10, 20, 30)
        assert m.gps is not None and (m.gps.lat, m.gps.lon) == pytest.approx(KEY["gps"], abs=1e-5)
    elif fmt == "RW2":
        assert (r.metadata.make, r.metadata.model) == ("Canon", "Canon EOS R5")  # the preview's EXIF comes first
    else:
        _assert_key_fields(r.metadata)
    assert not r.problems, r.problems
    if carriers.FORMATS[fmt].decoded:
        assert r.error is None and r.hashes is not None and (r.width, r.height) == (6, 4)
    else:  # never a traceback: the record says why there is no picture
        assert r.hashes is None and r.error and r.error.startswith("pixels not decoded:") and "metadata is read" in r.error
        (f,) = unreadable(r, None)  # type: ignore[arg-type]  # the check reads no context
        assert f.severity.value == "notice" and f.message.startswith("Metadata read, picture not analysed")


def test_psd_iptc(tmp_path):
    path = tmp_path / "a.psd"
    path.write_bytes(psd())
    assert read_file(path).metadata.iptc == {"ObjectName": "Test", "Keywords": ["one", "two"]}
    assert iim_fields(b"\x1c\x02\x05\xff\xff") == {} and iim_fields(b"junk") == {}  # an extended or no dataset


def test_cr3_boxes_are_joined_into_one_tiff():
    """IFD0, the EXIF IFD and the GPS IFD of CR3 are separate TIFF structures; joined, they read as one."""
    joined, problems = carriers.join_ifds(_ifd_tiff([_ascii(0x010F, "Canon")]), _ifd_tiff([_ascii(0x9003, "2020:01:02 03:04:05")]), None)
    assert joined is not None and not problems
    from forensics.read import exif

    tags = exif.read_tags(io.BytesIO(joined))
    assert str(tags["Image Make"]) == "Canon" and str(tags["EXIF DateTimeOriginal"]) == "2020:01:02 03:04:05"
    joined, problems = carriers.join_ifds(b"not a tiff", None, None)
    assert joined is None and problems


# --- damage ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_truncated_files_are_reported_not_raised(tmp_path, fmt):
    data = BUILDERS[fmt]()
    for cut in (8, 30, len(data) // 3, len(data) // 2, len(data) - 5):
        found = carriers.metadata(data[:cut], fmt)
        assert isinstance(found, Embedded) and all(isinstance(p, str) and p for p in found.problems)
        path = tmp_path / f"cut{cut}.{fmt.lower()}"
        path.write_bytes(data[:cut])
        r = read_file(path)
        assert r.sha256 and (r.error is None or isinstance(r.error, str))


def test_lengths_pointing_past_the_end_are_named():
    data = bytearray(raf())
    data[88:92] = struct.pack(">I", 1 << 30)
    assert "lies past the end" in " ".join(carriers.metadata(bytes(data), "RAF").problems)
    data = bytearray(mrw())
    data[8 + 8 + 24 + 4 : 8 + 8 + 24 + 8] = struct.pack(">I", 1 << 30)  # the TTW block's length
    assert "runs past" in " ".join(carriers.metadata(bytes(data), "MRW").problems)
    loop = _box(b"ftyp", b"crx ") + struct.pack(">I", 4) + b"moov"  # a box shorter than its own header
    assert "runs past" in " ".join(carriers.metadata(loop, "CR3").problems)


def test_mutated_files_never_raise():
    """Seeded random damage (flipped bytes, overwritten lengths, cuts) is reported, never raised."""
    rng = random.Random(5)
    for fmt, build in BUILDERS.items():
        data = build()
        for _ in range(150):
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 6)):
                at = rng.randrange(len(damaged))
                damaged[at : at + 4] = rng.randbytes(4)
            if rng.random() < 0.3:
                damaged = damaged[: rng.randrange(8, len(damaged))]
            found = carriers.metadata(bytes(damaged), fmt)
            assert all(isinstance(p, str) and p for p in found.problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fmt=st.sampled_from(sorted(BUILDERS)), at=st.integers(0, 400), junk=st.binary(min_size=1, max_size=8))
def test_hostile_bytes_anywhere(fmt, at, junk):
    data = BUILDERS[fmt]()
    at = min(at, len(data) - 1)
    found = carriers.metadata(data[:at] + junk + data[at + len(junk) :], fmt)
    assert isinstance(found, Embedded)


def test_a_nest_of_boxes_is_bounded():
    inner = b""
    for _ in range(50):
        inner = _box(b"moov", inner)
    found = carriers.metadata(_box(b"ftyp", b"crx ") + inner, "CR3")
    assert found.exif is None


# --- the real files -------------------------------------------------------------------------------

REAL = {"CR3": "CanonRaw.cr3", "RAF": "FujiFilm.raf", "RW2": "Panasonic.rw2", "MRW": "Minolta.mrw", "X3F": "SigmaDP2.x3f",
        "PSD": "Photoshop.psd", "MIFF": "MIFF.miff", "BPG": "BPG.bpg", "XCF": "GIMP.xcf"}  # fmt: skip


@pytest.mark.parametrize("fmt", sorted(REAL))
def test_exiftool_test_files_agree_with_exiftool(corpora, fmt):
    folder = corpora / "exiftool-t-images"
    oracle = {e["SourceFile"]: e for e in json.loads((corpora / "exiftool-t-images.exiftool.json").read_text())}
    want = oracle[REAL[fmt]]
    r = read_metadata(folder / REAL[fmt])
    assert r.format == fmt
    m = r.metadata
    assert m.make == want.get("EXIF:Make") and m.model == want.get("EXIF:Model")
    assert (m.software or None) == (str(want["EXIF:Software"]).strip() if "EXIF:Software" in want else None)
    original = want.get("EXIF:DateTimeOriginal")
    assert (m.datetime_original.strftime("%Y:%m:%d %H:%M:%S") if m.datetime_original else None) == original


def test_scan_reports_the_metadata_of_a_raw_file(tmp_path):
    from click.testing import CliRunner

    from forensics.cli import cli

    (tmp_path / "IMG_0001.CR3").write_bytes(cr3())
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--json", "-", "--workers", "1"])
    assert result.exit_code == 1  # a picture that was not analysed is unreadable, as the docs say
    assert "read for their metadata only" in result.stderr
    (image,) = json.loads(result.stdout)["images"]
    assert image["format"] == "CR3" and image["metadata"]["make"] == "Canon" and image["error"].startswith("pixels not decoded")
