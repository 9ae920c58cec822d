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

The corpora hold few PNG, WebP and HEIF files with metadata, so ``--derive
DIR`` first writes the metadata of their camera JPEGs into those containers
the way real tools do — ImageMagick (PNG ``eXIf``, WebP ``EXIF``), exiv2, the
library GIMP saves metadata with (PNG ``Raw profile type exif`` zTXt and
``XML:com.adobe.xmp`` iTXt), ExifTool (TIFF IFDs and tag 700) and
pillow-heif (HEIF items) — then has ExifTool read every file it wrote, and
measures that set too (the tools that are missing are skipped)::

    python benchmarks/metadata_agreement.py --derive /tmp/derived
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
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
    maker_serials = {s for k in ("MakerNotes:SerialNumber", "MakerNotes:InternalSerialNumber") if (s := _text(entry.get(k)))}
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


def measure(corpora: Path, *, derived: Path | None = None) -> dict[str, Any]:
    """Compare our reading of every corpus file with ExifTool's, per format.

    With ``derived`` (a folder :func:`derive` wrote), its files are measured
    too, each format labelled with the tool that wrote it.
    """
    from forensics import read_metadata

    sets = [(corpora / c, corpora / f"{c}.exiftool.json", False) for c in CORPORA]
    if derived is not None:
        sets.append((derived, derived.with_name(derived.name + ".exiftool.json"), True))
    per_format: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    fields: dict[str, collections.Counter[str]] = {f: collections.Counter() for f in ALL_FIELDS}
    disagreements: list[dict[str, Any]] = []
    for root, oracle_file, by_tool in sets:
        if not oracle_file.is_file():
            continue
        corpus = root.name
        for entry in json.loads(oracle_file.read_text()):
            rel = entry["SourceFile"]
            record = read_metadata(root / rel, all_tags=True)
            read = record.kind == "image" and record.error is None
            fmt = _format_of(entry, record)
            if by_tool:
                fmt = f"{fmt} by {rel.split('/', 1)[0]}"
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
    pictures = sum(c["read"] for c in per_format.values())
    return {
        "files": files,
        "read_as_pictures": pictures,
        "key_agreement_all": _rate(sum(c["agree"] for c in per_format.values()), files),
        "key_agreement_read": _rate(sum(c["agree_read"] for c in per_format.values()), pictures),
        "per_format": {fmt: dict(c) for fmt, c in sorted(per_format.items(), key=lambda kv: -kv[1]["files"])},
        "per_field": {f: _rate(c["agree"], c["agree"] + c["differ"]) for f, c in fields.items()},
        "disagreements": disagreements,
    }


def _rate(agree: int, of: int) -> dict[str, Any]:
    return {"agree": agree, "of": of, "rate": round(agree / of, 4) if of else None}


# --- a derived set: the corpus JPEGs' metadata written into other containers by real tools -----

SIDE = 160  # the derived pictures are small: only their metadata is measured


def _tool(name: str, probe: str) -> str | None:
    """The path of a command-line tool whose ``-version``-style output names it (stand-ins do not)."""
    for path in (shutil.which(name), f"/usr/bin/{name}"):
        if path and os.path.exists(path):
            try:
                out = subprocess.run([path, probe], capture_output=True, text=True, timeout=30).stdout
            except (OSError, subprocess.SubprocessError):
                continue
            if {"convert": "Version: ImageMagick", "exiv2": "exiv2 ", "exiftool": "."}[name] in out:
                return path
    return None


def _sources(corpora: Path) -> list[Path]:
    """The camera JPEGs of the corpora (by ExifTool's reading), outside the deliberately damaged folder."""
    out = []
    for corpus in CORPORA:
        oracle_file = corpora / f"{corpus}.exiftool.json"
        if oracle_file.is_file():
            for e in json.loads(oracle_file.read_text()):
                if e.get("File:FileType") == "JPEG" and e.get("EXIF:Make") and "invalid" not in e["SourceFile"].split("/"):
                    out.append(corpora / corpus / e["SourceFile"])
    return out


def _plain(src: Path, dst: Path, fmt: str) -> Any:
    """A small copy of the picture without any metadata; the source's EXIF and XMP as Pillow read them."""
    from PIL import Image

    with Image.open(src) as im:
        exif, xmp = im.info.get("exif"), im.info.get("xmp")
        im.draft("RGB", (SIDE, SIDE))
        small = im.convert("RGB")
        small.thumbnail((SIDE, SIDE))
    if fmt:
        small.save(dst, fmt)
    return small, exif, xmp


