"""Measure the quantisation tables of camera and phone originals, and write them as data.

Reads every JPEG of the real corpora (``../shared/corpora``: camera-jpegs,
exif-samples) whose ExifTool reading beside it names a make or model, with the
toolkit's own reader, and groups them by quantisation tables and sampling
factors. Writes ``forensics/knowledge/cameras_measured.py``: per entry the
makes and models seen, the number of files, the tables themselves (natural
order, so a test can rebuild a JPEG with Pillow's ``qtables=``) and the source
(the corpus files, the date and the reader's version). The corpus files stay
where they are; only the derived tables go into the repository.

Skipped, and counted: files whose Software or XMP CreatorTool names an editor
or a desktop program that may re-save (the tables would be the program's),
files whose pixel size differs from the EXIF image size or is thumbnail-sized
(resized, so re-encoded), files whose segments are a program's (an ICC profile
before the Exif block, a Photoshop resource block), and ExifTool's own test
images (8x8 pixels re-encoded by Photoshop under the camera's metadata).

    python benchmarks/camera_tables.py [--write] [--leave-one-out]

``--leave-one-out`` measures the make-mismatch false alarms honestly: each file
is matched against the table measured without it, and the files whose tables
would then be "measured only for another make" are counted.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forensics.knowledge.editors import editor_name
from forensics.knowledge.encoders import maker, tables_key
from forensics.read.files import read_file
from forensics.version import __version__

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
FOLDERS = ("camera-jpegs", "exif-samples")
OUT = Path(__file__).resolve().parents[1] / "forensics" / "knowledge" / "cameras_measured.py"
# vendor desktop software that may re-save a file under the camera's metadata (not in the editors table:
# it names programs, these are maker tools and viewers seen in the corpora's Software values)
DESKTOP = re.compile(
    r"camedia master|olympus master|nikon transfer|finepix viewer|bridge|photopro|uploader|gallery|common_dll|viewer", re.I
)
# phones, by make or by model: the makes below make only phones among the files seen; Samsung, Sony,
# Sanyo and Kyocera made cameras too, so their phones are told by model (Samsung SM-/GT-/SCH-/SGH-)
PHONE_MAKES = {"Apple", "HTC", "Nokia", "Motorola", "LG", "Sony Ericsson", "Huawei", "Xiaomi", "Google", "OnePlus", "BlackBerry"}
PHONE_MODEL = re.compile(r"^(?:SM-|GT-|SCH-|SGH-|SPH-|SHV-|SC-\d)|iPhone|Pixel|Nexus|Galaxy|Xperia", re.I)


def is_phone(make: str, model: str) -> bool:
    return make in PHONE_MAKES or bool(PHONE_MODEL.search(model))


def genuine(entry: dict[str, object], width: int | None, height: int | None, segments: tuple[str, ...]) -> str | None:
    """Why a file is not a camera original (None: it is taken as one)."""
    if "APP1:Exif" in segments and "APP2:ICC_PROFILE" in segments[: segments.index("APP1:Exif")]:
        # Exif (CIPA DC-008) goes right after SOI; firmware may put JFIF first, software puts the ICC profile
        # first (Apple's ImageIO writes JFIF, ICC, Exif: two files resized on a Mac, an iPhone's and an HTC's)
        return "segments: an ICC profile before the Exif block"
    if "APP13:Photoshop 3.0" in segments:
        return "segments: a Photoshop resource block"
    if width and height and max(width, height) < 320:
        return "thumbnail-sized: re-encoded from a larger picture"
    for key in ("EXIF:Software", "XMP:CreatorTool", "IFD0:ProcessingSoftware", "EXIF:ProcessingSoftware"):
        value = str(entry.get(key) or "")
        if value and (editor_name(value) or DESKTOP.search(value)):
            return f"{key.split(':')[1]} {value[:30]!r}"
    ew, eh = entry.get("EXIF:ExifImageWidth"), entry.get("EXIF:ExifImageHeight")
    if isinstance(ew, int) and isinstance(eh, int) and width and height and {ew, eh} != {width, height}:
        return f"{width}x{height} px, EXIF says {ew}x{eh}: resized"
    return None


def read_corpus() -> tuple[list[dict[str, object]], collections.Counter[str]]:
    """One row per camera original: folder, name, make, model, phone, digest, key, sampling, tables, standard, quality."""
    rows: list[dict[str, object]] = []
    skipped: collections.Counter[str] = collections.Counter()
    for folder in FOLDERS:
        oracle = CORPORA / f"{folder}.exiftool.json"
        if not oracle.is_file():
            continue
        for entry in json.loads(oracle.read_text()):
            src = str(entry["SourceFile"])
            make_raw, model = str(entry.get("EXIF:Make") or "").strip(), str(entry.get("EXIF:Model") or "").strip()
            if not src.lower().endswith((".jpg", ".jpeg")) or not (make_raw or model):
                continue
            record = read_file(CORPORA / folder / src, hashes=False)
            jpeg, sig = record.metadata.jpeg, record.signature
            if record.error or jpeg is None or sig is None or not jpeg.quant_tables:
                skipped["unreadable or no tables"] += 1
                continue
            why = genuine(entry, record.width, record.height, sig.app_segments)
            if why is not None:
                skipped["resized" if "px" in why else why.split(":")[0].split(" ")[0]] += 1
                continue
            make = maker(make_raw) or maker(model) or "unknown"
            if not re.search(r"[A-Za-z]", make):
                skipped["make without a name"] += 1  # a test file's "456"
                continue
            phone = is_phone(make, model)
            # "Canon PowerShot S40" under Make "Canon": the model alone, else the make before it
            if not model.lower().startswith((make.lower(), make_raw.lower().split(" ")[0])):
                model = f"{make} {model}".strip()
            rows.append({
                "folder": folder, "name": src, "make": make, "model": model, "phone": phone,
                "digest": sig.digest, "key": tables_key(jpeg.quant_tables), "sampling": sig.sampling or "",
                "tables": jpeg.quant_tables, "standard": bool(jpeg.standard_tables), "quality": jpeg.quality,
            })  # fmt: skip
    return rows, skipped


def group(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """One entry per (tables, sampling), most files first."""
    by: dict[tuple[str, str], list[dict[str, object]]] = {}
    for r in rows:
        by.setdefault((str(r["key"]), str(r["sampling"])), []).append(r)
    today = datetime.date.today().isoformat()
    entries = []
    for (key, sampling), members in by.items():
        files: dict[str, list[str]] = {}
        for m in members:
            files.setdefault(str(m["folder"]), []).append(Path(str(m["name"])).name)
        where = "; ".join(f"{f}/{', '.join(sorted(n))}" for f, n in files.items())
        entries.append({
            "key": key, "digests": tuple(sorted({str(m["digest"]) for m in members})), "sampling": sampling,
            "makes": tuple(sorted({str(m["make"]) for m in members})),
            "models": tuple(sorted({str(m["model"]) for m in members})),
            "phone": any(bool(m["phone"]) for m in members), "files": len(members),
            "standard": bool(members[0]["standard"]), "quality": members[0]["quality"], "tables": members[0]["tables"],
            "source": f"measured here on corpus files: {where} ({today}, forensics {__version__} reader, benchmarks/camera_tables.py)",
        })  # fmt: skip
    entries.sort(key=lambda e: (-int(e["files"]), str(e["makes"]), str(e["key"])))  # type: ignore[call-overload]
    return entries


def write(entries: list[dict[str, object]]) -> None:
    lines = [
        '"""Quantisation tables of camera and phone originals measured on the real corpora;',
        "written by ``python benchmarks/camera_tables.py --write``, do not edit.",
        "",
        "Each entry: the tables' key (:func:`forensics.knowledge.encoders.tables_key`), the DQT digests",
        "seen, the sampling factors, the makes and models, whether any is a phone, the number of files,",
        "whether the tables are the IJG standard ones at some quality, that quality, the tables in natural",
        'order, and the source."""',
        "",
        "# fmt: off",  # one line a table: 64 numbers a line keep the file readable
        "CAMERAS: tuple[dict[str, object], ...] = (",
    ]
    for e in entries:
        lines.append("    {")
        for k, v in e.items():
            if k == "tables":
                lines.append(f"        {json.dumps(k)}: (")
                lines.extend(f"            {t!r}," for t in v)  # type: ignore[attr-defined]
                lines.append("        ),")
            else:
                lines.append(f"        {json.dumps(k)}: {json.dumps(v) if isinstance(v, str) else repr(v)},")
        lines.append("    },")
    lines.append(")")
    lines.append("# fmt: on")
    OUT.write_text("\n".join(lines) + "\n")


