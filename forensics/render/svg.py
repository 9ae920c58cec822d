"""Inline SVG drawings for the HTML report: a timeline and an offline map.

Both are plain strings built from already-computed report data (times and
coordinates); every text that came from a file is escaped here, since the
result is inserted into the page as markup. Country outlines come from the
``countryinfo`` package's bundled GeoJSON (world.geo.json, itself derived from
Natural Earth's public-domain 1:110m countries); without it the map shows a
graticule only. Nothing is fetched: no tiles, no fonts.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

_PALETTE = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0a7d8c", "#6e7781")


@dataclass(frozen=True)
class Point:
    """One file on the map or the timeline."""

    label: str  # shown on hover
    anchor: str  # id of the file's card
    lat: float | None = None
    lon: float | None = None
    time: dt.datetime | None = None
    group: str = ""  # device, for colour and timeline row


def colour(index: int) -> str:
    """A colour for the ``index``-th group, shared by map and timeline."""
    return _PALETTE[index % len(_PALETTE)]


# --------------------------------------------------------------------------- timeline

_STEPS = [
    (dt.timedelta(seconds=s), fmt)
    for s, fmt in (
        (1, "%H:%M:%S"), (10, "%H:%M:%S"), (60, "%H:%M"), (300, "%H:%M"), (900, "%H:%M"), (1800, "%H:%M"),
        (3600, "%d %b %H:%M"), (3 * 3600, "%d %b %H:%M"), (6 * 3600, "%d %b %H:%M"), (12 * 3600, "%d %b %H:%M"),
        (86400, "%Y-%m-%d"), (2 * 86400, "%Y-%m-%d"), (7 * 86400, "%Y-%m-%d"), (30 * 86400, "%Y-%m-%d"),
        (91 * 86400, "%Y-%m"), (365 * 86400, "%Y"), (5 * 365 * 86400, "%Y"),
    )
]  # fmt: skip


def timeline_svg(points: Sequence[Point], groups: Sequence[str], *, width: int = 1100) -> str:
    """Capture times as dots, one row per group (device), with a time axis."""
    pts = [p for p in points if p.time is not None]
    if not pts:
        return ""
    times = [p.time for p in pts if p.time is not None]
    t0, t1 = min(times), max(times)
    if t1 - t0 < dt.timedelta(minutes=2):
        t0, t1 = t0 - dt.timedelta(minutes=1), t1 + dt.timedelta(minutes=1)
    span = (t1 - t0).total_seconds()
    left, right, row_h, top = 170, 20, 28, 10
    present = {p.group for p in pts}
    rows = [g for g in groups if g in present] or [""]
    colours = {g: colour(i) for i, g in enumerate(groups)}
    height = top + row_h * len(rows) + 34
    plot_w = width - left - right

    def x(t: dt.datetime) -> float:
        return left + (t - t0).total_seconds() / span * plot_w

    out = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="Capture times per device">'
    ]
    step, fmt = next(((s, f) for s, f in _STEPS if span / s.total_seconds() <= 8), _STEPS[-1])
    tick = _floor(t0, step)
    axis_y = top + row_h * len(rows) + 4
    while tick <= t1:
        if tick >= t0:
            tx = x(tick)
            out.append(f'<line class="grid" x1="{tx:.1f}" y1="{top}" x2="{tx:.1f}" y2="{axis_y}"/>')
            out.append(f'<text class="tick" x="{tx:.1f}" y="{axis_y + 16}" text-anchor="middle">{escape(tick.strftime(fmt))}</text>')
        tick += step
    for i, name in enumerate(rows):
        cy = top + row_h * i + row_h / 2
        out.append(f'<line class="row" x1="{left}" y1="{cy}" x2="{width - right}" y2="{cy}"/>')
        out.append(
            f'<text class="rowlabel" x="{left - 8}" y="{cy + 4}" text-anchor="end">{escape(_clip(name or "unknown device", 24))}</text>'
        )
    index = {g: i for i, g in enumerate(rows)}
    for p in pts:
        i = index.get(p.group, 0)
        cy = top + row_h * i + row_h / 2
        out.append(
            f'<a href="#{escape(p.anchor)}"><circle cx="{x(p.time):.1f}" cy="{cy}" r="5" fill="{colours.get(p.group, colour(0))}">'  # type: ignore[arg-type]
            f"<title>{escape(p.label)}</title></circle></a>"
        )
    out.append("</svg>")
    return "".join(out)


def _floor(t: dt.datetime, step: dt.timedelta) -> dt.datetime:
    if step >= dt.timedelta(days=365):
        return t.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if step >= dt.timedelta(days=28):
        return t.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    base = t.replace(hour=0, minute=0, second=0, microsecond=0)
    n = math.floor((t - base) / step)
    return base + n * step


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------------- map


@functools.cache
def _countries() -> tuple[tuple[tuple[float, float, float, float], tuple[tuple[float, float], ...]], ...]:
    """Every ring of every country outline as (bbox, ring); empty when the data package is absent."""
    try:
        from countryinfo import CountryInfo
    except ImportError:  # an optional dependency (it needs Python 3.11+)
        return ()
    out: list[tuple[tuple[float, float, float, float], tuple[tuple[float, float], ...]]] = []
    for info in CountryInfo.all().values():
        for feature in (info.get("geoJSON") or {}).get("features", []):
            geom = feature.get("geometry") or {}
            polys = [geom.get("coordinates", [])] if geom.get("type") == "Polygon" else geom.get("coordinates", [])
            for poly in polys:
                for ring in poly:
                    pts = tuple((float(a), float(b)) for a, b, *_ in ring)
                    if len(pts) < 3:
                        continue
                    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                    out.append(((min(xs), min(ys), max(xs), max(ys)), pts))
    return tuple(out)


def has_outlines() -> bool:
    """Whether country outlines are available to draw."""
    return bool(_countries())


def map_svg(points: Sequence[Point], groups: Sequence[str], *, width: int = 1100) -> str:
    """GPS positions on an equirectangular map around them, drawn offline."""
    pts = [p for p in points if p.lat is not None and p.lon is not None]
    if not pts:
        return ""
    lats = [p.lat for p in pts]
    lons = [p.lon for p in pts]
    lat0, lat1 = min(lats), max(lats)  # type: ignore[type-var]
    lon0, lon1 = min(lons), max(lons)  # type: ignore[type-var]
    # At least ~12 degrees of latitude, so that a single point shows its region.
    pad = max(6.0, (lat1 - lat0) * 0.15, (lon1 - lon0) * 0.1)  # type: ignore[operator]
    lat0, lat1 = max(-85.0, lat0 - pad), min(85.0, lat1 + pad)  # type: ignore[operator]
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    lon_pad = max(pad / max(kx, 0.2), (lon1 - lon0) * 0.1)  # type: ignore[operator]
    lon0, lon1 = max(-180.0, lon0 - lon_pad), min(180.0, lon1 + lon_pad)  # type: ignore[operator]
    aspect = (lon1 - lon0) * kx / (lat1 - lat0)
    height = int(min(640, max(300, width / max(aspect, 0.2))))
    # Keep the degrees square (scaled by cos(latitude)): widen whichever range is short.
    want = width / height
    if aspect < want:
        extra = ((lat1 - lat0) * want / kx - (lon1 - lon0)) / 2
        lon0, lon1 = lon0 - extra, lon1 + extra
    else:
        extra = ((lon1 - lon0) * kx / want - (lat1 - lat0)) / 2
        lat0, lat1 = lat0 - extra, lat1 + extra
    sx = width / (lon1 - lon0)
    sy = height / (lat1 - lat0)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - lon0) * sx, (lat1 - lat) * sy

    out = [
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="GPS positions">',
        f'<rect class="sea" x="0" y="0" width="{width}" height="{height}"/>',
    ]
    paths = []
    for (bx0, by0, bx1, by1), ring in _countries():
        if bx1 < lon0 or bx0 > lon1 or by1 < lat0 or by0 > lat1:
            continue
        d, last = [], None
        for lon, lat in ring:
            px, py = xy(lon, lat)
            cell = (round(px), round(py))
            if cell == last:  # drop points closer than a pixel
                continue
            last = cell
            d.append(f"{px:.0f},{py:.0f}")
        if len(d) >= 3:
            paths.append("M" + "L".join(d) + "Z")
    if paths:
        out.append(f'<path class="land" d="{"".join(paths)}"/>')
    step = _grid_step(max(lon1 - lon0, lat1 - lat0))
    g = math.ceil(lon0 / step) * step
    while g <= lon1:
        px, _ = xy(g, 0)
        out.append(f'<line class="graticule" x1="{px:.1f}" y1="0" x2="{px:.1f}" y2="{height}"/>')
        out.append(f'<text class="tick" x="{px + 3:.1f}" y="{height - 4}">{_deg(g, "E", "W")}</text>')
        g += step
    g = math.ceil(lat0 / step) * step
    while g <= lat1:
        _, py = xy(0, g)
        out.append(f'<line class="graticule" x1="0" y1="{py:.1f}" x2="{width}" y2="{py:.1f}"/>')
        out.append(f'<text class="tick" x="3" y="{py - 3:.1f}">{_deg(g, "N", "S")}</text>')
        g += step
    index = {grp: i for i, grp in enumerate(groups)}
    for p in pts:
        px, py = xy(p.lon, p.lat)  # type: ignore[arg-type]
        c = colour(index.get(p.group, 0))
        out.append(
            f'<a href="#{escape(p.anchor)}"><circle class="fix" cx="{px:.1f}" cy="{py:.1f}" r="5" fill="{c}">'
            f"<title>{escape(p.label)}</title></circle></a>"
        )
    out.append("</svg>")
    return "".join(out)


def _grid_step(span: float) -> float:
    for s in (1, 2, 5, 10, 15, 30, 45, 60):
        if span / s <= 8:
            return float(s)
    return 90.0


def _deg(v: float, pos: str, neg: str) -> str:
    v = round(v, 6)
    if v == 0:
        return "0°"
    return f"{abs(v):g}°{pos if v > 0 else neg}"
