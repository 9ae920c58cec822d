"""Calibrate metadata extraction and per-image checks on real camera files.

Compares what ``forensics`` reads from every file of the real-file corpora
(``exif-samples``, ``camera-jpegs``, ``exiftool-t-images``) with ExifTool's
reading of the same files (``<corpus>.exiftool.json``, made with
``exiftool -json -n -G -a -r``), field by field, and lists which checks fire
on the files that look untouched, so that severities rest on evidence::

    python benchmarks/calibrate.py [--corpora ../shared/corpora] [--corpus NAME ...] [--verbose] [--json]

The corpora are not part of the repository; see ``docs/calibration.md``.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
CORPORA = ("exif-samples", "camera-jpegs", "exiftool-t-images")
FIELDS = ("make", "model", "capture_time", "gps", "orientation", "software", "serials", "thumbnail", "dimensions")
KEY_FIELDS = ("make", "model", "capture_time", "gps", "software", "serials")
SEVERITIES = ("info", "notice", "warning")

_EDITORS = ("photoshop", "gimp", "lightroom", "picasa", "paint", "acdsee", "irfanview", "xnview", "imagemagick")
# ExifTool's names (with -G) for a camera body's serial number; XMP copies are not compared
_EXIF_SERIALS = ("EXIF:SerialNumber", "EXIF:CameraSerialNumber")
_SIZE_GROUPS = ("File", "PNG", "GIF", "RIFF", "Photoshop", "EXIF")
_MAKERNOTE_SERIALS = ("SerialNumber", "InternalSerialNumber", "BodySerialNumber", "CameraSerialNumber")


def _norm_text(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).replace("\x00", "").strip()
    return s or None


def _norm_serial(v: Any) -> str | None:
    """A serial as both readers can agree on it: trimmed, without Nikon's "NO=" label, not all zeros."""
    s = _norm_text(v)
    if s and s.upper().startswith("NO="):
        s = s[3:].strip()
    return s if s and s.strip("0 ") else None


def _same_note_serials(want: dict[str, str], got: dict[str, str]) -> bool:
    """Maker-note serials alike; ExifTool's JSON drops the NULs of an ``undef`` value, so bytes after the
    NUL that ends a serial (Panasonic's "F350807010058\\0^\\0") join it: one such trailing mark is allowed."""
    if want.keys() != got.keys():
        return False
    return all(w == g or (w.startswith(g) and len(w) - len(g) == 1 and not w[-1].isalnum()) for w, g in
               ((want[k], got[k]) for k in want))  # fmt: skip


def _exiftool_time(v: Any) -> str | None:
    s = _norm_text(v)
    if not s or s.startswith("0000") or s.strip(": 0") == "":
        return None
    return s[:19]


def _ours_time(t: dt.datetime | None) -> str | None:
    return t.strftime("%Y:%m:%d %H:%M:%S") if t else None


def makernote_serials_expected(entry: dict[str, Any]) -> dict[str, str]:
    """ExifTool's body serials from the MakerNotes group, by name."""
    out = {}
    for name in _MAKERNOTE_SERIALS:
        s = _norm_serial(entry.get("MakerNotes:" + name))
        if s:
            out[name] = s
    return out


def _position(lat: Any, lon: Any) -> tuple[float, float] | None:
    try:  # ExifTool writes an empty string for a GPS field with no value
        return (round(float(lat), 5), round(float(lon), 5)) if lat is not None and lon is not None else None
    except ValueError:
        return None


def expected(entry: dict[str, Any]) -> dict[str, Any]:
    """ExifTool's values for the compared fields (None where it has none)."""
    lat, lon = entry.get("Composite:GPSLatitude"), entry.get("Composite:GPSLongitude")
    # the stored size: ExifTool files it under the container's group for PNG, GIF and WebP
    w = next((entry[g + ":ImageWidth"] for g in _SIZE_GROUPS if g + ":ImageWidth" in entry), None)
    h = next((entry[g + ":ImageHeight"] for g in _SIZE_GROUPS if g + ":ImageHeight" in entry), None)
    serials = {s for s in (_norm_serial(entry.get(k)) for k in _EXIF_SERIALS) if s}
    return {
        "make": _norm_text(entry.get("EXIF:Make")),
        "model": _norm_text(entry.get("EXIF:Model")),
        "capture_time": _exiftool_time(entry.get("EXIF:DateTimeOriginal")),
        "gps": _position(lat, lon),
        "orientation": entry.get("EXIF:Orientation") if entry.get("EXIF:Orientation") in range(1, 9) else None,
        "software": _norm_text(entry.get("EXIF:Software")),
        "serials": tuple(sorted(serials | set(makernote_serials_expected(entry).values()))) or None,
        # ExifTool lists ThumbnailLength even when it is 0 (no thumbnail at all)
        "thumbnail": "EXIF:ThumbnailImage" in entry or bool(entry.get("EXIF:ThumbnailLength")),
        "dimensions": (int(w), int(h)) if w and h else None,
    }


