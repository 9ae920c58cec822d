"""CSV renderer: one row per file with its key metadata and finding ids, for spreadsheets."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from typing import Any

from forensics.records.atomic import atomic_text
from forensics.records.findings import Severity
from forensics.records.record import ImageRecord
from forensics.records.text import printable_path
from forensics.render.credentials import credentials_columns
from forensics.render.encoding import ENCODING_COLUMNS, encoding_columns
from forensics.report import Report

COLUMNS = (
    "path", "name", "format", "kind", "size", "sha256", "width", "height",
    "make", "model", "serial", "software", "datetime_original", "offset_time_original", "datetime",
    "gps_lat", "gps_lon", "gps_alt", "gps_utc", "xmp_creator_tool", "jpeg_quality",
    "phash", "worst_severity", "findings", "error",
    "c2pa", "c2pa_signer", "c2pa_generator", "c2pa_failures",
    *ENCODING_COLUMNS,
    "copy_moves", "pasted_regions",
)  # fmt: skip

# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets:
# text from a file must never become one ("CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def rows(report: Report) -> Iterator[dict[str, Any]]:
    """One dict per file, keyed by :data:`COLUMNS`.

    ``findings`` lists the ids of every finding that names the file (its own and
    those across the set), separated by ``;``, each id once, most severe first.
    """
    by_path: dict[str, list[Any]] = {}
    for f in report.findings:
        for p in f.paths:
            by_path.setdefault(p, []).append(f)
    for r in report.images:
        found = sorted(by_path.get(r.path, []), key=lambda f: -f.severity.rank)
        ids = list(dict.fromkeys(f.check for f in found))
        worst = max((f.severity for f in found), default=None, key=lambda s: s.rank)
        yield _row(r, ids, worst)


def _row(r: ImageRecord, ids: list[str], worst: Severity | None) -> dict[str, Any]:
    m = r.metadata
    gps = m.gps
    return {
        "path": printable_path(r.path), "name": printable_path(r.name), "format": r.format, "kind": r.kind,
        "size": r.size, "sha256": r.sha256, "width": r.width, "height": r.height,
        "make": m.make, "model": m.model, "serial": m.serial, "software": m.software,
        "datetime_original": _iso(m.datetime_original), "offset_time_original": m.offset_time_original,
        "datetime": _iso(m.datetime),
        "gps_lat": gps.lat if gps else None, "gps_lon": gps.lon if gps else None,
        "gps_alt": gps.alt if gps else None, "gps_utc": _iso(gps.utc) if gps else None,
        "xmp_creator_tool": m.xmp.creator_tool if m.xmp else None,
        "jpeg_quality": round(m.jpeg.quality, 1) if m.jpeg and m.jpeg.quality is not None else None,
        "phash": r.hashes.phash if r.hashes else None,
        "worst_severity": worst.value if worst else None,
        "findings": ";".join(ids), "error": r.error,
        **credentials_columns(r.credentials),
        **encoding_columns(r),
        # how many regions the pixel analyses found; empty when they did not run (scan --pixels)
        "copy_moves": len(r.pixels.copy_moves) if r.pixels and r.pixels.analysed else None,
        "pasted_regions": len(r.pixels.pasted) if r.pixels and r.pixels.analysed else None,
    }  # fmt: skip


def _iso(t: Any) -> str | None:
    return t.isoformat() if t is not None else None


def render_csv(report: Report) -> str:
    """The CSV text: a header of :data:`COLUMNS`, then one row per file."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows(report):
        writer.writerow({k: ("" if v is None else _text(v)) for k, v in row.items()})
    return buf.getvalue()


def write_csv(report: Report, path: str | os.PathLike[str]) -> None:
    """Write :func:`render_csv` of ``report`` to ``path`` (UTF-8 with a BOM, so that Excel reads it as UTF-8)."""
    text = render_csv(report)
    with atomic_text(path, encoding="utf-8-sig", errors="backslashreplace", newline="") as f:  # whole, or the old file stays
        f.write(text)
