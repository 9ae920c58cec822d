"""Content Credentials (C2PA) checks: what a signed manifest says, and whether the file still agrees with it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from forensics.checks.registry import CheckContext, check
from forensics.geo.places import distance_km
from forensics.knowledge.provenance import NOTEWORTHY, source_type, status_meaning
from forensics.records.findings import Finding, Severity
from forensics.records.record import Credentials, ImageRecord, Manifest, Trust, Validation

TIME_SLACK = dt.timedelta(minutes=2)  # a camera signs within seconds of the capture; clocks are read to the second
TIME_NOTICE = dt.timedelta(hours=1)  # beyond this a time disagreement is a warning
GPS_SLACK_KM = 1.0  # manifests may round a position
GPS_NOTICE_KM = 20.0  # beyond this a position disagreement is a warning
ZONES = [dt.timedelta(minutes=15 * k) for k in range(-12 * 4, 14 * 4 + 1)]  # every UTC offset in use, by quarter hours


def _f(check_id: str, severity: Severity, record: ImageRecord, message: str, **evidence: object) -> Finding:
    return Finding(check_id, severity, (record.path,), message, dict(evidence))


def _trust_phrase(c: Credentials) -> str:
    if c.trust is Trust.TRUSTED:
        return f"the signer is on the trust list {c.trust_list}"
    if c.trust is Trust.UNTRUSTED:
        return f"the signer is NOT on the trust list {c.trust_list}"
    return "signer not checked against a trust list"


def _claims(m: Manifest) -> str:
    """The active manifest's actions as a short sentence: what, by what, when."""
    parts = []
    for a in m.actions[:6]:
        text = a.action.removeprefix("c2pa.")
        if a.software_agent:
            text += f" by {a.software_agent}"
        if a.when:
            text += f" at {a.when.isoformat(sep=' ')}"
        st = source_type(a.digital_source_type)
        if st is not None:
            text += f" ({st.label})"
        parts.append(text)
    if len(m.actions) > 6:
        parts.append(f"{len(m.actions) - 6} more")
    return "; ".join(parts)


def _evidence(c: Credentials) -> dict[str, object]:
    m, s = c.manifest, c.signer
    return {
        "validation": c.validation.value,
        "trust": c.trust.value,
        "trust_list": c.trust_list,
        "signer": s.to_dict() if s is not None else None,
        "claim_generator": m.claim_generator if m is not None else None,
        "actions": [a.to_dict() for a in m.actions[:50]] if m is not None else [],
        "manifests": len(c.chain),
        "ingredients": [i.to_dict() for i in m.ingredients[:20]] if m is not None else [],
        "failures": [f.to_dict() for f in c.failures],
        "container": c.container,
        "reader": c.reader,
        "error": c.error,
    }


