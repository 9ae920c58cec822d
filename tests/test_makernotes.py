"""Body serial numbers from maker notes: each maker's layout, hostile notes, device grouping, ExifTool's reading."""

from __future__ import annotations

import io
import json
import struct
import time
from pathlib import Path

import imagegen
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from forensics import read_file, read_metadata
from forensics.knowledge.makernotes import LAYOUTS, SERIAL_TAGS, Base, Format, Kind, Layout, Order, SerialTag, serial_tags
from forensics.read.exif import makernote_serials
from forensics.read.makernotes import MAX_ENTRIES, read_serials
from forensics.sets.devices import group_devices

ASCII, LONG, UNDEF, IFD = 2, 4, 7, 13


# --- building notes and files -------------------------------------------------------------


def _size(entries: list[tuple[int, int, int, bytes]]) -> int:
    return 2 + 12 * len(entries) + 4 + sum(len(v) + len(v) % 2 for *_, v in entries if len(v) > 4)


def ifd(entries: list[tuple[int, int, int, bytes]], *, order: str, at: int, base: int) -> bytes:
    """An IFD that will sit at buffer position ``at``, its long values right after it, offsets counted from ``base``."""
    head = struct.pack(order + "H", len(entries))
    data = b""
    data_at = at + 2 + 12 * len(entries) + 4
    for tag, typ, count, value in entries:
        if len(value) <= 4:
            field = value.ljust(4, b"\x00")
        else:
            field = struct.pack(order + "I", data_at + len(data) - base)
            data += value + b"\x00" * (len(value) % 2)
        head += struct.pack(order + "HHI", tag, typ, count) + field
    return head + b"\x00\x00\x00\x00" + data


def directory(entries: list[tuple[int, int, int, bytes]], *, order: str, at: int, base: int) -> bytes:
    """A Phase One directory (a count, then 16-byte entries) at ``at``, long values after it."""
    head = struct.pack(order + "II", len(entries), 0)
    data = b""
    data_at = at + 8 + 16 * len(entries)
    for tag, typ, _count, value in entries:
        field = value.ljust(4, b"\x00") if len(value) <= 4 else struct.pack(order + "I", data_at + len(data) - base)
        if len(value) > 4:
            data += value
        head += struct.pack(order + "III", tag, typ, len(value)) + field
    return head + data


def ascii_entry(tag: int, text: str, size: int = 0) -> tuple[int, int, int, bytes]:
    raw = text.encode().ljust(size, b" ") + b"\x00" if size else text.encode() + b"\x00"
    return tag, ASCII, len(raw), raw


NOTE_AT = 200  # where the test TIFF blocks put their maker note (from the TIFF header)


def tiff_block(note: bytes, *, make: str | None, order: str = "<", extra: bytes = b"") -> bytes:
    """A TIFF-structured EXIF block: IFD0 (Make, ExifIFD), the EXIF IFD (MakerNote at NOTE_AT), then ``extra``."""
    mark = b"II" if order == "<" else b"MM"
    entries = [ascii_entry(0x010F, make)] if make else []
    entries.append((0x8769, LONG, 1, struct.pack(order + "I", 120)))
    ifd0 = ifd(entries, order=order, at=8, base=0)
    exif_ifd = ifd([(0x927C, UNDEF, len(note), struct.pack(order + "I", NOTE_AT))], order=order, at=120, base=0)
    out = mark + struct.pack(order + "HI", 42, 8) + ifd0
    out = out.ljust(120, b"\x00") + exif_ifd
    assert len(out) <= NOTE_AT
    return out.ljust(NOTE_AT, b"\x00") + note + extra


