"""Encoding checks: which encoder wrote a JPEG, through which app or platform, how many times.

``encoder-signature`` combines the header signature (:mod:`forensics.read.signature`),
the resize to a platform's long side, the stripped metadata and the file-name
pattern into the chain of encoders the file is consistent with (camera → app →
platform). ``double-compressed`` reports what the DCT coefficients keep of an
earlier compression (:mod:`forensics.pixels.double`, only when the scan analysed
pixels). A file with its camera metadata is never attributed to a platform:
the platforms listed strip it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from forensics.checks.registry import CheckContext, check
from forensics.knowledge.editors import editor_name
from forensics.knowledge.encoders import PLATFORM_BY_NAME, camera_entry, camera_makers, maker, platforms_for_long_side
from forensics.knowledge.filenames import platform_name
from forensics.records.findings import Finding, Severity
from forensics.records.record import ImageRecord

# A double-compression score from which the finding is a notice (below, info). Of the 132 corpus
# camera JPEGs analysed as they are, two score 1.0 on a grid one pixel off (a Sanyo S1 phone, a Canon
# PowerShot S40) and one 0.57 on an aligned grid (a Fujifilm FinePix S1 Pro): from 0.6, 2 of 132
# (1.5%) are notices (docs/calibration.md).
DOUBLE_NOTICE = 0.6
# cells of the block map below this agreement lack the first compression's traces
MISSING_BELOW = 0.25
# files of the other makes from which a make mismatch is a notice (below, info): one file is one
# observation, not a maker's table (makers share image processors; an app that keeps a camera's tables
# or writes its own family's, as Apple's ImageIO on a Mac does, puts them under other metadata);
# leave-one-out on the corpora's originals: 0 of 48 (docs/calibration.md)
MISMATCH_FILES = 2
NOT_A_PLATFORM = "and not with a platform's re-encode: the tables are not those of any platform or editor listed"


def has_camera_metadata(record: ImageRecord) -> bool:
    """Make, model, capture time or camera-only EXIF tags: what the platforms listed remove."""
    m = record.metadata
    return bool(m.make or m.model or m.datetime_original or m.camera_fields)


def encoding_history(record: ImageRecord) -> list[dict[str, object]]:
    """The chain of encoders a JPEG is consistent with, oldest first, each with its evidence.

    Each step is ``{"stage": "camera"|"encoder"|"editor"|"platform", "name": ..., "evidence": [...]}``;
    a step names what it is consistent with, never what the file "is".
    """
    sig, jpeg, m = record.signature, record.metadata.jpeg, record.metadata
    if sig is None or jpeg is None:
        return []
    steps: list[dict[str, object]] = []
    camera = has_camera_metadata(record)
    tables = f"standard tables at quality {jpeg.quality:g}" if jpeg.standard_tables and jpeg.quality else (
        f"its own quantisation tables (about quality {jpeg.quality:g})" if jpeg.quality else "no quantisation tables")  # fmt: skip
    structure = [tables, f"{sig.huffman or 'no'} Huffman tables", jpeg.subsampling or f"sampling {sig.sampling}",
                 f"progressive, {len(sig.scans)} scans" if sig.progressive else "baseline"]  # fmt: skip
    if camera:
        device = m.device or "a camera"
        if jpeg.standard_tables:
            steps.append({"stage": "camera", "name": f"{device} or a later save keeping its metadata", "evidence": ["camera metadata present",
                          "standard tables: the camera's own encoder if it uses them (many phones do), or a program that re-saved the file keeping the metadata"]})  # fmt: skip
        else:
            steps.append(
                {"stage": "camera", "name": f"the camera's own encoder ({device})", "evidence": ["camera metadata present", *structure]}
            )
    editors = [e for e in sig.encoders if e.kind == "editor"]
    cameras = [e for e in sig.encoders if e.kind == "camera"]
    entry = camera_entry(jpeg.quant_tables, sig.sampling) if cameras else None
    if camera and cameras and entry is not None and maker(m.make) in entry["makes"]:
        steps[-1]["evidence"] = [*steps[-1]["evidence"], f"its tables are those measured here for {cameras[0].name}"]  # type: ignore[misc]
    if not camera and cameras and not editors:
        # stripped, but the tables are a camera's own: the metadata went without a re-encode
        steps.append({"stage": "camera", "name": cameras[0].name, "tables": True,
                      "evidence": [*cameras[0].basis, "camera metadata removed", cameras[0].source]})  # fmt: skip
    for e in editors if cameras else ():
        e_basis = (*e.basis, f"its tables are also those measured here for {cameras[0].name}")
        editors[editors.index(e)] = type(e)(e.name, e.kind, e_basis, e.source, e.measured)
    if camera and editors and not _names_editor(record):
        # old Sony and Nikon compacts write Photoshop's exact tables (camera-jpegs: four originals):
        # with the camera's metadata and no editor named, the tables are a shared trait, not a save
        steps[-1]["evidence"] = [
            *steps[-1]["evidence"],
            *(f"its tables are also those of {e.name} (some cameras share them)" for e in editors),
        ]  # type: ignore[misc]
        editors = []
    for e in editors:
        steps.append({"stage": "editor", "name": e.name, "evidence": [*e.basis, e.source]})
    if not camera and not editors and not cameras:
        libraries = [e for e in sig.encoders if e.kind not in ("editor", "camera")]
        if libraries:
            steps.append({"stage": "encoder", "name": " or ".join(e.name for e in libraries[:4]), "evidence": structure})
    if not camera:
        steps.extend(_platform_steps(record))
    return steps


def _names_editor(record: ImageRecord) -> bool:
    m = record.metadata
    return editor_name(m.software) is not None or (m.xmp is not None and editor_name(m.xmp.creator_tool) is not None)


def _platform_steps(record: ImageRecord) -> list[dict[str, object]]:
    by_name = platform_name(record.name)
    size = record.display_size
    side = max(size) if size else None
    evidence: dict[str, list[str]] = {}
    if by_name is not None:
        evidence.setdefault(by_name.source, []).append(f"file name {record.name!r} follows {by_name.source}'s pattern")
    named = {p for name in evidence for p in name.split(" / ")}
    for p in platforms_for_long_side(side):
        key = next((k for k in evidence if set(k.split(" / ")) & set(p.name.split(" / "))), None)
        if key is not None:
            evidence[key].append(f"resized to {side} px on the long side, as {p.name} does")
        elif not named:  # the size alone points at every platform that uses it
            evidence.setdefault(p.name, []).append(f"{side} px on the long side, as {p.name} resizes to (so do many other programs)")
    steps: list[dict[str, object]] = []
    for name, ev in evidence.items():
        platform = PLATFORM_BY_NAME.get(name) or PLATFORM_BY_NAME.get(name.split(" / ")[0])
        ev.append("camera metadata removed")
        steps.append(
            {
                "stage": "platform",
                "name": name,
                "evidence": ev,
                "source": platform.source if platform else "file-name pattern, reported, not measured here",
            }
        )
    return steps


@check("encoder-signature")
def encoder_signature(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The JPEG's encoding is consistent with named encoders, apps or platforms."""
    sig = record.signature
    if record.error or sig is None or record.metadata.jpeg is None:
        return
    # after the main finding, which renderers take for the file's encoding history
    mismatch = list(make_mismatch(record))
    history = encoding_history(record)
    if not history:
        yield from mismatch
        return
    platforms = [s for s in history if s["stage"] == "platform"]
    editors = [s for s in history if s["stage"] == "editor"]
    named = [s for s in platforms if any("file name" in str(e) for e in s["evidence"])]  # type: ignore[attr-defined]
    own = [s for s in history if s["stage"] == "camera" and s.get("tables")]
    if own:
        lead, step = f"consistent with {own[0]['name']}, {NOT_A_PLATFORM}", own[0]
    elif named:
        lead, step = f"consistent with a {named[0]['name']} re-encode", named[0]
    elif platforms:
        names = ", ".join(str(s["name"]) for s in platforms)
        lead, step = f"consistent with a re-encode by a platform that resizes to this size ({names}) or by another program", platforms[0]
    elif editors:
        lead, step = f"consistent with a save by {editors[0]['name']}", editors[0]
    else:
        lead, step = f"consistent with {history[0]['name']}", history[0]
    chain = " → ".join(str(s["name"]) for s in history)
    evidence = ", ".join(str(e) for e in step["evidence"][: 3 if own else 4])  # type: ignore[index]
    # the size alone is weak (many programs resize to 1600 or 2048 px): info; a platform's file name or an editor's tables: notice;
    # a camera's own tables without its metadata: notice (removed without a re-encode, unlike what the platforms listed do)
    severity = Severity.NOTICE if named or editors or own else Severity.INFO
    yield Finding(
        "encoder-signature", severity, (record.path,),
        f"Encoding {lead}: {evidence}." + (f" Inferred chain: {chain}." if len(history) > 1 else ""),
        {"history": history, "platforms": [s["name"] for s in platforms], "encoders": [e.to_dict() for e in sig.encoders],
         "digest": sig.digest, "quality": record.metadata.jpeg.quality, "standard_tables": record.metadata.jpeg.standard_tables},
    )  # fmt: skip
    yield from mismatch


