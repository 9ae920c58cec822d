"""What a search of files in a reference index found (schema ``forensics.matches/1``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forensics.records.text import printable_path
from forensics.refs.match import Match

MATCHES_SCHEMA = "forensics.matches/1"


@dataclass(frozen=True)
class MatchReport:
    """Files searched in a reference index: the matches, and what could not be searched.

    Serialise with :meth:`to_dict` (schema :data:`MATCHES_SCHEMA`, described by
    ``forensics/schema/matches.schema.json``).

    Attributes
    ----------
    references : str
        The index searched, as it was named.
    queries : int
        Files read (pictures and videos, the unreadable ones included).
    max_distance : int
        Largest pHash distance of a hash match.
    matches : tuple of Match
        One per (file, reference) pair found; a file without a match has none.
    unreadable : tuple of (str, str)
        ``(path, reason)`` of each file that could not be read.
    missing : tuple of str
        Paths given that do not exist.
    """

    references: str
    queries: int
    max_distance: int
    matches: tuple[Match, ...] = ()
    unreadable: tuple[tuple[str, str], ...] = ()
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": MATCHES_SCHEMA,
            "refs": printable_path(self.references),
            "queries": self.queries,
            "max_distance": self.max_distance,
            "matches": [match_dict(m) for m in self.matches],
            "unreadable": [{"path": printable_path(p), "reason": r} for p, r in self.unreadable],
            "missing": [printable_path(p) for p in self.missing],
        }


def match_dict(m: Match) -> dict[str, Any]:
    """One match as JSON, the file names made printable (a name need not be valid UTF-8)."""
    d = m.to_dict()
    d["path"] = printable_path(m.path)
    for key in ("path", "video"):
        if d["reference"].get(key):
            d["reference"][key] = printable_path(d["reference"][key])
    return d