def jpeg_with(block: bytes, seed_: int = 0) -> bytes:
    """A JPEG whose APP1 segment holds ``block``."""
    buf = io.BytesIO()
    imagegen.photo(seed_, (64, 48)).save(buf, "JPEG")
    payload = b"Exif\x00\x00" + block
    return buf.getvalue()[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + buf.getvalue()[2:]


def olympus_note(serial: str, internal: str) -> bytes:
    """An 'OLYMPUS\\0II' note (offsets from the note) with an Equipment sub-IFD."""
    main_at, head = 12, b"OLYMPUS\x00II\x03\x00"
    main = [(0x0200, LONG, 1, b"\x00\x00\x00\x00"), (0x2010, IFD, 1, b"\x00\x00\x00\x00")]
    sub_at = main_at + _size(main)
    main[1] = (0x2010, IFD, 1, struct.pack("<I", sub_at))
    equipment = [ascii_entry(0x0101, serial, 31), ascii_entry(0x0102, internal, 31)]
    return head + ifd(main, order="<", at=main_at, base=0) + ifd(equipment, order="<", at=sub_at, base=0)


def _read(block: bytes, tmp_path: Path, name: str = "a.jpg") -> dict[str, str]:
    path = tmp_path / name
    path.write_bytes(jpeg_with(block))
    return read_metadata(path).metadata.makernote_serials


# --- each maker's layout, end to end ------------------------------------------------------


def test_olympus_equipment_serials(tmp_path):
    block = tiff_block(olympus_note("BHX512345", "4124110012362102"), make="OLYMPUS IMAGING CORP.")
    assert _read(block, tmp_path) == {"SerialNumber": "BHX512345", "InternalSerialNumber": "4124110012362102"}


def test_old_olympus_value_stored_after_the_note(tmp_path):
    # the E-10/E-20 notes count only their IFD: the serial lies beyond, offsets from the TIFF header
    note_ifd_at = NOTE_AT + 8
    entries = [(0x0404, ASCII, 10, b"\x00\x00\x00\x00")]
    note = b"OLYMP\x00\x01\x00" + ifd(entries, order=">", at=note_ifd_at, base=0)
    value_at = NOTE_AT + len(note) + 6
    note = b"OLYMP\x00\x01\x00" + ifd([(0x0404, ASCII, 10, struct.pack(">I", value_at))], order=">", at=note_ifd_at, base=0)
    block = tiff_block(note, make="OLYMPUS OPTICAL CO.,LTD", order=">", extra=b"\x00" * 6 + b"203001592\x00")
    assert _read(block, tmp_path) == {"SerialNumber": "203001592"}


def canon_note(*, written_at: int, number: int, internal: str, order: str = "<", footer: bool = True) -> bytes:
    """A Canon note whose offsets count from the TIFF header as if the note sat at ``written_at``."""
    entries = [(0x000C, LONG, 1, struct.pack(order + "I", number)), ascii_entry(0x0096, internal)]
    body = ifd(entries, order=order, at=written_at, base=0)
    mark = b"II*\x00" if order == "<" else b"MM\x00*"
    return body + (mark + struct.pack(order + "I", written_at) if footer else b"")


def test_canon_serials(tmp_path):
    block = tiff_block(canon_note(written_at=NOTE_AT, number=330103043, internal="ZA2146315"), make="Canon")
    assert _read(block, tmp_path) == {"SerialNumber": "330103043", "InternalSerialNumber": "ZA2146315"}


def test_canon_note_moved_by_an_editor_is_rebased_by_its_footer(tmp_path):
    # an editor re-saved EXIF big-endian and moved the note 164 bytes without fixing its offsets
    note = canon_note(written_at=NOTE_AT + 164, number=42, internal="ZA2146315")
    assert _read(tiff_block(note, make="Canon", order=">"), tmp_path) == {"SerialNumber": "42", "InternalSerialNumber": "ZA2146315"}
    # without the footer the moved offsets point elsewhere, and nothing wrong is read
    note = canon_note(written_at=NOTE_AT + 164, number=42, internal="ZA2146315", footer=False)
    block = tiff_block(note, make="Canon", extra=b"\x00" * 400)
    assert _read(block, tmp_path, "b.jpg") == {"SerialNumber": "42"}


def nikon_note(entries: list[tuple[int, int, int, bytes]]) -> bytes:
    """A type 3 Nikon note: a header, then a big-endian TIFF header its offsets count from."""
    return b"Nikon\x00\x02\x10\x00\x00" + b"MM\x00*" + struct.pack(">I", 8) + ifd(entries, order=">", at=8, base=0)


def test_nikon_serials_drop_the_label_and_prefer_0x001d(tmp_path):
    block = tiff_block(nikon_note([ascii_entry(0x00A0, "NO= 20025585        ")]), make="NIKON CORPORATION")
    assert _read(block, tmp_path) == {"SerialNumber": "20025585"}
    block = tiff_block(nikon_note([ascii_entry(0x001D, "3105364"), ascii_entry(0x00A0, "NO= 9")]), make="NIKON")
    assert _read(block, tmp_path, "b.jpg") == {"SerialNumber": "3105364"}


def test_pentax_camera_info_internal_serial(tmp_path):
    values = struct.pack(">5I", 0x12994, 20040615, 1, 2, 1046111)
    note_ifd = ifd([(0x0215, LONG, 5, values)], order=">", at=NOTE_AT + 6, base=0)
    block = tiff_block(b"AOC\x00MM" + note_ifd, make="PENTAX Corporation", order=">")
    assert _read(block, tmp_path) == {"InternalSerialNumber": "1046111"}


def reconyx_note(serial: str) -> bytes:
    note = bytearray(b"\x01\xf1\x03\x00" + b"\x00" * 100)
    note[42 : 42 + 30] = serial.encode("utf-16-le").ljust(30, b"\x00")
    return bytes(note)


def test_reconyx_serial_names_a_device_that_names_no_make(tmp_path):
    for i, serial in enumerate(("H500EE06130468", "H500EE06130468", "H600XX00000001")):
        (tmp_path / f"{i}.jpg").write_bytes(jpeg_with(tiff_block(reconyx_note(serial), make=None), i))
    records = [read_file(tmp_path / f"{i}.jpg") for i in range(3)]
    assert records[0].metadata.make is None
    assert records[0].metadata.makernote_serials == {"SerialNumber": "H500EE06130468"}
    summary = group_devices(records)
    assert not summary.unknown  # before, a picture naming no make, model or serial was "unknown"
    assert sorted(len(g.paths) for g in summary.groups) == [1, 2]


def test_one_model_two_bodies_told_apart_by_maker_note_serials(tmp_path):
    bodies = ("BHX512345", "BHX512345", "BHX600001")
    paths = []
    for i, serial in enumerate(bodies):
        block = tiff_block(olympus_note(serial, ""), make="OLYMPUS IMAGING CORP.")
        paths.append(tmp_path / f"{i}.jpg")
        paths[-1].write_bytes(jpeg_with(block, i))
    summary = group_devices([read_file(p) for p in paths])
    assert sorted((len(g.paths), g.serial) for g in summary.groups) == [(1, "bhx600001"), (2, "bhx512345")]


# --- every layout of the table, through the parser alone ----------------------------------


def _value(st_: SerialTag, order: str) -> tuple[int, int, bytes, str]:
    """(type, count, raw value, expected text) for one serial tag."""
    if st_.format is Format.INT32U:
        values = [*range(1, st_.index + 1), 7654321]
        return LONG, len(values), struct.pack(order + f"{len(values)}I", *values), "7654321"
    if st_.format is Format.HEX:
        raw = bytes.fromhex("00000000000000012207000003100957")
        return UNDEF, len(raw), raw, raw.hex()
    text = f"S{st_.tag:04X}X{len(st_.path)}"
    raw = text.encode().ljust(16, b"\x00")
    return (UNDEF if st_.format is Format.UNDEF else ASCII), len(raw), raw, text


def synthetic_note(layout: Layout, make: str | None, order: str = "<") -> tuple[bytes, int, int, dict[str, str]]:
    """(buffer, note position, TIFF base, expected serials) for one layout, built from the table."""
    note_at, tiff_at = 300, 100  # the note sits inside a larger buffer, 200 bytes after the TIFF header
    tags = serial_tags(layout.maker)
    expected: dict[str, str] = {}
    if layout.kind is Kind.BINARY:
        note = bytearray(layout.signature.ljust(200, b"\x00"))
        for st_ in tags:
            text = "RCX" + str(st_.tag)
            raw = text.encode("utf-16-le") if st_.format is Format.UNICODE else text.encode()
            note[st_.tag : st_.tag + st_.length] = raw.ljust(st_.length, b"\x00")
            expected.setdefault(st_.name, text)
        return bytes(100 * b"\x00" + b"II*\x00" + b"\x00" * 196) + bytes(note), note_at, tiff_at, expected
    mark = b"II" if order == "<" else b"MM"
    head = bytearray(layout.signature.ljust(layout.ifd, b"\x00"))
    ifd_at = note_at + layout.ifd
    if layout.kind is Kind.DIRECTORY:
        order = "<" if layout.order is Order.INTEL else ">"
        head += struct.pack(order + "I", layout.ifd + 4)
        entries = []
        for st_ in tags:
            typ, count, raw, text = _value(st_, order)
            entries.append((st_.tag, typ, count, raw))
            expected.setdefault(st_.name, text)
        note = bytes(head) + directory(entries, order=order, at=ifd_at + 4, base=note_at)
        return b"\x00" * note_at + note, note_at, tiff_at, expected
    if layout.order is Order.HEADER and layout.base is not Base.EMBEDDED:
        head[layout.order_at : layout.order_at + 2] = mark
    if layout.ifd_pointer:
        head += struct.pack("<I", layout.ifd + 4)
        ifd_at = note_at + layout.ifd + 4
        order = "<"
    if layout.base is Base.EMBEDDED:
        head += mark + struct.pack(order + "HI", 42, 8)
        ifd_at = note_at + layout.ifd + 8
    base = {Base.TIFF: tiff_at, Base.NOTE: note_at, Base.EMBEDDED: note_at + layout.ifd}[layout.base]
    texts: dict[tuple[tuple[int, ...], int], str] = {}
    subs = sorted({t.path[0] for t in tags if t.path})
    main_entries = []
    for st_ in (t for t in tags if not t.path):
        typ, count, raw, texts[(), st_.tag] = _value(st_, order)
        main_entries.append((st_.tag, typ, count, raw))
    for sub in subs:
        main_entries.append((sub, IFD, 1, b"\x00\x00\x00\x00"))
    main_entries.sort()
    body_size = _size(main_entries)
    sub_blobs = b""
    for sub in subs:
        sub_at = ifd_at + body_size + len(sub_blobs)
        entries = []
        for st_ in (t for t in tags if t.path == (sub,)):
            typ, count, raw, texts[st_.path, st_.tag] = _value(st_, order)
            entries.append((st_.tag, typ, count, raw))
        main_entries = [(t, y, c, struct.pack(order + "I", sub_at - base) if t == sub else v) for t, y, c, v in main_entries]
        sub_blobs += ifd(sorted(entries), order=order, at=sub_at, base=base)
    for st_ in tags:  # the table's order is the order of preference for one name
        expected.setdefault(st_.name, texts[st_.path, st_.tag])
    note = bytes(head) + ifd(main_entries, order=order, at=ifd_at, base=base) + sub_blobs
    buf = b"\x00" * tiff_at + mark + b"\x00" * (note_at - tiff_at - 2) + note
    return buf, note_at, tiff_at, expected


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda lo: f"{lo.maker}-{lo.signature[:9]!r}")
@pytest.mark.parametrize("order", ["<", ">"])
def test_every_layout_reads_its_serials(layout, order):
    make = layout.makes[0] if layout.makes else None
    buf, note_at, tiff_at, expected = synthetic_note(layout, make, order)
    got = read_serials(buf, note_at=note_at, size=len(buf) - note_at, tiff_at=tiff_at, make=make)
    assert got == expected and expected


