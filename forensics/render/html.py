"""Self-contained HTML report: one file, every picture embedded, no request leaves it.

The page carries a Content-Security-Policy that forbids loading anything
(``default-src 'none'``; pictures only as ``data:`` URIs; no scripts at all), so
even a mistake in escaping could neither run a script nor tell a server which
file or place is under investigation. Links to outside maps are plain links the
reader may choose to follow. Every string that came from a file (names, EXIF,
XMP, IPTC) goes through Jinja's autoescaping.

The only work done here beyond layout is the report imagery (thumbnails, EXIF
thumbnails, error level pictures), made by :mod:`forensics.pixels.preview`.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from forensics.pixels.preview import DEFAULT_SIDE, Previews, previews
from forensics.read.decode import limits
from forensics.read.pool import map_isolated
from forensics.records.atomic import atomic_text
from forensics.records.findings import Finding, Severity
from forensics.records.record import ImageRecord, jsonable
from forensics.records.text import describe_span, file_name, printable_path
from forensics.render.credentials import credentials_view
from forensics.render.document import document_view
from forensics.render.encoding import encoding_view
from forensics.render.regions import overlay
from forensics.render.svg import Point, colour, has_outlines, map_svg, timeline_svg
from forensics.report import Report
from forensics.sets.facts import SetFacts
from forensics.version import __version__

# Above this many files, cards start collapsed (those with a warning stay open).
COLLAPSE_ABOVE = 60
# Side-by-side comparisons shown (each embeds its pictures again); the rest stay listed as findings.
MAX_COMPARISONS = 100

# How a finding bears on a hypothesis (forensics.case.Verdict values).
_VERDICTS = ("consistent", "inconsistent", "silent")


def write_html(report: Report, path: str | os.PathLike[str], **options: Any) -> None:
    """Write :func:`render_html` of ``report`` to ``path`` (UTF-8)."""
    text = render_html(report, **options)
    # A name that is not valid UTF-8 keeps its bytes visible as \xNN rather than failing the write.
    with atomic_text(path, encoding="utf-8", errors="backslashreplace", newline="\n") as f:  # whole, or the old file stays
        f.write(text)


def render_html(
    report: Report,
    *,
    max_side: int = DEFAULT_SIDE,
    ela: bool = True,
    workers: int | None = None,
    collapse_above: int = COLLAPSE_ABOVE,
) -> str:
    """The report as one self-contained HTML page.

    Parameters
    ----------
    report : Report
        A finished scan.
    max_side : int
        Longest side of every embedded picture, in pixels.
    ela : bool
        Embed an error level picture for each JPEG (computed now, at display size).
    workers : int, optional
        Processes that make the pictures; default: the scan's ``workers``, else every core.
    collapse_above : int
        With more files than this, cards start collapsed, except those with a warning.

    Returns
    -------
    str
        The HTML document.
    """
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("forensics.render", "templates"),
        autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip
    env.filters["name"] = file_name
    env.filters["safe_url"] = safe_url
    return env.get_template("report.html.j2").render(
        **_view(report, max_side=max_side, ela=ela, workers=workers, collapse_above=collapse_above)
    )


def safe_url(url: object) -> str | None:
    """``url`` if it is a plain http(s) address a reader may follow, else None."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _data_uri(jpeg: bytes | None) -> str | None:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii") if jpeg else None


# --------------------------------------------------------------------------- imagery


def _jobs(report: Report, *, max_side: int, ela: bool) -> list[tuple[Any, dict[str, Any]]]:
    mismatch = {p for f in report.findings if f.check == "thumbnail-mismatch" for p in f.paths}
    jobs: list[tuple[Any, dict[str, Any]]] = []
    for r in report.images:
        if r.error and r.kind != "video":
            continue  # refused or undecodable: nothing to show, and maybe a bomb
        jobs.append((r.path, {
            "orientation": r.metadata.orientation, "max_side": max_side, "ela": ela,
            "exif_thumbnail": r.path in mismatch and r.metadata.thumbnail.present, "video": r.kind == "video",
        }))  # fmt: skip
    known: set[str | tuple[str, float | None]] = {r.path for r in report.images}
    for m in report.matches:
        key = _reference_key(getattr(m, "reference", None))
        if key and key not in known and os.path.isfile(key[0]):
            known.add(key)
            jobs.append((key, {"max_side": max_side, "ela": False, "video": key[1] is not None, "at": key[1]}))
    return jobs


