"""Typed results about how a JPEG was encoded: its header signature and its compression history.

:class:`EncoderSignature` is read from the headers of every JPEG (cheap, in the
default scan); :class:`Compression` is worked out from the DCT coefficients,
only when a scan asks for pixel analyses.
"""

from __future__ import annotations

from dataclasses import dataclass

from forensics.records.record import Serialisable


@dataclass(frozen=True)
class ExifLayout(Serialisable):
    """How the EXIF block is laid out: byte order and the entries of each directory.

    Camera firmware writes a fixed layout; a program that rewrites EXIF
    writes its own (Kee, Johnson & Farid, IEEE TIFS 2011, count the entries
    of each directory as part of a camera's signature).
    """

    byte_order: str | None = None  # "II" (Intel) or "MM" (Motorola)
    ifd0: int = 0  # entries of IFD0
    exif: int = 0  # entries of the Exif sub-IFD
    gps: int = 0  # entries of the GPS sub-IFD
    interop: int = 0
    ifd1: int = 0  # entries of IFD1, the thumbnail's directory
    makernote: bool = False
    thumbnail_bytes: int = 0


@dataclass(frozen=True)
class EncoderMatch(Serialisable):
    """A named encoder whose signature a file's is consistent with.

    ``basis`` lists what matched (``quantisation tables``, ``Huffman tables``,
    ``APP0 JFIF 1.01``…). ``measured`` is False for an entry taken from a
    publication (``source`` names it) and not measured here.
    """

    name: str
    kind: str  # "camera", "library", "editor", "platform"
    basis: tuple[str, ...] = ()
    source: str = ""
    measured: bool = False


@dataclass(frozen=True)
class EncoderSignature(Serialisable):
    """What a JPEG's headers say about the program that encoded it.

    The quantisation tables, their IJG-quality fit and the marker order are in
    ``metadata.jpeg`` (:class:`~forensics.records.record.JpegInfo`); this adds
    the rest of the signature and the encoders it is consistent with.
    """

    digest: str | None = None  # MD5 of the DQT payloads, as ExifTool's JPEGDigest computes it
    sampling: str | None = None  # each component's sampling factors, e.g. "221111"
    huffman: str | None = None  # "standard" (ITU-T T.81 Annex K), "custom" (optimised or the encoder's own), None without DHT
    huffman_tables: int = 0
    progressive: bool = False
    scans: tuple[str, ...] = ()  # the scan script: "components Ss-Se Ah/Al" for each scan
    restart_interval: int = 0
    app_segments: tuple[str, ...] = ()  # APPn segments present, in order
    jfif: str | None = None  # "1.01 density 72x72 dpi"
    adobe_transform: int | None = None  # APP14 Adobe colour transform, when present
    comment: str | None = None  # the first COM segment, shortened
    exif: ExifLayout | None = None
    width: int | None = None
    height: int | None = None
    encoders: tuple[EncoderMatch, ...] = ()


@dataclass(frozen=True)
class Compression(Serialisable):
    """Traces of a JPEG compressed before its last compression, from its DCT coefficients.

    ``double`` is True when the coefficient histograms show a first compression
    at another quality. ``aligned`` tells whether that compression's 8×8 grid
    sat on the last one's (False: the picture was cropped or shifted between
    the two, ``shift`` gives the first grid's offset). ``blocks`` is a coarse
    map, row by row, of each cell's agreement with the first compression (1:
    its traces are present, 0: missing, as in a region pasted from elsewhere;
    ``cell`` is its size in pixels); empty when no double compression was
    found or the map does not apply.
    """

    double: bool = False
    first_quality: float | None = None  # estimated IJG quality of the first compression
    last_quality: float | None = None
    aligned: bool | None = None
    shift: tuple[int, int] | None = None  # (x, y) of the first grid, 0..7
    score: float = 0.0  # strength of the evidence, 0..1
    blocks: tuple[tuple[float, ...], ...] = ()
    cell: int = 0
    method: str = ""  # "coefficients (jpeglib)" or "decoded pixels"
    error: str | None = None  # why the analysis could not be made
