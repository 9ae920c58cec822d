"""forensics: image provenance forensics.

Read what pictures and videos say about themselves (EXIF, XMP, IPTC, ICC,
JPEG structure), hash them perceptually, match them against reference sets,
and check them one by one and as a set against the competing claims of a case.

>>> import forensics
>>> report = forensics.scan([])
>>> report.to_dict()["schema"]
'forensics.report/1'
"""

from forensics.errors import CaseFileError, ForensicsError, ReferenceIndexError, UnreadableFile
from forensics.pipeline.frames import extract_frames
from forensics.pipeline.listings import FileHashes, HashListing, MetadataListing, describe, hash_files
from forensics.pipeline.matching import match
from forensics.pipeline.scanning import scan
from forensics.read.files import hash_image, read_file, read_metadata
from forensics.read.keyframes import ExtractedFrame, FrameExtraction
from forensics.records.findings import Finding, Severity
from forensics.records.record import (
    GPS,
    Credentials,
    FrameHash,
    Hashes,
    ImageRecord,
    JpegInfo,
    Manifest,
    Metadata,
    Signer,
    Thumbnail,
    Trust,
    Validation,
    VideoInfo,
    XmpInfo,
)
from forensics.records.sensor import SensorNoise
from forensics.refs.index import ReferenceIndex  # SQLite only: numpy comes with the first search
from forensics.refs.match import Match, Reference
from forensics.refs.report import MatchReport
from forensics.report import SCHEMA, Report
from forensics.sensor.groups import SensorGroup, SensorGroups  # numpy only when residuals are compared
from forensics.version import __version__

__all__ = [
    "GPS", "SCHEMA", "CaseFileError", "Credentials", "ExtractedFrame", "FileHashes", "Finding", "ForensicsError", "FrameExtraction",
    "FrameHash", "HashListing", "Hashes", "ImageRecord", "JpegInfo", "Manifest", "Match", "MatchReport", "Metadata", "MetadataListing",
    "Reference", "ReferenceIndex", "ReferenceIndexError", "Report", "SensorGroup", "SensorGroups", "SensorNoise", "Severity", "Signer",
    "Thumbnail", "Trust", "UnreadableFile", "Validation", "VideoInfo", "XmpInfo",
    "__version__", "describe", "extract_frames", "hash_files", "hash_image", "match", "read_file", "read_metadata", "scan",
]  # fmt: skip