def test_every_maker_of_the_serial_table_has_a_layout_and_a_source():
    assert {t.maker for t in SERIAL_TAGS} <= {lo.maker for lo in LAYOUTS}
    assert all(t.source.startswith("ExifTool Tag Names") for t in SERIAL_TAGS)
    assert all(lo.source for lo in LAYOUTS)


def test_unknown_layouts_fall_back_on_the_decoded_tags():
    assert read_serials(b"Apple iOS\x00\x00\x01MM" + bytes(50), note_at=0, size=64, tiff_at=0, make="Apple") is None

    class Tag:
        def __init__(self, v):
            self.values = v

    tags = {"MakerNote SerialNumber": Tag("0123456"), "MakerNote SerialNumberFormat": Tag("Format 2"),
            "MakerNote InternalSerialNumber ": Tag("AB12")}  # fmt: skip
    assert makernote_serials(tags) == {"SerialNumber": "0123456", "InternalSerialNumber": "AB12"}


def test_placeholders_and_text_that_is_not_a_serial_are_left_out():
    for text in ("0000000000", "   ", "AB\x07CD"):
        note = nikon_note([ascii_entry(0x001D, text)])
        assert read_serials(note, note_at=0, size=len(note), tiff_at=0, make="NIKON") == {}, text


# --- hostile notes ------------------------------------------------------------------------

