"""forensics: image provenance forensics.

Read what pictures and videos say about themselves (EXIF, XMP, IPTC, ICC,
JPEG structure), hash them perceptually, match them against reference sets,
and check them one by one and as a set against the competing claims of a case.

>>> import forensics
>>> report = forensics.scan([])
>>> report.to_dict()["schema"]
'forensics.report/1'
"""

# Every name below is imported on first use (PEP 562), not on `import forensics`: a command
# imports the package before anything else, and the stages it does not run cost it nothing
# (about 0.2 s of imports were paid before the first file was read).

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from forensics.version import __version__

if TYPE_CHECKING:
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
    from forensics.refs.index import ReferenceIndex
    from forensics.refs.match import Match, Reference
    from forensics.refs.report import MatchReport
    from forensics.report import SCHEMA, Report
    from forensics.sensor.groups import SensorGroup, SensorGroups

# The module each public name comes from.
_SOURCES = {
    "forensics.errors": ("CaseFileError", "ForensicsError", "ReferenceIndexError", "UnreadableFile"),
    "forensics.pipeline.frames": ("extract_frames",),
    "forensics.pipeline.listings": ("FileHashes", "HashListing", "MetadataListing", "describe", "hash_files"),
    "forensics.pipeline.matching": ("match",),
    "forensics.pipeline.scanning": ("scan",),
    "forensics.read.files": ("hash_image", "read_file", "read_metadata"),
    "forensics.read.keyframes": ("ExtractedFrame", "FrameExtraction"),
    "forensics.records.findings": ("Finding", "Severity"),
    "forensics.records.record": ("GPS", "Credentials", "FrameHash", "Hashes", "ImageRecord", "JpegInfo", "Manifest", "Metadata",
                                 "Signer", "Thumbnail", "Trust", "Validation", "VideoInfo", "XmpInfo"),
    "forensics.records.sensor": ("SensorNoise",),
    "forensics.refs.index": ("ReferenceIndex",),
    "forensics.refs.match": ("Match", "Reference"),
    "forensics.refs.report": ("MatchReport",),
    "forensics.report": ("SCHEMA", "Report"),
    "forensics.sensor.groups": ("SensorGroup", "SensorGroups"),
}  # fmt: skip
_LAZY = {name: module for module, names in _SOURCES.items() for name in names}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'forensics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "GPS", "SCHEMA", "CaseFileError", "Credentials", "ExtractedFrame", "FileHashes", "Finding", "ForensicsError", "FrameExtraction",
    "FrameHash", "HashListing", "Hashes", "ImageRecord", "JpegInfo", "Manifest", "Match", "MatchReport", "Metadata", "MetadataListing",
    "Reference", "ReferenceIndex", "ReferenceIndexError", "Report", "SensorGroup", "SensorGroups", "SensorNoise", "Severity", "Signer",
    "Thumbnail", "Trust", "UnreadableFile", "Validation", "VideoInfo", "XmpInfo",
    "__version__", "describe", "extract_frames", "hash_files", "hash_image", "match", "read_file", "read_metadata", "scan",
]  # fmt: skip
