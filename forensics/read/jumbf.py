"""Where a C2PA manifest store sits in a file, found cheaply from the container's own structure.

A manifest store is a JUMBF box (ISO/IEC 19566-5) whose description box has the
type ``c2pa``. Each container carries it its own way (C2PA specification 2.x,
"Embedding manifests into assets"): APP11 segments in JPEG, a ``caBX`` chunk in
PNG, a ``C2PA`` chunk in RIFF/WebP, a ``uuid`` box in ISO BMFF (HEIF, AVIF,
MP4, MOV), tag 52545 in TIFF, an application extension in GIF. The walks here
only look at structure the reader has in hand (segment, chunk and box headers),
so a file without a store costs next to nothing; the store's contents are the
reference reader's business (:mod:`forensics.read.credentials`). The only
parsing of the store itself is of its JUMBF box headers, to name its manifests
when no reader is installed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal

from forensics.read.jpeg import segments

_C2PA_UUID = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")  # the C2PA uuid box of ISO BMFF
_XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")  # XMP in an MP4/MOV uuid box
_TIFF_C2PA_TAG = 52545
_TIFF_XMP_TAG = 700
_GIF_C2PA = b"\x21\xff\x0bC2PA_GIF"
_GIF_XMP = b"\x21\xff\x0bXMP DataXMP"
_XMP_APP1 = b"http://ns.adobe.com/xap/1.0/\x00"
MAX_BOXES = 10000  # top-level boxes or chunks walked at most: a hostile file cannot make a walk long
MAX_MANIFESTS = 256
MAX_XMP = 1 << 20  # an XMP packet larger than this is not looked into

ReadAt = Callable[[int, int], bytes]  # (offset, length) -> at most length bytes


@dataclass(frozen=True)
class StoreLocation:
    """A manifest store found in a file: where, how large, and the JUMBF box itself when at hand."""

    container: str
    size: int
    jumbf: bytes | None = None  # None when only its position was looked at (a file not held in memory)


@dataclass(frozen=True)
class Traces:
    """What a file's XMP says of Content Credentials: a ``dcterms:provenance`` address, a c2pa namespace."""

    provenance: str | None = None
    namespace: bool = False

    def __bool__(self) -> bool:
        return self.provenance is not None or self.namespace


def survey(data: bytes, fmt: str | None) -> tuple[StoreLocation | None, Traces]:
    """The manifest store of a file held in memory, and what its XMP says of one, in one walk.

    Only the container's headers are read (JPEG segments before the scan, PNG
    and RIFF chunk headers, TIFF's first IFD, ISO BMFF top-level boxes), so a
    file without Content Credentials costs a few microseconds.

    Examples
    --------
    >>> survey(b"\\x89PNG\\r\\n\\x1a\\n" + b"\\x00" * 12, "PNG")
    (None, Traces(provenance=None, namespace=False))
    """
    try:
        if fmt == "JPEG":
            store, xmp = _jpeg(data)
        elif fmt == "PNG":
            store, xmp = _png(data)
        elif fmt == "WEBP":
            store, xmp = _riff(data)
        elif fmt == "TIFF":
            store, xmp = _tiff(data)
        elif fmt == "GIF":
            store, xmp = _gif(data)
        elif fmt in ("HEIF", "AVIF", "MP4", "MOV"):
            store, xmp = _bmff(_bytes_reader(data), len(data))
            if xmp is None and fmt in ("HEIF", "AVIF"):
                xmp = _heif_xmp(data)
        else:
            return None, Traces()
    except (IndexError, ValueError):  # a truncated header: nothing a reader could use
        return None, Traces()
    return store, _traces(xmp)


def survey_file(f: BinaryIO, fmt: str | None, size: int) -> tuple[StoreLocation | None, Traces]:
    """:func:`survey` for an ISO BMFF file that is not held in memory (a video): its top-level box headers."""
    if fmt not in ("HEIF", "AVIF", "MP4", "MOV"):
        return None, Traces()

    def read_at(offset: int, length: int) -> bytes:
        f.seek(offset)
        return f.read(length)

    try:
        store, xmp = _bmff(read_at, size, want_jumbf=False)
    except (OSError, ValueError):
        return None, Traces()
    return store, _traces(xmp)


def _traces(packet: bytes | None) -> Traces:
    if not packet or (b"provenance" not in packet and b"c2pa" not in packet):
        return Traces()
    m = _PROVENANCE.search(packet)
    value = (m.group(1) or m.group(2)).decode("utf-8", "replace").strip() if m else None
    return Traces(provenance=value or None, namespace=_C2PA_NS.search(packet) is not None)