def make_mismatch(record: ImageRecord) -> Iterator[Finding]:
    """The metadata names one maker; the quantisation tables were measured only for another's cameras."""
    sig, jpeg, m = record.signature, record.metadata.jpeg, record.metadata
    make = maker(m.make)
    if record.error or sig is None or jpeg is None or jpeg.standard_tables or make is None:
        return
    entry = camera_entry(jpeg.quant_tables, sig.sampling)
    if entry is None or make in entry["makes"] or _names_editor(record) or any(e.kind == "editor" for e in sig.encoders):
        return  # an editor's tables (some cameras share Photoshop's) are the editor's explanation, not a mismatch
    files = int(entry["files"])
    yield Finding(
        "encoder-signature", Severity.NOTICE if files >= MISMATCH_FILES else Severity.INFO, (record.path,),
        f"The metadata names a {make} camera ({m.device or m.make}), but among the originals measured here its quantisation "
        f"tables are only those of {camera_makers(entry)}, {files} file{'s' if files != 1 else ''}: consistent with metadata "
        "edited or copied from another file, or with a model that uses another maker's firmware or image processor (makers share them).",
        {"metadata_make": make, "table_makes": list(entry["makes"]), "models": list(entry["models"]), "files": files,
         "digest": sig.digest, "source": entry["source"]},
    )  # fmt: skip


