"""The report: plain data that every renderer reads and never recomputes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from forensics.records.findings import Finding, Severity
from forensics.records.record import ImageRecord, _jsonable
from forensics.records.text import printable_path

SCHEMA = "forensics.report/1"












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
        from forensics import __version__

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
