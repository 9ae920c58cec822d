"""The report: plain data that every renderer reads and never recomputes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from forensics.case.assess import Assessment
from forensics.records.findings import Finding, Severity
from forensics.records.record import ImageRecord, jsonable
from forensics.records.text import printable_path
from forensics.refs.match import Match
from forensics.sets.facts import SetFacts
from forensics.version import __version__

SCHEMA = "forensics.report/1"


@dataclass(frozen=True)
class Skipped:
    """What discovery passed over, so that nothing is silently lost.

    ``other`` is what is not evidence (notes, broken links, links out of the
    scanned folders); ``errors`` is what should have been examined and could
    not be: a folder that cannot be opened or listed, a case file found in a
    scanned folder that cannot be used. Like an unreadable file, an error
    means the scan is incomplete.
    """

    junk: int = 0
    other: tuple[tuple[str, str], ...] = ()  # (path, reason)
    missing: tuple[str, ...] = ()
    errors: tuple[tuple[str, str], ...] = ()  # (path, reason)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "junk": self.junk,
            "other": [{"path": printable_path(p), "reason": r} for p, r in self.other],
            "missing": [printable_path(p) for p in self.missing],
        }
        if self.errors:  # only when there are some: a complete scan's report keeps its shape
            out["errors"] = [{"path": printable_path(p), "reason": printable_path(r)} for p, r in self.errors]
        return out


@dataclass(frozen=True)
class ScanParameters:
    """How a scan was asked for: what a reader needs to run it again."""

    paths: tuple[str, ...] = ()
    references: str | None = None  # the reference index, when one was given
    case: str | None = None  # the case file, when one was given or found
    workers: int = 1
    max_distance: int | None = None
    analyses: tuple[str, ...] = ()  # the further analyses asked for: "sensor", "pixels", "ocr:<languages>"

    def to_dict(self) -> dict[str, Any]:
        d = {"paths": list(self.paths), "references": self.references, "case": self.case,
             "workers": self.workers, "max_distance": self.max_distance}  # fmt: skip
        if self.analyses:  # a default scan's parameters read as they always have
            d["analyses"] = list(self.analyses)
        return d


@dataclass(frozen=True)
class Summary:
    """Counts over a report: files, kinds, unreadable files, findings by severity."""

    files: int
    images: int
    videos: int
    unreadable: int
    findings: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"files": self.files, "images": self.images, "videos": self.videos,
                "unreadable": self.unreadable, "findings": dict(self.findings)}  # fmt: skip


@dataclass(frozen=True)
class Report:
    """Everything a scan found. Serialise with :meth:`to_dict` (schema :data:`SCHEMA`).

    Each record in ``images`` carries its own findings; ``set_findings`` are
    the findings about the set as a whole; ``facts`` what the set shows
    (devices, times, places, reference and in-set video matches);
    ``hypotheses`` the assessment of a case's hypotheses, when a case was given.
    """

    images: tuple[ImageRecord, ...]
    set_findings: tuple[Finding, ...] = ()
    parameters: ScanParameters = field(default_factory=ScanParameters)
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    facts: SetFacts = field(default_factory=SetFacts)
    hypotheses: tuple[Assessment, ...] = ()
    skipped: Skipped = field(default_factory=Skipped)

    @cached_property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding in report order: each file's, then the set's."""
        return tuple(f for r in self.images for f in r.findings) + self.set_findings

    @property
    def matches(self) -> tuple[Match, ...]:
        """Matches against the reference index, when one was given."""
        return self.facts.reference_matches

    @property
    def unreadable(self) -> list[ImageRecord]:
        return [r for r in self.images if r.error]

    def severity_counts(self) -> dict[str, int]:
        c = Counter(f.severity.value for f in self.findings)
        return {s.value: c.get(s.value, 0) for s in Severity}

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None, key=lambda s: s.rank)

    @property
    def summary(self) -> Summary:
        return Summary(
            files=len(self.images),
            images=sum(1 for r in self.images if r.kind == "image"),
            videos=sum(1 for r in self.images if r.kind == "video"),
            unreadable=len(self.unreadable),
            findings=self.severity_counts(),
        )

    def to_dict(self) -> dict[str, Any]:
        summary = self.facts.to_dict()
        return {
            "schema": SCHEMA,
            "tool": {"name": "forensics", "version": __version__},
            "generated_at": self.generated_at.isoformat(),
            "parameters": _printable(self.parameters.to_dict()),
            "summary": self.summary.to_dict(),
            "images": [image_dict(r) for r in self.images],
            "findings": [finding_dict(f) for f in self.findings],
            "matches": [_printable(jsonable(m)) for m in self.matches],
            "hypotheses": [_printable(jsonable(h)) for h in self.hypotheses],
            "skipped": self.skipped.to_dict(),
            **({"set": _printable(jsonable(summary))} if summary else {}),
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
