"""Set check ``device-mix``: how many devices took the pictures of a set."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from forensics.checks.registry import CheckContext, check
from forensics.records.findings import Finding, Severity
from forensics.records.record import ImageRecord
from forensics.records.text import printable_path
from forensics.sets.devices import firmware
from forensics.sets.facts import SetFacts
from forensics.sets.times import local_time


@check("device-mix", scope="set")
def device_mix(records: Sequence[ImageRecord], ctx: CheckContext) -> Iterator[Finding]:
    """The set holds pictures from more than one device (make, model, serial, software)."""
    summary = ctx.facts_for(records).devices
    groups = summary.groups
    evidence_groups = [g.to_dict() for g in groups]
    if len(groups) > 1:
        names = "; ".join(f"{g.label}: {len(g.paths)}" for g in groups)
        message = f"The metadata names {len(groups)} devices ({names}): more than one camera, or tags copied or edited."
        if summary.unknown:
            message += f" {len(summary.unknown)} more name no device."
        yield Finding(
            "device-mix", Severity.NOTICE, tuple(p for g in groups for p in g.paths),
            message,
            {"devices": len(groups), "groups": evidence_groups, "unknown": [printable_path(p) for p in summary.unknown],
             "ambiguous": [printable_path(p) for p in summary.ambiguous]},
        )  # fmt: skip
    yield from _sensor_and_tags(ctx.facts_for(records))
    # One model without serials: an OS update only goes forward, so versions that
    # alternate in capture order point to two bodies of that model (or edited stamps).
    by_path = {r.path: r for r in records}
    for g in groups:
        if len(g.firmware) < 2:
            continue
        timed = sorted(
            ((t, by_path[p]) for p in g.paths if (t := local_time(by_path[p])) is not None and firmware(by_path[p])),
            key=lambda x: x[0],
        )
        runs = _alternation([firmware(r) or "" for _, r in timed])
        if not runs:
            continue
        yield Finding(
            "device-mix", Severity.NOTICE, tuple(r.path for _, r in timed),
            f"{g.label}: software versions alternate in capture order ({' → '.join(runs)}); "
            "updates only go forward, so two devices of this model, or changed time stamps.",
            {"device": g.label, "software_in_capture_order": [
                {"path": printable_path(r.path), "captured": t.isoformat(), "software": firmware(r)} for t, r in timed]},
        )  # fmt: skip


def _sensor_and_tags(facts: SetFacts) -> Iterator[Finding]:
    """What the sensor noise says of the devices the metadata names (when residuals were taken).

    Two named devices in one sensor group: the tags of some were copied or
    edited. Two sensor groups within one named device: two bodies of that model.
    """
    if facts.sensor is None:
        return
    for g in facts.sensor.groups:
        named = {d.label: d for p in g.paths if (d := facts.device_of(p)) is not None}
        if len(named) > 1:
            labels = sorted(named)
            yield Finding(
                "device-mix", Severity.NOTICE, g.paths,
                f"The metadata names {len(labels)} devices ({'; '.join(labels)}), but {len(g.paths)} of their pictures share "
                "one sensor (sensor-match): tags copied or edited.",
                {"devices": labels, "sensor_group": g.to_dict()},
            )  # fmt: skip
    by_device: dict[str, list[int]] = {}
    for k, g in enumerate(facts.sensor.groups):
        for label in sorted({d.label for p in g.paths if (d := facts.device_of(p)) is not None}):
            by_device.setdefault(label, []).append(k)
    for label, ks in by_device.items():
        if len(ks) < 2:
            continue
        groups = [facts.sensor.groups[k] for k in ks]
        yield Finding(
            "device-mix", Severity.NOTICE, tuple(p for g in groups for p in g.paths),
            f"{label}: its pictures come from {len(groups)} sensors (sensor-match, groups of "
            f"{', '.join(str(len(g.paths)) for g in groups)}): two or more devices of this model "
            "(or a phone's front and back cameras, where they share a picture size).",
            {"device": label, "sensor_groups": [g.to_dict() for g in groups]},
        )  # fmt: skip


def _alternation(sequence: list[str]) -> list[str] | None:
    """The runs of one kind of version string, if a version comes back after another.

    Only strings of one kind are compared ("9.3.1" with "9.3.2", "HDR+ 1.0.2" with
    "HDR+ 1.0.3"): a camera app may write different names for different modes.
    """
    kinds: dict[str, list[str]] = {}
    for v in sequence:
        kinds.setdefault(re.sub(r"[\d._-]+", "", v).strip().lower(), []).append(v)
    for values in kinds.values():
        runs: list[str] = []
        for v in values:
            if not runs or runs[-1] != v:
                runs.append(v)
        if len(runs) != len(set(runs)):
            return runs
    return None
