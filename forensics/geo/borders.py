"""Countries from borders: which country's boundary polygon holds a point, and how far its border is.

The polygons are those timezonefinder ships (built by timezone-boundary-builder
from OpenStreetMap's administrative boundaries, territorial waters included,
without simplification). Each zone belongs to one country in tzdata's
``zone.tab``; the data has a zone for every country, even where several share
one set of clock rules, so a zone polygon's outline is the country's border
wherever it meets another country's zone. Zone lines inside a country (Russia's,
say) are not borders and are never measured.

Disputed areas (:mod:`forensics.knowledge.disputed`) are named as such: those
the data draws as zones of their own (Crimea, Northern Cyprus, Western Sahara)
count as units of their own here, the others by their outline.

The point-in-polygon test is timezonefinder's; the distance to a border is
measured here, on the polygons' edges near the point, in a local equirectangular
projection (under 1 % error at the distances that matter). Edges are decoded and
indexed per polygon on first need, so the first lookup in a region costs some
milliseconds and later ones microseconds. Nothing touches the network.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from forensics.geo.zones import finder
from forensics.knowledge.disputed import DISPUTED, DisputedArea, disputed_by_zone
from forensics.records.record import Serialisable

DEFAULT_ACCURACY_KM = 3.0  # a fix whose record states no error: phones often fall back on Wi-Fi or cell positions
SOURCE = "borders"  # the country came from boundary polygons (timezonefinder data + tzdata zone.tab)
KM_PER_DEGREE = 111.195  # along a meridian, on the mean Earth radius
CHUNK = 64  # edges per indexed run of a ring: small enough to skip most of a long border, big enough to vectorise
_SCALE = 1e-7  # timezonefinder stores degrees as int32 multiples of 1e-7


@dataclass(frozen=True)
class Neighbour(Serialisable):
    """A country (or disputed area) whose border lies within reach of a fix."""

    code: str | None  # ISO 3166-1 alpha-2; None for a disputed area
    name: str
    km: float  # from the fix to that border
    claimants: tuple[str, ...] = ()  # for a disputed area: the states it is claimed for


@dataclass(frozen=True)
class Country(Serialisable):
    """The country a point lies in, by boundary polygons, and how close it is to another.

    ``code`` is None at sea and inside a disputed area (``disputed`` then says
    which, and ``zone_code`` what the boundary data alone would say).
    """

    code: str | None
    name: str | None
    source: str = SOURCE
    border_km: float | None = None  # to the nearest border with another country or disputed area
    neighbours: tuple[Neighbour, ...] = ()  # those within the fix's accuracy, nearest first
    disputed: DisputedArea | None = None
    zone_code: str | None = None  # the zone's country in tzdata's zone.tab
    at_sea: bool = False


@functools.lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """IANA zone -> ISO country code, from tzdata's zone.tab (one country per zone)."""
    text = resources.files("tzdata").joinpath("zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        cols = line.split("\t")
        if not line.startswith("#") and len(cols) >= 3:
            out[cols[2]] = cols[0].upper()
    return out


@functools.lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO code -> English short name: reverse-geocode's GeoNames list, tzdata's iso3166.tab for the rest."""
    names: dict[str, str] = {}
    text = resources.files("tzdata").joinpath("zoneinfo").joinpath("iso3166.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        cols = line.split("\t")
        if not line.startswith("#") and len(cols) >= 2:
            names[cols[0].upper()] = cols[1]
    # the names the nearest-place lookup gives, so a report names one country one way; found
    # without importing reverse_geocode, which loads scipy
    spec = importlib.util.find_spec("reverse_geocode")
    try:
        rows = Path(spec.origin).with_name("countries.csv").read_text(encoding="utf-8") if spec and spec.origin else ""
    except OSError:
        rows = ""
    names.update({row[0].upper(): row[1] for row in csv.reader(rows.splitlines()) if len(row) >= 2})
    return names


def zone_country(zone_name: str | None) -> str | None:
    """The ISO country code tzdata's zone.tab gives a zone, or None (the ``Etc/`` sea zones, unknown names).

    Examples
    --------
    >>> zone_country("Asia/Damascus")
    'SY'
    """
    return _zone_countries().get(zone_name or "")


def _key_name(key: str) -> tuple[str | None, str, tuple[str, ...]]:
    """(code, name, claimants) of a border key: an ISO code, or ``disputed:<id>``."""
    if key.startswith("disputed:"):
        area = next(a for a in DISPUTED if a.id == key[9:])
        return None, area.name, area.claimants
    return key, country_names().get(key, key), ()


def _zone_key(zone_name: str | None) -> str | None:
    """The border key of a zone: its country, its disputed area, or None at sea."""
    if not zone_name or zone_name.startswith("Etc/"):
        return None
    area = disputed_by_zone(zone_name)
    if area is not None:
        return f"disputed:{area.id}"
    return _zone_countries().get(zone_name)


class _Ring:
    """One closed ring (the last vertex joins the first), with the bounding boxes of its runs of edges."""

    __slots__ = ("box", "boxes", "n", "xy")

    def __init__(self, xy: Any) -> None:
        import numpy as np  # deferred: numpy is heavy for `import forensics`

        self.xy = np.asarray(xy, dtype=np.float64)  # (2, n) degrees
        self.n = self.xy.shape[1]
        starts = np.arange(0, self.n, CHUNK)
        ends = np.minimum(starts + CHUNK, self.n)  # a run's last edge ends on the next run's first vertex
        closed = np.concatenate([self.xy, self.xy[:, :1]], axis=1)
        boxes = []
        for lo, hi in zip(starts, ends):
            seg = closed[:, lo : hi + 1]
            boxes.append((seg[0].min(), seg[0].max(), seg[1].min(), seg[1].max()))
        self.boxes = np.array(boxes, dtype=np.float64).T  # (4, runs): lon min, lon max, lat min, lat max
        self.box = (float(self.boxes[0].min()), float(self.boxes[1].max()), float(self.boxes[2].min()), float(self.boxes[3].max()))

    def distance_km(self, lat: float, lon: float, limit: float = math.inf) -> tuple[float, float, float]:
        """Distance from the point to the ring's nearest edge, if no farther than ``limit``, and that edge's nearest point.

        Runs of edges are visited nearest bounding box first; a run whose box
        lies beyond the best distance so far is never looked at.
        """
        import numpy as np

        if _one_box_km(self.box, lat, lon) > limit:
            return math.inf, math.nan, math.nan
        lower = _box_km(self.boxes, lat, lon)
        few = np.argpartition(lower, 3)[:4] if lower.size > 4 else np.arange(lower.size)
        best = self._runs_km(few, lat, lon)
        rest = np.nonzero(lower <= min(limit, best[0]))[0]
        if rest.size:
            best = min(best, self._runs_km(rest, lat, lon))
        return best if best[0] <= limit else (math.inf, math.nan, math.nan)

    def edges_within(self, lat: float, lon: float, radius: float) -> Any:
        """The ring's edges whose nearest point lies within ``radius`` km: a (4, k) array of lon0, lat0, lon1, lat1."""
        import numpy as np

        if _one_box_km(self.box, lat, lon) > radius:
            return np.empty((4, 0))
        runs = np.nonzero(_box_km(self.boxes, lat, lon) <= radius)[0]
        idx = (runs[:, None] * CHUNK + np.arange(CHUNK)[None, :]).ravel()
        idx = idx[idx < self.n]
        nxt = (idx + 1) % self.n
        edges = np.stack([self.xy[0, idx], self.xy[1, idx], self.xy[0, nxt], self.xy[1, nxt]])
        return edges[:, _edge_km(edges, lat, lon) <= radius]

    def _runs_km(self, runs: Any, lat: float, lon: float) -> tuple[float, float, float]:
        import numpy as np

        idx = (runs[:, None] * CHUNK + np.arange(CHUNK)[None, :]).ravel()
        idx = idx[idx < self.n]
        if idx.size == 0:
            return math.inf, math.nan, math.nan
        kx = math.cos(math.radians(lat)) * KM_PER_DEGREE
        nxt = (idx + 1) % self.n
        ax = ((self.xy[0, idx] - lon + 180.0) % 360.0 - 180.0) * kx
        ay = (self.xy[1, idx] - lat) * KM_PER_DEGREE
        dx = ((self.xy[0, nxt] - lon + 180.0) % 360.0 - 180.0) * kx - ax
        dy = (self.xy[1, nxt] - lat) * KM_PER_DEGREE - ay
        length2 = dx * dx + dy * dy
        t = np.clip(-(ax * dx + ay * dy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
        px, py = ax + t * dx, ay + t * dy
        d2 = px * px + py * py
        i = int(np.argmin(d2))
        return math.sqrt(float(d2[i])), lat + float(py[i]) / KM_PER_DEGREE, lon + float(px[i]) / kx


def _edge_km(edges: Any, lat: float, lon: float) -> Any:
    """Distances (km) from the point to edges (rows lon0, lat0, lon1, lat1), in the point's local projection."""
    import numpy as np

    kx = math.cos(math.radians(lat)) * KM_PER_DEGREE
    ax = ((edges[0] - lon + 180.0) % 360.0 - 180.0) * kx
    ay = (edges[1] - lat) * KM_PER_DEGREE
    dx = ((edges[2] - lon + 180.0) % 360.0 - 180.0) * kx - ax
    dy = (edges[3] - lat) * KM_PER_DEGREE - ay
    length2 = dx * dx + dy * dy
    t = np.clip(-(ax * dx + ay * dy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    px, py = ax + t * dx, ay + t * dy
    return np.sqrt(px * px + py * py)


def _one_box_km(box: tuple[float, float, float, float], lat: float, lon: float) -> float:
    """:func:`_box_km` for one box, without numpy's per-call cost."""
    x0, x1, y0, y1 = box
    dlon = min(max(x0 - x, x - x1, 0.0) for x in (lon - 360.0, lon, lon + 360.0))
    dlat = max(y0 - lat, lat - y1, 0.0)
    return math.hypot(dlon * math.cos(math.radians(lat)) * KM_PER_DEGREE, dlat * KM_PER_DEGREE)


def _box_km(boxes: Any, lat: float, lon: float) -> Any:
    """Lower bounds (km) from the point to lon/lat boxes (rows: lon min, lon max, lat min, lat max), in the
    same local projection the edges are measured in; across the antimeridian too."""
    import numpy as np

    dlon = np.full(boxes.shape[1], np.inf)
    for shift in (-360.0, 0.0, 360.0):
        x = lon + shift
        dlon = np.minimum(dlon, np.maximum(np.maximum(boxes[0] - x, x - boxes[1]), 0.0))
    dlat = np.maximum(np.maximum(boxes[2] - lat, lat - boxes[3]), 0.0)
    return np.hypot(dlon * math.cos(math.radians(lat)) * KM_PER_DEGREE, dlat * KM_PER_DEGREE)


class _Borders:
    """The boundary polygons of every zone, keyed by country, with their rings decoded on first need."""

    def __init__(self) -> None:
        import numpy as np

        tf = finder()
        self.tf = tf
        count = tf.nr_of_polygons
        name_of = getattr(tf, "zone_name_from_boundary_id", None)
        if name_of is None:  # timezonefinder < 9 (the only ones on Python 3.10)
            name_of = lambda i: tf.zone_name_from_id(tf.zone_id_of(i))  # noqa: E731
        self.keys = [_zone_key(name_of(i)) for i in range(count)]
        try:  # timezonefinder >= 9 keeps every polygon's bounding box
            b = tf.boundaries
            self.boxes = np.array([b.xmin, b.xmax, b.ymin, b.ymax], dtype=np.float64) * _SCALE
        except AttributeError:  # older data layouts: work the boxes out once
            self.boxes = np.array([_bounds(tf.coords_of(i)) for i in range(count)], dtype=np.float64).T * _SCALE
        self._rings: dict[int, list[_Ring]] = {}
        self.outlines = [(a, _Ring(list(zip(*a.outline)))) for a in DISPUTED if a.outline]

    def rings(self, boundary: int) -> list[_Ring]:
        """The outer ring and holes of one boundary polygon (a hole's edge borders an enclave)."""
        if boundary not in self._rings:
            tf = self.tf
            rings = [_Ring(tf.coords_of(boundary) * _SCALE)]
            holes = getattr(tf, "holes", None)
            if holes is not None:
                rings += [_Ring(holes.coords_of(h) * _SCALE) for h in holes.ids_of(boundary)]
            else:  # older versions give holes only through get_polygon
                rings += [_Ring(h) for h in tf.get_polygon(boundary)[1:]]
            self._rings[boundary] = rings
        return self._rings[boundary]


def _bounds(coords: Any) -> tuple[float, float, float, float]:
    return float(coords[0].min()), float(coords[0].max()), float(coords[1].min()), float(coords[1].max())


@functools.lru_cache(maxsize=1)
def _borders() -> _Borders:
    return _Borders()


def _inside(ring: _Ring, lat: float, lon: float) -> bool:
    """Even-odd rule on a small outline (a disputed area's)."""
    import numpy as np

    x, y = ring.xy
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    crosses = (y > lat) != (yn > lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = x + (lat - y) * (xn - x) / (yn - y)
    return bool(np.count_nonzero(crosses & (lon < at)) % 2)


def _nearest(borders: _Borders, own: str | None, lat: float, lon: float, reach: float) -> dict[str, float]:
    """Key -> distance of the nearest border and of every other one within ``reach`` km.

    Polygons are visited nearest bounding box first and only while their box
    is nearer than the best border found (or ``reach``): far ones are never decoded.
    """
    import numpy as np

    lower = _box_km(borders.boxes, lat, lon)
    best = math.inf
    found: dict[str, float] = {}
    for i in np.argsort(lower):
        key = borders.keys[i]
        if key is None or key == own:
            continue
        limit = max(best, reach)
        if lower[i] > limit:
            break
        for ring in borders.rings(int(i)):
            d = ring.distance_km(lat, lon, limit)[0]
            if d < found.get(key, math.inf):
                found[key] = d
            best = min(best, d)
    limit = max(best, reach)
    return {k: d for k, d in found.items() if d <= limit}


def _outline_borders(
    borders: _Borders, own: str | None, lat: float, lon: float, reach: float
) -> tuple[DisputedArea | None, dict[str, float]]:
    """The outline-drawn disputed area holding the point, and the outlines' edges within ``reach`` km."""
    holder = None
    found: dict[str, float] = {}
    for area, ring in borders.outlines:
        x0, x1, y0, y1 = ring.box
        inside = bool(x0 <= lon <= x1 and y0 <= lat <= y1) and _inside(ring, lat, lon)
        d, near_lat, near_lon = ring.distance_km(lat, lon, math.inf if inside else reach)
        if inside:
            holder = area
        if d > reach:
            continue
        if inside:  # leaving the area: whose zone lies just beyond its edge
            step = 0.5 / max(d, 1e-3)
            key = _zone_key(_zone_at(near_lat + (near_lat - lat) * step, near_lon + (near_lon - lon) * step))
            if key is not None:
                found[key] = min(d, found.get(key, math.inf))
        else:
            found[f"disputed:{area.id}"] = d
    return holder, found


def _zone_at(lat: float, lon: float) -> str | None:
    try:
        return finder().timezone_at(lat=lat, lng=lon)
    except ValueError:
        return None


CELL_DEGREES = 0.1  # side of a grid cell: about 11 km, so most fixes lie in a cell no border crosses
MAX_CELLS = 2048  # cells remembered (32 bytes an edge, a few hundred edges a cell, thousands far from any border)
_DISTANCE_SLACK = 0.01  # the point's local projection differs from the cell centre's by well under 1 % in distance


class _Edges:
    """Border edges near a cell (rows lon0, lat0, lon1, lat1, in the order the rings give them), in runs with
    bounding boxes, so that a point's nearest edge is found looking at a few runs."""

    __slots__ = ("boxes", "edges", "n", "pre")

    RUN = 32

    def __init__(self, edges: Any) -> None:
        import numpy as np

        self.edges, self.n = edges, edges.shape[1]
        # what does not depend on the point, worked out once: start, direction (lon wrapped), squares
        dlon = (edges[2] - edges[0] + 180.0) % 360.0 - 180.0
        dlat_km = (edges[3] - edges[1]) * KM_PER_DEGREE
        self.pre = np.stack([edges[0], edges[1] * KM_PER_DEGREE, dlon, dlat_km, dlon * dlon, dlat_km * dlat_km])
        boxes = []
        for lo in range(0, self.n, self.RUN):
            e = edges[:, lo : lo + self.RUN]
            lons, lats = np.concatenate([e[0], e[2]]), np.concatenate([e[1], e[3]])
            boxes.append((lons.min(), lons.max(), lats.min(), lats.max()))
        self.boxes = np.array(boxes, dtype=np.float64).T.reshape(4, -1)

    def nearest_km(self, lat: float, lon: float) -> float:
        import numpy as np

        if self.n <= 4 * self.RUN * 8:  # few edges: one pass over all of them is cheapest
            return self._km(self.pre, lat, lon)
        lower = _box_km(self.boxes, lat, lon)
        best = self._runs_km(np.argpartition(lower, 3)[:4], lat, lon)
        return min(best, self._runs_km(np.nonzero(lower <= best)[0], lat, lon))

    def _runs_km(self, runs: Any, lat: float, lon: float) -> float:
        import numpy as np

        idx = (runs[:, None] * self.RUN + np.arange(self.RUN)[None, :]).ravel()
        idx = idx[idx < self.n]
        return self._km(self.pre[:, idx], lat, lon) if idx.size else math.inf

    @staticmethod
    def _km(pre: Any, lat: float, lon: float) -> float:
        """:func:`_edge_km`'s nearest distance, from the precomputed rows (fewer array passes)."""
        import numpy as np

        kx = math.cos(math.radians(lat)) * KM_PER_DEGREE
        ax = ((pre[0] - lon + 180.0) % 360.0 - 180.0) * kx
        ay = pre[1] - lat * KM_PER_DEGREE
        dx = pre[2] * kx
        dy = pre[3]
        length2 = pre[4] * (kx * kx) + pre[5]
        t = -(ax * dx + ay * dy)
        np.divide(t, length2, out=t, where=length2 > 0)
        np.clip(t, 0.0, 1.0, out=t)
        px, py = ax + t * dx, ay + t * dy
        return math.sqrt(float((px * px + py * py).min()))


@dataclass(frozen=True)
class _Cell:
    """A grid cell no border, coast or disputed outline crosses: one answer for every point in it.

    ``edges`` are every border edge that can be the nearest one to a point of
    the cell; ``clear_km`` is how far every point of the cell is from every
    border, at least.
    """

    key: str | None
    zone_name: str
    clear_km: float
    edges: _Edges


_cells: dict[tuple[int, int], _Cell | None] = {}


def _cell(lat: float, lon: float) -> _Cell | None:
    """The cell holding a point, worked out on the first lookup in it; None for a cell a boundary crosses."""
    index = (math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES))
    if index in _cells:
        return _cells[index]
    if len(_cells) >= MAX_CELLS:
        _cells.clear()
    lat0, lon0 = index[0] * CELL_DEGREES, index[1] * CELL_DEGREES
    _cells[index] = cell = _uniform_cell(lat0 + CELL_DEGREES / 2, lon0 + CELL_DEGREES / 2)
    return cell


def _uniform_cell(clat: float, clon: float) -> _Cell | None:
    import numpy as np

    if abs(clat) > 89.0:
        return None
    zone_name = _zone_at(clat, clon)
    if zone_name is None:
        return None
    key = _zone_key(zone_name)
    borders = _borders()
    # half the cell's diagonal in the centre's projection, in which the cell is a rectangle
    half = math.hypot(CELL_DEGREES / 2 * math.cos(math.radians(clat)) * KM_PER_DEGREE, CELL_DEGREES / 2 * KM_PER_DEGREE)
    lower = _box_km(borders.boxes, clat, clon)
    for i in np.nonzero(lower <= half)[0]:  # any other zone's edge, the sea's included, inside the cell?
        if borders.keys[i] != key and any(r.distance_km(clat, clon, half)[0] <= half for r in borders.rings(int(i))):
            return None
    for _area, ring in borders.outlines:
        if ring.distance_km(clat, clon, half)[0] <= half or (_in_box(ring.box, clat, clon) and _inside(ring, clat, clon)):
            return None
    near = _nearest(borders, key, clat, clon, 0.0)
    nearest = min(list(near.values()) + [r.distance_km(clat, clon)[0] for _, r in borders.outlines])
    if not math.isfinite(nearest):
        return None
    band = (nearest + 2 * half) * (1 + _DISTANCE_SLACK) + 0.1  # every edge that can be nearest to a point of the cell
    found = [np.empty((4, 0))]
    for i in np.nonzero(lower <= band)[0]:
        if borders.keys[i] is not None and borders.keys[i] != key:
            found.extend(r.edges_within(clat, clon, band) for r in borders.rings(int(i)))
    found.extend(ring.edges_within(clat, clon, band) for _, ring in borders.outlines)
    edges = np.concatenate(found, axis=1)
    if not edges.shape[1]:
        return None
    return _Cell(key, zone_name, (nearest - half) * (1 - _DISTANCE_SLACK), _Edges(edges))


def _in_box(box: tuple[float, float, float, float], lat: float, lon: float) -> bool:
    return box[0] <= lon <= box[1] and box[2] <= lat <= box[3]


def _from_cell(lat: float, lon: float, accuracy_km: float) -> Country | None:
    """The answer for a point in a cell no boundary crosses and too far from a border for a neighbour, else None."""

    cell = _cell(lat, lon)
    if cell is None or accuracy_km >= cell.clear_km:
        return None
    border_km = round(cell.edges.nearest_km(lat, lon), 1)
    zone_code = _zone_countries().get(cell.zone_name)
    area = disputed_by_zone(cell.zone_name)
    if area is not None:
        return Country(None, area.name, border_km=border_km, disputed=area, zone_code=zone_code)
    if cell.key is None:
        return Country(None, None, border_km=border_km, zone_code=None, at_sea=True)
    return Country(cell.key, country_names().get(cell.key, cell.key), border_km=border_km, zone_code=zone_code)


@functools.lru_cache(maxsize=4096)
def country_at(lat: float, lon: float, *, accuracy_km: float = DEFAULT_ACCURACY_KM) -> Country:
    """The country at a point by boundary polygons, the distance to its nearest border, neighbours within reach.

    Parameters
    ----------
    lat, lon : float
        WGS84 degrees.
    accuracy_km : float
        How far the true position may be from the fix; countries whose border
        lies within it are named as neighbours.

    Examples
    --------
    >>> country_at(33.5138, 36.2765).code
    'SY'
    >>> country_at(44.95, 34.10).disputed.name
    'Crimea'
    """
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return Country(None, None, border_km=None)
    quick = _from_cell(lat, lon, accuracy_km)
    if quick is not None:  # most fixes: no polygon test, one vectorised distance to the border edges near the cell
        return quick
    return _country_by_polygons(lat, lon, accuracy_km)


def _country_by_polygons(lat: float, lon: float, accuracy_km: float) -> Country:
    """:func:`country_at` from the polygons themselves: for a fix in a cell a boundary crosses, or near a border."""
    zone_name = _zone_at(lat, lon)
    key = _zone_key(zone_name)
    zone_code = _zone_countries().get(zone_name or "")
    borders = _borders()
    near = _nearest(borders, key, lat, lon, accuracy_km)
    reach = max(min(near.values(), default=math.inf), accuracy_km)
    holder, edges = _outline_borders(borders, key, lat, lon, reach)
    for k, d in edges.items():
        near[k] = min(d, near.get(k, math.inf))
    if holder is None and key is not None:
        near.pop(key, None)
    area = holder or (disputed_by_zone(zone_name) if zone_name else None)
    neighbours = tuple(
        Neighbour(*_key_name(k)[:2], km=round(d, 1), claimants=_key_name(k)[2])
        for k, d in sorted(near.items(), key=lambda kv: kv[1])
        if d <= accuracy_km
    )
    border_km = round(min(near.values()), 1) if near else None
    if area is not None:
        return Country(None, area.name, border_km=border_km, neighbours=neighbours, disputed=area, zone_code=zone_code)
    if key is None:
        return Country(None, None, border_km=border_km, neighbours=neighbours, zone_code=None, at_sea=zone_name is not None)
    return Country(key, country_names().get(key, key), border_km=border_km, neighbours=neighbours, zone_code=zone_code)


__all__ = ["DEFAULT_ACCURACY_KM", "Country", "Neighbour", "country_at", "country_names", "zone_country"]
