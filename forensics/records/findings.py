"""Findings: what a check reports, with its evidence."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    """How much a finding should weigh; ordered ``info < notice < warning``."""

    INFO = "info"
    NOTICE = "notice"
    WARNING = "warning"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_RANK = {Severity.INFO: 0, Severity.NOTICE: 1, Severity.WARNING: 2}


@dataclass(frozen=True)
class Finding:
    """One observation of one check about one or more files.

    ``evidence`` holds JSON-safe values (str, int, float, bool, None, lists and
    dicts of those) so that a reader can verify the claim without the tool.
    """

    check: str
    severity: Severity
    paths: tuple[str, ...]
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity.value,
            "paths": list(self.paths),
            "message": self.message,
            "evidence": self.evidence,
        }