def _derive_one(src: Path, stem: str, out: Path, tools: dict[str, str | None]) -> list[str]:
    """Every derived file of one source picture; returns the ones written."""
    written = []

    def run(*cmd: str | Path) -> bool:
        try:
            return subprocess.run([str(c) for c in cmd], capture_output=True, timeout=120).returncode == 0
        except (OSError, subprocess.SubprocessError):
            return False

    if tools["convert"]:
        for ext in ("png", "webp"):
            dst = out / "imagemagick" / f"{stem}.{ext}"
            if run(tools["convert"], "-define", f"jpeg:size={2 * SIDE}x{2 * SIDE}", src, "-resize", f"{SIDE}x{SIDE}>", dst):
                written.append(str(dst))
    if tools["exiv2"]:
        dst = out / "exiv2" / f"{stem}.png"
        _plain(src, dst, "PNG")
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(src, Path(tmp) / f"{stem}.jpg")
            # exiv2 extracts to <name>.exv and inserts from the .exv named like the target
            if run(tools["exiv2"], "-f", "ex", Path(tmp) / f"{stem}.jpg"):
                shutil.move(Path(tmp) / f"{stem}.exv", dst.with_suffix(".exv"))
                if run(tools["exiv2"], "in", dst):
                    written.append(str(dst))
                dst.with_suffix(".exv").unlink(missing_ok=True)
    if tools["exiftool"]:
        dst = out / "exiftool" / f"{stem}.tif"
        _plain(src, dst, "TIFF")
        if run(tools["exiftool"], "-q", "-q", "-m", "-overwrite_original", "-tagsfromfile", src, "-all:all", dst):
            written.append(str(dst))
    try:
        import pillow_heif

        if pillow_heif.libheif_info().get("HEIF"):
            small, exif, xmp = _plain(src, out, "")
            dst = out / "pillow-heif" / f"{stem}.heic"
            buf = io.BytesIO()
            pillow_heif.from_pillow(small).save(buf, exif=exif, xmp=xmp, quality=50)
            dst.write_bytes(buf.getvalue())
            written.append(str(dst))
    except Exception:  # noqa: BLE001 - a source pillow-heif cannot take is left out of the set
        pass
    return written


def derive(corpora: Path, out: Path, *, workers: int = 4) -> dict[str, Any]:
    """Write the derived set into ``out`` and ExifTool's reading of it beside, as ``<out>.exiftool.json``."""
    tools = {name: _tool(name, probe) for name, probe in (("convert", "-version"), ("exiv2", "--version"), ("exiftool", "-ver"))}
    if not tools["exiftool"]:
        raise SystemExit("ExifTool is needed to read the derived set (apt-get install libimage-exiftool-perl)")
    for sub in ("imagemagick", "exiv2", "exiftool", "pillow-heif"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    sources = _sources(corpora)
    stems = ["-".join(s.relative_to(corpora).with_suffix("").parts).replace(" ", "_") for s in sources]
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        written = sum(len(w) for w in pool.map(lambda a: _derive_one(a[0], a[1], out, tools), zip(sources, stems)))
    done = subprocess.run(
        [tools["exiftool"], "-json", "-n", "-G", "-a", "-r", "-q", "-q", "."], cwd=out, capture_output=True, text=True, check=False
    )
    entries = json.loads(done.stdout or "[]")
    for e in entries:
        e["SourceFile"] = e["SourceFile"].removeprefix("./")
    out.with_name(out.name + ".exiftool.json").write_text(json.dumps(entries, indent=1))
    return {"sources": len(sources), "written": written, "tools": tools}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", type=Path, default=Path(os.environ.get("FORENSICS_CORPORA", DEFAULT_CORPORA)))
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--verbose", "-v", action="store_true", help="list the disagreements outside the key fields too")
    ap.add_argument("--derive", type=Path, metavar="DIR", help="write the derived set into DIR first, and measure it too")
    ap.add_argument("--derived", type=Path, metavar="DIR", help="measure a derived set written before, too")
    args = ap.parse_args(argv)
    if not any((args.corpora / f"{c}.exiftool.json").is_file() for c in CORPORA):
        print(f"no corpus with an ExifTool reading under {args.corpora}", file=sys.stderr)
        return 2
    started = dt.datetime.now()
    derived = args.derive or args.derived
    if args.derive:
        made = derive(args.corpora, args.derive)
        print(f"derived set: {made['written']} files from {made['sources']} camera JPEGs; tools: {made['tools']}", file=sys.stderr)
    result = measure(args.corpora, derived=derived)
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