_SIGNATURES = [lo.signature for lo in LAYOUTS] + [b""]
_MAKES = st.sampled_from([None, "Canon", "NIKON", "RICOH", "OLYMPUS", "x"])


def _check(result: dict[str, str] | None) -> None:
    assert result is None or all(isinstance(k, str) and isinstance(v, str) and 0 < len(v) <= 64 for k, v in result.items())


@seed(20240611)
@settings(max_examples=400, deadline=500, derandomize=True)
@given(st.sampled_from(_SIGNATURES), st.binary(max_size=400), _MAKES, st.integers(-(10**6), 10**6))
def test_random_notes_never_raise(signature, body, make, tiff_at):
    note = signature + body
    _check(read_serials(note, note_at=0, size=len(note), tiff_at=tiff_at, make=make))


_entry = st.tuples(
    st.sampled_from(sorted({t.tag for t in SERIAL_TAGS} | {0x2010, 0x0215})),
    st.integers(0, 16),
    st.one_of(st.integers(0, 64), st.integers(0, 2**32 - 1)),
    st.one_of(st.integers(0, 600), st.integers(0, 2**32 - 1)),
)


@seed(20240612)
@settings(max_examples=400, deadline=500, derandomize=True)
@given(st.sampled_from([lo for lo in LAYOUTS if lo.kind is not Kind.BINARY]), st.lists(_entry, max_size=12),
       st.sampled_from(["<", ">"]), st.integers(0, 2**16 - 1), st.binary(max_size=64))  # fmt: skip
