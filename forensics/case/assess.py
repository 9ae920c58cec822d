"""Case files and the weighing of findings against competing hypotheses.

A case file (TOML) states competing hypotheses about a set of pictures: where
they were taken, when, on how many devices, whether they were unpublished
before some date. :func:`assess` confronts each hypothesis with what the files
say and lays out, criterion by criterion, what is consistent with it, what
contradicts it and what is silent: the evidence matrix of an analysis of
competing hypotheses. It never picks a winner.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from forensics.case.file import Bound, Case, Hypothesis, sortable_time
from forensics.geo.places import Place
from forensics.geo.zones import country_offsets, format_offset
from forensics.knowledge.filenames import screenshot_name
from forensics.records.document import contains_name, digits
from forensics.records.findings import Finding, Severity
from forensics.records.record import Credentials, ImageRecord, Serialisable, Trust, Validation
from forensics.records.text import name_list, printable_path
from forensics.refs.match import Reference
from forensics.sets.facts import SetFacts, set_facts
from forensics.sets.times import exif_offset, gps_offset

# Findings that question a picture's time stamps rather than speak for or against a claim.
TIME_CAVEATS = ("date-mismatch", "timeline", "future-date", "time-zone", "daylight")
PLACE_CAVEATS = ("impossible-travel",)


class Verdict(str, enum.Enum):
    """How an observation bears on a hypothesis."""

    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    SILENT = "silent"


@dataclass(frozen=True)
class Row(Serialisable):
    """One criterion of one hypothesis: what it expects, what the files show, how they bear on it.

    ``findings`` are indices into the report's findings that decide the row
    (the contradicting ones when it is inconsistent); ``caveats`` are findings
    that question the observation itself (edited stamps, clocks, positions).
    """

    criterion: str
    expectation: str
    observation: str
    verdict: Verdict
    paths: tuple[str, ...] = ()
    findings: tuple[int, ...] = ()
    caveats: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["paths"] = [printable_path(p) for p in self.paths]
        return d


@dataclass(frozen=True)
class Assessment(Serialisable):
    """A hypothesis with its evidence rows and every finding sorted by how it bears on it."""

    id: str
    statement: str
    rows: tuple[Row, ...]
    consistent: tuple[int, ...] = ()  # finding indices
    inconsistent: tuple[int, ...] = ()
    silent: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["tally"] = {v.value: sum(1 for r in self.rows if r.verdict is v) for v in Verdict}
        return d


# ---------------------------------------------------------------------------------------------
# Reading case files


# ---------------------------------------------------------------------------------------------
# Weighing


def assess(case: Case, records: Sequence[ImageRecord], findings: Sequence[Finding], facts: SetFacts | None = None) -> list[Assessment]:
    """Confront each hypothesis of ``case`` with the records, findings and the set's facts.

    Parameters
    ----------
    case : Case
        The hypotheses.
    records : sequence of ImageRecord
        The scanned files.
    findings : sequence of Finding
        Every finding of the scan, in report order; rows refer to them by index.
    facts : SetFacts, optional
        Devices, capture times, places and reference matches of the set
        (worked out from ``records``, without matches, when not given).

    Returns
    -------
    list of Assessment
        One per hypothesis, in the case file's order.
    """
    evidence = _Evidence(records, findings, facts if facts is not None else set_facts(records))
    return [_assess(h, evidence) for h in case.hypotheses]


class _Evidence:
    """What the set shows, computed once for every hypothesis."""

    def __init__(self, records: Sequence[ImageRecord], findings: Sequence[Finding], facts: SetFacts) -> None:
        self.records = [r for r in records if not r.error and r.kind == "image"]
        self.findings = list(findings)
        self.places: dict[str, Place] = {loc.path: loc.place for loc in facts.located}
        self.times: dict[str, tuple[dt.datetime, dt.datetime | None, str]] = {}  # path -> (local, utc, source)
        self.offsets: dict[str, tuple[dt.timedelta, dt.datetime]] = {}  # path -> (offset, local time)
        self.screenshot_times: dict[str, dt.datetime] = {}  # path -> time in a screenshot's file name
        for r in self.records:
            ct = facts.capture(r)
            if ct.local is not None:
                self.times[r.path] = (ct.local, ct.utc, "metadata")
                off = exif_offset(r)
                if off is None and (implied := gps_offset(r)):
                    off = implied[0]
                if off is not None:
                    self.offsets[r.path] = (off, ct.local)
            elif (nt := facts.name_times.get(r.path)) is not None:
                if screenshot_name(r.name):
                    # when someone made the screenshot, not when its picture was taken: context only
                    self.screenshot_times[r.path] = nt
                else:
                    self.times[r.path] = (nt, None, "file name")
        self.devices = facts.devices
        self.sensor = facts.sensor
        self.published: dict[str, list[tuple[dt.date | dt.datetime, Reference]]] = {}
        for m in facts.reference_matches:
            pub = m.reference.published
            if isinstance(pub, (dt.date, dt.datetime)):
                self.published.setdefault(m.path, []).append((pub, m.reference))

    def ids(self, checks: Sequence[str], paths: Iterable[str] | None = None) -> tuple[int, ...]:
        wanted = set(paths) if paths is not None else None
        return tuple(
            i for i, f in enumerate(self.findings)
            if f.check in checks and (wanted is None or wanted.intersection(f.paths))
        )  # fmt: skip


def _assess(h: Hypothesis, ev: _Evidence) -> Assessment:
    rows: list[Row] = []
    if h.country:
        rows.append(_country_gps(h, ev))
        rows.append(_country_offset(h, ev))
    if h.taken_after is not None:
        rows.append(_taken(h.taken_after, ev, after=True))
    if h.taken_before is not None:
        rows.append(_taken(h.taken_before, ev, after=False))
    if h.single_device is not None:
        rows.append(_device(h, ev))
    if h.unpublished_before is not None:
        rows.append(_unpublished(h.unpublished_before, ev))
    if h.signed is not None:
        rows.append(_signed(h.signed, ev))
    if h.signer is not None:
        rows.append(_signer(h.signer, ev))
    if h.originals is not None:
        rows.append(_originals(h.originals, ev))
    if h.unit is not None:
        rows.append(_document_value("unit", h.unit, ev))
    if h.name is not None:
        rows.append(_document_value("name", h.name, ev))
    against = {i for r in rows if r.verdict is Verdict.INCONSISTENT for i in r.findings}
    fits = {i for r in rows if r.verdict is Verdict.CONSISTENT for i in r.findings} - against
    # each GPS fix speaks for itself, whatever the verdict of the row as a whole
    for i, f in enumerate(ev.findings):
        if not h.country or f.check != "gps-location" or "lon" not in f.evidence or (f.evidence["lat"], f.evidence["lon"]) == (0, 0):
            continue
        fits.discard(i)
        against.discard(i)
        bearing = _gps_bearing(h.country, *_evidence_countries(f.evidence))
        if bearing is not Verdict.SILENT:  # a fix within reach of a wanted border neither fits nor contradicts
            (fits if bearing is Verdict.CONSISTENT else against).add(i)
    silent = [i for i in range(len(ev.findings)) if i not in against and i not in fits]
    return Assessment(h.id, h.statement, tuple(rows), tuple(sorted(fits)), tuple(sorted(against)), tuple(silent))


def _gps_bearing(wanted: Sequence[str], code: str | None, claimants: Sequence[str], near: Sequence[str]) -> Verdict:
    """How one GPS fix bears on "taken in one of ``wanted``".

    Inside a wanted country, or a disputed area one of them claims: consistent
    (the place is the same whoever holds it). Elsewhere but within the fix's
    accuracy of a wanted country's border: silent, the fix cannot tell.
    Otherwise, at sea included: inconsistent.
    """
    if (code is not None and code in wanted) or any(c in wanted for c in claimants):
        return Verdict.CONSISTENT
    if any(c in wanted for c in near):
        return Verdict.SILENT
    return Verdict.INCONSISTENT


def _place_countries(pl: Place) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    near = tuple(c for n in pl.neighbours for c in (n.claimants or ((n.code,) if n.code else ())))
    return pl.country_code, pl.disputed.claimants if pl.disputed else (), near


def _evidence_countries(e: dict[str, Any]) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """The same from a ``gps-location`` finding's evidence (older reports lack the border keys)."""
    disputed = e.get("disputed") or {}
    near = tuple(c for n in e.get("neighbours") or () for c in (n.get("claimants") or ([n["code"]] if n.get("code") else [])))
    return e.get("country_code"), tuple(disputed.get("claimants") or ()), near