def _reference_key(ref: Any) -> tuple[str, float | None] | None:
    """Where a reference's picture is: (file, None), or (video, seconds) for a video frame."""
    if isinstance(ref, dict):
        path, video, at = ref.get("path"), ref.get("video"), ref.get("timestamp")
    else:
        path, video, at = getattr(ref, "path", None), getattr(ref, "video", None), getattr(ref, "timestamp", None)
    if isinstance(video, str) and isinstance(at, (int, float)):
        return video, float(at)
    return (path, None) if isinstance(path, str) else None


def _one(job: tuple[Any, dict[str, Any]]) -> Previews:
    key, kwargs = job
    return previews(key[0] if isinstance(key, tuple) else key, **kwargs)


def _crashed(job: tuple[Any, dict[str, Any]]) -> Previews:
    return Previews(problem="the picture could not be made: decoding it crashed the process")


def _timed_out(seconds: float | None) -> Previews:
    return Previews(problem=f"the picture could not be made: decoding it ran past {seconds or 0:g} s, the time limit per file")


def _imagery(report: Report, *, max_side: int, ela: bool, workers: int | None) -> dict[Any, Previews]:
    jobs = _jobs(report, max_side=max_side, ela=ela)
    seconds = limits().time_limit
    results = map_isolated(_one, jobs, on_crash=_crashed, on_timeout=lambda job: _timed_out(seconds), workers=workers, most=16)
    return {path: res for (path, _), res in zip(jobs, results, strict=True)}


# --------------------------------------------------------------------------- view model


def _view(report: Report, *, max_side: int, ela: bool, workers: int | None, collapse_above: int) -> dict[str, Any]:
    workers = workers or report.parameters.workers
    pictures = _imagery(report, max_side=max_side, ela=ela, workers=workers)
    anchors = {r.path: f"f{i}" for i, r in enumerate(report.images, 1)}
    records = {r.path: r for r in report.images}
    devices = _devices(report)
    groups = list(devices)
    points = [_point(r, anchors[r.path], report.facts) for r in report.images]
    set_findings = [(f"s{i}", f) for i, f in enumerate(report.set_findings, 1)]
    finding_anchor = [anchors.get(f.paths[0]) if f.paths else None for r in report.images for f in r.findings]
    finding_anchor += [anchor for anchor, _ in set_findings]
    by_path: dict[str, list[tuple[str, Finding]]] = {}
    for anchor, f in set_findings:
        for p in f.paths:
            by_path.setdefault(p, []).append((anchor, f))

    def pic(path: Any) -> dict[str, Any]:
        pv = pictures.get(path, Previews())
        return {"src": _data_uri(pv.picture), "size": pv.size, "problem": pv.problem}

    cards = []
    for r in report.images:
        pv = pictures.get(r.path, Previews())
        worst = max((f.severity for f in r.findings + tuple(f for _, f in by_path.get(r.path, ()))), default=None, key=lambda s: s.rank)
        cards.append({
            "anchor": anchors[r.path], "path": printable_path(r.path), "name": file_name(r.path), "record": r,
            "picture": _data_uri(pv.picture), "size": pv.size, "problem": pv.problem,
            "exif_thumbnail": _data_uri(pv.exif_thumbnail), "ela": _data_uri(pv.ela),
            "rows": _rows(r), "findings": [_finding(f, anchors) for f in r.findings],
            "set_findings": [_finding(f, anchors, anchor) for anchor, f in by_path.get(r.path, ())],
            "worst": worst.value if worst else None,
            "open": len(report.images) <= collapse_above or worst is Severity.WARNING,
            "osm": _osm(r), "credentials": credentials_view(r), "encoding": encoding_view(r), "document": document_view(r), "regions": overlay(r.pixels),
        })  # fmt: skip

    pairs = []
    for _, f in set_findings:
        if f.check == "near-duplicate" and len(f.paths) >= 2:
            pairs.append({
                "finding": _finding(f, anchors),
                "sides": [{"name": file_name(p), "anchor": anchors.get(p), **pic(p)} for p in f.paths[:4]],
            })  # fmt: skip

    matches = _group_matches([_match(m, records, anchors, pic) for m in report.matches])
    shown_pairs, shown_matches = pairs[:MAX_COMPARISONS], matches[: max(0, MAX_COMPARISONS - len(pairs))]
    hidden = len(pairs) + len(matches) - len(shown_pairs) - len(shown_matches)
    full = report.to_dict()
    summary = full["summary"]
    times = [p.time for p in points if p.time]
    set_summary = report.facts.to_dict()
    return {
        "title": f"forensics report: {len(report.images)} file(s)",
        "tool": {"name": "forensics", "version": __version__},
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "summary": summary,
        "severities": [s.value for s in (Severity.WARNING, Severity.NOTICE, Severity.INFO)],
        "by_check": _by_check(report.findings),
        "devices": devices,
        "time_range": (min(times).isoformat(sep=" "), max(times).isoformat(sep=" ")) if times else None,
        "set": _set_summary(set_summary, anchors),
        "legend": [(g, colour(i)) for i, g in enumerate(groups)],
        "hypotheses": _hypotheses(report, anchors, finding_anchor),
        "cards": cards,
        "set_findings": [_finding(f, anchors, anchor) for anchor, f in sorted(set_findings, key=lambda af: -af[1].severity.rank)],
        "pairs": shown_pairs,
        "matches": shown_matches,
        "hidden_comparisons": hidden,
        "timeline": timeline_svg(points, groups) if times else "",
        "map": map_svg(points, groups),
        "map_outlines": has_outlines(),
        "gps_count": sum(1 for p in points if p.lat is not None and p.lon is not None),
        "custody": [
            {"anchor": anchors[r.path], "path": printable_path(r.path), "size": r.size, "sha256": r.sha256, "format": r.format}
            for r in report.images
        ],
        "parameters": report.parameters.to_dict(),
        "skipped": report.skipped.to_dict(),
        "options": {"max_side": max_side, "ela": ela},
        "sensor": _sensor(report, anchors),
    }


