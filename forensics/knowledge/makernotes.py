"""Where makers' maker notes keep the camera body's serial number.

Two tables. :data:`LAYOUTS` says how to recognise a maker's note (the bytes it
starts with, or the EXIF Make when it starts with none) and how to walk it:
where its IFD begins, which byte order it uses, and what its value offsets
count from. :data:`SERIAL_TAGS` says, per maker, which tag holds a serial
number, under which sub-IFD, in which format, and what ExifTool calls it.

Sources: the tag ids, formats and names are those of ExifTool's tag
documentation ("ExifTool Tag Names", one page per maker; cited per entry);
the layouts are ExifTool's maker-note table (``MakerNotes.pm``: header,
start of the IFD, base of the offsets), checked against the sample files of
ExifTool's test suite, the exif-samples collection and the
metadata-extractor sample images.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Base(Enum):
    """What the value offsets in a maker-note IFD count from."""

    TIFF = "tiff"  # the TIFF header of the EXIF block, like the EXIF IFDs' own offsets
    NOTE = "note"  # the first byte of the maker note
    EMBEDDED = "embedded"  # a TIFF header inside the note, at :attr:`Layout.ifd`


class Order(Enum):
    """The byte order of a maker-note IFD."""

    INTEL = "II"
    MOTOROLA = "MM"
    HEADER = "header"  # "II" or "MM" at :attr:`Layout.order_at` in the note
    EXIF = "exif"  # the EXIF block's own order (the note has no marker of its own)


class Kind(Enum):
    """How a maker note is laid out."""

    IFD = "ifd"  # a TIFF-style directory of tagged entries
    DIRECTORY = "directory"  # Phase One's: a count, then 16-byte entries (tag, format, size, value or offset)
    BINARY = "binary"  # fixed fields at known byte offsets


@dataclass(frozen=True)
class Layout:
    """How one maker's note (or one variant of it) is recognised and walked."""

    maker: str  # key into :data:`SERIAL_TAGS`
    signature: bytes  # the note starts with these bytes (b"": no header; recognised by make)
    makes: tuple[str, ...]  # EXIF Make must start with one of these (lower case); () = any make
    ifd: int  # byte position of the IFD in the note (Base.EMBEDDED: of the embedded TIFF header)
    base: Base
    order: Order
    source: str
    order_at: int = 0  # for Order.HEADER
    ifd_pointer: bool = False  # the IFD's position is a uint32 at :attr:`ifd` (in the note's order)
    footer: bool = False  # the note ends with a TIFF header holding the note's first offset
    kind: Kind = Kind.IFD


class Format(Enum):
    """How a serial value is stored."""

    STRING = "string"  # ASCII (NUL-terminated, maybe space- or 0xff-padded)
    UNDEF = "undef"  # bytes that hold ASCII text
    INT32U = "int32u"  # an unsigned 32-bit number, in the IFD's byte order
    UNICODE = "unicode"  # UTF-16 little-endian text (binary notes)
    HEX = "hex"  # bytes shown as hexadecimal digits


@dataclass(frozen=True)
class SerialTag:
    """One place a maker note keeps a body serial number."""

    maker: str
    name: str  # what ExifTool calls it (the key in ``Metadata.makernote_serials``)
    tag: int  # tag id; for Kind.BINARY notes, the byte offset of the field
    format: Format
    source: str
    path: tuple[int, ...] = ()  # sub-IFD tags to follow from the note's IFD first
    index: int = 0  # for arrays of INT32U: which element
    length: int = 0  # for Kind.BINARY: the field's size in bytes
    label: str = ""  # a label the camera writes before the number, dropped ("NO= ")