def _country_gps(h: Hypothesis, ev: _Evidence) -> Row:
    want = " or ".join(h.country)
    expectation = f"GPS fixes in {want}"
    if not ev.places:
        return Row("country (GPS)", expectation, "no picture carries a GPS fix", Verdict.SILENT)
    bearing = {p: _gps_bearing(h.country, *_place_countries(pl)) for p, pl in ev.places.items()}
    inside = [p for p, b in bearing.items() if b is Verdict.CONSISTENT]
    outside = [p for p, b in bearing.items() if b is Verdict.INCONSISTENT]
    unsure = [p for p, b in bearing.items() if b is Verdict.SILENT]
    counts: dict[str, int] = {}
    for pl in ev.places.values():
        key = pl.country_code or (
            f"{pl.disputed.name} (disputed, {'/'.join(pl.disputed.claimants)})" if pl.disputed else "at sea" if pl.at_sea else "?"
        )
        counts[key] = counts.get(key, 0) + 1
    observation = "GPS fixes in " + ", ".join(f"{c}: {n}" for c, n in sorted(counts.items(), key=lambda x: -x[1]))
    disputed = [p for p, pl in ev.places.items() if pl.disputed is not None]
    if disputed:
        observation += f"; in a disputed area, whichever country holds it: {name_list(disputed)}"
    if unsure:
        observation += "; within the fixes' accuracy of a border with " + "; ".join(
            f"{_near_names(ev.places[p], h.country)}: {name_list([p])}" for p in unsure
        )
    caveats = ev.ids(PLACE_CAVEATS)
    if outside:
        by_place: dict[str, list[str]] = {}
        for p in outside:
            by_place.setdefault(ev.places[p].label, []).append(p)
        where = "; ".join(f"{place}: {name_list(paths)}" for place, paths in sorted(by_place.items(), key=lambda x: -len(x[1])))
        return Row(
            "country (GPS)", expectation, f"{observation} ({where})",
            Verdict.INCONSISTENT, tuple(outside), ev.ids(("gps-location",), outside), caveats,
        )  # fmt: skip
    if unsure:
        return Row("country (GPS)", expectation, observation, Verdict.SILENT, tuple(unsure), ev.ids(("gps-location",), unsure), caveats)
    return Row("country (GPS)", expectation, observation, Verdict.CONSISTENT, tuple(inside), ev.ids(("gps-location",), inside), caveats)