def _devices(report: Report) -> dict[str, int]:
    """Pictures per device group of the set (largest first), then those that name no device."""
    out = {g.label: len(g.paths) for g in report.facts.devices.groups}
    unnamed = len(report.images) - sum(out.values())
    return {**out, "": unnamed} if unnamed else out


def _wall(t: dt.datetime | None) -> dt.datetime | None:
    # The clock time as written in the file; offsets are shown beside it, not applied.
    return t.replace(tzinfo=None) if t is not None else None


def _point(r: ImageRecord, anchor: str, facts: SetFacts) -> Point:
    m = r.metadata
    t = _wall(m.capture_time)
    gps = m.gps
    label = file_name(r.path)
    group = facts.device_of(r.path)
    device = group.label if group is not None else ""
    if t:
        label += f" · {t.isoformat(sep=' ')}"
    if gps and gps.lat is not None and gps.lon is not None:
        label += f" · {gps.lat:.5f}, {gps.lon:.5f}"
        return Point(label, anchor, gps.lat, gps.lon, t, device)
    return Point(label, anchor, time=t, group=device)


def _osm(r: ImageRecord) -> str | None:
    gps = r.metadata.gps
    if not gps or gps.lat is None or gps.lon is None:
        return None
    return f"https://www.openstreetmap.org/?mlat={gps.lat:.6f}&mlon={gps.lon:.6f}#map=15/{gps.lat:.6f}/{gps.lon:.6f}"