LAYOUTS: tuple[Layout, ...] = (
    # --- notes that start with a header of their own
    Layout("Nikon", b"Nikon\x00\x02", (), 10, Base.EMBEDDED, Order.HEADER, order_at=10,
           source="ExifTool MakerNotes: MakerNoteNikon (type 3), 'Nikon\\0\\x02' + 3 bytes, then a TIFF header"),
    Layout("Olympus", b"OLYMPUS\x00", (), 12, Base.NOTE, Order.HEADER, order_at=8,
           source="ExifTool MakerNotes: MakerNoteOlympus2, 'OLYMPUS\\0' + byte order + version, offsets from the note"),
    Layout("Olympus", b"OM SYSTEM\x00", (), 16, Base.NOTE, Order.HEADER, order_at=12,
           source="ExifTool MakerNotes: MakerNoteOlympus3 (OM Digital Solutions), 'OM SYSTEM\\0\\0\\0' + byte order"),
    Layout("Olympus", b"OLYMP\x00", (), 8, Base.TIFF, Order.EXIF,
           source="ExifTool MakerNotes: MakerNoteOlympus, 'OLYMP\\0' + version, offsets from the TIFF header"),
    Layout("Panasonic", b"Panasonic\x00", (), 12, Base.TIFF, Order.EXIF,
           source="ExifTool MakerNotes: MakerNotePanasonic, 'Panasonic\\0\\0\\0', offsets from the TIFF header"),
    Layout("Fujifilm", b"FUJIFILM", (), 8, Base.NOTE, Order.INTEL, ifd_pointer=True,
           source="ExifTool MakerNotes: MakerNoteFujiFilm, 'FUJIFILM' + IFD offset, little-endian, offsets from the note"),
    Layout("Pentax", b"AOC\x00", (), 6, Base.TIFF, Order.HEADER, order_at=4,
           source="ExifTool MakerNotes: MakerNotePentax2, 'AOC\\0' + byte order, offsets from the TIFF header"),
    Layout("Pentax", b"PENTAX \x00", (), 10, Base.NOTE, Order.HEADER, order_at=8,
           source="ExifTool MakerNotes: MakerNotePentax5, 'PENTAX \\0' + byte order, offsets from the note"),
    Layout("Sigma", b"SIGMA\x00\x00\x00", (), 10, Base.TIFF, Order.EXIF,
           source="ExifTool MakerNotes: MakerNoteSigma, 'SIGMA\\0\\0\\0' + 2 bytes"),
    Layout("Sigma", b"FOVEON\x00\x00", (), 10, Base.TIFF, Order.EXIF,
           source="ExifTool MakerNotes: MakerNoteSigma, 'FOVEON\\0\\0' + 2 bytes"),
    Layout("Ricoh", b"Ricoh", ("ricoh",), 8, Base.TIFF, Order.EXIF,
           source="ExifTool MakerNotes: MakerNoteRicoh, 'Ricoh' header of 8 bytes"),
    Layout("Ricoh", b"RICOH\x00", ("ricoh",), 8, Base.TIFF, Order.EXIF,
           source="ExifTool MakerNotes: MakerNoteRicoh, 'RICOH\\0' header of 8 bytes"),
    Layout("Motorola", b"MOT\x00", (), 8, Base.NOTE, Order.EXIF,
           source="ExifTool MakerNotes: MakerNoteMotorola, 'MOT\\0' header of 8 bytes, offsets from the note"),
    Layout("PhaseOne", b"IIII", (), 8, Base.NOTE, Order.INTEL, ifd_pointer=True, kind=Kind.DIRECTORY,
           source="ExifTool MakerNotes: MakerNotePhaseOne, 'IIII' + 4 bytes, then the directory's offset"),
    Layout("PhaseOne", b"MMMM", (), 8, Base.NOTE, Order.MOTOROLA, ifd_pointer=True, kind=Kind.DIRECTORY,
           source="ExifTool MakerNotes: MakerNotePhaseOne, 'MMMM' + 4 bytes, then the directory's offset"),
    Layout("Reconyx", b"\x01\xf1", (), 0, Base.NOTE, Order.INTEL, kind=Kind.BINARY,
           source="ExifTool MakerNotes: MakerNoteReconyx (HyperFire), MakerNoteVersion 0xf101 first"),
    Layout("ReconyxUltraFire", b"RECONYXUF\x00", (), 0, Base.NOTE, Order.INTEL, kind=Kind.BINARY,
           source="ExifTool MakerNotes: MakerNoteReconyx2, 'RECONYXUF\\0'"),
    Layout("ReconyxHF2", b"RECONYXH2\x00", (), 0, Base.NOTE, Order.INTEL, kind=Kind.BINARY,
           source="ExifTool MakerNotes: MakerNoteReconyx3, 'RECONYXH2\\0'"),
    # --- notes with no header: recognised by the EXIF Make
    Layout("Canon", b"", ("canon",), 0, Base.TIFF, Order.EXIF, footer=True,
           source="ExifTool MakerNotes: MakerNoteCanon, an IFD at the start, offsets from the TIFF header; "
                  "newer models end the note with 'II*\\0' + the note's original offset, which ExifTool "
                  "uses to re-base a note an editor moved ('Adjusted MakerNotes base')"),
    Layout("Nikon", b"", ("nikon",), 0, Base.TIFF, Order.EXIF,
           source="ExifTool MakerNotes: MakerNoteNikon2 (type 2, no header)"),
)  # fmt: skip