def _near_names(pl: Place, wanted: Sequence[str]) -> str:
    """``TR 1.2 km`` for each wanted neighbour of a fix."""
    return ", ".join(f"{n.code or n.name} {n.km:g} km" for n in pl.neighbours if any(c in wanted for c in (n.claimants or (n.code,))))


def _country_offset(h: Hypothesis, ev: _Evidence) -> Row:
    want = " or ".join(h.country)
    expectation = f"UTC offsets that {want} used on the capture dates"
    if not ev.offsets:
        return Row("country (time zone)", expectation, "no picture states its UTC offset", Verdict.SILENT)
    fits: list[str] = []
    misfits: list[str] = []
    allowed_seen: set[str] = set()
    stated: set[str] = set()
    for path, (off, local) in ev.offsets.items():
        allowed = {o for c in h.country for o in country_offsets(c, local)}
        if not allowed:
            return Row("country (time zone)", expectation, f"no time-zone data for {want}", Verdict.SILENT)
        allowed_seen.update(format_offset(o) or "" for o in allowed)
        stated.add(format_offset(off) or "")
        (fits if off in allowed else misfits).append(path)
    observation = f"offsets {', '.join(sorted(stated))} stated; {want} used {', '.join(sorted(allowed_seen))}"
    caveats = ev.ids(("time-zone",))
    if misfits:
        return Row("country (time zone)", expectation, f"{observation}; not fitting: {name_list(misfits)}",
                   Verdict.INCONSISTENT, tuple(misfits), (), caveats)  # fmt: skip
    return Row("country (time zone)", expectation, observation, Verdict.CONSISTENT, tuple(fits), (), caveats)


