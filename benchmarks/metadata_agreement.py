"""Agreement of the key metadata fields with ExifTool, per file format.

Reads every file of the calibration corpora that ExifTool read (``exif-samples``,
``camera-jpegs``, ``exiftool-t-images``, each with ``<corpus>.exiftool.json``
made by ``exiftool -json -n -G -a -r``) and compares the key fields — make,
model, capture time, GPS, software, orientation, serials — with ExifTool's
EXIF group. A file agrees when every key field agrees. Whether EXIF and XMP
were found at all is counted beside them, because that is what a container
reader gets right or wrong before any field is parsed::

    python benchmarks/metadata_agreement.py [--corpora ../shared/corpora] [--verbose] [--json]

Files the toolkit does not read as pictures (RAW formats it does not know,
video, documents) are counted separately from those it reads, and every
disagreement is listed with what each side read.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
CORPORA = ("exif-samples", "camera-jpegs", "exiftool-t-images")
KEY_FIELDS = ("make", "model", "capture_time", "gps", "software", "orientation", "serial", "lens_serial")
PRESENCE_FIELDS = ("exif", "xmp")
# read by the maker-note tables of the EXIF parser, not by the container readers; reported, not keyed
EXTRA_FIELDS = ("makernote_serial",)
ALL_FIELDS = KEY_FIELDS + PRESENCE_FIELDS + EXTRA_FIELDS


def _text(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).replace("\x00", "").strip()
    return s or None


def _time(v: Any) -> str | None:
    s = _text(v)
    if not s or s.startswith("0000") or s.strip(": 0") == "":
        return None
    return s[:19]


def _coordinate(v: Any) -> float | None:
    try:
        return round(float(v), 5)
    except (TypeError, ValueError):
        return None  # ExifTool writes "" for a GPS tag it could not read


def expected(entry: dict[str, Any]) -> dict[str, Any]:
    """ExifTool's values for the compared fields (None where it has none)."""
    lat, lon = _coordinate(entry.get("Composite:GPSLatitude")), _coordinate(entry.get("Composite:GPSLongitude"))
    orientation = entry.get("EXIF:Orientation")
    maker_serials = {_text(entry.get(k)) for k in ("MakerNotes:SerialNumber", "MakerNotes:InternalSerialNumber")} - {None}
    return {
        "make": _text(entry.get("EXIF:Make")),
        "model": _text(entry.get("EXIF:Model")),
        "capture_time": _time(entry.get("EXIF:DateTimeOriginal")),
        "gps": (lat, lon) if lat is not None and lon is not None else None,
        "software": _text(entry.get("EXIF:Software")),
        "orientation": orientation if orientation in range(1, 9) else None,
        "serial": _text(entry.get("EXIF:SerialNumber", entry.get("EXIF:CameraSerialNumber"))),
        "lens_serial": _text(entry.get("EXIF:LensSerialNumber")),
        "exif": any(k.startswith("EXIF:") for k in entry),
        "xmp": any(k.startswith("XMP:") and k != "XMP:XMPToolkit" for k in entry),
        "makernote_serial": sorted(maker_serials)[0] if maker_serials else None,
    }


def ours(record: Any) -> dict[str, Any]:
    """Our values for the same fields, from a record read with ``all_tags=True``."""
    m = record.metadata
    gps = m.gps
    raw = m.raw or {}
    return {
        "make": m.make,
        "model": m.model,
        "capture_time": m.datetime_original.strftime("%Y:%m:%d %H:%M:%S") if m.datetime_original else None,
        "gps": (round(gps.lat, 5), round(gps.lon, 5)) if gps and gps.lat is not None and gps.lon is not None else None,
        "software": m.software,
        "orientation": m.orientation,
        "serial": m.serial,
        "lens_serial": m.lens_serial,
        "exif": any(k.startswith(("Image ", "EXIF ", "GPS ", "Thumbnail ", "Interoperability ")) for k in raw),
        "xmp": m.xmp is not None,
        "makernote_serial": sorted(m.makernote_serials.values()),
    }


def agree(field: str, theirs: Any, mine: Any) -> bool:
    """Whether two readings of a field say the same, under ExifTool's ``-n`` conventions."""
    if field == "gps" and theirs and mine:
        return abs(theirs[0] - mine[0]) < 2e-5 and abs(theirs[1] - mine[1]) < 2e-5
    if field == "orientation":
        return (theirs or 1) == (mine or 1)  # 1 and "absent" both mean "as stored"
    if field == "makernote_serial":
        return theirs is None or any(_same_text(theirs, v) for v in mine)
    if isinstance(theirs, str) and isinstance(mine, str):
        return _same_text(theirs, mine)
    return bool(theirs == mine)


def _same_text(theirs: str, mine: str) -> bool:
    if theirs.strip() == mine.strip():
        return True
    try:  # -n turns a Software of "1.00" or a serial of "012345678" into a number
        return float(theirs) == float(mine)
    except ValueError:
        return False


def _format_of(entry: dict[str, Any], record: Any) -> str:
    name = str(entry.get("File:FileType") or record.format or "unknown")
    return "WEBP" if name == "Extended WEBP" else name


