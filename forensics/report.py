"""The report: plain data that every renderer reads and never recomputes."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .findings import Finding, Severity
from .record import ImageRecord, _jsonable

SCHEMA = "forensics.report/1"


def printable_path(path: str) -> str:
    """A path as text that any terminal or JSON reader accepts.

    Names that are not valid UTF-8 keep their bytes visible as ``\\xNN``
    escapes instead of breaking the output.
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        try:
            raw = path.encode("utf-8", "surrogateescape")  # the bytes of a file-system name
        except UnicodeEncodeError:
            raw = path.encode("utf-8", "backslashreplace")  # a lone surrogate from elsewhere
        return raw.decode("utf-8", "backslashreplace")


def file_name(path: str) -> str:
    """The last part of a path, printable, for messages and tables."""
    return printable_path(os.path.basename(path))  # split first: the printable form may hold backslashes


def name_list(paths: Sequence[str], limit: int = 4) -> str:
    """``a.jpg, b.jpg and 3 more``: the names of files, bounded for a message."""
    names = ", ".join(file_name(p) for p in paths[:limit])
    return names + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def common_folder(paths: list[str]) -> str:
    """The folder every path lies under ('' when they share none), to shorten tables."""
    dirs = [os.path.dirname(p) for p in paths]
    if not dirs:
        return ""
    try:
        base = os.path.commonpath(dirs)
    except ValueError:  # mixed absolute and relative paths
        return ""
    return "" if base in ("", ".", os.sep) else base


def shorten(path: str, base: str) -> str:
    """``path`` relative to ``base`` when it lies under it (for display only)."""
    return path[len(base) :].lstrip("/\\") if base and path.startswith(base) else path


@dataclass(frozen=True)
class Skipped:
    """What discovery passed over, so that nothing is silently lost."""

    junk: int = 0
    other: tuple[tuple[str, str], ...] = ()  # (path, reason)
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "junk": self.junk,
            "other": [{"path": printable_path(p), "reason": r} for p, r in self.other],
            "missing": [printable_path(p) for p in self.missing],
        }


@dataclass(frozen=True)
class Report:
    """Everything a scan found. Serialise with :meth:`to_dict` (schema :data:`SCHEMA`)."""

    images: tuple[ImageRecord, ...]
    findings: tuple[Finding, ...]  # every finding: per image, then across the set
    parameters: dict[str, Any] = field(default_factory=dict)
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    matches: tuple[Any, ...] = ()
    hypotheses: tuple[Any, ...] = ()
    skipped: Skipped = field(default_factory=Skipped)
    extras: dict[str, Any] = field(default_factory=dict)  # set-level summaries (devices, timeline, places…)

    @property
    def unreadable(self) -> list[ImageRecord]:
        return [r for r in self.images if r.error]

    def severity_counts(self) -> dict[str, int]:
        c = Counter(f.severity.value for f in self.findings)
        return {s.value: c.get(s.value, 0) for s in Severity}

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None, key=lambda s: s.rank)

    def to_dict(self) -> dict[str, Any]:
        from . import __version__

        return {
            "schema": SCHEMA,
            "tool": {"name": "forensics", "version": __version__},
            "generated_at": self.generated_at.isoformat(),
            "parameters": _printable(_jsonable(self.parameters)),
            "summary": {
                "files": len(self.images),
                "images": sum(1 for r in self.images if r.kind == "image"),
                "videos": sum(1 for r in self.images if r.kind == "video"),
                "unreadable": len(self.unreadable),
                "findings": self.severity_counts(),
            },
            "images": [image_dict(r) for r in self.images],
            "findings": [finding_dict(f) for f in self.findings],
            "matches": [_printable(_jsonable(m)) for m in self.matches],
            "hypotheses": [_printable(_jsonable(h)) for h in self.hypotheses],
            "skipped": self.skipped.to_dict(),
            **({"set": _printable(_jsonable(self.extras))} if self.extras else {}),
        }


def _printable(value: Any) -> Any:
    """Every string made printable (paths given on a command line may not be valid UTF-8)."""
    if isinstance(value, str):
        return printable_path(value)
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value


def finding_dict(f: Finding) -> dict[str, Any]:
    # messages and evidence name files too, and a file's name may not be valid UTF-8
    return _printable(f.to_dict())


def image_dict(r: ImageRecord) -> dict[str, Any]:
    """One record in the report schema (paths made printable)."""
    d = r.to_dict()
    d["findings"] = [f.to_dict() for f in r.findings]
    return _printable(d)