def _compare(value: dt.datetime, utc: dt.datetime | None, bound: Bound) -> int:
    """-1, 0 or 1 as a picture's time is before, at or after a bound (dates compare by day)."""
    if not isinstance(bound, dt.datetime):
        day = value.date()
        return (day > bound) - (day < bound)
    if bound.tzinfo is not None and utc is not None:
        b = bound.astimezone(dt.timezone.utc)
        return (utc > b) - (utc < b)
    b = bound.replace(tzinfo=None)
    return (value > b) - (value < b)


def _published_before(ev: _Evidence, bound: Bound) -> list[tuple[str, dt.date | dt.datetime, Reference]]:
    """Reference publications of the set's pictures that precede ``bound`` (dates compare by day)."""
    out = []
    for path, pubs in ev.published.items():
        for pub, ref in pubs:
            earlier = sortable_time(pub) < sortable_time(bound) if isinstance(bound, dt.datetime) else sortable_time(pub).date() < bound
            if earlier:
                out.append((path, pub, ref))
    return out


def _taken(bound: Bound, ev: _Evidence, *, after: bool) -> Row:
    label = "taken after" if after else "taken before"
    expectation = f"capture times {'on or after' if after else 'before'} {bound.isoformat()}"
    shots = ""
    if ev.screenshot_times:
        first, last = min(ev.screenshot_times.values()), max(ev.screenshot_times.values())
        span = f"{first:%Y-%m-%d %H:%M}" + (f" to {last:%Y-%m-%d %H:%M}" if f"{last:%Y%m%d%H%M}" != f"{first:%Y%m%d%H%M}" else "")
        shots = (f"; not weighed: {len(ev.screenshot_times)} screenshot name(s) ({span}) say when a screen was "
                 "captured, not when its picture was taken")  # fmt: skip
    if not ev.times:
        return Row(label, expectation, "no picture carries a capture time" + shots, Verdict.SILENT)
    bad = [p for p, (local, utc, _) in ev.times.items() if (_compare(local, utc, bound) < 0 if after else _compare(local, utc, bound) >= 0)]
    good = [p for p in ev.times if p not in bad]
    locals_ = sorted(t[0] for t in ev.times.values())
    observation = f"{len(ev.times)} capture time(s) from {locals_[0]:%Y-%m-%d %H:%M} to {locals_[-1]:%Y-%m-%d %H:%M}"
    from_names = sum(1 for t in ev.times.values() if t[2] == "file name")
    if from_names:
        observation += f" ({from_names} from file names)"
    observation += shots
    caveats = ev.ids(TIME_CAVEATS, ev.times)
    earlier = _published_before(ev, bound) if after else []
    if earlier:
        path, pub, ref = min(earlier, key=lambda x: sortable_time(x[1]))
        source = f" by {ref.source}" if getattr(ref, "source", None) else ""
        bad = sorted(set(bad) | {p for p, _, _ in earlier})
        observation += f"; {name_list([path])} was published {sortable_time(pub).date().isoformat()}{source}"
    if bad:
        return Row(label, expectation, f"{observation}; outside: {name_list(bad)}", Verdict.INCONSISTENT,
                   tuple(bad), ev.ids(("reference-match",), bad), caveats)  # fmt: skip
    return Row(label, expectation, observation, Verdict.CONSISTENT, tuple(good), (), caveats)


