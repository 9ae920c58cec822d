"""How renderers show a JPEG's encoding: CSV columns, a terminal line, the HTML history block."""

from __future__ import annotations

from typing import Any

from forensics.records.record import ImageRecord

ENCODING_COLUMNS = ("encoders", "platform", "double_compressed", "first_quality")


def history(r: ImageRecord) -> list[dict[str, Any]]:
    """The encoding chain the ``encoder-signature`` finding inferred for ``r`` (oldest first), or []."""
    for f in r.findings:
        if f.check == "encoder-signature":
            return list(f.evidence.get("history", ()))
    return []


def encoding_columns(r: ImageRecord) -> dict[str, Any]:
    """The CSV cells of :data:`ENCODING_COLUMNS` for one record (empty for a file that is no JPEG)."""
    sig, c = r.signature, r.compression
    platforms = [str(s["name"]) for s in history(r) if s.get("stage") == "platform"]
    return {
        "encoders": "; ".join(e.name for e in sig.encoders) if sig is not None else None,
        "platform": "; ".join(platforms) or None,
        "double_compressed": (c.double if c.error is None else None) if c is not None else None,
        "first_quality": c.first_quality if c is not None and c.double else None,
    }


def encoding_view(r: ImageRecord) -> dict[str, Any] | None:
    """What the HTML card shows: the inferred chain, each step with its evidence, and the
    double-compression map (an SVG string of numbers only) when the scan analysed pixels."""
    steps = history(r)
    c = r.compression
    if c is not None and c.double:
        grid = "aligned grids" if c.aligned else f"first grid shifted by {c.shift}"
        steps = [*steps, {"stage": "recompression", "name": f"compressed twice: first at about quality {c.first_quality:g}, then {c.last_quality:g}",
                          "evidence": [f"DCT coefficient histograms ({c.method})", grid, f"score {c.score:.2f}"]}]  # fmt: skip
    if not steps:
        return None
    return {"steps": steps, "map": block_map_svg(c.blocks) if c is not None and c.blocks else None}


def block_map_svg(blocks: tuple[tuple[float, ...], ...], *, width: int = 240) -> str:
    """The per-cell map as an SVG: light where the first compression's traces are present, dark where missing."""
    rows, cols = len(blocks), max(len(b) for b in blocks)
    cell = width / cols
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{round(rows * cell)}" '
           f'viewBox="0 0 {width} {round(rows * cell)}" role="img" aria-label="double-compression map">']  # fmt: skip
    for y, row in enumerate(blocks):
        for x, v in enumerate(row):
            g = round(40 + 215 * min(max(float(v), 0.0), 1.0))
            out.append(
                f'<rect x="{x * cell:.1f}" y="{y * cell:.1f}" width="{cell + 0.5:.1f}" height="{cell + 0.5:.1f}" fill="rgb({g},{g},{g})"/>'
            )
    out.append("</svg>")
    return "".join(out)