def ours(record: Any) -> dict[str, Any]:
    """Our values for the same fields, from an :class:`~forensics.ImageRecord`."""
    m = record.metadata
    gps = m.gps
    serials = {s for s in (_norm_serial(v) for v in (m.serial, *m.makernote_serials.values())) if s}
    return {
        "make": m.make,
        "model": m.model,
        "capture_time": _ours_time(m.datetime_original),
        "gps": (round(gps.lat, 5), round(gps.lon, 5)) if gps and gps.lat is not None and gps.lon is not None else None,
        "orientation": m.orientation,
        "software": m.software,
        "serials": tuple(sorted(serials)) or None,
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

    A camera make; an EXIF thumbnail; EXIF pixel dimensions present and equal
    to the stored picture's; no editor in Software, CreatorTool or the XMP
    history; ModifyDate within two minutes of DateTimeOriginal; not in the
    deliberately damaged folder.
    """
    if not is_camera_file(entry, relpath) or not expected(entry)["thumbnail"]:
        return False
    tools = " ".join(str(entry.get(k, "")) for k in ("EXIF:Software", "XMP:CreatorTool", "XMP:HistorySoftwareAgent")).lower()
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
    return bool(ew and eh and fw and fh) and {ew, eh} == {fw, fh}


def _counts(fired: dict[str, collections.Counter[str]]) -> dict[str, dict[str, int]]:
    return {c: dict(v) for c, v in sorted(fired.items())}


def calibrate(corpora: Path, *, corpus: str = "exif-samples", progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Compare our reading of one corpus with ExifTool's and gather the checks fired on untouched files."""
    import forensics
    from forensics.checks import CheckContext, run_checks

    root = corpora / corpus
    oracle = {e["SourceFile"]: e for e in json.loads((corpora / f"{corpus}.exiftool.json").read_text())}
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
    mn = {"exiftool": 0, "read_as_picture": 0, "ours": 0, "agree": 0}
    mn_missed: list[dict[str, Any]] = []
    for rel, record in zip(files, records):
        if record.error:
            unreadable.append({"file": rel, "reason": record.error})
        entry = oracle.get(rel)
        if entry is None:
            continue
        want_mn = makernote_serials_expected(entry)
        if want_mn:
            mn["exiftool"] += 1
            if record.kind == "image" and record.format:
                mn["read_as_picture"] += 1
                got_mn = {k: v for k, v in ((k, _norm_serial(v)) for k, v in record.metadata.makernote_serials.items()) if v}
                mn["ours"] += bool(got_mn)
                if _same_note_serials(want_mn, got_mn):
                    mn["agree"] += 1
                else:
                    mn_missed.append({"file": rel, "exiftool": want_mn, "ours": got_mn, "format": record.format})
        if record.error:
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
    return {
        "corpus": corpus,
        "files": len(files),
        "compared": agreement["make"][1],
        "unreadable": unreadable,
        "agreement": {f: {"agree": a, "of": n, "rate": round(a / n, 4) if n else None} for f, (a, n) in agreement.items()},
        "overall": _rate(agreement, FIELDS),
        "key_fields": _rate(agreement, KEY_FIELDS),
        "disagreements": disagreements,
        "makernote_serials": {**mn, "missed": mn_missed},
        "camera_files": camera,
        "fired_on_camera": _counts(fired_camera),
        "untouched_files": untouched,
        "fired_on_untouched": _counts(fired),
        "flagged_untouched": flagged,
    }


def _rate(agreement: dict[str, list[int]], fields: Sequence[str]) -> float | None:
    a, n = sum(agreement[f][0] for f in fields), sum(agreement[f][1] for f in fields)
    return round(a / n, 4) if n else None


def calibrate_all(corpora: Path, *, names: Sequence[str] = CORPORA) -> dict[str, Any]:
    """:func:`calibrate` for each corpus present, and the sums over all of them."""
    per = {name: calibrate(corpora, corpus=name) for name in names if (corpora / name).is_dir()}
    agreement = {f: [sum(r["agreement"][f]["agree"] for r in per.values()), sum(r["agreement"][f]["of"] for r in per.values())]
                 for f in FIELDS}  # fmt: skip
    fired: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for r in per.values():
        for check, counts in r["fired_on_untouched"].items():
            fired[check].update(counts)
    mn = {k: sum(r["makernote_serials"][k] for r in per.values()) for k in ("exiftool", "read_as_picture", "ours", "agree")}
    total = {
        "files": sum(r["files"] for r in per.values()),
        "compared": sum(r["compared"] for r in per.values()),
        "unreadable": sum(len(r["unreadable"]) for r in per.values()),
        "agreement": {f: {"agree": a, "of": n, "rate": round(a / n, 4) if n else None} for f, (a, n) in agreement.items()},
        "overall": _rate(agreement, FIELDS),
        "key_fields": _rate(agreement, KEY_FIELDS),
        "makernote_serials": mn,
        "untouched_files": sum(r["untouched_files"] for r in per.values()),
        "fired_on_untouched": _counts(fired),
    }
    return {"corpora": per, "total": total}


def _by_severity(fired: dict[str, dict[str, int]]) -> dict[str, int]:
    return {s: sum(c.get(s, 0) for c in fired.values()) for s in SEVERITIES}


def _print_fired(fired: dict[str, dict[str, int]], indent: str = "  ") -> None:
    if not fired:
        print(f"{indent}(none)")
    for c, counts in fired.items():
        print(f"{indent}{c:<22} " + ", ".join(f"{s} {counts[s]}" for s in SEVERITIES if counts.get(s)))
    by = _by_severity(fired)
    print(f"{indent}{'by severity':<22} " + ", ".join(f"{s} {by[s]}" for s in SEVERITIES))


def _print_corpus(result: dict[str, Any], *, verbose: bool) -> None:
    print(f"== {result['corpus']}: {result['files']} files, {result['compared']} compared with ExifTool, "
          f"{len(result['unreadable'])} not read as pictures")  # fmt: skip
    if verbose:
        for u in result["unreadable"]:
            print(f"  not read: {u['file']}: {u['reason']}")
    print("\nfield          agree / of   rate")
    for f, a in result["agreement"].items():
        print(f"{f:<14} {a['agree']:>5} / {a['of']:<4} {a['rate']:.1%}" + ("  (key)" if f in KEY_FIELDS else ""))
    print(f"{'key fields':<14} {'':>12} {result['key_fields']:.1%}")
    print(f"{'all fields':<14} {'':>12} {result['overall']:.1%}")
    mn = result["makernote_serials"]
    print(f"\nmaker-note body serials: ExifTool {mn['exiftool']} files ({mn['read_as_picture']} in formats read as "
          f"pictures), ours {mn['ours']}, agreeing {mn['agree']}")  # fmt: skip
    for m in mn["missed"]:
        print("  " + json.dumps(m, default=str, ensure_ascii=False))
    if result["disagreements"]:
        shown = result["disagreements"] if verbose else result["disagreements"][:20]
        print(f"\n{len(result['disagreements'])} disagreement(s)" + ("" if verbose else " (first 20; --verbose for all)"))
        for d in shown:
            print("  " + json.dumps(d, default=str, ensure_ascii=False))
    print(f"\nchecks firing on the {result['camera_files']} files naming a camera (findings by severity):")
    _print_fired(result["fired_on_camera"])
    print(f"\nchecks firing on the {result['untouched_files']} files that look untouched (findings by severity):")
    _print_fired(result["fired_on_untouched"])
    print("\nnotices and warnings on the files that look untouched:")
    for f in result["flagged_untouched"]:
        print(f"  {f['severity']:<8} {f['check']:<20} {f['file']}: {f['message']}")
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", type=Path, default=Path(os.environ.get("FORENSICS_CORPORA", DEFAULT_CORPORA)))
    ap.add_argument("--corpus", action="append", choices=CORPORA, help="only this corpus (repeatable; default: all)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every disagreement and unread file")
    args = ap.parse_args(argv)
    names = tuple(args.corpus or CORPORA)
    if not any((args.corpora / n).is_dir() for n in names):
        print(f"corpus not found under {args.corpora}", file=sys.stderr)
        return 2
    result = calibrate_all(args.corpora, names=names)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
        return 0
    for r in result["corpora"].values():
        _print_corpus(r, verbose=args.verbose)
    t = result["total"]
    print(f"== all corpora: {t['files']} files, {t['compared']} compared, {t['unreadable']} not read as pictures")
    for f, a in t["agreement"].items():
        print(f"{f:<14} {a['agree']:>5} / {a['of']:<4} {a['rate']:.1%}" + ("  (key)" if f in KEY_FIELDS else ""))
    print(f"{'key fields':<14} {'':>12} {t['key_fields']:.1%}")
    mn = t["makernote_serials"]
    print(f"maker-note body serials: ExifTool {mn['exiftool']} ({mn['read_as_picture']} read as pictures), "
          f"ours {mn['ours']}, agreeing {mn['agree']}")  # fmt: skip
    print(f"checks on the {t['untouched_files']} files that look untouched:")
    _print_fired(t["fired_on_untouched"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