_PROVENANCE = re.compile(rb"dcterms:provenance\s*=\s*[\"']([^\"']*)[\"']|<dcterms:provenance>\s*([^<]*?)\s*</dcterms:provenance>")
_C2PA_NS = re.compile(rb"xmlns:c2pa\s*=|http://c2pa\.org/")


def manifest_labels(jumbf: bytes) -> tuple[str, ...]:
    """The labels of the manifests in a manifest store's JUMBF box, in store order (the active one last).

    Only box headers and description boxes are read; nothing is validated.

    Examples
    --------
    >>> manifest_labels(b"")
    ()
    """
    try:
        store = _box(jumbf, 0, len(jumbf))
        if store is None or store[0] != b"jumb":
            return ()
        _, start, end = store
        labels: list[str] = []
        for kind, child_start, child_end in _children(jumbf, start, end):
            if kind != b"jumb" or len(labels) >= MAX_MANIFESTS:
                continue
            desc = _description(jumbf, child_start, child_end)
            if desc is not None and desc[0] in (b"c2ma", b"c2um") and desc[1]:
                labels.append(desc[1])
        return tuple(labels)
    except (IndexError, ValueError):
        return ()


# ---------------------------------------------------------------------------------------------
# JUMBF boxes


def _box(data: bytes, at: int, end: int) -> tuple[bytes, int, int] | None:
    """``(type, payload_start, payload_end)`` of the box at ``at``, or None past ``end`` or on damage."""
    if at + 8 > end:
        return None
    size = int.from_bytes(data[at : at + 4], "big")
    kind = bytes(data[at + 4 : at + 8])
    header = 8
    if size == 1:
        if at + 16 > end:
            return None
        size, header = int.from_bytes(data[at + 8 : at + 16], "big"), 16
    elif size == 0:
        size = end - at
    if size < header or at + size > end:
        return None
    return kind, at + header, at + size


