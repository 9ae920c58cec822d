"""Body serial numbers from the raw bytes of an EXIF maker note.

exifread decodes some makers' notes and not others (Olympus Equipment
sub-IFDs, Panasonic, Pentax, Reconyx, ...); this reads the few tags that hold
a serial number, for every maker in :mod:`forensics.knowledge.makernotes`,
straight from the bytes. The note is hostile input: every offset is checked
against the bytes given (the note, or the EXIF block around it: some cameras
store values after the note's declared end), values are read at most
:data:`MAX_VALUE` bytes long, no loop runs longer than :data:`MAX_ENTRIES`,
and a malformed note gives no serial rather than an exception.
"""

from __future__ import annotations

import re
import struct

from forensics.knowledge.makernotes import Base, Format, Kind, Layout, Order, SerialTag, layout_for, serial_tags

MAX_ENTRIES = 1024  # real maker-note IFDs hold a few hundred entries at most
MAX_VALUE = 256  # bytes of one value worth reading; serial fields are 4 to 32 bytes
MAX_SERIAL = 64  # characters; anything longer is not a serial number

# TIFF field types and their sizes in bytes (TIFF 6.0, plus 13 = IFD)
_TYPE_SIZE = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_SUB_IFD_TYPES = (4, 7, 13)  # LONG or IFD: an offset; UNDEFINED: the sub-IFD is the value itself
_PRINTABLE = re.compile(r"[\x20-\x7e]+")


def read_serials(buf: bytes, *, note_at: int, size: int, tiff_at: int, make: str | None, order: str | None = None) -> dict[str, str] | None:
    """The serial numbers a maker note holds, by ExifTool's names.

    Parameters
    ----------
    buf
        Bytes that hold the note: the whole file, the EXIF block, or the note alone.
    note_at, size
        Where the note starts in ``buf`` and how long it is.
    tiff_at
        Where in ``buf`` offsets "from the TIFF header" count from (it may lie
        before ``buf`` starts when ``buf`` is the note alone).
    make
        The EXIF Make, for notes that start with no header of their own.
    order
        The enclosing TIFF's byte order (``"<"`` or ``">"``) when known; guessed otherwise.

    Returns
    -------
    dict or None
        ``{name: serial}`` (possibly empty) when the note's layout is known,
        None when it is not (the caller may fall back on other decoders).
    """
    if not 0 <= note_at <= len(buf) or size < 0:
        return None
    note = buf[note_at : note_at + size]
    layout = layout_for(note, make)
    if layout is None:
        return None
    out: dict[str, str] = {}
    if layout.kind is Kind.BINARY:
        for st in serial_tags(layout.maker):
            _keep(out, st, _text(note[st.tag : st.tag + st.length], st))
        return out
    if layout.footer:
        tiff_at = _footer_base(note, note_at, tiff_at)
    ifd = _open(buf, note, layout, note_at, tiff_at, order)
    if ifd is None:
        return out
    for st in serial_tags(layout.maker):
        if st.name not in out:  # an earlier (preferred) tag gave this name already
            _keep(out, st, ifd.serial(st))
    return out


def _keep(out: dict[str, str], st: SerialTag, value: str | None) -> None:
    if value and st.label and value.upper().startswith(st.label.upper()):
        value = value[len(st.label) :].strip()
    # all-zero serials are placeholders firmware writes, not a body's number
    if value and value.strip("0 ") and len(value) <= MAX_SERIAL:
        out.setdefault(st.name, value)


class _Ifd:
    """One maker-note IFD: its entries, and where in the buffer their offsets point."""

    def __init__(self, buf: bytes, pos: int, order: str, shift: int, *, directory: bool = False) -> None:
        self.buf, self.order = buf, order
        self.shift = shift  # position in buf = offset in the file's terms + shift
        self.entries = _directory_entries(buf, pos, order) if directory else _entries(buf, pos, order)

    def _value(self, tag: int) -> tuple[int, int, bytes, int] | None:
        """(type, count, bytes, position) of a tag's value, None when absent or out of bounds."""
        entry = self.entries.get(tag)
        if entry is None:
            return None
        typ, count, at = entry
        size = _TYPE_SIZE[typ] * count
        if size <= 4:
            return typ, count, self.buf[at : at + size], at
        (offset,) = struct.unpack_from(self.order + "I", self.buf, at)
        start = offset + self.shift
        if start < 0 or start + min(size, MAX_VALUE) > len(self.buf):
            return None
        return typ, count, self.buf[start : start + min(size, MAX_VALUE)], start

    def sub(self, tag: int) -> _Ifd | None:
        v = self._value(tag)
        if v is None:
            return None
        typ, count, raw, at = v
        if typ not in _SUB_IFD_TYPES:
            return None
        if typ == 7:  # the sub-IFD's entries are the value's own bytes
            return _Ifd(self.buf, at, self.order, self.shift)
        if count != 1 or len(raw) < 4:
            return None
        (offset,) = struct.unpack(self.order + "I", raw[:4])
        return _Ifd(self.buf, offset + self.shift, self.order, self.shift)

    def serial(self, st: SerialTag) -> str | None:
        ifd: _Ifd | None = self
        for step in st.path:  # the path is a fixed, short tuple: no cycle can form
            ifd = ifd.sub(step) if ifd is not None else None
        if ifd is None:
            return None
        v = ifd._value(st.tag)
        if v is None:
            return None
        typ, count, raw, _ = v
        if st.format is Format.INT32U:
            if typ not in (4, 9) or count <= st.index or len(raw) < 4 * (st.index + 1):
                return None
            (n,) = struct.unpack_from(ifd.order + "I", raw, 4 * st.index)
            return str(n)
        if typ not in (1, 2, 7):
            return None
        return _text(raw, st)


