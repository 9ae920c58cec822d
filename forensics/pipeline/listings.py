"""Per-file listings without checks: metadata (``forensics.meta/1``) and hashes (``forensics.hashes/1``).

``describe`` and ``hash_files`` read the files named, and those in the folders
named, one at a time; unlike :func:`forensics.scan` they run no check.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from forensics.errors import UnreadableFile
from forensics.read.credentials import load_trust_anchors
from forensics.read.discover import discover
from forensics.read.files import read_file, read_metadata
from forensics.records.record import Hashes, ImageRecord
from forensics.records.text import printable_path
from forensics.report import image_dict

META_SCHEMA = "forensics.meta/1"
HASHES_SCHEMA = "forensics.hashes/1"


@dataclass(frozen=True)
class MetadataListing:
    """What the metadata of each file says, in path order; serialise with :meth:`to_dict`.

    ``files`` are the records as read (no hashes, no findings); a file that
    could not be read has its ``error`` set.
    """

    files: tuple[ImageRecord, ...] = ()

    @property
    def unreadable(self) -> list[ImageRecord]:
        return [r for r in self.files if r.error]

    def to_dict(self) -> dict[str, Any]:
        """Schema :data:`META_SCHEMA`: each file as in the scan report, without ``hashes`` and ``findings``."""
        return {"schema": META_SCHEMA, "files": [metadata_dict(r) for r in self.files]}


def metadata_dict(record: ImageRecord) -> dict[str, Any]:
    """One record as ``forensics meta`` lists it: the report's *image* less hashes and findings."""
    d = image_dict(record)
    d.pop("findings", None)
    d.pop("hashes", None)
    return d


@dataclass(frozen=True)
class FileHashes:
    """The SHA-256 and perceptual hashes of one file; ``error`` says why a file has no hashes."""

    path: str
    sha256: str | None
    hashes: Hashes | None = None
    error: str | None = None

    @classmethod
    def from_record(cls, record: ImageRecord) -> FileHashes:
        return cls(record.path, record.sha256, record.hashes, record.error)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": printable_path(self.path),
            "sha256": self.sha256,
            **(self.hashes.to_dict() if self.hashes else {}),
            **({"error": self.error} if self.error else {}),
        }


@dataclass(frozen=True)
class HashListing:
    """The hashes of each file, in path order; serialise with :meth:`to_dict` (schema :data:`HASHES_SCHEMA`)."""

    files: tuple[FileHashes, ...] = ()

    @property
    def unreadable(self) -> list[FileHashes]:
        return [f for f in self.files if f.error]

    def to_dict(self) -> dict[str, Any]:
        return {"schema": HASHES_SCHEMA, "files": [f.to_dict() for f in self.files]}


def describe(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    all_tags: bool = False,
    trust_anchors: str | os.PathLike[str] | None = None,
) -> MetadataListing:
    """Read what the metadata of the files under ``paths`` says, without decoding pixels.

    Parameters
    ----------
    paths : str, os.PathLike or iterable of them
        Files, and folders searched recursively (as :func:`forensics.scan` finds files).
    all_tags : bool
        Keep every raw EXIF tag in ``metadata.raw``, and a Content Credentials store whole in ``credentials.store``.
    trust_anchors : str or os.PathLike, optional
        A PEM file of certificates to hold Content Credentials' signers against.

    Returns
    -------
    MetadataListing
        One record per file, in path order; ``to_dict()`` is the
        ``forensics.meta/1`` document.

    Raises
    ------
    UnreadableFile
        When a path does not exist (a file that cannot be read is a record
        with ``error`` set instead).

    Examples
    --------
    >>> describe([]).to_dict()
    {'schema': 'forensics.meta/1', 'files': []}
    """
    anchors = load_trust_anchors(trust_anchors) if trust_anchors is not None else None
    return MetadataListing(tuple(read_metadata(f, all_tags=all_tags, trust_anchors=anchors) for f in _files(paths)))


def hash_files(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> HashListing:
    """SHA-256 and the perceptual hashes of the files under ``paths``.

    Parameters
    ----------
    paths : str, os.PathLike or iterable of them
        Files, and folders searched recursively (as :func:`forensics.scan` finds files).

    Returns
    -------
    HashListing
        One row per file, in path order; ``to_dict()`` is the
        ``forensics.hashes/1`` document.

    Raises
    ------
    UnreadableFile
        When a path does not exist (a file that cannot be read is a row with
        ``error`` set instead).

    Examples
    --------
    >>> hash_files([]).files
    ()
    """
    return HashListing(tuple(FileHashes.from_record(read_file(f)) for f in _files(paths)))


def _files(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[str]:
    """The files under ``paths``; a path that does not exist is an error, not an empty listing."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]  # one path, not a sequence of one-letter paths
    found = discover([os.fsdecode(p) for p in paths])
    if found.missing:
        raise UnreadableFile("not found: " + ", ".join(printable_path(p) for p in found.missing))
    return found.files
