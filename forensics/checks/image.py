"""Per-image checks: what one file says about itself."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

from forensics.checks.registry import CheckContext, check
from forensics.knowledge.editors import editor_name
from forensics.knowledge.filenames import screenshot_name
from forensics.knowledge.screens import screen_for
from forensics.read.carriers import UNDECODED
from forensics.read.sniff import extensions_of, type_for_extension
from forensics.records.findings import Finding, Severity
from forensics.records.record import ORIENTATION_TURN, TURNS, Hashes, ImageRecord, TurnedHashes, hex_distance
from forensics.records.text import describe_span

# Hamming distances (of 64) between an EXIF thumbnail and its own picture stay
# at 4 bits or less (measured on 600 JPEGs); unrelated pictures sit near 32.
THUMBNAIL_SAME_MAX = 10
THUMBNAIL_DIFFERENT_MIN = 16
ASPECT_TOLERANCE = 0.06  # relative; thumbnails are rounded to whole pixels
DATE_SLACK = dt.timedelta(minutes=2)


def _f(check_id: str, severity: Severity, record: ImageRecord, message: str, **evidence) -> Finding:
    return Finding(check_id, severity, (record.path,), message, evidence)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


@check("unreadable")
def unreadable(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The file, or part of its metadata, could not be read."""
    if record.error and record.error.startswith(UNDECODED):  # a camera raw or editor's file: its metadata was read
        yield _f("unreadable", Severity.NOTICE, record, f"Metadata read, picture not analysed ({record.error}).", reason=record.error)
    elif record.error:
        yield _f("unreadable", Severity.WARNING, record, f"Could not be analysed: {record.error}.", reason=record.error)
    elif record.problems:
        yield _f(
            "unreadable", Severity.NOTICE, record,
            ("Read, but part of the video is damaged: " if record.kind == "video" else "Read, but part of the metadata is damaged: ")
            + "; ".join(record.problems) + ".",
            problems=list(record.problems),
        )  # fmt: skip


