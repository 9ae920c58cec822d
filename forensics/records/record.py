"""The typed record of one file: what was read from it, once.

Checks, matching and renderers all work from these records and never reopen
files. Every class serialises with ``to_dict()`` into the JSON report schema
(times as ISO 8601 strings, coordinates in decimal degrees).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from forensics.records.document import DocumentText
from forensics.records.findings import Finding
from forensics.records.pixels import PixelAnalysis
from forensics.records.sensor import SensorNoise

if TYPE_CHECKING:  # records.encoding builds on Serialisable, defined here
    from forensics.records.encoding import Compression, EncoderSignature


_PLAIN = frozenset({str, int, float, bool, type(None)})  # as they are in JSON (exact types: an enum of str is not)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, worked out once per class (``dataclasses.fields`` filters every call)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:  # most values of a report: first, and cheapest
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict"):
            return value.to_dict()
        return {name: jsonable(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


class Serialisable:
    def to_dict(self) -> dict[str, Any]:
        return {name: jsonable(getattr(self, name)) for name in _field_names(type(self))}


@dataclass(frozen=True)
class GPS(Serialisable):
    """A GPS fix as written in the EXIF GPS IFD."""

    lat: float | None = None
    lon: float | None = None
    alt: float | None = None
    direction: float | None = None
    direction_ref: str | None = None
    speed: float | None = None
    speed_ref: str | None = None
    utc: dt.datetime | None = None
    datum: str | None = None
    h_positioning_error: float | None = None  # metres: GPSHPositioningError (EXIF 2.31, GPS tag 0x1F)


# The seven turns and flips of a picture besides leaving it as it is (the dihedral group
# of the rectangle's symmetries), by the names jpegtran's options give them.
TURNS = ("rotate-90-cw", "rotate-180", "rotate-90-ccw", "flip-horizontal", "flip-vertical", "transpose", "transverse")
# The turn each EXIF Orientation value asks a viewer to apply to the stored picture.
ORIENTATION_TURN = {2: "flip-horizontal", 3: "rotate-180", 4: "flip-vertical", 5: "transpose",
                    6: "rotate-90-cw", 7: "transverse", 8: "rotate-90-ccw"}  # fmt: skip


@dataclass(frozen=True)
class TurnedHashes(Serialisable):
    """The structural hashes (pHash, dHash, aHash) of a picture turned or flipped one way, as hex."""

    phash: str
    dhash: str
    ahash: str

    NAMES = ("phash", "dhash", "ahash")


@dataclass(frozen=True)
class Thumbnail(Serialisable):
    """The thumbnail embedded in EXIF IFD1, compared against the picture.

    ``hashes`` are the thumbnail's as displayed (the file's EXIF orientation
    applied, as to the picture). ``turned`` holds, for each name of
    :data:`TURNS`, the structural hashes of the stored thumbnail turned that
    way and then displayed: a picture whose stored pixels were turned without
    its thumbnail (by the camera, or losslessly later) matches one of them.
    Checks never reopen the file, so these are computed when it is read.
    """

    present: bool = False
    size: int = 0
    width: int | None = None
    height: int | None = None
    # the picture inside any black padding bars (phones pad 16:9 thumbnails to 4:3)
    content_width: int | None = None
    content_height: int | None = None
    hashes: Hashes | None = None
    turned: dict[str, TurnedHashes] = field(default_factory=dict)


@dataclass(frozen=True)
class XmpInfo(Serialisable):
    """The XMP fields that tell of editing and origin."""

    creator_tool: str | None = None
    create_date: str | None = None
    modify_date: str | None = None
    metadata_date: str | None = None
    date_created: str | None = None  # photoshop:DateCreated
    history: tuple[dict[str, str], ...] = ()
    document_id: str | None = None
    original_document_id: str | None = None


@dataclass(frozen=True)
class JpegInfo(Serialisable):
    """Structure of a JPEG file: markers, quantisation and encoding choices."""

    markers: tuple[str, ...] = ()
    quant_tables: tuple[tuple[int, ...], ...] = ()
    quality: float | None = None
    standard_tables: bool | None = None  # the IJG tables scaled to some quality
    progressive: bool = False
    subsampling: str | None = None


@dataclass(frozen=True)
class Metadata(Serialisable):
    """Everything the metadata of one file says, in typed fields."""

    make: str | None = None
    model: str | None = None
    serial: str | None = None
    lens_make: str | None = None
    lens_model: str | None = None
    lens_serial: str | None = None
    makernote_serials: dict[str, str] = field(default_factory=dict)
    firmware: str | None = None
    software: str | None = None
    artist: str | None = None
    copyright: str | None = None
    description: str | None = None
    user_comment: str | None = None
    datetime_original: dt.datetime | None = None
    datetime_digitized: dt.datetime | None = None
    datetime: dt.datetime | None = None
    offset_time: str | None = None
    offset_time_original: str | None = None
    offset_time_digitized: str | None = None
    gps: GPS | None = None
    orientation: int | None = None
    exif_width: int | None = None
    exif_height: int | None = None
    thumbnail: Thumbnail = field(default_factory=Thumbnail)
    xmp: XmpInfo | None = None
    iptc: dict[str, Any] = field(default_factory=dict)
    icc_description: str | None = None
    jpeg: JpegInfo | None = None
    camera_fields: int = 0  # how many camera-only EXIF tags were present
    flash: int | None = None  # EXIF Flash; bit 0 set when the flash fired
    raw: dict[str, str] | None = None  # every raw tag, only when asked for

    @property
    def capture_time(self) -> dt.datetime | None:
        """The best capture time: DateTimeOriginal, else Digitized."""
        return self.datetime_original or self.datetime_digitized

    @property
    def device(self) -> str | None:
        """``Make Model`` as a person would write it, or None."""
        parts = [p for p in (self.make, self.model) if p]
        if not parts:
            return None
        if len(parts) == 2 and parts[1].lower().startswith(parts[0].lower()):
            return parts[1]
        return " ".join(parts)


@dataclass(frozen=True)
class Hashes(Serialisable):
    """Perceptual hashes of the picture as displayed, as hex strings."""

    phash: str
    dhash: str
    ahash: str
    whash: str
    colorhash: str

    NAMES = ("phash", "dhash", "ahash", "whash", "colorhash")

    def distance(self, other: Hashes) -> dict[str, int]:
        """Hamming distance per hash (bits)."""
        return {n: hex_distance(getattr(self, n), getattr(other, n)) for n in self.NAMES}


def hex_distance(a: str, b: str) -> int:
    """Hamming distance between two equal-length hex strings."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


