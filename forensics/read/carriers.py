"""EXIF and XMP in camera raw, editor and other picture formats.

The blocks are found by a bounded walk of each format and handed back as an
:class:`~forensics.read.containers.Embedded`, like the PNG, WebP, HEIF and
TIFF readers, so the same EXIF and XMP parsers read them. Pillow decodes the
pixels of none of these formats but PSD; the record says so.

Where each format keeps its metadata (layouts as ExifTool documents them,
https://exiftool.org/TagNames/, and the formats' own specifications):

- CR3 (Canon, ISO BMFF): the ``CMT1``–``CMT4`` boxes in the Canon ``uuid``
  box of ``moov`` are TIFF structures holding IFD0, the EXIF IFD, the maker
  notes and the GPS IFD; they are joined into one TIFF block. XMP is the
  top-level ``uuid`` box ``be7acfcb-97a9-42e8-9c71-999491e3afac``.
- RAF (Fujifilm): the header's big-endian offset and length at byte 84 point
  at a JPEG preview whose APP1 holds the EXIF.
- RW2 (Panasonic): a TIFF with the magic number 0x55; the EXIF is in the
  JPEG preview (``JpgFromRaw``, tag 0x2E), else in the IFDs themselves.
- MRW (Minolta): ``\\0MRM`` blocks; the ``\\0TTW`` block is a TIFF structure.
- X3F (Sigma): the directory at the end (``SECd``) lists ``IMA2`` sections;
  one of format 18 is a JPEG whose APP1 holds the EXIF.
- PSD (Photoshop): image resources 1058 (EXIF), 1060 (XMP) and 1028 (IPTC).
- MIFF (ImageMagick): a text header naming ``profile-NAME=LENGTH``, the
  profiles following the ``:\\x1a`` that ends it, in the order named.
- BPG: extension tags 1 (EXIF) and 3 (XMP) after the header.
- XCF (GIMP): the ``exif-data`` and ``gimp-metadata`` parasites among the
  image properties.

No reader raises for bad data: damage is a sentence in ``problems``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from forensics.read.containers import MAX_XMP, Embedded, exif_payload
from forensics.read.jpeg import app_payload, segments
from forensics.read.makernotes import read_serials

UNDECODED = "pixels not decoded"  # how a record whose metadata was read without its picture begins its error
MAX_BLOCKS = 10_000  # boxes, blocks, resources or properties walked in one file
MAX_DEPTH = 4  # nested ISO BMFF boxes looked into
MAX_ENTRIES = 1_000  # entries read from one IFD

_EXIF_SIG = b"Exif\x00\x00"
_XMP_SIG = b"http://ns.adobe.com/xap/1.0/\x00"
_TIFF_HEADERS = (b"II*\x00", b"MM\x00*")
Order = Literal["little", "big"]
_CANON_UUID = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
_XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")


@dataclass(frozen=True)
class Format:
    """A picture format read here: its name, what it is, and whether Pillow decodes its pixels."""

    name: str
    description: str
    decoded: bool = False


FORMATS = {
    "CR3": Format("CR3", "Canon raw (CR3)"),
    "RAF": Format("RAF", "Fujifilm raw (RAF)"),
    "RW2": Format("RW2", "Panasonic raw (RW2)"),
    "MRW": Format("MRW", "Minolta raw (MRW)"),
    "X3F": Format("X3F", "Sigma raw (X3F)"),
    "PSD": Format("PSD", "Photoshop document (PSD)", decoded=True),
    "MIFF": Format("MIFF", "ImageMagick file (MIFF)"),
    "BPG": Format("BPG", "BPG picture"),
    "XCF": Format("XCF", "GIMP document (XCF)"),
}


class _Found:
    def __init__(self) -> None:
        self.exif: bytes | None = None
        self.xmp: bytes | None = None
        self.exif_source: str | None = None
        self.xmp_source: str | None = None
        self.iptc: bytes | None = None
        self.problems: list[str] = []

    def add_exif(self, block: bytes, source: str) -> None:
        if self.exif is not None:
            return
        payload, problem = exif_payload(block, where=source)
        if payload is None and block[:1] == b"\x00":  # bpgenc writes one byte before the TIFF header
            payload, _ = exif_payload(block[1:], where=source)
        if payload is None:
            self.problems.append(problem or f"{source} is not EXIF")
            return
        self.exif, self.exif_source = payload, source

    def add_xmp(self, block: bytes, source: str) -> None:
        if self.xmp is not None:
            return
        if len(block) > MAX_XMP:
            self.problems.append(f"{source} holds {len(block)} bytes, more than is read as XMP: not read")
            return
        self.xmp, self.xmp_source = block, source

    def add_jpeg(self, data: bytes, source: str) -> None:
        """The EXIF and XMP APP1 segments of an embedded JPEG preview."""
        if not data.startswith(b"\xff\xd8"):
            self.problems.append(f"{source} is not a JPEG (starts with {data[:4].hex(' ')}): its EXIF not read")
            return
        segs = segments(data)
        exif = app_payload(data, segs, 0xE1, _EXIF_SIG)
        if exif is not None:
            self.add_exif(bytes(exif), f"{source} EXIF")
        xmp = app_payload(data, segs, 0xE1, _XMP_SIG)
        if xmp is not None:
            self.add_xmp(bytes(xmp), f"{source} XMP")

    def result(self) -> Embedded:
        return Embedded(self.exif, self.xmp, self.exif_source, self.xmp_source, tuple(self.problems))


def metadata(data: bytes, fmt: str) -> Embedded:
    """EXIF and XMP of a file of one of :data:`FORMATS`, by that format's bounded walk.

    Parameters
    ----------
    data : bytes
        The whole file.
    fmt : str
        Its format as sniffed (a key of :data:`FORMATS`).

    Returns
    -------
    Embedded
        The TIFF-structured EXIF block and the XMP block found, and the damage met.
    """
    found = _Found()
    reader = _READERS.get(fmt)
    if reader is None:
        return found.result()
    try:
        reader(data, found)
    except (IndexError, ValueError, OverflowError) as exc:  # a length that lost the walk
        found.problems.append(f"{fmt} structure damaged ({exc}): the walk stopped")
    return found.result()


def iptc_block(data: bytes, fmt: str) -> bytes | None:
    """The IPTC-IIM datasets of a PSD file (image resource 1028), or None."""
    if fmt != "PSD":
        return None
    found = _Found()
    try:
        _psd(data, found)
    except (IndexError, ValueError, OverflowError):
        return None
    return found.iptc


def note_serials(data: bytes, fmt: str, make: str | None) -> dict[str, str] | None:
    """Body serials in a CR3's maker notes (the ``CMT3`` box, a TIFF structure of its own), or None."""
    if fmt != "CR3":
        return None
    note: list[bytes] = []

    def walk(start: int, end: int, depth: int) -> None:
        for kind, s, e in _boxes(data, start, end):
            if kind == b"CMT3" and not note:
                note.append(data[s:e])
            elif depth < MAX_DEPTH and (kind == b"moov" or (kind == b"uuid" and data[s : s + 16] == _CANON_UUID)):
                walk(s + (16 if kind == b"uuid" else 0), e, depth + 1)

    try:
        walk(0, len(data), 0)
    except (IndexError, ValueError, OverflowError):
        return None
    if not note or note[0][:4] not in _TIFF_HEADERS:
        return None
    cmt3 = note[0]
    order = "<" if cmt3[:2] == b"II" else ">"
    at = int.from_bytes(cmt3[4:8], "little" if order == "<" else "big")
    return read_serials(cmt3, note_at=at, size=len(cmt3) - at, tiff_at=0, make=make, order=order)


