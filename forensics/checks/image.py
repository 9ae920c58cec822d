"""Per-image checks: what one file says about itself."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

from forensics.checks.registry import CheckContext, check
from forensics.knowledge.editors import editor_name
from forensics.knowledge.filenames import screenshot_name
from forensics.knowledge.screens import screen_for
from forensics.read.sniff import extensions_of, type_for_extension
from forensics.records.findings import Finding, Severity
from forensics.records.record import ImageRecord
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
    if record.error:
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
    structural = (d["phash"], d["dhash"], d["ahash"])
    evidence = {"distances": d, "thumbnail_size": [t.width, t.height], "image_size": [record.width, record.height]}
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
    # Two of the three structural hashes far apart: aHash alone can stay close when
    # a retouch keeps the overall light layout (the real corpus tops out at 10 bits).
    if sorted(structural)[1] >= THUMBNAIL_DIFFERENT_MIN:
        yield _f(
            "thumbnail-mismatch", Severity.WARNING, record,
            f"The EXIF thumbnail shows a different picture or framing (pHash {d['phash']}, dHash {d['dhash']} bits apart): "
            "the picture was changed or cropped after capture and the thumbnail kept, the EXIF block (thumbnail included) "
            "came from another picture, or the picture data is damaged.",
            **evidence,
        )  # fmt: skip
        return
    if max(structural) > THUMBNAIL_SAME_MAX and sorted(structural)[1] > THUMBNAIL_SAME_MAX:
        yield _f(
            "thumbnail-mismatch", Severity.NOTICE, record,
            f"The EXIF thumbnail differs in detail from the picture (pHash {d['phash']}, dHash {d['dhash']} bits apart): "
            "retouched after capture, or a strongly processed thumbnail.",
            **evidence,
        )  # fmt: skip


def _flat(h) -> bool:
    """Hashes of a picture with almost no structure (aHash all one value)."""
    return h.ahash.strip("0") == "" or h.ahash.strip("f") == ""


@check("dimension-mismatch")
def dimension_mismatch(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The EXIF pixel dimensions differ from the decoded picture's."""
    m = record.metadata
    if record.error or not (m.exif_width and m.exif_height and record.width and record.height):
        return
    exif_size, real = (m.exif_width, m.exif_height), (record.width, record.height)
    if exif_size == real or exif_size == real[::-1]:
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
    if not named and not ("user_comment" in signals or (no_camera and screen)):
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
