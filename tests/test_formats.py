"""EXIF and XMP from every container: PNG (eXIf, ImageMagick raw profiles, iTXt XMP),
WebP, HEIF, TIFF, all into the same record fields; hostile containers end as problems."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import random
import struct
import tracemalloc
import zlib
from pathlib import Path

import imagegen
import pytest
from PIL import Image, TiffImagePlugin
from PIL.PngImagePlugin import PngInfo

from forensics import read_file, read_metadata
from forensics.read import containers
from forensics.read.xmp import find_packet, parse_xmp

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "metadata_agreement.py"

XMP = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
    ' xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"'
    ' xmp:CreatorTool="GIMP 2.10" xmp:CreateDate="2021-05-04T10:20:30+02:00">'
    '<xmpMM:History><rdf:Seq><rdf:li stEvt:action="saved" stEvt:softwareAgent="Gimp 2.10 (Linux)"'
    ' stEvt:when="2021-05-04T11:00:00+02:00"/></rdf:Seq></xmpMM:History>'
    "</rdf:Description></rdf:RDF></x:xmpmeta>"
    '<?xpacket end="w"?>'
)
KEY = {
    "make": "Canon", "model": "Canon EOS 5D Mark IV", "software": "Firmware 1.2.0",
    "datetime_original": "2021:05:04 10:20:30", "gps": (48.8584, 2.2945), "orientation": 6, "serial": "032021001234",
}  # fmt: skip


def _exif(**over: object) -> bytes:
    """EXIF with every key field, as piexif writes it (the JPEG ``Exif\\0\\0`` header first)."""
    return imagegen.exif_bytes(**{**KEY, **over})  # type: ignore[arg-type]


def _assert_key_fields(m, **over: object) -> None:
    want = {**KEY, **over}
    assert (m.make, m.model, m.software, m.orientation, m.serial) == (
        want["make"], want["model"], want["software"], want["orientation"], want["serial"])  # fmt: skip
    assert m.datetime_original == dt.datetime.strptime(str(want["datetime_original"]), "%Y:%m:%d %H:%M:%S")
    assert m.gps is not None and (m.gps.lat, m.gps.lon) == pytest.approx(want["gps"], abs=1e-5)


def _assert_xmp(m) -> None:
    assert m.xmp is not None and m.xmp.creator_tool == "GIMP 2.10"
    assert m.xmp.history and m.xmp.history[0]["softwareAgent"] == "Gimp 2.10 (Linux)"


# --- building containers by hand ------------------------------------------------------------


def _chunk(kind: bytes, body: bytes, *, crc: int | None = None) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) if crc is None else crc)


def _png(*extra: bytes, after_idat: bytes = b"", exif: bytes | None = None) -> bytes:
    """A small PNG with chunks put after IHDR (and after IDAT)."""
    buf = io.BytesIO()
    imagegen.photo(1, (48, 32)).save(buf, "PNG", **({"exif": exif} if exif else {}))
    data = buf.getvalue()
    ihdr_end = 8 + 25
    iend = data.rindex(b"IEND") - 4
    return data[:ihdr_end] + b"".join(extra) + data[ihdr_end:iend] + after_idat + data[iend:]


def raw_profile_text(name: str, payload: bytes) -> str:
    """A profile as ImageMagick writes it: newline, name, the length in eight columns, 72 hex digits a line."""
    digits = payload.hex()
    lines = "".join("\n" + digits[i : i + 72] for i in range(0, len(digits), 72))
    return f"\n{name}\n{len(payload):8d}{lines}\n"


def _png_with_text(items: list[tuple[str, str, str]]) -> bytes:
    """A PNG saved by Pillow with text chunks: (keyword, value, "tEXt" | "zTXt" | "iTXt" | "iTXt-z")."""
    info = PngInfo()
    for key, value, how in items:
        if how.startswith("iTXt"):
            info.add_itxt(key, value, zip=how == "iTXt-z")
        else:
            info.add_text(key, value, zip=how == "zTXt")
    buf = io.BytesIO()
    imagegen.photo(2, (48, 32)).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- PNG ----------------------------------------------------------------------------------


def test_png_exif_chunk(tmp_path):
    path = tmp_path / "a.png"
    imagegen.photo(0, (64, 48)).save(path, "PNG", exif=_exif())
    r = read_file(path)
    assert r.error is None and r.problems == ()
    _assert_key_fields(r.metadata)
    found = containers.png_metadata(path.read_bytes())
    assert found.exif_source == "PNG eXIf chunk" and found.exif[:4] in (b"II*\x00", b"MM\x00*")


def test_png_exif_chunk_after_the_picture_data(tmp_path):
    block = _exif()[6:]  # the standard chunk holds the TIFF structure itself
    r = read_file(_write(tmp_path, "late.png", _png(after_idat=_chunk(b"eXIf", block))))
    assert r.error is None and r.problems == ()
    _assert_key_fields(r.metadata)


@pytest.mark.parametrize("how", ["zTXt", "tEXt", "iTXt", "iTXt-z"])
@pytest.mark.parametrize("header", [True, False], ids=["with-Exif-header", "bare-TIFF"])
def test_png_imagemagick_raw_profiles(tmp_path, how, header):
    """ImageMagick (and exiv2, so GIMP) keep EXIF and XMP as hex text, compressed or not."""
    exif = _exif(make="NIKON CORPORATION", model="NIKON D850")
    if not header:
        exif = exif[6:]
    data = _png_with_text([
        ("Raw profile type exif", raw_profile_text("exif", exif), how),
        ("Raw profile type xmp", raw_profile_text("xmp", XMP.encode("utf-8")), how),
    ])  # fmt: skip
    r = read_file(_write(tmp_path, "magick.png", data))
    assert r.error is None and r.problems == ()
    _assert_key_fields(r.metadata, make="NIKON CORPORATION", model="NIKON D850")
    _assert_xmp(r.metadata)


def test_png_app1_raw_profiles(tmp_path):
    """A 'Raw profile type APP1' holds a JPEG APP1 payload: EXIF or XMP by its signature."""
    xmp_app1 = b"http://ns.adobe.com/xap/1.0/\x00" + XMP.encode("utf-8")
    data = _png_with_text([
        ("Raw profile type APP1", raw_profile_text("APP1", _exif()), "zTXt"),
        ("Raw profile type APP1", raw_profile_text("APP1", xmp_app1), "zTXt"),
    ])  # fmt: skip
    r = read_file(_write(tmp_path, "app1.png", data))
    assert r.problems == ()
    _assert_key_fields(r.metadata)
    _assert_xmp(r.metadata)
    # ImageMagick keeps every APP1 segment so: extended XMP and makers' data are not damage
    other = [
        ("Raw profile type APP1", raw_profile_text("APP1", b"http://ns.adobe.com/xmp/extension/\x00" + b"0" * 40), "zTXt"),
        ("Raw profile type APP1", raw_profile_text("APP1", b"FLIR\x00\x01\x00\x00" + b"\x00" * 40), "zTXt"),
    ]
    r = read_file(_write(tmp_path, "app1-other.png", _png_with_text(other)))
    assert r.problems == () and r.metadata.make is None and r.metadata.xmp is None


@pytest.mark.parametrize("how", ["iTXt", "iTXt-z"])
def test_png_itxt_xmp(tmp_path, how):
    r = read_file(_write(tmp_path, "x.png", _png_with_text([("XML:com.adobe.xmp", XMP, how)])))
    assert r.problems == ()
    _assert_xmp(r.metadata)
    assert r.metadata.make is None


def test_png_standard_places_come_first(tmp_path):
    """The eXIf chunk over a raw profile, the XMP chunk over a raw one, wherever they stand."""
    other = _exif(make="Other", model="Other")
    profile = PngInfo()
    profile.add_text("Raw profile type exif", raw_profile_text("exif", other), zip=True)
    profile.add_text("Raw profile type xmp", raw_profile_text("xmp", XMP.replace("GIMP 2.10", "ImageMagick").encode()), zip=True)
    profile.add_itxt("XML:com.adobe.xmp", XMP)
    buf = io.BytesIO()
    imagegen.photo(3, (32, 32)).save(buf, "PNG", pnginfo=profile, exif=_exif())
    m = read_file(_write(tmp_path, "both.png", buf.getvalue())).metadata
    _assert_key_fields(m)
    _assert_xmp(m)


def test_png_without_metadata(tmp_path):
    path = tmp_path / "plain.png"
    imagegen.photo(0, (32, 32)).save(path, "PNG")
    r = read_file(path)
    assert r.problems == () and r.metadata.make is None and r.metadata.xmp is None
    assert containers.png_metadata(path.read_bytes()) == containers.Embedded()


# --- WebP, TIFF, HEIF -----------------------------------------------------------------------


def test_webp_exif_and_xmp(tmp_path):
    path = tmp_path / "a.webp"
    imagegen.photo(0, (64, 48)).save(path, "WEBP", exif=_exif(), xmp=XMP.encode("utf-8"))
    r = read_file(path)
    assert r.error is None and r.problems == ()
    _assert_key_fields(r.metadata)
    _assert_xmp(r.metadata)


def _riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    out, pos = [], 12
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        out.append((data[pos : pos + 4], data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + (size & 1)
    return out


def _riff(chunks: list[tuple[bytes, bytes]]) -> bytes:
    body = b"".join(k + struct.pack("<I", len(v)) + v + b"\x00" * (len(v) & 1) for k, v in chunks)
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def test_webp_exif_chunk_with_a_jpeg_header(tmp_path):
    """Some writers keep the JPEG 'Exif\\0\\0' header in the WebP EXIF chunk."""
    buf = io.BytesIO()
    imagegen.photo(0, (64, 48)).save(buf, "WEBP", exif=_exif())
    chunks = [(k, _exif() if k == b"EXIF" else v) for k, v in _riff_chunks(buf.getvalue())]
    r = read_file(_write(tmp_path, "h.webp", _riff(chunks)))
    assert r.problems == ()
    _assert_key_fields(r.metadata)


def _tiff(xmp: bytes | None = XMP.encode("utf-8")) -> bytes:
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    ifd[271], ifd[272], ifd[305], ifd[274] = KEY["make"], KEY["model"], KEY["software"], KEY["orientation"]
    ifd[0x8769] = {0x9003: KEY["datetime_original"], 0xA431: KEY["serial"]}
    ifd[0x8825] = {1: "N", 2: (48.0, 51.0, 30.24), 3: "E", 4: (2.0, 17.0, 40.2)}
    if xmp is not None:
        ifd[700] = xmp
    iim = b"\x1c\x02\x05" + struct.pack(">H", 5) + b"Title" + b"\x1c\x02\x50" + struct.pack(">H", 6) + b"Author"
    ifd[33723] = iim
    buf = io.BytesIO()
    imagegen.photo(4, (40, 30)).save(buf, "TIFF", tiffinfo=ifd)
    return buf.getvalue()


def test_tiff_ifds_xmp_tag_and_iptc(tmp_path):
    r = read_file(_write(tmp_path, "a.tif", _tiff()))
    assert r.error is None and r.problems == ()
    _assert_key_fields(r.metadata)
    _assert_xmp(r.metadata)
    assert r.metadata.iptc == {"ObjectName": "Title", "By-line": "Author"}
    assert containers.tiff_metadata(_tiff()).xmp_source == "TIFF XMP (tag 700)"


def test_heif_exif_and_xmp_items(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("libheif has no HEIF encoder here")
    pillow_heif.register_heif_opener()
    path = tmp_path / "IMG_0001.HEIC"
    imagegen.photo(5, (64, 48)).save(path, "HEIF", exif=_exif(orientation=1), xmp=XMP.encode("utf-8"), quality=50)
    r = read_file(path)
    assert r.error is None and r.problems == ()
    _assert_key_fields(r.metadata, orientation=1)
    _assert_xmp(r.metadata)


def test_heif_exif_item_offset_prefix():
    """A HEIF Exif item starts with the offset (4 bytes, big-endian) from its end to the TIFF header."""
    tiff = _exif()[6:]
    for item in (b"\x00\x00\x00\x06Exif\x00\x00" + tiff, b"\x00\x00\x00\x00" + tiff, _exif(), tiff):
        found = containers.heif_metadata({"exif": item})
        assert found.exif == tiff and found.problems == (), item[:12]
    found = containers.heif_metadata({"exif": b"\x00\x00\x00\x40" + b"\x00" * 20})
    assert found.exif is None and "does not begin with a TIFF header" in found.problems[0]


def test_same_fields_whatever_the_container(tmp_path):
    """One EXIF parser: the same EXIF gives the same record fields in every container."""
    image = imagegen.photo(6, (48, 32))
    paths = []
    for fmt, name in (("JPEG", "a.jpg"), ("PNG", "a.png"), ("WEBP", "a.webp")):
        image.save(tmp_path / name, fmt, exif=_exif())
        paths.append(tmp_path / name)
    paths.append(_write(tmp_path, "magick.png", _png_with_text([("Raw profile type exif", raw_profile_text("exif", _exif()), "zTXt")])))
    paths.append(_write(tmp_path, "a.tif", _tiff()))
    keys = ("make", "model", "software", "datetime_original", "gps", "orientation", "serial")
    readings = {p.name: tuple(getattr(read_metadata(p).metadata, k) for k in keys) for p in paths}
    assert len(set(readings.values())) == 1, readings


# --- hostile containers: damage is a problem, never an exception -------------------------


def test_ztxt_bomb_is_refused_without_inflating_it(tmp_path):
    bomb = zlib.compress(b"0" * (64 << 20), 9)  # 64 MiB of hex digits in 64 kB
    data = _png(after_idat=_chunk(b"zTXt", b"Raw profile type exif\x00\x00" + bomb), exif=_exif())
    tracemalloc.start()
    try:
        found = containers.png_metadata(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # what is inflated stops at the cap; CPython's output buffer may hold it twice for a moment
    assert peak < 2 * containers.MAX_TEXT + (4 << 20), peak
    assert any("inflates beyond 16 MiB" in p for p in found.problems), found.problems
    assert found.exif is not None  # the eXIf chunk before it is still read
    r = read_metadata(_write(tmp_path, "bomb.png", data))
    assert r.error is None and any("decompression bomb" in p for p in r.problems)
    _assert_key_fields(r.metadata)


def test_many_text_chunks_share_one_inflation_budget():
    """Refused bombs count too: two hundred of them cost no more than the budget."""
    profile = zlib.compress(b"\nexif\n 6000000\n" + b"00" * (6 << 20), 9)
    chunks = [_chunk(b"zTXt", b"Raw profile type exif\x00\x00" + profile) for _ in range(6)]
    found = containers.png_metadata(_png(*chunks))
    assert any("already inflate beyond 32 MiB" in p for p in found.problems), found.problems
    bomb = _chunk(b"zTXt", b"Raw profile type exif\x00\x00" + zlib.compress(b"0" * (17 << 20), 9))
    found = containers.png_metadata(_png(*[bomb] * 200))
    assert sum("decompression bomb" in p for p in found.problems) == 1  # one sentence, however many
    assert any("already inflate beyond 32 MiB" in p for p in found.problems)


def test_truncated_chunk(tmp_path):
    data = _png(_chunk(b"eXIf", _exif()[6:]))
    cut = data[: data.index(b"eXIf") + 40]
    found = containers.png_metadata(cut)
    assert found.exif is None and "beyond the end of the file" in found.problems[0]
    # cut before the picture data, the picture cannot be opened: an error, never an exception
    assert read_file(_write(tmp_path, "cut.png", cut)).error is not None
    # cut after it, the picture's header is read and the cut chunk is a problem
    data = _png(after_idat=_chunk(b"eXIf", _exif()[6:]))
    cut = data[: data.index(b"eXIf") + 40]
    r = read_metadata(_write(tmp_path, "cut-late.png", cut))
    assert r.error is None and any("PNG eXIf chunk" in p and "beyond the end of the file" in p for p in r.problems), r.problems


def test_wrong_chunk_length_loses_the_walk(tmp_path):
    block = _exif()[6:]
    wrong = struct.pack(">I", len(block) - 7) + _chunk(b"eXIf", block)[4:]
    found = containers.png_metadata(_png(wrong))
    assert any("chunk walk lost" in p for p in found.problems), found.problems
    r = read_metadata(_write(tmp_path, "wrong.png", _png(wrong)))
    assert any("chunk walk lost" in p for p in r.problems) or r.error is not None


def test_failed_crc_is_reported_and_the_chunk_still_read():
    block = _exif()[6:]
    found = containers.png_metadata(_png(_chunk(b"eXIf", block, crc=0)))
    assert found.exif == block and "fails its CRC check" in found.problems[0]


@pytest.mark.parametrize(
    ("text", "expected", "problem"),
    [
        ("\nexif\n       4\nzz0102!!0304\n", b"\x01\x02\x03\x04", "not hex digits"),
        ("\nexif\n      10\n01020304\n", b"\x01\x02\x03\x04", "declares 10 bytes but holds 4"),
        ("\nexif\n       2\n01020304\n", b"\x01\x02", "more than the 2 it declares"),
        ("\nexif\n       2\n01020\n", b"\x01\x02", "odd number of hex digits"),
        ("no header here", None, "no profile header"),
    ],
)
def test_hex_profile_damage(text, expected, problem):
    payload, problems = containers.raw_profile(text.encode(), where="profile")
    assert payload == expected
    assert any(problem in p for p in problems), problems


def test_hex_profile_with_junk_in_a_file(tmp_path):
    text = raw_profile_text("exif", _exif())
    junk = text[:40] + "<junk>" + text[40:]
    r = read_file(_write(tmp_path, "junk.png", _png_with_text([("Raw profile type exif", junk, "zTXt")])))
    assert r.error is None and any("not hex digits" in p for p in r.problems)
    assert r.metadata.make is None or r.problems  # a profile with junk is never read silently
    garbage = _png_with_text([("Raw profile type exif", "\nexif\n      12\n" + "ab" * 12 + "\n", "zTXt")])
    r = read_file(_write(tmp_path, "garbage.png", garbage))
    assert r.error is None and any("does not begin with a TIFF header" in p for p in r.problems)


def test_corrupt_compressed_text_chunk():
    found = containers.png_metadata(_png(_chunk(b"zTXt", b"Raw profile type exif\x00\x00not zlib at all")))
    assert found.exif is None and "does not decompress" in found.problems[0]
    cut = zlib.compress(raw_profile_text("exif", _exif()).encode())[:-20]
    found = containers.png_metadata(_png(_chunk(b"zTXt", b"Raw profile type exif\x00\x00" + cut)))
    assert any("ends inside its compressed stream" in p for p in found.problems), found.problems


def test_webp_damage(tmp_path):
    buf = io.BytesIO()
    imagegen.photo(0, (64, 48)).save(buf, "WEBP", exif=_exif(), xmp=XMP.encode())
    data = buf.getvalue()
    found = containers.webp_metadata(data[: len(data) - 30])
    assert any("cut short" in p for p in found.problems), found.problems
    at = data.index(b"EXIF")
    wrong = data[: at + 4] + struct.pack("<I", 1 << 30) + data[at + 8 :]
    found = containers.webp_metadata(wrong)
    assert found.exif is None and any("beyond the end of the file" in p for p in found.problems)
    r = read_metadata(_write(tmp_path, "wrong.webp", wrong))
    assert any("WebP EXIF chunk" in p for p in r.problems) or r.error is not None


def test_tiff_xmp_pointing_beyond_the_file(tmp_path):
    data = bytearray(_tiff())
    order = "little" if data[:2] == b"II" else "big"
    ifd = int.from_bytes(data[4:8], order)
    for i in range(int.from_bytes(data[ifd : ifd + 2], order)):
        at = ifd + 2 + 12 * i
        if int.from_bytes(data[at : at + 2], order) == 700:
            data[at + 8 : at + 12] = (len(data) - 10).to_bytes(4, order)
    r = read_file(_write(tmp_path, "x.tif", bytes(data)))
    assert r.error is None
    assert any("tag 700" in p and "beyond the end" in p for p in r.problems), r.problems
    _assert_key_fields(r.metadata)


def test_xmp_with_a_dtd_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + XMP.encode()
    assert parse_xmp(bomb) is None
    assert parse_xmp(find_packet(XMP.encode())).creator_tool == "GIMP 2.10"


def test_old_and_utf16_packets_are_found():
    old = XMP.replace("x:xmpmeta", "x:xapmeta").encode()
    assert parse_xmp(find_packet(old)).creator_tool == "GIMP 2.10"
    for codec in ("utf-16-le", "utf-16-be"):
        assert parse_xmp(find_packet(b"\x00\x01" + XMP.encode(codec))).creator_tool == "GIMP 2.10", codec


def _metadata_files() -> dict[str, bytes]:
    webp = io.BytesIO()
    imagegen.photo(0, (32, 24)).save(webp, "WEBP", exif=_exif(), xmp=XMP.encode())
    png = _png_with_text([
        ("Raw profile type exif", raw_profile_text("exif", _exif()), "zTXt"),
        ("XML:com.adobe.xmp", XMP, "iTXt-z"),
    ])  # fmt: skip
    return {"png": png, "webp": webp.getvalue(), "tiff": _tiff()}


def test_mutated_containers_never_raise():
    """Seeded random damage (cut, flipped bytes, overwritten lengths) is always reported, never raised."""
    readers = {"png": containers.png_metadata, "webp": containers.webp_metadata, "tiff": containers.tiff_metadata}
    rng = random.Random(7)
    for kind, data in _metadata_files().items():
        for _ in range(150):
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 6)):
                at = rng.randrange(len(damaged))
                damaged[at : at + 4] = rng.randbytes(4)
            if rng.random() < 0.3:
                damaged = damaged[: rng.randrange(8, len(damaged))]
            found = readers[kind](bytes(damaged))
            assert isinstance(found, containers.Embedded)
            assert all(isinstance(p, str) and p for p in found.problems)


def test_mutated_files_are_read_without_exception(tmp_path):
    rng = random.Random(11)
    for kind, data in _metadata_files().items():
        for i in range(10):
            damaged = bytearray(data)
            at = rng.randrange(8, len(damaged))
            damaged[at : at + 8] = rng.randbytes(8)
            r = read_file(_write(tmp_path, f"{kind}{i}.{kind}", bytes(damaged)))
            assert r.sha256 and (r.error is None or isinstance(r.error, str))


def test_pillow_writes_what_the_tests_expect():
    """The fixtures rest on Pillow writing eXIf for PNG and EXIF/XMP chunks for WebP."""
    buf = io.BytesIO()
    imagegen.photo(0, (16, 16)).save(buf, "PNG", exif=_exif())
    assert b"eXIf" in buf.getvalue()
    buf = io.BytesIO()
    imagegen.photo(0, (16, 16)).save(buf, "WEBP", exif=_exif(), xmp=XMP.encode())
    with Image.open(buf) as im:
        assert im.info.get("exif") and im.info.get("xmp")


@pytest.mark.slow
def test_corpus_agreement_with_exiftool(corpora):
    """Every container the toolkit reads gives up the EXIF and XMP ExifTool finds in it."""
    spec = importlib.util.spec_from_file_location("metadata_agreement", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.measure(corpora)
    assert result["key_agreement_read"]["rate"] >= 0.99, [d for d in result["disagreements"] if d["read"] and d["key"]]
    for fmt in ("PNG", "WEBP", "HEIC", "HEIF", "TIFF", "JPEG"):
        c = result["per_format"][fmt]
        assert (c.get("exif_found", 0), c.get("xmp_found", 0)) == (c.get("exif_expected", 0), c.get("xmp_expected", 0)), fmt