def _u32(data: bytes, at: int, order: Order = "big") -> int:
    if at < 0 or at + 4 > len(data):
        raise ValueError(f"a 4-byte number at byte {at} lies past the end")
    return int.from_bytes(data[at : at + 4], order)


# ---- CR3 ---------------------------------------------------------------------------------


def _boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the ISO BMFF boxes between two offsets."""
    out: list[tuple[bytes, int, int]] = []
    at = start
    while at + 8 <= end and len(out) < MAX_BLOCKS:
        size, kind, head = _u32(data, at), data[at + 4 : at + 8], 8
        if size == 1:
            size, head = int.from_bytes(data[at + 8 : at + 16], "big"), 16
        elif size == 0:
            size = end - at
        if size < head or at + size > end:
            raise ValueError(f"box {kind!r} at byte {at} runs past its container")
        out.append((kind, at + head, at + size))
        at += size
    return out


def _cr3(data: bytes, found: _Found) -> None:
    blocks: dict[bytes, bytes] = {}

    def walk(start: int, end: int, depth: int) -> None:
        for kind, s, e in _boxes(data, start, end):
            if kind == b"uuid" and data[s : s + 16] == _XMP_UUID and depth == 0:
                found.add_xmp(data[s + 16 : e], "CR3 XMP box")
            elif kind == b"uuid" and data[s : s + 16] == _CANON_UUID and depth < MAX_DEPTH:
                walk(s + 16, e, depth + 1)
            elif kind == b"moov" and depth < MAX_DEPTH:
                walk(s, e, depth + 1)
            elif kind in (b"CMT1", b"CMT2", b"CMT4"):
                blocks.setdefault(kind, data[s:e])

    walk(0, len(data), 0)
    if b"CMT1" not in blocks:
        if b"CMT2" in blocks or b"CMT4" in blocks:
            found.problems.append("CR3 holds EXIF boxes but no CMT1 (IFD0): not read")
        return
    joined, problems = join_ifds(blocks[b"CMT1"], blocks.get(b"CMT2"), blocks.get(b"CMT4"))
    found.problems.extend(f"CR3 {p}" for p in problems)
    if joined is not None:
        found.add_exif(joined, "CR3 CMT boxes")


_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
# pointers whose targets do not come along when IFDs are joined: sub-IFDs, maker notes, interop
_POINTERS = {0x8769, 0x8825, 0xA005, 0x014A, 0x927C, 0x0201, 0x0202}


def _entries(tiff: bytes) -> tuple[Order, list[tuple[int, int, int, bytes]]]:
    """Byte order and (tag, type, count, value bytes) of the first IFD of a TIFF structure."""
    if tiff[:4] not in _TIFF_HEADERS:
        raise ValueError("no TIFF header")
    order: Order = "little" if tiff[:2] == b"II" else "big"
    ifd = _u32(tiff, 4, order)
    if ifd + 2 > len(tiff):
        raise ValueError("its IFD lies past the end")
    n = int.from_bytes(tiff[ifd : ifd + 2], order)
    out = []
    for i in range(min(n, MAX_ENTRIES)):
        at = ifd + 2 + 12 * i
        if at + 12 > len(tiff):
            break
        tag, typ = (int.from_bytes(tiff[at + k : at + k + 2], order) for k in (0, 2))
        count = _u32(tiff, at + 4, order)
        size = _TYPE_SIZES.get(typ, 0) * count
        if not size:
            continue
        if size <= 4:
            value = tiff[at + 8 : at + 8 + size]
        else:
            offset = _u32(tiff, at + 8, order)
            if offset + size > len(tiff):
                continue  # a value past the end is left out, as the EXIF parser would
            value = tiff[offset : offset + size]
        out.append((tag, typ, count, value))
    return order, out


def join_ifds(ifd0: bytes, exif: bytes | None, gps: bytes | None) -> tuple[bytes | None, list[str]]:
    """One TIFF block from separate TIFF structures holding IFD0, the EXIF IFD and the GPS IFD.

    CR3 stores each IFD as a TIFF structure of its own; joined, they are what
    the EXIF parser reads from any other file. Pointers to other sub-IFDs are
    left out (their targets do not come along).

    Returns
    -------
    tuple of (bytes or None, list of str)
        The joined block (None when IFD0 cannot be read) and the damage met.
    """
    problems: list[str] = []
    try:
        order, main = _entries(ifd0)
    except ValueError as exc:
        return None, [f"IFD0 box unreadable: {exc}"]
    subs: list[tuple[int, list[tuple[int, int, int, bytes]]]] = []
    for pointer, block, name in ((0x8769, exif, "EXIF"), (0x8825, gps, "GPS")):
        if block is None:
            continue
        try:
            sub_order, entries = _entries(block)
        except ValueError as exc:
            problems.append(f"{name} box unreadable: {exc}")
            continue
        if sub_order != order:
            problems.append(f"{name} box in another byte order than IFD0: not read")
            continue
        subs.append((pointer, [e for e in entries if e[0] not in _POINTERS]))
    tables = [[e for e in main if e[0] not in _POINTERS]] + [entries for _, entries in subs]
    # layout: header, IFD0 (with one pointer per sub-IFD), the sub-IFDs, then the values
    sizes = [2 + 12 * (len(t) + (len(subs) if i == 0 else 0)) + 4 for i, t in enumerate(tables)]
    starts = [8]
    for s in sizes[:-1]:
        starts.append(starts[-1] + s)
    data_at = starts[-1] + sizes[-1]
    head = (b"II*\x00" if order == "little" else b"MM\x00*") + (8).to_bytes(4, order)
    ifds, values = bytearray(), bytearray()
    for i, table in enumerate(tables):
        rows = list(table)
        if i == 0:
            rows += [(pointer, 4, 1, starts[k + 1].to_bytes(4, order)) for k, (pointer, _) in enumerate(subs)]
        rows.sort(key=lambda r: r[0])
        ifds += len(rows).to_bytes(2, order)
        for tag, typ, count, value in rows:
            ifds += tag.to_bytes(2, order) + typ.to_bytes(2, order) + count.to_bytes(4, order)
            if len(value) <= 4:
                ifds += value.ljust(4, b"\x00")
            else:
                ifds += (data_at + len(values)).to_bytes(4, order)
                values += value + b"\x00" * (len(value) % 2)
        ifds += b"\x00\x00\x00\x00"
    return head + bytes(ifds) + bytes(values), problems


# ---- raw formats with an embedded JPEG or TIFF ---------------------------------------------


def _raf(data: bytes, found: _Found) -> None:
    at, length = _u32(data, 84), _u32(data, 88)
    if not length or at + length > len(data):
        found.problems.append(f"RAF preview ({length} bytes from byte {at}) lies past the end of the file: its EXIF not read")
        return
    found.add_jpeg(data[at : at + length], "RAF preview JPEG")


def _rw2(data: bytes, found: _Found) -> None:
    tiff = b"II*\x00" + data[4:]  # the IFDs are TIFF's; only the magic number differs
    try:
        _, entries = _entries(tiff)
    except ValueError as exc:
        found.problems.append(f"RW2 IFD0 unreadable: {exc}")
        return
    preview = next((value for tag, _, _, value in entries if tag == 0x2E), None)
    if preview is not None:
        found.add_jpeg(preview, "RW2 preview JPEG (JpgFromRaw)")
    if found.exif is None:
        found.add_exif(tiff, "RW2 IFDs")
    xmp = next((value for tag, _, _, value in entries if tag == 700), None)
    if xmp is not None:
        found.add_xmp(xmp, "RW2 XMP (tag 700)")


def _mrw(data: bytes, found: _Found) -> None:
    end = min(len(data), 8 + _u32(data, 4))
    at = 8
    for _ in range(MAX_BLOCKS):
        if at + 8 > end:
            return
        kind, size = data[at : at + 4], _u32(data, at + 4)
        if at + 8 + size > end:
            found.problems.append(f"MRW block {kind!r} runs past the header: not read")
            return
        if kind == b"\x00TTW":
            found.add_exif(data[at + 8 : at + 8 + size], "MRW TTW block")
        at += 8 + size


def _x3f(data: bytes, found: _Found) -> None:
    directory = _u32(data, len(data) - 4, "little")
    if data[directory : directory + 4] != b"SECd":
        found.problems.append("X3F directory (SECd) not found where the file's last word points")
        return
    count = _u32(data, directory + 8, "little")
    for i in range(min(count, MAX_BLOCKS)):
        at = directory + 12 + 12 * i
        offset, length, kind = _u32(data, at, "little"), _u32(data, at + 4, "little"), data[at + 8 : at + 12]
        if kind not in (b"IMA2", b"IMAG") or offset + length > len(data) or length < 28:
            continue
        if data[offset : offset + 4] == b"SECi" and _u32(data, offset + 12, "little") == 18:  # format 18: JPEG
            found.add_jpeg(data[offset + 28 : offset + length], "X3F preview JPEG")
            if found.exif is not None:
                return


# ---- editors' formats ------------------------------------------------------------------------


def _psd(data: bytes, found: _Found) -> None:
    at = 26
    at += 4 + _u32(data, at)  # colour mode data
    end = at + 4 + _u32(data, at)
    if end > len(data):
        found.problems.append("PSD image resources run past the end of the file: read as far as they go")
        end = len(data)
    at += 4
    for _ in range(MAX_BLOCKS):
        if at + 12 > end:
            return
        if data[at : at + 4] not in (b"8BIM", b"MeSa", b"PHUT", b"AgHg", b"DCSR"):
            found.problems.append(f"PSD image resource at byte {at} has no signature: the walk stopped")
            return
        rid = int.from_bytes(data[at + 4 : at + 6], "big")
        name = data[at + 6]
        at += 6 + name + 1 + (name + 1) % 2  # a Pascal string, padded to an even length
        size = _u32(data, at)
        body = data[at + 4 : at + 4 + size]
        if at + 4 + size > end:
            found.problems.append(f"PSD image resource {rid} runs past the end of the resources: not read")
            return
        if rid == 1058:
            found.add_exif(body, "PSD EXIF resource (1058)")
        elif rid == 1060:
            found.add_xmp(body, "PSD XMP resource (1060)")
        elif rid == 1028 and found.iptc is None:
            found.iptc = body
        at += 4 + size + size % 2


_MIFF_HEADER_MAX = 1 << 20


def _miff(data: bytes, found: _Found) -> None:
    end = data.find(b":\x1a", 0, _MIFF_HEADER_MAX)
    if end < 0:
        found.problems.append("MIFF header has no end (':' and Ctrl-Z) in its first MiB: not read")
        return
    at = end + 2
    for word in data[:end].decode("latin-1").split()[:MAX_BLOCKS]:
        key, _, value = word.partition("=")
        if not key.lower().startswith("profile-") or not value.isdigit():
            continue
        size = int(value)
        if at + size > len(data):
            found.problems.append(f"MIFF {key} ({size} bytes) runs past the end of the file: not read")
            return
        body = data[at : at + size]
        name = key[len("profile-") :].lower()
        if name in ("exif", "app1") and body.startswith(_EXIF_SIG):
            found.add_exif(body, f"MIFF {key}")
        elif name == "xmp" or (name == "app1" and body.startswith(_XMP_SIG)):
            found.add_xmp(body, f"MIFF {key}")
        at += size


def _ue7(data: bytes, at: int) -> tuple[int, int]:
    """A BPG ue7 number (big-endian base 128, at most five bytes) and where it ends."""
    value = 0
    for i in range(5):
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, at + i + 1
    raise ValueError(f"a number at byte {at} runs over five bytes")


def _bpg(data: bytes, found: _Found) -> None:
    if not data[5] & 0x08:  # extension_present_flag
        return
    at = 6
    for _ in range(3):  # width, height, picture data length
        _, at = _ue7(data, at)
    length, at = _ue7(data, at)
    end = at + length
    if end > len(data):
        found.problems.append("BPG extensions run past the end of the file: read as far as they go")
        end = len(data)
    for _ in range(MAX_BLOCKS):
        if at >= end:
            return
        tag, at = _ue7(data, at)
        size, at = _ue7(data, at)
        if at + size > end:
            found.problems.append(f"BPG extension {tag} runs past the extensions: not read")
            return
        if tag == 1:
            found.add_exif(data[at : at + size], "BPG EXIF extension")
        elif tag == 3:
            found.add_xmp(data[at : at + size], "BPG XMP extension")
        at += size


def _xcf(data: bytes, found: _Found) -> None:
    version = data[9:13]
    number = 0 if version == b"file" else int(version[1:]) if version[:1] == b"v" and version[1:].isdigit() else -1
    if number < 0:
        found.problems.append(f"XCF version {version!r} not known: not read")
        return
    at = 14 + 12 + (4 if number >= 4 else 0)  # width, height, base type; precision since version 4
    for _ in range(MAX_BLOCKS):
        kind, size = _u32(data, at), _u32(data, at + 4)
        at += 8
        if kind == 0:  # PROP_END
            return
        if at + size > len(data):
            found.problems.append(f"XCF property {kind} runs past the end of the file: not read")
            return
        if kind == 21:  # PROP_PARASITES
            _xcf_parasites(data, at, at + size, found)
        at += size


def _xcf_parasites(data: bytes, at: int, end: int, found: _Found) -> None:
    for _ in range(MAX_BLOCKS):
        if at + 4 > end:
            return
        n = _u32(data, at)
        name = data[at + 4 : at + 4 + n].rstrip(b"\x00")
        at += 4 + n
        size = _u32(data, at + 4)  # after the flags
        at += 8
        if at + size > end:
            found.problems.append(f"XCF parasite {name!r} runs past its property: not read")
            return
        body = data[at : at + size]
        if name in (b"exif-data", b"jpeg-exif-data"):
            found.add_exif(body, f"XCF {name.decode()} parasite")
        elif name == b"gimp-metadata" and body.startswith(b"GIMP_XMP_1"):
            found.add_xmp(body[10:], "XCF gimp-metadata parasite")
        elif name == b"gimp-metadata" or name == b"gimp-xmp":  # other GIMP versions
            found.add_xmp(body, f"XCF {name.decode()} parasite")
        at += size


_READERS: dict[str, Callable[[bytes, _Found], None]] = {
    "CR3": _cr3, "RAF": _raf, "RW2": _rw2, "MRW": _mrw, "X3F": _x3f,
    "PSD": _psd, "MIFF": _miff, "BPG": _bpg, "XCF": _xcf,
}  # fmt: skip
