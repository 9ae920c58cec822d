"""Set check ``sensor-match``: which pictures share one camera sensor, by the noise pattern it leaves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from forensics.checks.registry import CheckContext, check
from forensics.records.findings import Finding, Severity
from forensics.records.record import ImageRecord
from forensics.records.text import name_list

# Pairwise score matrices are in the evidence for frames up to this many pictures (the JSON stays bounded).
MATRIX_LIMIT = 60
CAVEAT = (
    "A match between two units of one model is weaker evidence than it looks: units of some makers share "
    "artefacts that are not unique to one sensor (Iuliani, Fontani & Piva)."
)


@check("sensor-match", scope="set")
def sensor_match(records: Sequence[ImageRecord], ctx: CheckContext) -> Iterator[Finding]:
    """Pictures that share one sensor (noise residual), and those that come from another."""
    found = ctx.facts_for(records).sensor
    if found is None:  # no residuals taken: the scan did not ask for them
        return
    evidence: dict[str, object] = {
        **found.to_dict(),
        "frames": [f.to_dict() for f in found.frames if len(f.paths) <= MATRIX_LIMIT],
        "caveat": CAVEAT,
    }
    if found.compared == 0:
        reasons = Counter(_kind(r) for _, r in found.not_compared)
        why = ", ".join(f"{n} {k}" for k, n in reasons.most_common())
        paths = tuple(p for p, _ in found.not_compared)
        if paths:
            yield Finding("sensor-match", Severity.INFO, paths,
                          f"The set's pictures cannot be compared by their sensor noise ({why}).", evidence)  # fmt: skip
        return
    parts = []
    groups = found.groups
    if groups:
        first = groups[0]
        w, h = first.frame
        parts.append(f"{len(first.members)} pictures share one sensor ({name_list(list(first.paths))}; {w}×{h}; "
                     f"chance of a false match {_chance(first.false_match)})")  # fmt: skip
        if len(groups) > 1:
            rest = groups[1:]
            parts.append(f"{sum(len(g.members) for g in rest)} come from at least one other "
                         f"({len(rest)} group(s) of {', '.join(str(len(g.members)) for g in rest)})")  # fmt: skip
    else:
        parts.append(f"none of the {found.compared} pictures compared shares a sensor with another")
    if found.alone and groups:
        alone = len(found.alone)
        parts.append(f"{alone} ({name_list(list(found.alone), 3)}) {'matches' if alone == 1 else 'match'} "
                     "no other picture (another sensor, or a pattern too weak to show)")  # fmt: skip
    elif found.alone:
        parts[-1] += " (several cameras, or patterns too weak to show)"
    if found.not_compared:
        reasons = Counter(_kind(r) for _, r in found.not_compared)
        parts.append(f"{len(found.not_compared)} cannot be compared ({', '.join(f'{n} {k}' for k, n in reasons.most_common())})")
    message = "; ".join(parts) + "."
    several = len(groups) > 1
    yield Finding(
        "sensor-match", Severity.NOTICE if several else Severity.INFO,
        tuple(p for g in groups for p in g.paths) + found.alone, message[0].upper() + message[1:], evidence,
    )  # fmt: skip


def _chance(p: float) -> str:
    """A probability as a message gives it: beyond what a normal tail says honestly, a bound."""
    return "below 1e-9" if p < 1e-9 else f"{p:.1g}"


def _kind(reason: str) -> str:
    """A reason in a word, for the count in a message."""
    for word in ("resized", "recompressed", "screenshot", "smaller", "only picture", "decoded", "quality unknown", "EXIF pixel size",
                 "time limit"):  # fmt: skip
        if word in reason:
            return {"only picture": "alone in their size", "decoded": "undecodable", "EXIF pixel size": "of unknown native size",
                    "screenshot": "without camera metadata", "smaller": "too small",
                    "time limit": "stopped at the time limit"}.get(word, word)  # fmt: skip
    return "other"