def _rows(r: ImageRecord) -> list[tuple[str, Any]]:
    m = r.metadata
    rows: list[tuple[str, Any]] = [
        ("type", " ".join(x for x in (r.format, r.mime and f"({r.mime})") if x) or r.kind),
        ("pixels", f"{r.width} × {r.height}" if r.width else None),
        ("size", f"{r.size:,} bytes" if r.size is not None else None),
        ("device", m.device),
        ("serial", m.serial or ", ".join(f"{k}: {v}" for k, v in m.makernote_serials.items()) or None),
        ("lens", " ".join(x for x in (m.lens_make, m.lens_model) if x) or None),
        ("firmware", m.firmware),
        ("software", m.software),
        ("captured", _time(m.datetime_original or m.datetime_digitized, m.offset_time_original)),
        ("modified", _time(m.datetime, m.offset_time)),
    ]
    if m.gps and m.gps.lat is not None and m.gps.lon is not None:
        alt = f", {m.gps.alt:.0f} m" if m.gps.alt is not None else ""
        rows.append(("GPS", f"{m.gps.lat:.6f}, {m.gps.lon:.6f}{alt}"))
        if m.gps.utc:
            rows.append(("GPS time (UTC)", m.gps.utc.isoformat(sep=" ")))
    rows += [
        ("artist", m.artist), ("copyright", m.copyright), ("description", m.description), ("comment", m.user_comment),
    ]  # fmt: skip
    if m.xmp:
        rows.append(("XMP creator tool", m.xmp.creator_tool))
        if m.xmp.history:
            steps = [" ".join(v for k, v in h.items() if k in ("action", "softwareAgent", "when") and v) for h in m.xmp.history]
            rows.append(("XMP history", "; ".join(s for s in steps if s) or f"{len(m.xmp.history)} step(s)"))
    for key, value in (m.iptc or {}).items():
        rows.append((f"IPTC {key}", ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value))
    if m.jpeg:
        q = f"quality ≈ {m.jpeg.quality:.0f}" if m.jpeg.quality is not None else None
        parts = [q, m.jpeg.subsampling, "progressive" if m.jpeg.progressive else None,
                 "standard tables" if m.jpeg.standard_tables else ("own tables" if m.jpeg.standard_tables is False else None)]  # fmt: skip
        rows.append(("JPEG", ", ".join(p for p in parts if p) or None))
    rows.append(("ICC profile", m.icc_description))
    t = m.thumbnail
    if t.present:
        rows.append(("EXIF thumbnail", f"{t.width} × {t.height}, {t.size:,} bytes" if t.width else f"{t.size:,} bytes"))
    if r.video:
        v = r.video
        parts = [f"{v.duration:.2f} s" if v.duration else None, f"{v.fps:g} fps" if v.fps else None, v.codec]
        rows.append(("video", ", ".join(p for p in parts if p) or None))
    rows.append(("SHA-256", r.sha256))
    return [(k, v) for k, v in rows if v not in (None, "")]


def _time(t: dt.datetime | None, offset: str | None) -> str | None:
    if t is None:
        return None
    text = _wall(t).isoformat(sep=" ")  # type: ignore[union-attr]
    off = offset or (t.strftime("%z") if t.tzinfo else "")
    return f"{text} {off}".strip()


