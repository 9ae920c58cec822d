"""Calibrate metadata extraction and per-image checks on real camera files.

Compares what ``forensics`` reads from every file of the exif-samples corpus
with ExifTool's reading of the same files (``exif-samples.exiftool.json``,
made with ``exiftool -json -n -G -a -r``), field by field, and lists which
checks fire on the files that look untouched, so that severities rest on
evidence::

    python benchmarks/calibrate.py [--corpora ../shared/corpora] [--verbose] [--json]

The corpus is not part of the repository; see ``docs/calibration.md``.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
FIELDS = ("make", "model", "capture_time", "gps", "orientation", "software", "thumbnail", "dimensions")

_EDITORS = ("photoshop", "gimp", "lightroom", "picasa", "paint", "acdsee", "irfanview", "xnview", "imagemagick")


def _norm_text(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).replace("\x00", "").strip()
    return s or None


def _exiftool_time(v: Any) -> str | None:
    s = _norm_text(v)
    if not s or s.startswith("0000") or s.strip(": 0") == "":
        return None
    return s[:19]


def _ours_time(t: dt.datetime | None) -> str | None:
    return t.strftime("%Y:%m:%d %H:%M:%S") if t else None


def expected(entry: dict[str, Any]) -> dict[str, Any]:
    """ExifTool's values for the compared fields (None where it has none)."""
    lat, lon = entry.get("Composite:GPSLatitude"), entry.get("Composite:GPSLongitude")
    w = entry.get("File:ImageWidth", entry.get("EXIF:ImageWidth"))
    h = entry.get("File:ImageHeight", entry.get("EXIF:ImageHeight"))
    return {
        "make": _norm_text(entry.get("EXIF:Make")),
        "model": _norm_text(entry.get("EXIF:Model")),
        "capture_time": _exiftool_time(entry.get("EXIF:DateTimeOriginal")),
        "gps": (round(float(lat), 5), round(float(lon), 5)) if lat is not None and lon is not None else None,
        "orientation": entry.get("EXIF:Orientation") if entry.get("EXIF:Orientation") in range(1, 9) else None,
        "software": _norm_text(entry.get("EXIF:Software")),
        # ExifTool lists ThumbnailLength even when it is 0 (no thumbnail at all)
        "thumbnail": "EXIF:ThumbnailImage" in entry or bool(entry.get("EXIF:ThumbnailLength")),
        "dimensions": (int(w), int(h)) if w and h else None,
    }


def ours(record: Any) -> dict[str, Any]:
    """Our values for the same fields, from an :class:`~forensics.ImageRecord`."""
    m = record.metadata
    gps = m.gps
    return {
        "make": m.make,
        "model": m.model,
        "capture_time": _ours_time(m.datetime_original),
        "gps": (round(gps.lat, 5), round(gps.lon, 5)) if gps and gps.lat is not None and gps.lon is not None else None,
        "orientation": m.orientation,
        "software": m.software,
        "thumbnail": m.thumbnail.present,
        "dimensions": (record.width, record.height) if record.width else None,
    }


def _agree(field: str, a: Any, b: Any) -> bool:
    if field == "gps" and a and b:
        return abs(a[0] - b[0]) < 2e-5 and abs(a[1] - b[1]) < 2e-5
    if field == "orientation" and a in (None, 1) and b in (None, 1):
        return True  # "1" and "absent" both mean "as stored"
    if field == "software" and a is not None and b is not None:
        try:  # ExifTool's -n turns a Software of "1.00" into the number 1.0
            return float(a) == float(b)
        except ValueError:
            pass
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return a == b


def is_camera_file(entry: dict[str, Any], relpath: str) -> bool:
    """A file that names a camera, outside the deliberately damaged folder."""
    return "invalid" not in relpath.split("/") and bool(entry.get("EXIF:Make"))


def looks_untouched(entry: dict[str, Any], relpath: str) -> bool:
    """A camera original by ExifTool's reading (not ours).

    A camera make; no editor in Software, CreatorTool or the XMP history;
    ModifyDate within two minutes of DateTimeOriginal; EXIF pixel dimensions
    equal to the stored picture's; not in the deliberately damaged folder.
    """
    if not is_camera_file(entry, relpath):
        return False
    tools = " ".join(
        str(entry.get(k, "")) for k in ("EXIF:Software", "XMP:CreatorTool", "XMP:HistorySoftwareAgent")
    ).lower()
    if any(e in tools for e in _EDITORS):
        return False
    mod, orig = _exiftool_time(entry.get("EXIF:ModifyDate")), _exiftool_time(entry.get("EXIF:DateTimeOriginal"))
    if mod and orig:
        try:
            fmt = "%Y:%m:%d %H:%M:%S"
            if abs(dt.datetime.strptime(mod, fmt) - dt.datetime.strptime(orig, fmt)) > dt.timedelta(minutes=2):
                return False
        except ValueError:
            return False
    ew, eh = entry.get("EXIF:ExifImageWidth"), entry.get("EXIF:ExifImageHeight")
    fw, fh = entry.get("File:ImageWidth"), entry.get("File:ImageHeight")
    if ew and eh and fw and fh and {ew, eh} != {fw, fh}:
        return False
    return True