_CANON = "ExifTool Tag Names: Canon"
_NIKON = "ExifTool Tag Names: Nikon"
_OLYMPUS = "ExifTool Tag Names: Olympus"
_PENTAX = "ExifTool Tag Names: Pentax"

SERIAL_TAGS: tuple[SerialTag, ...] = (
    SerialTag("Canon", "SerialNumber", 0x000C, Format.INT32U, f"{_CANON} SerialNumber 0x000c int32u"),
    SerialTag("Canon", "InternalSerialNumber", 0x0096, Format.STRING, f"{_CANON} InternalSerialNumber 0x0096 string"),
    SerialTag("Nikon", "SerialNumber", 0x001D, Format.STRING, f"{_NIKON} SerialNumber 0x001d string"),
    SerialTag("Nikon", "SerialNumber", 0x00A0, Format.STRING, f"{_NIKON} SerialNumber 0x00a0 string", label="NO="),
    SerialTag("Olympus", "SerialNumber", 0x0101, Format.STRING, f"{_OLYMPUS} Equipment SerialNumber 0x0101 string[32]",
              path=(0x2010,)),
    SerialTag("Olympus", "InternalSerialNumber", 0x0102, Format.STRING,
              f"{_OLYMPUS} Equipment InternalSerialNumber 0x0102 string[32]", path=(0x2010,)),
    SerialTag("Olympus", "SerialNumber", 0x0404, Format.STRING, f"{_OLYMPUS} SerialNumber 0x0404 string"),
    SerialTag("Olympus", "SerialNumber", 0x101A, Format.STRING, f"{_OLYMPUS} SerialNumber 0x101a string"),
    SerialTag("Panasonic", "InternalSerialNumber", 0x0025, Format.UNDEF,
              "ExifTool Tag Names: Panasonic InternalSerialNumber 0x0025 undef[16]"),
    SerialTag("Fujifilm", "InternalSerialNumber", 0x0010, Format.STRING,
              "ExifTool Tag Names: FujiFilm InternalSerialNumber 0x0010 string"),
    SerialTag("Pentax", "SerialNumber", 0x0229, Format.STRING, f"{_PENTAX} SerialNumber 0x0229 string"),
    SerialTag("Pentax", "InternalSerialNumber", 0x0215, Format.INT32U,
              f"{_PENTAX} CameraInfo (0x0215) InternalSerialNumber, int32u index 4", index=4),
    SerialTag("Ricoh", "InternalSerialNumber", 0x0005, Format.HEX,
              "ExifTool Tag Names: Ricoh SerialNumber / InternalSerialNumber 0x0005 undef[16], shown as hex"),
    SerialTag("Sigma", "SerialNumber", 0x0002, Format.STRING, "ExifTool Tag Names: Sigma SerialNumber 0x0002 string"),
    SerialTag("Motorola", "SerialNumber", 0x5501, Format.STRING,
              "ExifTool Tag Names: Motorola SerialNumber 0x5501 string"),
    SerialTag("PhaseOne", "SerialNumber", 0x0102, Format.STRING, "ExifTool Tag Names: PhaseOne SerialNumber 0x0102 string"),
    SerialTag("Reconyx", "SerialNumber", 42, Format.UNICODE,
              "ExifTool Tag Names: Reconyx SerialNumber, int16u index 21 (byte 42), undef[30]", length=30),
    SerialTag("ReconyxUltraFire", "SerialNumber", 75, Format.STRING,
              "ExifTool Tag Names: Reconyx Type2 SerialNumber, byte 75, string[15]", length=15),
    SerialTag("ReconyxHF2", "SerialNumber", 126, Format.UNICODE,
              "ExifTool Tag Names: Reconyx Type3 SerialNumber, byte 126, unicode[15]", length=30),
)  # fmt: skip


def layout_for(note: bytes, make: str | None) -> Layout | None:
    """The layout of a maker note: by the header it starts with, else by the EXIF Make."""
    m = (make or "").strip().lower()
    for layout in LAYOUTS:
        if layout.signature and not note.startswith(layout.signature):
            continue
        if not layout.signature and not layout.makes:
            continue
        if layout.makes and not m.startswith(layout.makes):
            continue
        return layout
    return None


def serial_tags(maker: str) -> tuple[SerialTag, ...]:
    """The serial-number tags of one maker, in the order they are preferred."""
    return tuple(t for t in SERIAL_TAGS if t.maker == maker)