def measure(corpora: Path) -> dict[str, Any]:
    """Compare our reading of every corpus file with ExifTool's, per format."""
    from forensics import read_metadata

    per_format: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    fields: dict[str, collections.Counter[str]] = {f: collections.Counter() for f in ALL_FIELDS}
    disagreements: list[dict[str, Any]] = []
    for corpus in CORPORA:
        oracle_file = corpora / f"{corpus}.exiftool.json"
        if not oracle_file.is_file():
            continue
        for entry in json.loads(oracle_file.read_text()):
            rel = entry["SourceFile"]
            record = read_metadata(corpora / corpus / rel, all_tags=True)
            read = record.kind == "image" and record.error is None
            fmt = _format_of(entry, record)
            exp, got = expected(entry), ours(record)
            wrong = [f for f in KEY_FIELDS if not agree(f, exp[f], got[f])]
            missed = [f for f in PRESENCE_FIELDS + EXTRA_FIELDS if not agree(f, exp[f], got[f])]
            for f in ALL_FIELDS:
                fields[f]["agree" if f not in wrong + missed else "differ"] += 1
            counts = per_format[fmt]
            counts["files"] += 1
            counts["read"] += read
            counts["agree"] += not wrong
            counts["agree_read"] += read and not wrong
            for f in PRESENCE_FIELDS:
                counts[f"{f}_expected"] += bool(exp[f])
                counts[f"{f}_found"] += bool(exp[f]) and bool(got[f])
            if wrong or missed:
                disagreements.append({
                    "file": f"{corpus}/{rel}", "format": fmt, "read": read,
                    "reason": record.error or (None if read else f"read as {record.kind}"),
                    "key": {f: {"exiftool": exp[f], "ours": got[f]} for f in wrong},
                    "other": {f: {"exiftool": exp[f], "ours": got[f]} for f in missed},
                })  # fmt: skip
    files = sum(c["files"] for c in per_format.values())
    read = sum(c["read"] for c in per_format.values())
    return {
        "files": files,
        "read_as_pictures": read,
        "key_agreement_all": _rate(sum(c["agree"] for c in per_format.values()), files),
        "key_agreement_read": _rate(sum(c["agree_read"] for c in per_format.values()), read),
        "per_format": {fmt: dict(c) for fmt, c in sorted(per_format.items(), key=lambda kv: -kv[1]["files"])},
        "per_field": {f: _rate(c["agree"], c["agree"] + c["differ"]) for f, c in fields.items()},
        "disagreements": disagreements,
    }


def _rate(agree: int, of: int) -> dict[str, Any]:
    return {"agree": agree, "of": of, "rate": round(agree / of, 4) if of else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", type=Path, default=Path(os.environ.get("FORENSICS_CORPORA", DEFAULT_CORPORA)))
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--verbose", "-v", action="store_true", help="list the disagreements outside the key fields too")
    args = ap.parse_args(argv)
    if not any((args.corpora / f"{c}.exiftool.json").is_file() for c in CORPORA):
        print(f"no corpus with an ExifTool reading under {args.corpora}", file=sys.stderr)
        return 2
    started = dt.datetime.now()
    result = measure(args.corpora)
    if args.json:
        print(json.dumps(result, indent=2, default=str, ensure_ascii=False))
        return 0
    a, r = result["key_agreement_all"], result["key_agreement_read"]
    print(f"{result['files']} files, {result['read_as_pictures']} read as pictures "
          f"({(dt.datetime.now() - started).total_seconds():.0f} s)")  # fmt: skip
    print(f"key fields agree on {a['agree']}/{a['of']} files ({a['rate']:.1%}); "
          f"on {r['agree']}/{r['of']} of the files read as pictures ({r['rate']:.1%})\n")  # fmt: skip
    print(f"{'format':<16}{'files':>6}{'read':>6}{'agree':>7}  {'EXIF found':>11}  {'XMP found':>10}")
    for fmt, c in result["per_format"].items():
        exif = f"{c['exif_found']}/{c['exif_expected']}" if c["exif_expected"] else "-"
        xmp = f"{c['xmp_found']}/{c['xmp_expected']}" if c["xmp_expected"] else "-"
        print(f"{fmt:<16}{c['files']:>6}{c['read']:>6}{c['agree']:>7}  {exif:>11}  {xmp:>10}")
    print("\nfield              agree / of")
    for f, v in result["per_field"].items():
        note = "  (not a key field)" if f not in KEY_FIELDS else ""
        print(f"{f:<18} {v['agree']:>5} / {v['of']}{note}")
    shown = [d for d in result["disagreements"] if d["key"] or args.verbose]
    print(f"\n{len(shown)} file(s) disagreeing" + ("" if args.verbose else " on a key field (--verbose for all)"))
    for d in shown:
        why = f" [{d['reason']}]" if d["reason"] else ""
        diff = {**d["key"], **(d["other"] if args.verbose else {})}
        print(f"  {d['file']} ({d['format']}){why}: " + json.dumps(diff, default=str, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