def _children(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    at = start
    for _ in range(MAX_BOXES):
        box = _box(data, at, end)
        if box is None:
            return
        yield box
        at = box[2]


def _description(data: bytes, start: int, end: int) -> tuple[bytes, str | None] | None:
    """The type (its first four bytes) and label of the superbox whose payload starts at ``start``."""
    box = _box(data, start, end)
    if box is None or box[0] != b"jumd" or box[2] - box[1] < 17:
        return None
    _, s, e = box
    kind, toggles = bytes(data[s : s + 4]), data[s + 16]
    label = None
    if toggles & 0x02:
        stop = data.find(b"\x00", s + 17, e)
        label = bytes(data[s + 17 : stop if stop >= 0 else e]).decode("utf-8", "replace")
    return kind, label


def _is_store(jumbf: bytes) -> bool:
    box = _box(jumbf, 0, len(jumbf))
    if box is None or box[0] != b"jumb":
        return False
    desc = _description(jumbf, box[1], box[2])
    return desc is not None and desc[0] == b"c2pa"


def _store_header(head: bytes) -> bool:
    """Whether a JUMBF box's first bytes (box and description headers) are those of a manifest store."""
    return len(head) >= 24 and head[4:8] == b"jumb" and head[12:16] == b"jumd" and head[16:20] == b"c2pa"


# ---------------------------------------------------------------------------------------------
# Containers


def _jpeg(data: bytes) -> tuple[StoreLocation | None, bytes | None]:
    """A JPEG's APP11 store and its XMP (APP1), from the segments before the scan."""
    # APP11 payload: "JP", box instance (2 bytes), sequence number (4 bytes), then the JUMBF box;
    # segments after the first of an instance repeat the box's 8-byte header before going on.
    parts: dict[int, list[tuple[int, bytes]]] = {}
    xmp = None
    for marker, start, end in segments(data, limit=4096):
        if marker == 0xE1 and xmp is None and data.startswith(_XMP_APP1, start):
            xmp = data[start + len(_XMP_APP1) : end]
        if marker != 0xEB or end - start < 16 or data[start : start + 2] != b"JP":
            continue
        instance = int.from_bytes(data[start + 2 : start + 4], "big")
        seq = int.from_bytes(data[start + 4 : start + 8], "big")
        parts.setdefault(instance, []).append((seq, data[start + 8 : end]))
    for pieces in parts.values():
        pieces.sort(key=lambda p: p[0])
        if not _store_header(pieces[0][1]):
            continue
        jumbf = pieces[0][1] + b"".join(p[8:] for _, p in pieces[1:])
        return StoreLocation("JPEG APP11 (JUMBF)", len(jumbf), jumbf), xmp
    return None, xmp


def _png(data: bytes) -> tuple[StoreLocation | None, bytes | None]:
    """The PNG's ``caBX`` store and its XMP (an ``iTXt`` chunk keyed ``XML:com.adobe.xmp``)."""
    store = xmp = None
    i, n = 8, len(data)
    for _ in range(MAX_BOXES * 10):  # many small IDAT chunks are common; each costs one header read
        if i + 8 > n:
            break
        length = int.from_bytes(data[i : i + 4], "big")
        kind = data[i + 4 : i + 8]
        if kind == b"caBX" and store is None:
            jumbf = data[i + 8 : i + 8 + length]
            if _is_store(jumbf):
                store = StoreLocation("PNG caBX chunk (JUMBF)", len(jumbf), jumbf)
        elif kind == b"iTXt" and xmp is None and data.startswith(b"XML:com.adobe.xmp\x00", i + 8):
            xmp = data[i + 8 : i + 8 + length]
        elif kind == b"IEND":
            break
        i += 12 + length
    return store, xmp


def _riff(data: bytes) -> tuple[StoreLocation | None, bytes | None]:
    """A RIFF (WebP) file's ``C2PA`` chunk and its ``XMP `` chunk."""
    store = xmp = None
    i, n = 12, len(data)
    for _ in range(MAX_BOXES):
        if i + 8 > n:
            break
        kind = data[i : i + 4]
        length = int.from_bytes(data[i + 4 : i + 8], "little")
        if kind == b"C2PA" and store is None:
            jumbf = data[i + 8 : i + 8 + length]
            if _is_store(jumbf):
                store = StoreLocation("RIFF C2PA chunk (JUMBF)", len(jumbf), jumbf)
        elif kind == b"XMP " and xmp is None:
            xmp = data[i + 8 : i + 8 + length]
        i += 8 + length + (length & 1)
    return store, xmp


def _tiff(data: bytes) -> tuple[StoreLocation | None, bytes | None]:
    """The JUMBF of tag 52545 and the XMP of tag 700 in a classic TIFF's first IFD."""
    order: Literal["little", "big"]
    if data[:2] == b"II":
        order = "little"
    elif data[:2] == b"MM":
        order = "big"
    else:
        return None, None
    if int.from_bytes(data[2:4], order) != 42:  # BigTIFF is not walked
        return None, None
    ifd = int.from_bytes(data[4:8], order)
    count = int.from_bytes(data[ifd : ifd + 2], order)
    sizes = {1: 1, 2: 1, 6: 1, 7: 1}  # BYTE, ASCII, SBYTE, UNDEFINED: the types these tags use
    store = xmp = None
    for k in range(min(count, 4096)):
        e = ifd + 2 + 12 * k
        tag = int.from_bytes(data[e : e + 2], order)
        if tag not in (_TIFF_C2PA_TAG, _TIFF_XMP_TAG):
            continue
        kind, n = int.from_bytes(data[e + 2 : e + 4], order), int.from_bytes(data[e + 4 : e + 8], order)
        if kind not in sizes:
            continue
        value = data[e + 8 : e + 8 + n] if n <= 4 else data[(o := int.from_bytes(data[e + 8 : e + 12], order)) : o + n]
        if tag == _TIFF_C2PA_TAG and _is_store(value):
            store = StoreLocation("TIFF tag 52545 (JUMBF)", len(value), value)
        elif tag == _TIFF_XMP_TAG:
            xmp = value
    return store, xmp


def _gif_blocks(data: bytes, start: int) -> bytes:
    """The data of the sub-blocks starting at ``start`` (each a length byte, then that many bytes)."""
    out, i = [], start
    while i < len(data) and data[i]:
        out.append(data[i + 1 : i + 1 + data[i]])
        i += 1 + data[i]
    return b"".join(out)


def _gif(data: bytes) -> tuple[StoreLocation | None, bytes | None]:
    """A GIF's C2PA application extension and its XMP one."""
    store = None
    at = data.find(_GIF_C2PA)
    if at >= 0:
        jumbf = _gif_blocks(data, at + len(_GIF_C2PA) + 3)  # a 3-byte authentication code follows the identifier
        if _is_store(jumbf):
            store = StoreLocation("GIF application extension (JUMBF)", len(jumbf), jumbf)
    at = data.find(_GIF_XMP)
    return store, (data[at : at + MAX_XMP] if at >= 0 else None)


def _heif_xmp(data: bytes) -> bytes | None:
    """The XMP item of a HEIF/AVIF file: the ``mime`` item of type application/rdf+xml, located by ``iloc``.

    Only the ``meta`` box is read (item infos and locations, a few hundred
    bytes), then the item itself: writers put it anywhere, libheif after the
    picture's data at the end of the file.
    """
    meta = next((b for b in _children(data, 0, len(data)) if b[0] == b"meta"), None)
    if meta is None:
        return None
    boxes = {kind: (start, end) for kind, start, end in _children(data, meta[1] + 4, meta[2])}  # a full box: skip version, flags
    if b"iinf" not in boxes or b"iloc" not in boxes:
        return None
    item = _xmp_item(data, *boxes[b"iinf"])
    if item is None:
        return None
    extents = _item_extents(data, *boxes[b"iloc"], item)
    if not extents:
        return None
    idat = boxes.get(b"idat", (0, 0))[0]
    parts = [
        data[(idat if method == 1 else 0) + offset : (idat if method == 1 else 0) + offset + length] for method, offset, length in extents
    ]
    packet = b"".join(parts)
    return packet[:MAX_XMP] if packet else None


def _xmp_item(data: bytes, start: int, end: int) -> int | None:
    """The id of the item that holds XMP, from the item info box."""
    version = data[start]
    at = start + 4 + (2 if version == 0 else 4)  # entry count: the infe boxes follow
    for kind, s, e in _children(data, at, end):
        if kind != b"infe" or data[s] < 2:  # versions 0 and 1 name no item type
            continue
        id_end = s + (8 if data[s] >= 3 else 6)  # after version and flags, a 32- or 16-bit item id
        item = int.from_bytes(data[s + 4 : id_end], "big")
        kind_at = id_end + 2  # after the protection index
        if data[kind_at : kind_at + 4] != b"mime":
            continue
        name_end = data.find(b"\x00", kind_at + 4, e)  # the item name, then the content type
        type_end = data.find(b"\x00", name_end + 1, e)
        if name_end >= 0 and data[name_end + 1 : type_end if type_end >= 0 else e].startswith(b"application/rdf+xml"):
            return item
    return None


def _item_extents(data: bytes, start: int, end: int, wanted: int) -> list[tuple[int, int, int]]:
    """``(construction method, offset, length)`` of each extent of one item, from the item location box."""
    version = data[start]
    sizes = data[start + 4], data[start + 5]
    offset_size, length_size, base_size = sizes[0] >> 4, sizes[0] & 15, sizes[1] >> 4
    index_size = sizes[1] & 15 if version in (1, 2) else 0
    at = start + 6
    count_size = 2 if version < 2 else 4
    count = int.from_bytes(data[at : at + count_size], "big")
    at += count_size

    def take(n: int) -> int:
        nonlocal at
        value = int.from_bytes(data[at : at + n], "big")
        at += n
        return value

    for _ in range(min(count, MAX_BOXES)):
        if at >= end:
            break
        item = take(2 if version < 2 else 4)
        method = take(2) & 15 if version in (1, 2) else 0
        take(2)  # data reference index
        base = take(base_size)
        extents = []
        for _ in range(min(take(2), MAX_BOXES)):
            take(index_size)
            extents.append((method, base + take(offset_size), take(length_size)))
        if item == wanted:
            return extents
    return []


def _bytes_reader(data: bytes) -> ReadAt:
    return lambda offset, length: data[offset : offset + length]


def _bmff(read_at: ReadAt, size: int, *, want_jumbf: bool = True) -> tuple[StoreLocation | None, bytes | None]:
    """The C2PA ``uuid`` box and the XMP ``uuid`` box among an ISO BMFF file's top-level boxes."""
    store = xmp = None
    at = 0
    for _ in range(MAX_BOXES):
        head = read_at(at, 32)
        if len(head) < 8:
            break
        box_size, kind, header = int.from_bytes(head[:4], "big"), head[4:8], 8
        if box_size == 1:
            box_size, header = int.from_bytes(head[8:16], "big"), 16
        elif box_size == 0:
            box_size = size - at
        if box_size < header:
            break
        if kind == b"uuid" and len(head) >= header + 16:
            uuid = head[header : header + 16]
            if uuid == _C2PA_UUID and store is None:
                store = _bmff_store(read_at, at, box_size, header + 16, want_jumbf)
            elif uuid == _XMP_UUID and xmp is None and box_size <= MAX_XMP:
                xmp = read_at(at + header + 16, box_size - header - 16)
        at += box_size
        if at >= size:
            break
    return store, xmp


def _bmff_store(read_at: ReadAt, at: int, box_size: int, offset: int, want_jumbf: bool) -> StoreLocation | None:
    # full box (version, flags), purpose as a C string, an 8-byte offset for "manifest", then the JUMBF box
    head = read_at(at + offset, 64)
    stop = head.find(b"\x00", 4)
    if stop < 0 or head[4:stop] != b"manifest":
        return None  # a "merkle" or "original" box: other C2PA data, not the store
    start = at + offset + stop + 1 + 8
    length = at + box_size - start
    if not _store_header(read_at(start, 24)):
        return None
    return StoreLocation("ISO BMFF uuid box (JUMBF)", length, read_at(start, length) if want_jumbf else None)