def _device(h: Hypothesis, ev: _Evidence) -> Row:
    d = ev.devices
    expectation = "one device" if h.single_device else "more than one device"
    sensor = _sensor_count(ev)
    if not d.groups and sensor is None:
        return Row("single device", expectation, "no picture names its device", Verdict.SILENT)
    mix = ev.ids(("device-mix",))
    matches = ev.ids(("sensor-match",))
    several = d.count > 1 or bool(mix)
    observation = (
        f"{d.count} device(s): " + ", ".join(f"{g.label} ({len(g.paths)})" for g in d.groups) if d.groups else "no picture names its device"
    )
    if d.unknown:
        observation += f"; {len(d.unknown)} picture(s) name no device"
    if d.count == 1 and mix:  # one model, but its software versions point to two bodies
        observation += "; " + ev.findings[mix[0]].message
    paths = tuple(p for g in d.groups for p in g.paths)
    if sensor is not None and matches:
        # the sensor's own pattern outweighs tags, which can be copied or edited
        count, covered = sensor
        observation += "; sensor noise: " + ev.findings[matches[0]].message
        if count > 1:
            several = True
        elif covered:
            several = False
        paths = tuple(dict.fromkeys(paths + ev.findings[matches[0]].paths))
        mix = tuple(sorted(set(mix) | set(matches)))
    elif not d.groups:
        return Row("single device", expectation, "no picture names its device", Verdict.SILENT)
    if h.single_device:
        return Row("single device", expectation, observation, Verdict.INCONSISTENT if several else Verdict.CONSISTENT, paths, mix)
    if several:
        return Row("single device", expectation, observation, Verdict.CONSISTENT, paths, mix)
    # one device named: pictures that name none could still come from another
    return Row("single device", expectation, observation, Verdict.SILENT if d.unknown else Verdict.INCONSISTENT, paths)


def _sensor_count(ev: _Evidence) -> tuple[int, bool] | None:
    """Sensors the noise residuals show, and whether one group holds every picture compared; None without residuals.

    Pictures that match no other do not count as sensors: a pattern too weak to
    show and a second camera look alike.
    """
    s = ev.sensor
    if s is None or s.compared < 2:
        return None
    return len(s.groups), len(s.groups) == 1 and not s.alone


def _unpublished(bound: Bound, ev: _Evidence) -> Row:
    expectation = f"no publication before {bound.isoformat()}"
    if not ev.published:
        return Row("unpublished before", expectation, "no reference match with a publication date", Verdict.SILENT)
    earlier = _published_before(ev, bound)
    if earlier:
        paths = tuple(sorted({p for p, _, _ in earlier}))
        first = min(earlier, key=lambda x: sortable_time(x[1]))
        source = f" by {first[2].source}" if getattr(first[2], "source", None) else ""
        return Row(
            "unpublished before", expectation,
            f"{name_list(list(paths))} matched in references published earlier (first {sortable_time(first[1]).date().isoformat()}{source})",
            Verdict.INCONSISTENT, paths, ev.ids(("reference-match",), paths),
        )  # fmt: skip
    paths = tuple(sorted(ev.published))
    earliest = min((pub for pubs in ev.published.values() for pub, _ in pubs), key=sortable_time)
    return Row(
        "unpublished before", expectation,
        f"{len(paths)} picture(s) matched in references, earliest publication {sortable_time(earliest).date().isoformat()}",
        Verdict.CONSISTENT, paths, ev.ids(("reference-match",), paths),
    )  # fmt: skip


# Content Credentials criteria: ``signed`` and ``signer``. A signature vouches for who signed and that the
# file is unchanged since; a signer's name is only vouched for when it was held against a trust list.
CREDENTIAL_CHECKS = ("content-credentials", "credentials-mismatch")


def _credentials(r: ImageRecord) -> Credentials | None:
    c = r.credentials
    return c if c is not None and c.present else None


