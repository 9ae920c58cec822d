"""The check registry: a stable id -> a generator of findings."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from forensics.case.file import Case
from forensics.records.findings import Finding
from forensics.records.record import ImageRecord
from forensics.sets.facts import SetFacts, set_facts
from forensics.sets.times import CaptureTime, capture_time


@dataclass(frozen=True)
class CheckContext:
    """What checks may know besides the records: the clock, the case, the set's facts.

    ``facts`` holds what the set shows as a whole (devices, capture times,
    places, reference and in-set video matches); :func:`run_checks` works them
    out from the records when they are not given.
    """

    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    case: Case | None = None
    facts: SetFacts | None = None

    def facts_for(self, records: Sequence[ImageRecord]) -> SetFacts:
        """The set's facts, worked out from ``records`` when the context carries none."""
        return self.facts if self.facts is not None else set_facts(records)

    def capture(self, record: ImageRecord) -> CaptureTime:
        """A record's capture time, from the set's facts when the context carries them."""
        return self.facts.capture(record) if self.facts is not None else capture_time(record)


@dataclass(frozen=True)
class Check:
    """A registered check. ``scope`` is "image" (one record) or "set" (all)."""

    id: str
    scope: str
    func: Callable[..., Iterable[Finding]]
    summary: str


REGISTRY: dict[str, Check] = {}


def check(id: str, *, scope: str = "image") -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    """Register a check under a stable ``id``; its docstring's first line is its summary."""
    if scope not in ("image", "set"):
        raise ValueError(f"scope must be 'image' or 'set', not {scope!r}")

    def register(func: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        if id in REGISTRY and REGISTRY[id].func is not func and REGISTRY[id].scope == scope:
            raise ValueError(f"check {id!r} is registered twice")
        summary = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else id
        # An id may have an image part and a set part (e.g. future-date, timeline).
        key = id if id not in REGISTRY or REGISTRY[id].func is func else f"{id}#set"
        REGISTRY[key] = Check(id, scope, func, summary)
        return func

    return register


def _selected(scope: str, only: Sequence[str] | None) -> list[Check]:
    return [c for c in REGISTRY.values() if c.scope == scope and (only is None or c.id in only)]


def run_image_checks(record: ImageRecord, context: CheckContext, only: Sequence[str] | None = None) -> list[Finding]:
    """Findings of every per-image check about one record."""
    out: list[Finding] = []
    for c in _selected("image", only):
        out.extend(c.func(record, context))
    return out


def run_set_checks(records: Sequence[ImageRecord], context: CheckContext, only: Sequence[str] | None = None) -> list[Finding]:
    """Findings of every set-level check about the whole set."""
    out: list[Finding] = []
    for c in _selected("set", only):
        out.extend(c.func(records, context))
    return out


def run_checks(
    records: Sequence[ImageRecord], context: CheckContext, only: Sequence[str] | None = None
) -> tuple[list[ImageRecord], list[Finding]]:
    """Run per-image checks (attaching findings to records), then set checks.

    The set's facts are worked out from ``records`` when ``context`` has none.
    """
    if context.facts is None:
        context = dataclasses.replace(context, facts=set_facts(records))
    out_records = []
    for r in records:
        out_records.append(dataclasses.replace(r, findings=tuple(run_image_checks(r, context, only))))
    return out_records, run_set_checks(out_records, context, only)


def iter_ids() -> Iterator[str]:
    """Every registered check id, once, in registration order."""
    seen = set()
    for c in REGISTRY.values():
        if c.id not in seen:
            seen.add(c.id)
            yield c.id