def _leaves(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_leaves(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_leaves(v) for v in value)
    return 1


def _finding(f: Finding, anchors: dict[str, str], anchor: str | None = None) -> dict[str, Any]:
    return {
        "anchor": anchor, "evidence_size": _leaves(f.evidence),
        "check": f.check, "severity": f.severity.value, "message": f.message, "evidence": jsonable(f.evidence),
        "files": [{"name": file_name(p), "anchor": anchors.get(p)} for p in f.paths],
    }  # fmt: skip


def _by_check(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    c: Counter[tuple[str, str]] = Counter((f.check, f.severity.value) for f in findings)
    rank = {s.value: s.rank for s in Severity}
    return [{"check": k, "severity": s, "count": n} for (k, s), n in sorted(c.items(), key=lambda kv: (-rank[kv[0][1]], kv[0][0]))]


def _match(m: Any, records: dict[str, ImageRecord], anchors: dict[str, str], pic: Any) -> dict[str, Any]:
    d = jsonable(m) if not isinstance(m, dict) else m
    path = d.get("path") or ""
    ref = d.get("reference") or {}
    rec = records.get(path)
    query = pic(path)
    box = None
    region = d.get("region")
    shown = rec.display_size if rec else None
    if region and shown and len(region) == 4 and all(isinstance(v, (int, float)) for v in region):
        x, y, w, h = region
        W, H = shown
        if W and H:
            box = {"left": 100 * x / W, "top": 100 * y / H, "width": 100 * w / W, "height": 100 * h / H}
    ref_path = ref.get("path")
    key = _reference_key(ref)
    ref_pic = pic(key) if key else {"src": None, "size": None, "problem": None}
    ref_rows = [(k, ref.get(k)) for k in ("source", "published", "label", "sha256", "video", "timestamp") if ref.get(k) not in (None, "")]
    return {
        "name": file_name(path), "anchor": anchors.get(path), "query": query, "box": box,
        "reference": ref, "ref_name": file_name(ref_path) if isinstance(ref_path, str) else "reference",
        "ref_picture": ref_pic, "ref_rows": ref_rows, "url": ref.get("url"),
        "ref_caption": f"reference: {file_name(key[0])}" + (f" at {key[1]:g} s" if key and key[1] is not None else "") if key else "reference",
        "distances": d.get("distances") or {}, "transform": d.get("transform"), "confidence": d.get("confidence"),
        "method": d.get("method"), "region": region, "details": d.get("details") or {},
        "group": (path, str(ref.get("video") or ref_path)), "timestamp": ref.get("timestamp"), "more": [],
    }  # fmt: skip


def _group_matches(matches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One comparison per query and reference file: the most confident frame, the other frames listed under it."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for m in matches:
        groups.setdefault(m["group"], []).append(m)
    out = []
    for same in groups.values():
        best = max(same, key=lambda m: m["confidence"] if isinstance(m["confidence"], (int, float)) else -1)
        best["more"] = [m for m in same if m is not best]
        out.append(best)
    return out


def _counted(items: Any, *keys: str) -> list[str]:
    """``["Syria (SY): 3", …]`` from a list of dicts, for whichever of ``keys`` are present."""
    out = []
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict):
            text = " ".join(str(item[k]) if i == 0 else f"({item[k]})" for i, k in enumerate(keys) if item.get(k) not in (None, ""))
            count = item.get("count")
            out.append(f"{text}: {count}" if count is not None else text)
        else:
            out.append(str(item))
    return out


def _duration(seconds: Any) -> str:
    return describe_span(seconds, decimals=1) if isinstance(seconds, (int, float)) else str(seconds)


def _set_summary(extras: dict[str, Any], anchors: dict[str, str]) -> dict[str, Any]:
    """The set summary (``SetFacts.to_dict()``) in readable pieces; unknown keys pass through as they are."""
    known = {"devices", "unknown_device", "ambiguous_device", "time", "located", "countries", "places", "time_zones"}
    found = extras.get("time")
    time: dict[str, Any] = found if isinstance(found, dict) else {}
    gaps = []
    for g in time.get("gaps") or ():
        if isinstance(g, dict):
            gaps.append({
                "after": {"name": file_name(str(g.get("after", ""))), "anchor": anchors.get(str(g.get("after", "")))},
                "before": {"name": file_name(str(g.get("before", ""))), "anchor": anchors.get(str(g.get("before", "")))},
                "from": g.get("from"), "to": g.get("to"), "length": _duration(g.get("seconds")),
            })  # fmt: skip

    def linked(key: str) -> list[dict[str, Any]]:
        paths = extras.get(key)
        return [{"name": file_name(p), "anchor": anchors.get(p)} for p in paths if isinstance(p, str)] if isinstance(paths, list) else []

    return {
        "devices": _counted(extras.get("devices"), "device"),
        "unknown_device": linked("unknown_device"),
        "ambiguous_device": linked("ambiguous_device"),
        "first": time.get("first"),
        "last": time.get("last"),
        "span": _duration(time["span_seconds"]) if time.get("span_seconds") is not None else None,
        "untimed": time.get("untimed"),
        "from_file_names": time.get("from_file_names"),
        "gaps": gaps,
        "countries": _counted(extras.get("countries"), "name", "code"),
        "places": _counted(extras.get("places"), "place", "country_code"),
        "time_zones": _counted(extras.get("time_zones"), "zone"),
        "other": {k: v for k, v in sorted(extras.items()) if k not in known and v not in (None, [], {}, "")},
    }


# --------------------------------------------------------------------------- hypotheses


def _by_check_refs(refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Finding references merged per check id: one link, the files of all of them, a count."""
    out: dict[str, dict[str, Any]] = {}
    for r in refs:
        merged = out.setdefault(r["check"], {**r, "files": [], "count": 0})
        merged["count"] += 1
        for f in r["files"]:
            if f not in merged["files"]:
                merged["files"].append(f)
    return list(out.values())


def _hypotheses(report: Report, anchors: dict[str, str], finding_anchor: list[str | None]) -> dict[str, Any] | None:
    """The case's assessments (``forensics.case.Assessment.to_dict()``) laid out for reading.

    Two matrices: criteria × hypotheses (what each expects, what the files show,
    the verdict), and findings × hypotheses (consistent / inconsistent / silent).
    Keys this renderer does not know are shown as they are.
    """
    if not report.hypotheses:
        return None

    def ref(i: Any) -> dict[str, Any] | None:
        if not isinstance(i, int) or not 0 <= i < len(report.findings):
            return None
        f = report.findings[i]
        return {"check": f.check, "severity": f.severity.value, "message": f.message, "anchor": finding_anchor[i],
                "files": [{"name": file_name(p), "anchor": anchors.get(p)} for p in f.paths]}  # fmt: skip

    columns: list[dict[str, Any]] = []
    criteria: dict[str, dict[str, Any]] = {}
    verdicts: dict[int, dict[str, str]] = {}
    for n, assessment in enumerate(report.hypotheses):
        h = assessment.to_dict()
        hid = str(h.get("id") or f"H{n + 1}")
        extra = {k: v for k, v in h.items() if k not in ("id", "statement", "rows", "tally", *_VERDICTS) and v not in (None, "", [], {})}
        tally = h.get("tally") if isinstance(h.get("tally"), dict) else {}
        columns.append({"id": hid, "statement": str(h.get("statement") or ""), "tally": tally, "extra": extra})
        for row in h.get("rows") or ():
            if not isinstance(row, dict):
                continue
            name = str(row.get("criterion") or "")
            paths = [p for p in row.get("paths") or () if isinstance(p, str)]
            criteria.setdefault(name, {})[hid] = {
                "verdict": str(row.get("verdict") or ""), "expectation": row.get("expectation"),
                "observation": row.get("observation"),
                "files": [{"name": file_name(p), "anchor": anchors.get(p)} for p in paths],
                "findings": _by_check_refs([r for i in row.get("findings") or () if (r := ref(i))]),
                "caveats": _by_check_refs([r for i in row.get("caveats") or () if (r := ref(i))]),
            }  # fmt: skip
        for verdict in _VERDICTS:
            for i in h.get(verdict) or ():
                if isinstance(i, int):
                    verdicts.setdefault(i, {})[hid] = verdict
    bearing = [i for i in sorted(verdicts) if any(v != "silent" for v in verdicts[i].values()) and ref(i)]
    return {
        "columns": columns,
        "criteria": [{"criterion": k, "cells": v} for k, v in criteria.items()],
        "findings": [{**ref(i), "cells": verdicts[i]} for i in bearing],  # type: ignore[dict-item]
        "silent_only": len(verdicts) - len(bearing),
    }


# Pairwise score matrices larger than this are left to the JSON report (the page stays small).
SENSOR_MATRIX_LIMIT = 30


def _sensor(report: Report, anchors: dict[str, str]) -> dict[str, Any] | None:
    """The sensor groups and each frame's pairwise scores, when the scan took residuals."""
    found = report.facts.sensor
    if found is None:
        return None

    def ref(path: str) -> dict[str, Any]:
        return {"name": file_name(path), "anchor": anchors.get(path)}

    group_of = {p: k for k, g in enumerate(found.groups, 1) for p in g.paths}
    return {
        "threshold": found.threshold,
        "groups": [{"frame": g.frame, "pair_low": g.pair_low, "pair_median": g.pair_median, "outside": g.outside,
                    "members": [{**ref(m.path), "score": m.score, "chance": "below 1e-9" if m.false_match < 1e-9 else f"{m.false_match:.1g}"}
                                for m in g.members]}
                   for g in found.groups],
        "alone": [ref(p) for p in found.alone],
        "not_compared": [{**ref(p), "reason": r} for p, r in found.not_compared],
        "frames": [{"frame": f.frame, "paths": [{**ref(p), "group": group_of.get(p)} for p in f.paths], "scores": f.scores}
                   for f in found.frames if len(f.paths) <= SENSOR_MATRIX_LIMIT],
    }  # fmt: skip