def _signed(expected: bool, ev: _Evidence) -> Row:
    expectation = "valid Content Credentials on every picture" if expected else "no Content Credentials on any picture"
    if not ev.records:
        return Row("signed", expectation, "no picture was read", Verdict.SILENT)
    by_state: dict[str, list[str]] = {"valid": [], "invalid": [], "unchecked": [], "none": []}
    for r in ev.records:
        c = _credentials(r)
        state = "none" if c is None else {Validation.VALID: "valid", Validation.INVALID: "invalid"}.get(c.validation, "unchecked")
        by_state[state].append(r.path)
    stripped = [r.path for r in ev.records if r.credentials is not None and not r.credentials.present and r.credentials.traces]
    words = {"valid": "with valid Content Credentials", "invalid": "with Content Credentials that no longer validate",
             "unchecked": "with Content Credentials not validated here", "none": "with none"}  # fmt: skip
    observation = "; ".join(
        f"{len(paths)} {words[k]}" + (f" ({name_list(paths)})" if k != "valid" else "") for k, paths in by_state.items() if paths
    )
    if stripped:
        observation += f"; traces of removed credentials in {name_list(stripped)}"
    caveats = ev.ids(("credentials-mismatch",))
    signed_any = by_state["valid"] + by_state["invalid"] + by_state["unchecked"]
    if expected:
        bad = by_state["invalid"] + by_state["none"]
        if bad:
            return Row("signed", expectation, observation, Verdict.INCONSISTENT, tuple(bad), ev.ids(CREDENTIAL_CHECKS, bad), caveats)
        if by_state["unchecked"]:
            return Row("signed", expectation, observation, Verdict.SILENT, tuple(by_state["unchecked"]), (), caveats)
        paths = tuple(by_state["valid"])
        return Row("signed", expectation, observation, Verdict.CONSISTENT, paths, ev.ids(("content-credentials",), paths), caveats)
    if signed_any:
        return Row(
            "signed",
            expectation,
            observation,
            Verdict.INCONSISTENT,
            tuple(signed_any),
            ev.ids(("content-credentials",), signed_any),
            caveats,
        )
    return Row("signed", expectation, observation, Verdict.CONSISTENT, tuple(by_state["none"]), (), caveats)


def _signer(name: str, ev: _Evidence) -> Row:
    expectation = f"Content Credentials signed by {name}"
    signed = [(r, c) for r in ev.records if (c := _credentials(r)) is not None and c.signer is not None]
    if not signed:
        return Row("signer", expectation, "no picture carries a signed manifest", Verdict.SILENT)
    wanted = name.casefold()

    def bears(c: Credentials) -> bool:
        s = c.signer
        return s is not None and any(wanted in v.casefold() for v in (s.name, s.common_name, s.organization, s.subject) if v)

    counts: dict[str, int] = {}
    for _, c in signed:
        label = (c.signer.name if c.signer is not None else None) or "unnamed"
        counts[label] = counts.get(label, 0) + 1
    observation = "signed by " + ", ".join(f"{n} ({k})" for n, k in sorted(counts.items(), key=lambda x: -x[1]))
    if any(c.trust is Trust.NOT_CHECKED for _, c in signed):
        observation += "; signers not checked against a trust list: a certificate can bear any name"
    unsigned = len(ev.records) - len(signed)
    if unsigned:
        observation += f"; {unsigned} picture(s) carry no signed manifest"
    other = [r.path for r, c in signed if not bears(c)]
    vouched = [r.path for r, c in signed if bears(c) and c.validation is Validation.VALID and c.trust is not Trust.UNTRUSTED]
    caveats = ev.ids(CREDENTIAL_CHECKS)
    if other:
        return Row("signer", expectation, f"{observation}; not by {name}: {name_list(other)}", Verdict.INCONSISTENT,
                   tuple(other), ev.ids(("content-credentials",), other), caveats)  # fmt: skip
    if not vouched:
        return Row("signer", expectation, f"{observation}; the name is borne only by credentials that do not validate or are untrusted",
                   Verdict.SILENT, tuple(r.path for r, _ in signed), ev.ids(("content-credentials",), [r.path for r, _ in signed]), caveats)  # fmt: skip
    return Row("signer", expectation, observation, Verdict.CONSISTENT, tuple(vouched), ev.ids(("content-credentials",), vouched), caveats)


# The ``originals`` criterion: are the files as the camera wrote them? Weighed file by file from
# the encoding findings; a re-encode trace speaks against, the camera's own encoder with its
# metadata and no trace of a second compression for.
REENCODE_CHECKS = ("encoder-signature", "double-compressed", "metadata-stripped", "editing-software")