def leave_one_out(rows: list[dict[str, object]]) -> tuple[int, int, list[str]]:
    """(files with own tables, would-be mismatch notices, their names) when each file is left out of the table."""
    own = [r for r in rows if not r["standard"]]
    fired = []
    for r in own:
        others = {str(o["make"]) for o in own if o is not r and (o["key"], o["sampling"]) == (r["key"], r["sampling"])}
        if others and r["make"] not in others:
            fired.append(f"{r['folder']}/{r['name']} ({r['make']}; tables seen for {', '.join(sorted(others))})")
    return len(own), len(fired), fired


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="write forensics/knowledge/cameras_measured.py")
    ap.add_argument("--leave-one-out", action="store_true", help="count make-mismatch notices with each file left out")
    args = ap.parse_args()
    if not CORPORA.is_dir():
        sys.exit(f"no corpora at {CORPORA}")
    rows, skipped = read_corpus()
    entries = group(rows)
    own = [e for e in entries if not e["standard"]]
    makes = {m for e in own for m in e["makes"]}  # type: ignore[attr-defined]
    shared = [e for e in own if len(e["makes"]) > 1]  # type: ignore[arg-type]
    print(f"{len(rows)} camera originals read ({sum(bool(r['phone']) for r in rows)} phones); skipped: {dict(skipped)}")
    print(f"{len(entries)} distinct (tables, sampling): {len(own)} a camera's own ({len(makes)} makes, "
          f"{sum(bool(e['phone']) for e in own)} with phones, {len(shared)} shared by several makes), "
          f"{len(entries) - len(own)} the IJG standard tables")  # fmt: skip
    for e in entries:
        print(f"  {e['files']:3} {'std' if e['standard'] else 'own'} q{e['quality']!s:>5} {e['sampling']:8} "
              f"{'phone ' if e['phone'] else ''}{', '.join(e['makes'])}: {', '.join(e['models'])[:90]}")  # type: ignore[arg-type]  # fmt: skip
    if args.leave_one_out:
        n, k, fired = leave_one_out(rows)
        print(
            f"leave-one-out: {k} of {n} originals with their camera's own tables ({k / max(n, 1):.1%}) would draw the make-mismatch notice"
        )
        for f in fired:
            print(f"   {f}")
    if args.write:
        write(entries)
        print(f"wrote {len(entries)} entries to {OUT}")


if __name__ == "__main__":
    main()