@dataclass(frozen=True)
class FrameHash(Serialisable):
    """One sampled frame of a video: its time and hashes."""

    timestamp: float
    hashes: Hashes
    scene_change: bool = False


@dataclass(frozen=True)
class VideoInfo(Serialisable):
    """Container facts of a video and the frames sampled from it."""

    duration: float | None = None
    fps: float | None = None
    frame_count: int | None = None
    width: int | None = None
    height: int | None = None
    codec: str | None = None
    creation_time: dt.datetime | None = None
    frames: tuple[FrameHash, ...] = ()


class Validation(str, enum.Enum):
    """What checking a manifest store's signatures and content hashes found."""

    VALID = "valid"  # the signature and every hash the active manifest binds check out
    INVALID = "invalid"  # something the manifest signed changed, or the signature does not verify
    UNCHECKED = "not validated"  # present, but no reader could validate it here


class Trust(str, enum.Enum):
    """Whether the signer was held against a trust list; only ever one the user gave."""

    NOT_CHECKED = "not checked against a trust list"
    TRUSTED = "on the given trust list"
    UNTRUSTED = "not on the given trust list"


@dataclass(frozen=True)
class ValidationStatus(Serialisable):
    """One status entry of C2PA validation: a standard code (``assertion.dataHash.mismatch``…)."""

    code: str
    explanation: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Signer(Serialisable):
    """Who signed a manifest, as its certificate says, and when a time-stamp authority saw it."""

    common_name: str | None = None  # the certificate subject's CN
    organization: str | None = None  # the certificate subject's O
    subject: str | None = None  # the whole subject, "CN=…, O=…"
    issuer: str | None = None  # the certificate's issuer, "CN=…, O=…"
    serial: str | None = None
    algorithm: str | None = None
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    time: dt.datetime | None = None  # signing time from an RFC 3161 time stamp; None without one
    time_stamp_authority: str | None = None

    @property
    def name(self) -> str | None:
        """The signer as a person would name it: organisation and common name."""
        parts = [p for p in (self.organization, self.common_name) if p]
        if len(parts) == 2 and parts[0].lower() in parts[1].lower():
            parts = parts[1:]
        return " — ".join(parts) or self.subject


@dataclass(frozen=True)
class Action(Serialisable):
    """One entry of a manifest's actions assertion (``c2pa.created``, ``c2pa.edited``…)."""

    action: str
    software_agent: str | None = None
    when: dt.datetime | None = None
    digital_source_type: str | None = None  # an IPTC digital source type URI, as written
    description: str | None = None