@check("content-credentials")
def content_credentials(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The file carries Content Credentials (C2PA): who signed, what it claims, whether it still validates."""
    c = record.credentials
    if c is None:
        return
    if not c.present:
        if c.remote:
            yield _f(
                "content-credentials", Severity.NOTICE, record,
                f"The file points to a remote Content Credentials manifest ({c.remote}) and carries none itself; "
                "it was not fetched (reading stays offline): fetch and validate it separately if it matters.",
                remote=c.remote,
            )  # fmt: skip
        return  # traces of a removed manifest: credentials-mismatch speaks of them
    m = c.manifest
    signer = c.signer.name if c.signer is not None and c.signer.name else "an unnamed signer"
    made = f" with {m.claim_generator}" if m is not None and m.claim_generator else ""
    if c.validation is Validation.VALID:
        claims = _claims(m) if m is not None else ""
        yield _f(
            "content-credentials", Severity.NOTICE if c.trust is Trust.UNTRUSTED else Severity.INFO, record,
            f"Content Credentials signed by {signer}{made}: the signature and the content hashes check out, so the file is "
            f"as it was when signed ({_trust_phrase(c)})." + (f" It claims: {claims}." if claims else "")
            + " A valid signature says who signed and that nothing changed since, not that what the picture shows is true.",
            **_evidence(c),
        )  # fmt: skip
    elif c.validation is Validation.INVALID:
        codes = [f.code for f in c.failures]
        said = "; ".join(f"{code} ({status_meaning(code)})" if status_meaning(code) else code for code in dict.fromkeys(codes))
        reason = said or (f"the manifest store cannot be read: {c.error}" if c.error else "the reader reports it invalid")
        yield _f(
            "content-credentials", Severity.WARNING, record,
            f"Content Credentials that no longer validate: {reason}. The file or its manifest changed after {signer} signed it"
            f"{made}, or the signature was never sound; what the manifest claims cannot be relied on.",
            **_evidence(c),
        )  # fmt: skip
    else:
        yield _f(
            "content-credentials", Severity.NOTICE, record,
            f"A Content Credentials manifest store is present ({len(c.chain)} manifest(s), {c.container}) but was not validated: "
            f"{c.error or 'no reader could check it'}.",
            **_evidence(c),
        )  # fmt: skip
    if c.ingredient_failures:
        codes = list(dict.fromkeys(f.code for f in c.ingredient_failures))
        yield _f(
            "content-credentials", Severity.NOTICE, record,
            f"The manifest of an ingredient this file was made from does not validate ({', '.join(codes)}): "
            "the history before the last signature is not vouched for.",
            ingredient_failures=[f.to_dict() for f in c.ingredient_failures],
        )  # fmt: skip
    yield from _source_types(record, c)


def _source_types(record: ImageRecord, c: Credentials) -> Iterator[Finding]:
    """A manifest that declares the picture AI-generated, algorithmic or composite."""
    seen = []
    for k, m in enumerate(c.chain):
        for a in m.actions:
            st = source_type(a.digital_source_type)
            if st is not None and st.kind in NOTEWORTHY:
                seen.append({"manifest": m.label, "active": k == 0, "action": a.action, "term": st.term, "label": st.label,
                             "ai": st.ai, "software_agent": a.software_agent})  # fmt: skip
    if not seen:
        return
    own = [s for s in seen if s["active"]]
    first = (own or seen)[0]
    agent = f" by {first['software_agent']}" if first["software_agent"] else ""
    where = "its own manifest" if own else "the manifest of an ingredient it was made from"
    yield _f(
        "content-credentials", Severity.NOTICE, record,
        f"The Content Credentials declare the picture {first['label']} ({first['term']}{agent}), in {where}: "
        "not, or not only, a camera capture" + (" — signed, but still only as valid as the signature." if c.validation is Validation.VALID else "."),
        source_types=seen[:20],
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The manifest against the file


@dataclass(frozen=True)
class _Fact:
    """A value a manifest states, and which link of the chain states it (0: the file's own manifest)."""

    value: object
    link: int
    source: str


def _first(c: Credentials, pick: Callable[[Manifest], tuple[object, str] | None]) -> _Fact | None:
    for k, m in enumerate(c.chain):
        got = pick(m)
        if got is not None:
            return _Fact(got[0], k, got[1])
    return None


def _where(c: Credentials, fact: _Fact) -> str:
    if fact.link == 0:
        return f"{fact.source} of the file's own manifest"
    m = c.chain[fact.link]
    return f"{fact.source} of the manifest of the ingredient {m.title or m.label}"


def _severity(fact: _Fact, warning: bool) -> Severity:
    # an ingredient's metadata may change with an edit the later manifest declares; only the file's own is held to it
    return Severity.WARNING if warning and fact.link == 0 else Severity.NOTICE


@check("credentials-mismatch")
def credentials_mismatch(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """What the Content Credentials state (capture time, device, position) disagrees with the file's metadata, or they were stripped."""
    c = record.credentials
    if c is None:
        return
    if not c.present:
        if c.traces:
            yield _f(
                "credentials-mismatch", Severity.NOTICE, record,
                f"The metadata still refers to Content Credentials ({'; '.join(c.traces)}) but the file carries no manifest "
                "store: it was removed, by a platform, an app or a person, or the file was re-encoded after signing.",
                traces=list(c.traces),
            )  # fmt: skip
        return
    yield from _time(record, c)
    yield from _device(record, c)
    yield from _position(record, c)


def _manifest_capture(m: Manifest) -> tuple[dt.datetime, str] | None:
    value = m.exif.get("exif:DateTimeOriginal") or m.exif.get("exif:DateTimeDigitized")
    when = _exif_time(value, m.exif.get("exif:OffsetTimeOriginal")) if value else None
    if when is not None:
        return when, "the EXIF assertion"
    for a in m.actions:
        if a.action == "c2pa.created" and a.when is not None:
            return a.when, "the c2pa.created action"
    return None


def _time(record: ImageRecord, c: Credentials) -> Iterator[Finding]:
    meta = record.metadata
    taken = meta.datetime_original or meta.datetime_digitized
    if taken is None:
        return
    offset = _offset(meta.offset_time_original or meta.offset_time)
    fact = _first(c, _manifest_capture)
    if fact is not None and isinstance(fact.value, dt.datetime):
        gap = _gap(fact.value, taken, offset)
        if gap > TIME_SLACK:
            yield _f(
                "credentials-mismatch", _severity(fact, gap > TIME_NOTICE), record,
                f"The Content Credentials record the capture at {fact.value.isoformat(sep=' ')} ({_where(c, fact)}); the file's "
                f"EXIF says {taken.isoformat(sep=' ')}{f' (UTC{meta.offset_time_original or meta.offset_time})' if offset else ' (no UTC offset)'}: "
                f"{_span(gap)} apart{'' if offset or fact.value.tzinfo is None else ' even in the closest time zone'}.",
                manifest_time=fact.value.isoformat(), file_time=taken.isoformat(), gap_seconds=round(gap.total_seconds()),
                source=_where(c, fact),
            )  # fmt: skip
    signed = c.signer.time if c.signer is not None else None
    if signed is not None:
        # a picture cannot be taken after the time stamp of the signature that covers it
        later = _later(taken, offset, signed)
        if later > TIME_SLACK:
            yield _f(
                "credentials-mismatch", Severity.WARNING, record,
                f"The file's EXIF capture time ({taken.isoformat(sep=' ')}) is {_span(later)} after the time stamp of its signature "
                f"({signed.isoformat(sep=' ')}): the EXIF time was changed, or the camera clock was wrong.",
                file_time=taken.isoformat(), signed=signed.isoformat(), gap_seconds=round(later.total_seconds()),
            )  # fmt: skip


def _manifest_device(m: Manifest) -> tuple[tuple[str | None, str | None], str] | None:
    make = m.exif.get("tiff:Make") or m.exif.get("exif:Make")
    model = m.exif.get("tiff:Model") or m.exif.get("exif:Model")
    return ((make, model), "the EXIF assertion") if make or model else None


def _device(record: ImageRecord, c: Credentials) -> Iterator[Finding]:
    fact = _first(c, _manifest_device)
    if fact is None or not isinstance(fact.value, tuple):
        return
    make, model = fact.value
    meta = record.metadata
    differ = [(name, said, has) for name, said, has in (("make", make, meta.make), ("model", model, meta.model))
              if said and has and not _same(said, has)]  # fmt: skip
    missing = [name for name, said, has in (("make", make, meta.make), ("model", model, meta.model)) if said and not has]
    if differ:
        text = "; ".join(f"{name} {said!r} in the manifest, {has!r} in the file" for name, said, has in differ)
        yield _f(
            "credentials-mismatch", _severity(fact, True), record,
            f"The Content Credentials name another device than the file's EXIF ({text}; {_where(c, fact)}).",
            manifest={"make": make, "model": model}, file={"make": meta.make, "model": meta.model}, source=_where(c, fact),
        )  # fmt: skip
    elif missing and not (meta.make or meta.model):
        yield _f(
            "credentials-mismatch", Severity.NOTICE, record,
            f"The Content Credentials name the device ({' '.join(v for v in (make, model) if v)}; {_where(c, fact)}) "
            "but the file's EXIF names none: its metadata was removed after the manifest was made.",
            manifest={"make": make, "model": model}, source=_where(c, fact),
        )  # fmt: skip


def _manifest_position(m: Manifest) -> tuple[tuple[float, float], str] | None:
    lat, lon = _coordinate(m.exif.get("exif:GPSLatitude")), _coordinate(m.exif.get("exif:GPSLongitude"))
    return ((lat, lon), "the EXIF assertion") if lat is not None and lon is not None else None


def _position(record: ImageRecord, c: Credentials) -> Iterator[Finding]:
    fact = _first(c, _manifest_position)
    if fact is None or not isinstance(fact.value, tuple):
        return
    lat, lon = fact.value
    gps = record.metadata.gps
    if gps is None or gps.lat is None or gps.lon is None:
        yield _f(
            "credentials-mismatch", Severity.NOTICE, record,
            f"The Content Credentials record a position ({lat:.5f}, {lon:.5f}; {_where(c, fact)}) that the file's EXIF does not have: "
            "its GPS tags were removed after the manifest was made.",
            manifest={"lat": lat, "lon": lon}, source=_where(c, fact),
        )  # fmt: skip
        return
    km = distance_km(lat, lon, gps.lat, gps.lon)
    if km > GPS_SLACK_KM:
        yield _f(
            "credentials-mismatch", _severity(fact, km > GPS_NOTICE_KM), record,
            f"The Content Credentials record a position ({lat:.5f}, {lon:.5f}; {_where(c, fact)}) {km:.1f} km from the file's "
            f"GPS position ({gps.lat:.5f}, {gps.lon:.5f}).",
            manifest={"lat": lat, "lon": lon}, file={"lat": gps.lat, "lon": gps.lon}, km=round(km, 3), source=_where(c, fact),
        )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Values as manifests write them


def _same(a: str, b: str) -> bool:
    x, y = " ".join(a.lower().split()), " ".join(b.lower().split())
    return x == y or x in y or y in x


def _offset(text: str | None) -> dt.timedelta | None:
    m = re.fullmatch(r"\s*([+-])(\d{1,2}):?(\d{2})\s*", text or "")
    if not m:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return sign * dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))


def _exif_time(value: str, offset: str | None = None) -> dt.datetime | None:
    """An EXIF or XMP date as manifests write it: ``2024-05-01T10:00:00Z`` or ``2024:05:01 10:00:00``."""
    text = value.strip()
    m = re.fullmatch(r"(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?", text)
    if not m:
        return None
    try:
        y, mo, d, h, mi = (int(g) for g in m.groups()[:5])
        when = dt.datetime(y, mo, d, h, mi, int(m.group(6) or 0))
    except ValueError:
        return None
    zone = m.group(7)
    delta = dt.timedelta(0) if zone == "Z" else _offset(zone) if zone else _offset(offset)
    return when.replace(tzinfo=dt.timezone(delta)) if delta is not None else when


def _gap(stated: dt.datetime, taken: dt.datetime, offset: dt.timedelta | None) -> dt.timedelta:
    """How far a manifest's time is from the file's, in the closest time zone when the file gives none."""
    if stated.tzinfo is None:
        return abs(stated - taken)
    if offset is not None:
        return abs(stated - taken.replace(tzinfo=dt.timezone(offset)))
    utc = stated.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return min(abs(taken - zone - utc) for zone in ZONES)


def _later(taken: dt.datetime, offset: dt.timedelta | None, signed: dt.datetime) -> dt.timedelta:
    """How much later than ``signed`` the capture is, at least (zero when it may be earlier)."""
    utc = signed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    earliest = taken - (offset if offset is not None else ZONES[-1])  # without an offset, the zone furthest east
    return max(earliest - utc, dt.timedelta(0))


def _span(gap: dt.timedelta) -> str:
    seconds = gap.total_seconds()
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _coordinate(value: str | None) -> float | None:
    """An XMP GPS coordinate (``39,21.102N``, ``39,21,6.1N``) or a decimal number as degrees."""
    if not value:
        return None
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        pass
    m = re.fullmatch(r"(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?\s*([NSEWnsew])", text)
    if not m:
        return None
    degrees = float(m.group(1)) + float(m.group(2)) / 60 + float(m.group(3) or 0) / 3600
    return -degrees if m.group(4).upper() in "SW" else degrees