def test_structured_hostile_notes_never_raise(layout, entries, order, claimed, tail):
    # plausible headers and IFDs with wild types, counts, offsets and entry counts
    head = bytearray(layout.signature.ljust(layout.ifd, b"\x00"))
    mark = b"II" if order == "<" else b"MM"
    if layout.base is Base.EMBEDDED:
        head += mark + struct.pack(order + "HI", 42, 8)
    elif layout.order is Order.HEADER:
        head[layout.order_at : layout.order_at + 2] = mark
    if layout.ifd_pointer:
        head += struct.pack("<I" if layout.order is Order.INTEL else ">I", len(head) + 4)
    count = claimed if claimed > len(entries) else len(entries)
    if layout.kind is Kind.DIRECTORY:
        body = struct.pack(order + "II", count, 0) + b"".join(struct.pack(order + "IIII", *e) for e in entries) + tail
    else:
        body = struct.pack(order + "H", count) + b"".join(struct.pack(order + "HHII", *e) for e in entries) + tail
    note = bytes(head) + body
    make = layout.makes[0] if layout.makes else None
    _check(read_serials(note, note_at=0, size=len(note), tiff_at=0, make=make))
    # the footer of a Canon note may claim any first position
    _check(read_serials(note + b"II*\x00" + tail[:4].ljust(4, b"\xff"), note_at=0, size=len(note) + 8, tiff_at=0, make="Canon"))


def test_largest_allowed_note_is_walked_quickly():
    # MAX_ENTRIES entries, each a sub-IFD pointer back to the same IFD: bounded, not a loop
    n = MAX_ENTRIES
    entries = b"".join(struct.pack("<HHII", 0x2010, IFD, 1, 12) for _ in range(n))
    note = b"OLYMPUS\x00II\x03\x00" + struct.pack("<H", n) + entries + b"\x00" * 4
    start = time.perf_counter()
    for _ in range(20):
        assert read_serials(note, note_at=0, size=len(note), tiff_at=0, make=None) == {}
    assert time.perf_counter() - start < 1.0
    # an entry count beyond the bound is refused outright
    huge = b"OLYMPUS\x00II\x03\x00" + struct.pack("<H", n + 1) + struct.pack("<HHII", 0x0101, ASCII, 8, 0) * (n + 1)
    assert read_serials(huge, note_at=0, size=len(huge), tiff_at=0, make=None) == {}


# --- ExifTool's reading of real files -----------------------------------------------------

_BODY = ("SerialNumber", "InternalSerialNumber", "BodySerialNumber", "CameraSerialNumber")


def _norm(v: object) -> str:
    s = str(v).strip()
    return s[3:].strip() if s.upper().startswith("NO=") else s


@pytest.mark.parametrize("corpus", ["exif-samples", "camera-jpegs", "exiftool-t-images"])
def test_serials_agree_with_exiftool(corpora, corpus):
    oracle = json.loads((corpora / f"{corpus}.exiftool.json").read_text())
    compared = 0
    for entry in oracle:
        want = {k.split(":", 1)[1]: _norm(v) for k, v in entry.items()
                if k.startswith("MakerNotes:") and k.split(":", 1)[1] in _BODY and str(v).strip()}  # fmt: skip
        if not want:
            continue
        record = read_metadata(corpora / corpus / entry["SourceFile"])
        if record.format not in ("JPEG", "TIFF", "HEIF", "PNG", "WEBP"):
            continue  # RAW containers and videos are not read as pictures
        got = record.metadata.makernote_serials
        assert got == want, entry["SourceFile"]
        compared += 1
    assert compared >= 5