@dataclass(frozen=True)
class Ingredient(Serialisable):
    """A file a manifest says it was made from; ``manifest`` is the label of its own manifest."""

    title: str | None = None
    format: str | None = None
    relationship: str | None = None  # parentOf, componentOf, inputTo
    manifest: str | None = None
    failures: tuple[str, ...] = ()  # codes its validation recorded when it was taken in


@dataclass(frozen=True)
class Manifest(Serialisable):
    """One manifest of a store: who made the claim, with what, what it did, from what."""

    label: str
    claim_generator: str | None = None
    title: str | None = None
    format: str | None = None
    signer: Signer | None = None
    actions: tuple[Action, ...] = ()
    ingredients: tuple[Ingredient, ...] = ()
    exif: dict[str, str] = field(default_factory=dict)  # its EXIF/metadata assertion, key -> value as written


@dataclass(frozen=True)
class Credentials(Serialisable):
    """Content Credentials (C2PA) of a file: the manifest store, validated offline.

    ``chain`` starts with the active manifest (the file's own claim) and follows
    its ingredients' manifests back towards the capture. ``present`` is False
    when the file holds no store but keeps traces of one (``traces``) or points
    to a remote manifest (``remote``, never fetched). ``store`` is the whole
    store as the reader gives it, only when every tag was asked for.
    """

    present: bool = True
    container: str | None = None  # where the store sits, e.g. "JPEG APP11 (JUMBF)"
    size: int | None = None  # bytes of the store
    validation: Validation = Validation.UNCHECKED
    trust: Trust = Trust.NOT_CHECKED
    trust_list: str | None = None  # the PEM file the signer was held against
    failures: tuple[ValidationStatus, ...] = ()  # of the active manifest
    ingredient_failures: tuple[ValidationStatus, ...] = ()
    informational: tuple[str, ...] = ()  # codes, e.g. signingCredential.ocsp.skipped
    active: str | None = None  # label of the active manifest
    chain: tuple[Manifest, ...] = ()
    remote: str | None = None  # a remote manifest's address, as the file gives it
    traces: tuple[str, ...] = ()  # what is left of a removed manifest
    reader: str | None = None  # what validated the store, e.g. "c2pa-rs 0.91.3"
    error: str | None = None  # why the store could not be read
    store: dict[str, Any] | None = None

    @property
    def manifest(self) -> Manifest | None:
        """The active manifest: what the file itself claims."""
        return self.chain[0] if self.chain else None

    @property
    def signer(self) -> Signer | None:
        """The active manifest's signer."""
        return self.chain[0].signer if self.chain else None


@dataclass(frozen=True)
class ImageRecord(Serialisable):
    """One input file as read: file facts, metadata, hashes, findings.

    ``error`` is set when the file could not be read; the other fields then
    hold whatever was learnt before the failure.
    """

    path: str
    size: int | None = None
    sha256: str | None = None
    kind: str = "unknown"  # "image", "video" or "unknown"
    mime: str | None = None
    format: str | None = None  # detected from content, e.g. "JPEG"
    extension: str | None = None
    width: int | None = None  # as stored
    height: int | None = None
    metadata: Metadata = field(default_factory=Metadata)
    hashes: Hashes | None = None
    luma_mean: float | None = None  # mean brightness 0..255 of the reduced picture
    video: VideoInfo | None = None
    error: str | None = None  # why the file could not be analysed
    problems: tuple[str, ...] = ()  # damage that did not stop the reading
    findings: tuple[Finding, ...] = ()
    sensor: SensorNoise | None = None  # the sensor-noise residual, only when a scan asked for it
    credentials: Credentials | None = None  # Content Credentials (C2PA), or traces of them
    signature: EncoderSignature | None = None  # a JPEG's encoder signature, from its headers
    compression: Compression | None = None  # double-compression traces, only when a scan asked for pixel analyses
    document: DocumentText | None = None  # what a photo of a document says, only when a scan read documents
    pixels: PixelAnalysis | None = None  # copy-move and pasted-region searches, only when a scan asked for them

    @property
    def name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def display_size(self) -> tuple[int, int] | None:
        """Width and height once EXIF orientation is applied."""
        if self.width is None or self.height is None:
            return None
        if self.metadata.orientation in (5, 6, 7, 8):
            return self.height, self.width
        return self.width, self.height

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["findings"] = [f.to_dict() for f in self.findings]
        if self.sensor is None:  # a scan without residuals reports as it always has
            del d["sensor"]
        if self.credentials is None:
            del d["credentials"]  # most files carry none; their JSON stays as it was
        if self.signature is None:
            del d["signature"]
        if self.compression is None:
            del d["compression"]
        if self.document is None:
            del d["document"]  # a scan without --ocr, or a picture that is not a document
        if self.pixels is None:  # a scan without pixel analyses reports as it always has
            del d["pixels"]
        return d