@check("type-mismatch")
def type_mismatch(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The file's extension names another type than its content."""
    ext = record.extension
    if not ext:
        return
    claimed = type_for_extension(ext)
    if claimed is None:
        return
    if record.format is None:
        # `unreadable` already warns that the content is no picture; this names the false claim
        yield _f(
            "type-mismatch", Severity.NOTICE, record,
            f"Named {ext} but the content is not a recognised image or video.",
            extension=ext, claimed=claimed.format, detected=None,
        )  # fmt: skip
    elif ext not in extensions_of(record.format):
        yield _f(
            "type-mismatch", Severity.NOTICE, record,
            f"Named {ext} but the content is {record.format}: the file was converted or renamed.",
            extension=ext, claimed=claimed.format, detected=record.format, mime=record.mime,
        )  # fmt: skip


_CAMERA_FORMATS = ("JPEG", "HEIF", "TIFF")


@check("metadata-stripped")
def metadata_stripped(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """A photo format with no camera metadata: removed by a platform, an app or a person."""
    if record.error or record.kind != "image" or record.format not in _CAMERA_FORMATS:
        return
    m = record.metadata
    if m.make or m.model or m.datetime_original or m.camera_fields:
        return
    if screenshot_name(record.name):
        return  # the screenshot check speaks for these
    present = [k for k, v in (("software", m.software), ("xmp", m.xmp), ("icc", m.icc_description), ("gps", m.gps)) if v]
    yield _f(
        "metadata-stripped", Severity.NOTICE, record,
        "No camera metadata (make, model, capture time, exposure): stripped by a platform or app, or not a camera original.",
        remaining=present, exif_thumbnail=m.thumbnail.present,
    )  # fmt: skip


@check("editing-software")
def editing_software(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """Software, XMP CreatorTool or XMP History names an editing program."""
    m = record.metadata
    found: dict[str, str] = {}
    if (name := editor_name(m.software)) is not None:
        found["Software"] = m.software or name
    if m.xmp is not None:
        if (name := editor_name(m.xmp.creator_tool)) is not None:
            found["XMP CreatorTool"] = m.xmp.creator_tool or name
        actions = [
            {k: e[k] for k in ("action", "softwareAgent", "when") if k in e}
            for e in m.xmp.history
            if e.get("action") not in (None, "created")
        ]
    else:
        actions = []
    if not found and not actions:
        return
    editors = sorted({editor_name(v) or v for v in found.values()} | {a["softwareAgent"] for a in actions if "softwareAgent" in a})
    severity = Severity.WARNING if actions else Severity.NOTICE
    named = "; ".join(f"{k} {v!r}" for k, v in found.items())
    message = f"The metadata names editing software ({named or ', '.join(editors)}): probably saved by it."
    if actions:
        message += f" The XMP history records {len(actions)} editing step(s) after creation."
    yield _f("editing-software", severity, record, message, fields=found, history=actions[:50])


@check("date-mismatch")
def date_mismatch(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The modification time, the digitised time and the capture time disagree."""
    m = record.metadata
    orig, dig, mod = _comparable(m.datetime_original, m.datetime_digitized, m.datetime)
    if orig and mod and mod - orig > DATE_SLACK:
        yield _f(
            "date-mismatch", Severity.NOTICE, record,
            f"DateTime (last written) is {describe_span(mod - orig)} after DateTimeOriginal: probably saved again (DateTime {mod:%Y-%m-%d %H:%M:%S} vs "
            f"DateTimeOriginal {orig:%Y-%m-%d %H:%M:%S}).",
            datetime_original=_iso(orig), datetime=_iso(mod), difference_seconds=(mod - orig).total_seconds(),
        )  # fmt: skip
    elif orig and mod and orig - mod > DATE_SLACK:
        yield _f(
            "date-mismatch", Severity.WARNING, record,
            f"Modified {describe_span(orig - mod)} before it was taken: the stamps were written by different clocks or changed.",
            datetime_original=_iso(orig), datetime=_iso(mod), difference_seconds=(mod - orig).total_seconds(),
        )  # fmt: skip
    if orig and dig and abs(orig - dig) > DATE_SLACK:
        yield _f(
            "date-mismatch", Severity.NOTICE, record,
            f"Capture and digitisation times differ by {describe_span(abs(orig - dig))}: a scan or a copy of an older picture, or edited stamps.",
            datetime_original=_iso(orig), datetime_digitized=_iso(dig), difference_seconds=(dig - orig).total_seconds(),
        )  # fmt: skip


def _comparable(*stamps: dt.datetime | None) -> list[dt.datetime | None]:
    """Stamps made comparable: as instants when every present one states its UTC
    offset (a file saved in another zone is not "earlier"), else as wall-clock times."""
    present = [t for t in stamps if t is not None]
    if present and all(t.tzinfo is not None for t in present):
        return [t.astimezone(dt.timezone.utc) if t else None for t in stamps]
    return [t.replace(tzinfo=None) if t else None for t in stamps]


def _aspect(w: int | None, h: int | None) -> float | None:
    return w / h if w and h else None


@check("thumbnail-mismatch")
def thumbnail_mismatch(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The EXIF thumbnail shows another picture, or another framing, than the image."""
    t = record.metadata.thumbnail
    if not t.present or t.hashes is None or record.hashes is None:
        return
    if _flat(record.hashes) or _flat(t.hashes):
        return  # a blank or near-uniform picture: its hash bits are noise, distances mean nothing
    d = record.hashes.distance(t.hashes)
    evidence: dict[str, object] = {"distances": d, "thumbnail_size": [t.width, t.height], "image_size": [record.width, record.height]}
    # A change of shape explains large hash distances too, so it is looked at first.
    ta = _aspect(t.content_width, t.content_height)
    ia = _aspect(record.width, record.height)
    if ta and ia and t.content_width and t.content_width >= 32:
        ratio = abs(math.log(ta / ia))
        if ratio > ASPECT_TOLERANCE and abs(math.log(ta * ia)) > ASPECT_TOLERANCE:  # not just a rotation
            yield _f(
                "thumbnail-mismatch", Severity.WARNING if ratio > 0.15 else Severity.NOTICE, record,
                f"The EXIF thumbnail's shape ({ta:.3f}) differs from the picture's ({ia:.3f}): the picture was cropped or resized after capture.",
                thumbnail_aspect=round(ta, 4), image_aspect=round(ia, 4), **evidence,
            )  # fmt: skip
            return
    as_is = _median(d)
    if as_is <= THUMBNAIL_SAME_MAX:
        return
    turned = _best_turn(record)
    if turned is not None:
        name, td = turned
        if _median(td) <= THUMBNAIL_SAME_MAX:
            yield _turn_finding(record, name, td, evidence)
            return
        if as_is >= THUMBNAIL_DIFFERENT_MIN and _median(td) < THUMBNAIL_DIFFERENT_MIN:
            yield _f(
                "thumbnail-mismatch", Severity.NOTICE, record,
                f"The EXIF thumbnail differs in detail from the picture once {_TURN_TEXT[name]} (pHash {td['phash']}, dHash {td['dhash']} "
                f"bits apart): the picture was {_TURN_TEXT[name]} and retouched after capture, or the thumbnail is strongly processed.",
                turn=name, turn_distances=td, **evidence,
            )  # fmt: skip
            return
    # Two of the three structural hashes far apart: aHash alone can stay close when
    # a retouch keeps the overall light layout (the real corpus tops out at 10 bits).
    if as_is >= THUMBNAIL_DIFFERENT_MIN:
        yield _f(
            "thumbnail-mismatch", Severity.WARNING, record,
            f"The EXIF thumbnail shows a different picture or framing (pHash {d['phash']}, dHash {d['dhash']} bits apart"
            + (", and no turn or flip of it matches" if t.turned else "")
            + "): the picture was changed or cropped after capture and the thumbnail kept, the EXIF block "
            "(thumbnail included) came from another picture, or the picture data is damaged.",
            **evidence,
        )  # fmt: skip
        return
    yield _f(
        "thumbnail-mismatch", Severity.NOTICE, record,
        f"The EXIF thumbnail differs in detail from the picture (pHash {d['phash']}, dHash {d['dhash']} bits apart): "
        "retouched after capture, or a strongly processed thumbnail.",
        **evidence,
    )  # fmt: skip


# What the picture's stored pixels went through, relative to the thumbnail's, for each turn.
_TURN_TEXT = {
    "rotate-90-cw": "turned 90° clockwise",
    "rotate-180": "turned 180°",
    "rotate-90-ccw": "turned 90° counter-clockwise",
    "flip-horizontal": "mirrored left to right",
    "flip-vertical": "mirrored top to bottom",
    "transpose": "mirrored across its top-left to bottom-right diagonal (turned 90° and mirrored)",
    "transverse": "mirrored across its top-right to bottom-left diagonal (turned 90° and mirrored)",
}
_QUARTER_TURNS = frozenset({"rotate-90-cw", "rotate-90-ccw", "transpose", "transverse"})  # they swap width and height
_MIRRORS = frozenset({"flip-horizontal", "flip-vertical", "transpose", "transverse"})
_INVERSE = {"rotate-90-cw": "rotate-90-ccw", "rotate-90-ccw": "rotate-90-cw"}  # every other turn undoes itself


def _median(d: dict[str, int]) -> int:
    """The middle of the pHash, dHash and aHash distances: two of the three at least this close."""
    return sorted(d[n] for n in TurnedHashes.NAMES)[1]


def _best_turn(record: ImageRecord) -> tuple[str, dict[str, int]] | None:
    """The turn or flip of the thumbnail closest to the picture, and its distances (None when none was hashed).

    Only turns the shapes allow: a quarter turn when the thumbnail's shape is the
    picture's turned, the others when it is the picture's own (a near-square
    picture allows all).
    """
    t = record.metadata.thumbnail
    if not t.turned or record.hashes is None:
        return None
    names = list(TURNS)
    ta, ia = _aspect(t.content_width, t.content_height), _aspect(record.width, record.height)
    if ta and ia:
        same, swapped = abs(math.log(ta / ia)) <= ASPECT_TOLERANCE, abs(math.log(ta * ia)) <= ASPECT_TOLERANCE
        names = [n for n in TURNS if (swapped if n in _QUARTER_TURNS else same)]
    picture = record.hashes
    scored = [
        (n, {k: hex_distance(getattr(picture, k), getattr(t.turned[n], k)) for k in TurnedHashes.NAMES}) for n in names if n in t.turned
    ]
    return min(scored, key=lambda s: _median(s[1])) if scored else None  # ties: the first, rotations before mirrors


def thumbnail_turn(record: ImageRecord) -> str | None:
    """The turn or flip (a name of :data:`TURNS`) that makes the EXIF thumbnail match the picture.

    None when the thumbnail matches as it is, matches under no turn, or was not hashed.
    """
    t = record.metadata.thumbnail
    if t.hashes is None or record.hashes is None or _flat(record.hashes) or _flat(t.hashes):
        return None
    if _median(record.hashes.distance(t.hashes)) <= THUMBNAIL_SAME_MAX:
        return None
    best = _best_turn(record)
    return best[0] if best is not None and _median(best[1]) <= THUMBNAIL_SAME_MAX else None


def _orientation_accounts(record: ImageRecord, name: str) -> bool:
    """Whether the turn is the one the EXIF Orientation tag names (or its undoing)."""
    asked = ORIENTATION_TURN.get(record.metadata.orientation or 1)
    return asked is not None and name in (asked, _INVERSE.get(asked, asked))


def _turn_finding(record: ImageRecord, name: str, td: dict[str, int], evidence: dict[str, object]) -> Finding:
    """The thumbnail is the picture, turned or flipped: say which way, and whether the Orientation tag explains it."""
    orientation = record.metadata.orientation
    asked = ORIENTATION_TURN.get(orientation or 1)
    accounts = _orientation_accounts(record, name)
    how = _TURN_TEXT[name]
    way = "mirrored" if name in _MIRRORS else "turned"
    close = f"{way} another way (pHash {td['phash']}, dHash {td['dhash']} bits apart once {way} alike)"
    if accounts and name == asked and name != _INVERSE.get(name, name):
        why = (f"the picture's pixels were already {how}, as its Orientation tag ({orientation}) asks of viewers, and the tag was kept: "
               "viewers that honour it turn the picture a second time. A turn changes nothing in the picture.")  # fmt: skip
    elif accounts and name != asked:
        why = (f"the thumbnail was stored already turned as the Orientation tag ({orientation}: {_TURN_TEXT[asked or name]}) asks, "
               "and the picture left for viewers to turn: a camera's or program's habit, not a change of the picture.")  # fmt: skip
    elif accounts:
        why = (f"the difference is what the Orientation tag ({orientation}: {how}) asks of viewers: one of the two was stored "
               "that way and the other left for viewers to turn, a camera's or program's habit, not a change of the picture.")  # fmt: skip
    elif name in _MIRRORS:
        why = (f"the picture was {how} after capture; the thumbnail was not. Cameras do not mirror a picture to show it upright "
               "(a phone's front camera aside): mirroring reverses writing and swaps left and right.")  # fmt: skip
    else:
        why = (f"the picture was {how} after capture, or by the camera; the thumbnail was not. "
               "A turn, lossless in most tools, changes nothing in the picture.")  # fmt: skip
    # A turn for display is ordinary (the owner's viewer, the camera's orientation sensor); a mirror is not.
    severity = Severity.NOTICE if name in _MIRRORS and not accounts else Severity.INFO
    return _f(
        "thumbnail-mismatch", severity, record, f"The EXIF thumbnail shows this picture, {close}: {why}",
        turn=name, orientation=orientation, orientation_accounts=accounts, turn_distances=td, **evidence,
    )  # fmt: skip


def _flat(h: Hashes) -> bool:
    """Hashes of a picture with almost no structure (aHash all one value)."""
    return h.ahash.strip("0") == "" or h.ahash.strip("f") == ""


@check("dimension-mismatch")
def dimension_mismatch(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The EXIF pixel dimensions differ from the decoded picture's."""
    m = record.metadata
    if record.error or not (m.exif_width and m.exif_height and record.width and record.height):
        return
    exif_size, real = (m.exif_width, m.exif_height), (record.width, record.height)
    if exif_size == real:
        return
    if exif_size == real[::-1]:
        name = thumbnail_turn(record)
        if name is not None and name not in _QUARTER_TURNS:
            name = None  # the thumbnail's turn keeps the shape: it does not explain the swap
        if name is None and m.orientation in (5, 6, 7, 8):
            return  # the size as displayed: some phones write that one
        how = f"the picture was {_TURN_TEXT[name]}" if name else "the picture was turned 90° (one way or the other)"
        seen = " (its EXIF thumbnail is not turned)" if name else ""
        yield _f(
            "dimension-mismatch", Severity.INFO, record,
            f"EXIF says {exif_size[0]}×{exif_size[1]} pixels but the picture is {real[0]}×{real[1]}, the same size turned a quarter: "
            f"{how} after the EXIF was written, or by the camera{seen}. A turn changes nothing in the picture.",
            exif_size=list(exif_size), decoded_size=list(real), turn=name, orientation=m.orientation,
        )  # fmt: skip
        return
    yield _f(
        "dimension-mismatch", Severity.NOTICE, record,
        f"EXIF says {exif_size[0]}×{exif_size[1]} pixels but the picture is {real[0]}×{real[1]}: resized or cropped after capture.",
        exif_size=list(exif_size), decoded_size=list(real),
    )  # fmt: skip


@check("jpeg-recompressed")
def jpeg_recompressed(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The JPEG carries a generic encoder's quantisation tables, not a camera's."""
    j = record.metadata.jpeg
    if j is None or j.standard_tables is None:
        return
    if j.standard_tables:
        m = record.metadata
        camera = m.device
        msg = f"Quantisation tables are the standard (libjpeg) tables at quality {j.quality:.0f}: consistent with a generic encoder (messaging apps, platforms, editors)"
        msg += f", or a camera that uses them ({camera}: many phones and compact cameras do)." if camera else "."
        # Calibration (docs/calibration.md): a third of untouched camera originals carry the
        # standard tables, so with the camera's own metadata intact this is only context.
        severity = Severity.INFO if camera and m.camera_fields else Severity.NOTICE
        yield _f("jpeg-recompressed", severity, record, msg, quality=j.quality, standard_tables=True, subsampling=j.subsampling)
    elif j.quality is not None and j.quality < 75:
        yield _f(
            "jpeg-recompressed", Severity.NOTICE, record,
            f"Custom quantisation tables at an estimated quality of {j.quality:.0f}, lower than cameras write: possibly recompressed by a platform.",
            quality=j.quality, standard_tables=False, subsampling=j.subsampling,
        )  # fmt: skip


def looks_like_screenshot(record: ImageRecord) -> bool:
    """A screenshot by its name, by UserComment, or by a screen's pixel size with no camera metadata."""
    m = record.metadata
    if screenshot_name(record.name) or (m.user_comment or "").lower() == "screenshot":
        return True
    size = record.display_size
    return bool(size and screen_for(*size)) and not (m.make or m.model or m.camera_fields)


@check("screenshot")
def screenshot(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The file looks like a screenshot: its name, its size, no camera data."""
    if record.kind != "image" or record.error:
        return
    m = record.metadata
    signals: dict[str, object] = {}
    named = screenshot_name(record.name)
    if named:
        signals["file_name"] = named.source
    size = record.display_size
    screen = screen_for(*size) if size else None
    if screen:
        signals["screen_size"] = screen
    no_camera = not (m.make or m.model or m.camera_fields)
    if (m.user_comment or "").lower() == "screenshot":
        signals["user_comment"] = "Screenshot"
    if record.format == "PNG":
        signals["format"] = "PNG"
    if not looks_like_screenshot(record):
        return
    evidence: dict[str, object] = {"signals": signals, "camera_metadata": not no_camera}
    if named and named.time:
        evidence["file_name_time"] = named.time.isoformat()
    msg = "Looks like a screenshot"
    reasons = []
    if named:
        reasons.append(f"{named.source} screenshot file name" + (f" ({named.time:%Y-%m-%d %H:%M:%S})" if named.time else ""))
    if screen:
        reasons.append(f"the pixel size of a common screen ({screen})")
    if "user_comment" in signals:
        reasons.append("UserComment says Screenshot")
    if no_camera:
        reasons.append("no camera metadata")
    severity = Severity.INFO
    if named and not no_camera:
        severity = Severity.NOTICE
        reasons.append("yet it carries camera metadata")
    yield _f("screenshot", severity, record, f"{msg}: {', '.join(reasons)}.", **evidence)


@check("future-date")
def future_date(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """A time in the metadata or file name lies after the moment of the scan."""
    m = record.metadata
    now = ctx.now
    stamps = {
        "DateTimeOriginal": m.datetime_original,
        "DateTimeDigitized": m.datetime_digitized,
        "DateTime": m.datetime,
        "GPS UTC": m.gps.utc if m.gps else None,
    }
    named = screenshot_name(record.name)
    if named and named.time:
        stamps["file name"] = named.time
    late = {}
    for label, t in stamps.items():
        if t is None:
            continue
        aware = t if t.tzinfo else t.replace(tzinfo=dt.timezone(dt.timedelta(hours=14)))  # the earliest any zone could mean
        if aware > now + dt.timedelta(days=1):
            late[label] = t.isoformat()
    if late:
        yield _f(
            "future-date", Severity.WARNING, record,
            f"Dated after the scan ({', '.join(f'{k} {v}' for k, v in late.items())}): a wrong clock or edited stamps.",
            stamps=late, scanned_at=now.isoformat(),
        )  # fmt: skip