def _reencoded(f: Finding) -> bool:
    if f.check == "encoder-signature":
        if "own_tables" in f.evidence:  # standard tables where the device's other pictures carry its own
            return f.severity is not Severity.INFO
        if "metadata_make" in f.evidence:  # metadata naming another maker than the tables' (edited or copied)
            return f.severity is not Severity.INFO
        return bool(f.evidence.get("platforms")) or any(s.get("stage") == "editor" for s in f.evidence.get("history", ()))
    if f.check == "double-compressed":
        return f.severity is not Severity.INFO
    return f.check in ("metadata-stripped", "editing-software")


def _originals(expected: bool, ev: _Evidence) -> Row:
    expectation = "files as the camera wrote them" if expected else "files re-encoded after the camera (an app, a platform, an editor)"
    jpegs = [r for r in ev.records if r.signature is not None]
    if not jpegs:
        return Row("originals", expectation, "no JPEG was read", Verdict.SILENT)
    traced: dict[str, list[int]] = {}
    for i, f in enumerate(ev.findings):
        if f.check in REENCODE_CHECKS and _reencoded(f):
            for p in f.paths:
                traced.setdefault(p, []).append(i)
    own = [r.path for r in jpegs if r.path not in traced and (r.metadata.make or r.metadata.model) and r.metadata.jpeg is not None
           and r.metadata.jpeg.standard_tables is False]  # fmt: skip
    bad = [r.path for r in jpegs if r.path in traced]
    ids = tuple(sorted({i for p in bad for i in traced[p]}))
    observation = (f"{len(bad)} of {len(jpegs)} JPEG(s) show re-encoding traces (stripped metadata, a platform's or editor's "
                   f"signature, a second compression); {len(own)} are consistent with their camera's own encoder")  # fmt: skip
    if expected:
        if bad:
            return Row("originals", expectation, observation, Verdict.INCONSISTENT, tuple(bad), ids)
        if len(own) == len(jpegs):
            return Row("originals", expectation, observation, Verdict.CONSISTENT, tuple(own), ev.ids(("encoder-signature",), own))
        return Row("originals", expectation, observation, Verdict.SILENT)
    if bad and len(bad) == len(jpegs):
        return Row("originals", expectation, observation, Verdict.CONSISTENT, tuple(bad), ids)
    if own:
        return Row("originals", expectation, observation, Verdict.INCONSISTENT, tuple(own), ev.ids(("encoder-signature",), own))
    return Row("originals", expectation, observation, Verdict.SILENT, tuple(bad), ids)


# ---------------------------------------------------------------------------------------------
# What photographed documents say (scan --ocr): ``unit`` and ``name``. A document shows what is
# written on it, not who held it or where; and what is read may be misread.


def _document_value(kind: str, wanted: str, ev: _Evidence) -> Row:
    label = "a military unit's number" if kind == "unit" else "a name"
    expectation = f"documents photographed name {label}: {wanted}"
    docs = [(r, d) for r in ev.records if (d := r.document) is not None and d.read]
    if not docs:
        return Row(kind, expectation, "no document was read (scan --ocr reads them)", Verdict.SILENT)
    seen = [(r, e) for r, d in docs for e in d.values(kind)]
    if not seen:
        return Row(kind, expectation, f"{len(docs)} document(s) read; none shows {label}", Verdict.SILENT,
                   tuple(r.path for r, _ in docs), ev.ids(("document-text",), [r.path for r, _ in docs]))  # fmt: skip

    def fits(value: str) -> bool:
        return digits(value) == digits(wanted) if kind == "unit" else contains_name(value, wanted)

    values = ", ".join(dict.fromkeys(e.value for _, e in seen))
    observation = f"documents read show {values}"
    match = list(dict.fromkeys(r.path for r, e in seen if fits(e.value)))
    other = list(dict.fromkeys(r.path for r, e in seen if not fits(e.value) and r.path not in match))
    if match:
        if other:
            observation += f"; {name_list(other)} show(s) another"
        return Row(kind, expectation, observation, Verdict.CONSISTENT, tuple(match), ev.ids(("document-text",), match))
    return Row(kind, expectation, f"{observation}; none is {wanted}", Verdict.INCONSISTENT, tuple(other), ev.ids(("document-text",), other))