@check("double-compressed")
def double_compressed(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The DCT coefficients keep the traces of an earlier JPEG compression at another quality."""
    c = record.compression
    if record.error or c is None or not c.double:
        return
    grid = "on the same 8×8 grid" if c.aligned else f"on a grid shifted by {c.shift} pixels (cropped or moved between the two)"
    first = f"about quality {c.first_quality:g}" if c.first_quality is not None else "another quality"
    cells = [v for row in c.blocks for v in row]
    missing = sum(1 for v in cells if v < MISSING_BELOW) / len(cells) if cells else 0.0
    message = (f"DCT coefficients consistent with two compressions: first at {first}, then at quality {c.last_quality:g} {grid}: "
               "saved again after an earlier JPEG compression (an app, a platform or an editor).")  # fmt: skip
    if cells and 0.02 <= missing <= 0.5:
        message += f" {missing:.0%} of the picture lacks the first compression's traces (a region pasted in, or flat or saturated areas)."
    yield Finding(
        "double-compressed", Severity.NOTICE if c.score >= DOUBLE_NOTICE else Severity.INFO, (record.path,), message,
        {"first_quality": c.first_quality, "last_quality": c.last_quality, "aligned": c.aligned, "shift": list(c.shift) if c.shift else None,
         "score": round(c.score, 3), "missing_fraction": round(missing, 3), "method": c.method},
    )  # fmt: skip


@check("encoder-signature", scope="set")
def encoder_signature_set(records: Sequence[ImageRecord], ctx: CheckContext) -> Iterator[Finding]:
    """A picture carries the standard tables where the other pictures of its device carry the device's own."""
    by_device: dict[str, list[ImageRecord]] = {}
    for r in records:
        jpeg = r.metadata.jpeg
        if not r.error and r.signature is not None and jpeg is not None and jpeg.quality is not None and r.metadata.device:
            by_device.setdefault(r.metadata.device, []).append(r)
    for device, group in by_device.items():
        own = [r for r in group if r.metadata.jpeg and r.metadata.jpeg.standard_tables is False]
        standard = [r for r in group if r.metadata.jpeg and r.metadata.jpeg.standard_tables]
        if len(own) < 2 or not standard:
            continue  # one picture of the camera's own tables is not yet a pattern
        sizes = {(o.width, o.height) for o in own} | {(o.height, o.width) for o in own}
        software = {o.metadata.software for o in own}
        for r in standard:
            q = r.metadata.jpeg.quality if r.metadata.jpeg else None
            # one model name can cover several models (old compacts write "CYBERSHOT" alone), some with
            # standard tables: only another size or another Software beside it makes it a notice
            other = (r.width, r.height) not in sizes or r.metadata.software not in software
            yield Finding(
                "encoder-signature", Severity.NOTICE if other else Severity.INFO, (r.path,),  # the others are the comparison
                f"{r.name} carries the standard tables at quality {q:g}, unlike the {len(own)} other pictures of {device}, which carry "
                "the camera's own tables: consistent with a program that re-saved it keeping the camera metadata.",
                {"device": device, "standard": r.path, "own_tables": [o.path for o in own], "quality": q},
            )  # fmt: skip
