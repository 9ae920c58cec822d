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
from forensics.pipeline import scan
from forensics.read.files import read_file, read_metadata
from forensics.read.hashing import hash_image
from forensics.records.findings import Finding, Severity
from forensics.records.record import GPS, FrameHash, Hashes, ImageRecord, JpegInfo, Metadata, Thumbnail, VideoInfo, XmpInfo
from forensics.refs.match import Match, Reference
from forensics.report import SCHEMA, Report
from forensics.version import __version__

__all__ = [
    "GPS", "SCHEMA", "CaseFileError", "Finding", "ForensicsError", "FrameHash", "Hashes", "ImageRecord",
    "JpegInfo", "Match", "Metadata", "Reference", "ReferenceIndex", "ReferenceIndexError", "Report", "Severity", "Thumbnail", "UnreadableFile",
    "VideoInfo", "XmpInfo", "__version__", "hash_image", "read_file", "read_metadata", "scan",
]  # fmt: skip


def __getattr__(name: str):
    # The index pulls in numpy and SQLite search structures; import it on first use so that
    # `import forensics` (and `forensics --help`) stays quick.
    if name == "ReferenceIndex":
        from forensics.refs.index import ReferenceIndex

        return ReferenceIndex
    raise AttributeError(f"module 'forensics' has no attribute {name!r}")