def calibrate(corpora: Path, *, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Compare our reading with ExifTool's and gather the checks fired on untouched files."""
    import forensics
    from forensics.checks import CheckContext, run_checks

    root = corpora / "exif-samples"
    oracle = {e["SourceFile"]: e for e in json.loads((corpora / "exif-samples.exiftool.json").read_text())}
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    records = [forensics.read_file(root / f) for f in files]
    now = dt.datetime.now(dt.timezone.utc)
    records, _ = run_checks(records, CheckContext(now=now))

    agreement: dict[str, list[int]] = {f: [0, 0] for f in FIELDS}
    disagreements: list[dict[str, Any]] = []
    fired: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    fired_camera: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    untouched = camera = 0
    flagged: list[dict[str, Any]] = []  # notices and warnings on files that look untouched
    unreadable = []
    for rel, record in zip(files, records):
        if record.error:
            unreadable.append({"file": rel, "reason": record.error})
        entry = oracle.get(rel)
        if entry is None or record.error:
            continue
        exp, got = expected(entry), ours(record)
        for f in FIELDS:
            agreement[f][1] += 1
            if _agree(f, exp[f], got[f]):
                agreement[f][0] += 1
            else:
                disagreements.append({"file": rel, "field": f, "exiftool": exp[f], "ours": got[f]})
        if is_camera_file(entry, rel):
            camera += 1
            for finding in record.findings:
                fired_camera[finding.check][finding.severity.value] += 1
        if looks_untouched(entry, rel):
            untouched += 1
            for finding in record.findings:
                fired[finding.check][finding.severity.value] += 1
                if finding.severity.value != "info":
                    flagged.append({"file": rel, "check": finding.check, "severity": finding.severity.value,
                                    "message": finding.message})  # fmt: skip
        if progress:
            progress(rel)
    total = sum(a for a, _ in agreement.values()), sum(n for _, n in agreement.values())
    return {
        "files": len(files),
        "compared": agreement["make"][1],
        "unreadable": unreadable,
        "agreement": {f: {"agree": a, "of": n, "rate": round(a / n, 4) if n else None} for f, (a, n) in agreement.items()},
        "overall": round(total[0] / total[1], 4) if total[1] else None,
        "disagreements": disagreements,
        "camera_files": camera,
        "fired_on_camera": {c: dict(v) for c, v in sorted(fired_camera.items())},
        "untouched_files": untouched,
        "fired_on_untouched": {c: dict(v) for c, v in sorted(fired.items())},
        "flagged_untouched": flagged,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", type=Path, default=Path(os.environ.get("FORENSICS_CORPORA", DEFAULT_CORPORA)))
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every disagreement")
    args = ap.parse_args(argv)
    if not (args.corpora / "exif-samples").is_dir():
        print(f"corpus not found under {args.corpora}", file=sys.stderr)
        return 2
    result = calibrate(args.corpora)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
        return 0
    print(f"{result['files']} files, {result['compared']} compared with ExifTool, {len(result['unreadable'])} unreadable")
    for u in result["unreadable"]:
        print(f"  unreadable: {u['file']}: {u['reason']}")
    print("\nfield          agree / of   rate")
    for f, a in result["agreement"].items():
        print(f"{f:<14} {a['agree']:>5} / {a['of']:<4} {a['rate']:.1%}")
    print(f"{'overall':<14} {'':>12} {result['overall']:.1%}")
    if result["disagreements"]:
        print(f"\n{len(result['disagreements'])} disagreement(s)" + ("" if args.verbose else " (first 20; --verbose for all)"))
        for d in result["disagreements"] if args.verbose else result["disagreements"][:20]:
            print("  " + json.dumps(d, default=str, ensure_ascii=False))
    for key, label in (("camera", "files naming a camera"), ("untouched", "files that look untouched")):
        print(f"\nchecks firing on the {result[key + '_files']} {label} (findings by severity):")
        for c, counts in result["fired_on_" + key].items():
            print(f"  {c:<20} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print("\nnotices and warnings on the files that look untouched:")
    for f in result["flagged_untouched"]:
        print(f"  {f['severity']:<8} {f['check']:<20} {f['file']}: {f['message']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