def _text(raw: bytes, st: SerialTag) -> str | None:
    """The printable text of a value: up to its first NUL, without padding."""
    if st.format is Format.HEX:
        return raw.hex() if raw else None
    if st.format is Format.UNDEF:
        raw = raw.lstrip(b"\x00")  # Panasonic pads the front of some (FZ30)
    if st.format is Format.UNICODE:
        s = raw[: len(raw) // 2 * 2].decode("utf-16-le", "replace").split("\x00", 1)[0]
    else:
        s = raw.split(b"\x00", 1)[0].rstrip(b"\xff").decode("latin-1")
    s = s.strip()
    # a serial is one run of printable ASCII; anything else is damage or another field
    return s if s and _PRINTABLE.fullmatch(s) else None


def _entries(buf: bytes, pos: int, order: str) -> dict[int, tuple[int, int, int]]:
    """tag -> (type, count, position of the value field); {} when ``pos`` holds no plausible IFD."""
    if pos < 0 or pos + 2 > len(buf):
        return {}
    (n,) = struct.unpack_from(order + "H", buf, pos)
    if not 0 < n <= MAX_ENTRIES or pos + 2 + 12 * n > len(buf):
        return {}
    out: dict[int, tuple[int, int, int]] = {}
    for i in range(n):
        at = pos + 2 + 12 * i
        tag, typ, count = struct.unpack_from(order + "HHI", buf, at)
        if typ in _TYPE_SIZE:
            out.setdefault(tag, (typ, count, at + 8))
    # read in the wrong byte order, or at the wrong place, most types are not TIFF types
    return out if 2 * len(out) >= n else {}


def _directory_entries(buf: bytes, pos: int, order: str) -> dict[int, tuple[int, int, int]]:
    """A Phase One directory as IFD entries: every value is bytes (UNDEFINED), ``size`` long."""
    if pos < 0 or pos + 8 > len(buf):
        return {}
    (n,) = struct.unpack_from(order + "I", buf, pos)
    if not 0 < n <= MAX_ENTRIES or pos + 8 + 16 * n > len(buf):
        return {}
    out: dict[int, tuple[int, int, int]] = {}
    for i in range(n):
        at = pos + 8 + 16 * i
        tag, _format, size = struct.unpack_from(order + "III", buf, at)
        out.setdefault(tag, (7, size, at + 12))
    return out


def _open(buf: bytes, note: bytes, layout: Layout, note_at: int, tiff_at: int, order: str | None) -> _Ifd | None:
    """The note's own IFD, walked with the layout's byte order and offset base."""
    start = layout.ifd
    if layout.ifd_pointer:
        if len(note) < start + 4:
            return None
        (start,) = struct.unpack_from(">I" if layout.order is Order.MOTOROLA else "<I", note, start)
    if layout.base is Base.EMBEDDED:
        marked = _marker(note, layout.ifd)
        if marked is None or len(note) < layout.ifd + 8:
            return None
        (first,) = struct.unpack_from(marked + "I", note, layout.ifd + 4)
        return _Ifd(buf, note_at + layout.ifd + first, marked, note_at + layout.ifd)
    shift = tiff_at if layout.base is Base.TIFF else note_at
    if layout.order is Order.HEADER:
        marked = _marker(note, layout.order_at)
        orders: tuple[str, ...] = (marked,) if marked else ("<", ">")
    elif layout.order is Order.EXIF:
        # makers write the note in their own order, which an editor re-saving EXIF may not keep
        orders = (order, "<" if order == ">" else ">") if order else ("<", ">")
    else:
        orders = ("<" if layout.order is Order.INTEL else ">",)
    for o in orders:
        ifd = _Ifd(buf, note_at + start, o, shift, directory=layout.kind is Kind.DIRECTORY)
        if ifd.entries:
            return ifd
    return None


def _footer_base(note: bytes, note_at: int, tiff_at: int) -> int:
    """Where TIFF offsets count from, by the footer that records the note's first position.

    An editor that moves the note without rewriting its offsets leaves them
    pointing where the note first was; the footer says where that was.
    """
    marked = _marker(note, len(note) - 8) if len(note) >= 8 else None
    if marked is None or note[-6:-4] != (b"*\x00" if marked == "<" else b"\x00*"):
        return tiff_at
    (first,) = struct.unpack_from(marked + "I", note, len(note) - 4)
    return note_at - first


def _marker(buf: bytes, at: int) -> str | None:
    mark = buf[at : at + 2]
    return "<" if mark == b"II" else ">" if mark == b"MM" else None
