"""EXIF and XMP inside picture containers: PNG, WebP, HEIF and TIFF.

Each reader walks its container within fixed bounds (chunk count, chunk size,
inflated size) and hands back the EXIF block as TIFF-structured bytes (what the
EXIF parser reads, whatever the container) and the XMP packet, with the damage
it met as plain sentences. None of them raises for bad data: a file is
evidence, and a damaged chunk is a fact about it.

Where each container keeps its metadata:

- PNG: the ``eXIf`` chunk; the ``Raw profile type exif``, ``… APP1`` and
  ``… xmp`` text chunks that ImageMagick and exiv2 (so GIMP) write, hex-encoded
  after a header line and a length, in tEXt, zTXt or iTXt, compressed or not;
  the ``XML:com.adobe.xmp`` iTXt chunk of the XMP specification.
- WebP: the RIFF ``EXIF`` and ``XMP `` chunks of an extended (VP8X) file.
- HEIF/AVIF: the ``Exif`` and XMP items, as pillow-heif hands them over; an
  Exif item starts with a 4-byte offset to its TIFF header.
- TIFF: the file's own IFDs are its EXIF; XMP is tag 700 of IFD0.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

MAX_CHUNKS = 10_000  # more chunks than any real picture has; the rest is not walked
MAX_TEXT = 16 << 20  # one text chunk, once inflated (a hex profile doubles its payload)
MAX_INFLATED = 32 << 20  # all the text chunks of one file, once inflated
MAX_XMP = 8 << 20  # an XMP block (the packet itself is bounded again by the XMP parser)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_EXIF_HEADER = b"Exif\x00\x00"
_XMP_SIGNATURE = b"http://ns.adobe.com/xap/1.0/\x00"  # the JPEG APP1 signature, kept in APP1 raw profiles
_TIFF_HEADERS = (b"II*\x00", b"MM\x00*")
_BIGTIFF_HEADERS = (b"II+\x00", b"MM\x00+")

# Text-chunk keywords that hold metadata (compared in lower case), and what each holds.
_PNG_KEYWORDS = {
    "xml:com.adobe.xmp": "xmp",
    "raw profile type exif": "exif profile",
    "raw profile type app1": "app1 profile",
    "raw profile type xmp": "xmp profile",
}
# Where an EXIF block comes from, the standard place first: the first found in this order is read.
_EXIF_RANK = {"eXIf": 0, "raw profile type exif": 1, "raw profile type app1": 2}
_XMP_RANK = {"xml:com.adobe.xmp": 0, "raw profile type xmp": 1, "raw profile type app1": 2}

_RAW_HEADER = re.compile(rb"\s*([^\s]*)[ \t]*\r?\n\s*(\d{1,12})[ \t]*(?:\r?\n|\Z)")
_NOT_HEX = re.compile(rb"[^0-9a-fA-F]")
_HEX_DIGITS = b"0123456789abcdefABCDEF"


@dataclass(frozen=True)
class Embedded:
    """The metadata blocks one container carries, as its walk found them.

    Attributes
    ----------
    exif : bytes or None
        The EXIF block, TIFF-structured (it starts with ``II*\\0`` or ``MM\\0*``).
    xmp : bytes or None
        The XMP block as stored (the packet is looked for inside it).
    exif_source, xmp_source : str or None
        Where each was found, e.g. ``"eXIf chunk"``.
    problems : tuple of str
        Damage met on the way, one sentence each (no full stop).
    """

    exif: bytes | None = None
    xmp: bytes | None = None
    exif_source: str | None = None
    xmp_source: str | None = None
    problems: tuple[str, ...] = ()


def exif_payload(block: bytes, *, where: str, offset_prefix: bool = False) -> tuple[bytes | None, str | None]:
    """An EXIF block as the TIFF structure the EXIF parser reads.

    Accepts the TIFF structure itself, the same after the JPEG ``Exif\\0\\0``
    header, and, with ``offset_prefix``, a HEIF Exif item (a 4-byte big-endian
    offset from its end to the TIFF header). An ``Exif\\0\\0`` header a few
    bytes in is also found, as exiv2 does for raw profiles.

    Returns
    -------
    tuple of (bytes or None, str or None)
        The TIFF-structured bytes, or None and the reason they are not there.
    """
    if block.startswith(_TIFF_HEADERS):
        return block, None
    if block.startswith(_EXIF_HEADER) and block[6:10] in _TIFF_HEADERS:
        return block[6:], None
    if offset_prefix and len(block) >= 8:
        start = 4 + int.from_bytes(block[:4], "big")
        if block[start : start + 4] in _TIFF_HEADERS:
            return block[start:], None
        if block[4:8] in _TIFF_HEADERS:  # an offset that was never filled in
            return block[4:], None
    at = block.find(_EXIF_HEADER, 0, 64)
    if at >= 0 and block[at + 6 : at + 10] in _TIFF_HEADERS:
        return block[at + 6 :], None
    if not block:
        return None, f"{where} is empty"
    return None, f"{where} does not begin with a TIFF header (starts with {block[:8].hex(' ')}): not read"


def raw_profile(text: bytes, *, where: str) -> tuple[bytes | None, list[str]]:
    """Decode an ImageMagick raw profile: ``"\\n<type>\\n<length>\\n"`` then hex lines.

    ImageMagick and exiv2 write the byte count right-aligned in eight columns
    and 72 hex digits a line. Characters that are not hex digits are skipped
    (as ImageMagick does) and reported; so is a length that does not match.

    Returns
    -------
    tuple of (bytes or None, list of str)
        The profile's bytes (None when there is no usable header) and the
        damage found.
    """
    m = _RAW_HEADER.match(text, 0, 256)
    if m is None:
        return None, [f"{where} has no profile header (a name line and a length line): not read"]
    declared = int(m.group(2))
    digits = text[m.end() :].translate(None, b" \t\r\n\v\f")  # translate: fast on megabytes of hex
    problems = []
    junk = len(digits.translate(None, _HEX_DIGITS))
    if junk:
        digits = _NOT_HEX.sub(b"", digits)
        problems.append(f"{where} holds {junk} character(s) that are not hex digits (skipped)")
    if len(digits) % 2:
        digits = digits[:-1]
        problems.append(f"{where} holds an odd number of hex digits (the last one dropped)")
    payload = bytes.fromhex(digits.decode("ascii"))
    if len(payload) < declared:
        problems.append(f"{where} declares {declared} bytes but holds {len(payload)} (cut short)")
    elif len(payload) > declared:
        problems.append(f"{where} holds {len(payload)} bytes, more than the {declared} it declares (the rest ignored)")
        payload = payload[:declared]
    return payload, problems


def _inflate(data: bytes, limit: int, *, where: str) -> tuple[bytes | None, str | None, int]:
    """zlib data inflated to at most ``limit`` bytes: never more is allocated.

    Returns the text (None when refused), the problem if any, and how many
    bytes were inflated, refused ones included (they cost the same work).
    """
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit)
    except zlib.error as exc:
        return None, f"{where} does not decompress ({exc}): not read", 0
    if inflater.unconsumed_tail:
        return None, f"{where} inflates beyond {_mib(limit)} (a decompression bomb, or more than metadata needs): not read", len(out)
    if not inflater.eof:
        return out, f"{where} ends inside its compressed stream (cut short)", len(out)
    return out, None, len(out)


def _mib(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n} bytes"


class _Found:
    """Candidates met during a walk, each with its rank; the best is kept."""

    def __init__(self) -> None:
        self.exif: tuple[int, bytes, str] | None = None
        self.xmp: tuple[int, bytes, str] | None = None
        self.problems: list[str] = []

    def add_exif(self, rank: int, block: bytes, source: str, *, offset_prefix: bool = False) -> None:
        payload, problem = exif_payload(block, where=source, offset_prefix=offset_prefix)
        if problem:
            self.problems.append(problem)
        if payload is not None and (self.exif is None or rank < self.exif[0]):
            self.exif = (rank, payload, source)

    def add_xmp(self, rank: int, block: bytes, source: str) -> None:
        if len(block) > MAX_XMP:
            self.problems.append(f"{source} holds {len(block)} bytes, more than the {_mib(MAX_XMP)} read as XMP: not read")
        elif block.strip(b"\x00 \t\r\n") and (self.xmp is None or rank < self.xmp[0]):
            self.xmp = (rank, block, source)

    def result(self) -> Embedded:
        return Embedded(
            exif=self.exif[1] if self.exif else None,
            xmp=self.xmp[1] if self.xmp else None,
            exif_source=self.exif[2] if self.exif else None,
            xmp_source=self.xmp[2] if self.xmp else None,
            problems=tuple(dict.fromkeys(self.problems)),
        )


def png_metadata(data: bytes) -> Embedded:
    """EXIF and XMP of a PNG file, from a bounded walk of its chunks.

    Parameters
    ----------
    data : bytes
        The whole file.

    Returns
    -------
    Embedded
        The EXIF block (``eXIf`` first, then the raw profiles), the XMP block
        (``XML:com.adobe.xmp`` first), and the damage met: a truncated chunk,
        a chunk length that loses the walk, a failed CRC, a text chunk that
        does not inflate or inflates too far.
    """
    found = _Found()
    if not data.startswith(_PNG_SIGNATURE):
        found.problems.append("PNG signature missing")
        return found.result()
    budget = MAX_INFLATED
    pos, end = 8, len(data)
    for _ in range(MAX_CHUNKS):
        if pos == end:
            found.problems.append("PNG ends without its IEND chunk (cut short)")
            break
        if pos + 12 > end:
            found.problems.append(f"PNG is cut inside the chunk at byte {pos}")
            break
        length = int.from_bytes(data[pos : pos + 4], "big")
        ctype = data[pos + 4 : pos + 8]
        if not (ctype.isascii() and ctype.isalpha()):
            found.problems.append(f"PNG chunk walk lost at byte {pos} ({ctype.hex(' ')} is no chunk type: a wrong length before it?)")
            break
        name = ctype.decode("ascii")
        if length > 0x7FFFFFFF or pos + 12 + length > end:
            found.problems.append(
                f"PNG {name} chunk at byte {pos} declares {length} bytes, beyond the end of the file (cut short or a wrong length)"
            )
            break
        if ctype in (b"eXIf", b"tEXt", b"zTXt", b"iTXt"):
            body = data[pos + 8 : pos + 8 + length]
            crc = int.from_bytes(data[pos + 8 + length : pos + 12 + length], "big")
            where = f"PNG {name} chunk at byte {pos}"
            if ctype == b"eXIf":
                _check_crc(found, ctype, body, crc, where)
                found.add_exif(_EXIF_RANK["eXIf"], body, "PNG eXIf chunk")
            else:
                budget -= _png_text(found, ctype, body, crc, where, budget)
        elif ctype == b"IEND":
            break
        pos += 12 + length
    else:
        found.problems.append(f"PNG has more than {MAX_CHUNKS} chunks: the rest not read")
    return found.result()


def _check_crc(found: _Found, ctype: bytes, body: bytes, crc: int, where: str) -> None:
    if zlib.crc32(ctype + body) != crc:
        found.problems.append(f"{where} fails its CRC check (altered or damaged after it was written)")


def _png_text(found: _Found, ctype: bytes, body: bytes, crc: int, where: str, budget: int) -> int:
    """Read one text chunk if its keyword is a metadata one; how many bytes it took to inflate."""
    nul = body.find(b"\x00", 0, 80)
    if nul < 1:
        found.problems.append(f"{where} has no keyword")
        return 0
    keyword = body[:nul].decode("latin-1")
    kind = _PNG_KEYWORDS.get(keyword.lower())
    if kind is None:
        return 0  # not metadata this reader looks at: never inflated
    _check_crc(found, ctype, body, crc, where)
    where = f"PNG {ctype.decode()} chunk '{keyword}'"
    rest = body[nul + 1 :]
    compressed = False
    if ctype == b"zTXt":
        compressed, rest = True, rest[1:]
        if body[nul + 1 : nul + 2] != b"\x00":
            found.problems.append(f"{where} names an unknown compression method: not read")
            return 0
    elif ctype == b"iTXt":
        flag, method = rest[:1], rest[1:2]
        lang_end = rest.find(b"\x00", 2)
        translated_end = rest.find(b"\x00", lang_end + 1) if lang_end >= 0 else -1
        if translated_end < 0 or flag not in (b"\x00", b"\x01"):
            found.problems.append(f"{where} is malformed (its header fields are cut): not read")
            return 0
        compressed, rest = flag == b"\x01", rest[translated_end + 1 :]
        if compressed and method != b"\x00":
            found.problems.append(f"{where} names an unknown compression method: not read")
            return 0
    inflated = 0
    if compressed:
        if budget <= 0:
            found.problems.append(f"{where} not inflated: the file's text chunks already inflate beyond {_mib(MAX_INFLATED)}")
            return 0
        text, problem, inflated = _inflate(rest, min(MAX_TEXT, budget), where=where)
        if problem:
            found.problems.append(problem)
        if text is None:
            return inflated
        rest = text
    elif len(rest) > MAX_TEXT:
        found.problems.append(f"{where} holds {len(rest)} bytes, more than the {_mib(MAX_TEXT)} read as metadata: not read")
        return 0
    if kind == "xmp":
        found.add_xmp(_XMP_RANK["xml:com.adobe.xmp"], rest, where)
        return inflated
    payload, problems = raw_profile(rest, where=where)
    found.problems.extend(problems)
    if payload is None:
        return inflated
    rank_key = keyword.lower()
    if kind == "exif profile":
        found.add_exif(_EXIF_RANK[rank_key], payload, where)
    elif kind == "xmp profile":
        found.add_xmp(_XMP_RANK[rank_key], payload, where)
    elif payload.startswith(_XMP_SIGNATURE):  # an APP1 profile: a JPEG APP1 segment's payload
        found.add_xmp(_XMP_RANK[rank_key], payload[len(_XMP_SIGNATURE) :], where)
    elif payload.startswith((_EXIF_HEADER, *_TIFF_HEADERS)):
        found.add_exif(_EXIF_RANK[rank_key], payload, where)
    # other APP1 segments (extended XMP, FLIR thermal data…) are no metadata this reader reads
    return inflated


def webp_metadata(data: bytes) -> Embedded:
    """EXIF and XMP of a WebP file, from a bounded walk of its RIFF chunks.

    Returns
    -------
    Embedded
        The ``EXIF`` chunk as TIFF bytes (some writers put the JPEG
        ``Exif\\0\\0`` header first; it is taken off), the ``XMP `` chunk, and
        the damage met: a RIFF size beyond the file, a chunk cut short or a
        chunk size that loses the walk.
    """
    found = _Found()
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        found.problems.append("WebP RIFF header missing")
        return found.result()
    end = 8 + int.from_bytes(data[4:8], "little")
    if end > len(data):
        found.problems.append(f"WebP RIFF header declares {end} bytes, the file holds {len(data)} (cut short)")
        end = len(data)
    pos = 12
    for _ in range(MAX_CHUNKS):
        if pos + 8 > end:
            if pos < end and data[pos:end].strip(b"\x00"):
                found.problems.append(f"WebP is cut inside the chunk header at byte {pos}")
            break
        fourcc = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        if not all(0x20 <= b < 0x7F for b in fourcc):
            found.problems.append(f"WebP chunk walk lost at byte {pos} ({fourcc.hex(' ')} is no chunk name: a wrong size before it?)")
            break
        name = fourcc.decode("ascii").rstrip()
        if pos + 8 + size > end:
            found.problems.append(
                f"WebP {name} chunk at byte {pos} declares {size} bytes, beyond the end of the file (cut short or a wrong size)"
            )
            break
        if fourcc == b"EXIF":
            found.add_exif(0, data[pos + 8 : pos + 8 + size], "WebP EXIF chunk")
        elif fourcc == b"XMP ":
            found.add_xmp(0, data[pos + 8 : pos + 8 + size], "WebP XMP chunk")
        pos += 8 + size + (size & 1)  # chunks are padded to an even size
    else:
        found.problems.append(f"WebP has more than {MAX_CHUNKS} chunks: the rest not read")
    return found.result()


def heif_metadata(info: Mapping[str, object]) -> Embedded:
    """EXIF and XMP of a HEIF or AVIF picture, from what pillow-heif read.

    Parameters
    ----------
    info : mapping
        The opened picture's ``info``: ``"exif"`` (pillow-heif skips the Exif
        item's offset prefix; a block that still has it is read too) and
        ``"xmp"``.
    """
    found = _Found()
    exif, xmp = info.get("exif"), info.get("xmp")
    if isinstance(exif, (bytes, bytearray)) and exif:
        found.add_exif(0, bytes(exif), "HEIF Exif item", offset_prefix=True)
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", "replace")
    if isinstance(xmp, (bytes, bytearray)) and xmp:
        found.add_xmp(0, bytes(xmp), "HEIF XMP item")
    return found.result()


_XMP_TAG = 700
_TIFF_MAX_ENTRIES = 4096


def tiff_metadata(data: bytes) -> Embedded:
    """EXIF and XMP of a TIFF file (classic or BigTIFF).

    The file is its own EXIF block (its IFD0 holds Make, Model…, the EXIF and
    GPS IFDs hang from it); XMP is tag 700 of IFD0. Damage to the IFDs
    themselves is the EXIF parser's to report; only what concerns the XMP
    tag is reported here.
    """
    found = _Found()
    head = data[:4]
    if head not in _TIFF_HEADERS + _BIGTIFF_HEADERS:
        found.problems.append("TIFF header missing")
        return found.result()
    found.exif = (0, data, "TIFF IFDs")  # a BigTIFF too: the EXIF parser says whether it can read it
    order: Literal["little", "big"] = "little" if head[:2] == b"II" else "big"
    big = head in _BIGTIFF_HEADERS

    def number(at: int, size: int) -> int:
        return int.from_bytes(data[at : at + size], order)

    word = 8 if big else 4
    ifd = number(8 if big else 4, word)
    count_size, entry_size = (8, 20) if big else (2, 12)
    if ifd + count_size > len(data):
        return found.result()
    entries = number(ifd, count_size)
    if entries > _TIFF_MAX_ENTRIES:
        return found.result()
    for i in range(entries):
        at = ifd + count_size + i * entry_size
        if at + entry_size > len(data):
            break
        if number(at, 2) != _XMP_TAG:
            continue
        count = number(at + 4, word)
        if count <= word:
            value = data[at + 4 + word : at + 4 + word + count]
        else:
            offset = number(at + 4 + word, word)
            if offset + count > len(data):
                found.problems.append(
                    f"TIFF XMP (tag 700) points at {count} bytes from byte {offset}, beyond the end of the file: not read"
                )
                break
            if count > MAX_XMP:
                found.problems.append(f"TIFF XMP (tag 700) holds {count} bytes, more than the {_mib(MAX_XMP)} read as XMP: not read")
                break
            value = data[offset : offset + count]
        found.add_xmp(0, value, "TIFF XMP (tag 700)")
        break
    return found.result()
