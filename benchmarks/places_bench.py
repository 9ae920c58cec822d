"""The fixed cost of looking places up: the first ``place_at`` of a fresh process.

Each measurement is a fresh interpreter that imports ``forensics.cli`` (which
sets OpenBLAS to one thread, as the command runs), ``forensics.checks`` and
numpy (a scan has them before any lookup; ``import forensics`` alone no longer
loads the checks), then times its first ``place_at`` —
loading the places, the time-zone polygons and the borders — and its second
(a lookup alone). Rounds interleave:

* ``cached``: the places from the cache file (the usual case);
* ``cold cache``: an empty cache folder, so the cache file is built first (once per install);
* ``KD-tree``: what the lookup did before: ``reverse_geocode.GeocodeData()``
  (its JSON parsed, ``scipy.spatial`` imported, the KD-tree built) in place of the cache.

    python benchmarks/places_bench.py --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import json, sys, time
import forensics.cli, forensics.checks, numpy
from forensics.geo import places
if sys.argv[1] == "kdtree":
    import reverse_geocode
    def old(lat, lon):
        return dict(reverse_geocode.GeocodeData().query([(lat, lon)])[0])
    places.nearest_place = old
t = time.perf_counter()
c = time.process_time()
places.place_at(36.2, 37.1)
first, first_cpu = time.perf_counter() - t, time.process_time() - c
t = time.perf_counter()
places.place_at(33.51, 36.28)
second = time.perf_counter() - t
print(json.dumps({"first": first, "first_cpu": first_cpu, "second": second}))
"""


def run(mode: str, cache: str) -> dict:
    env = dict(os.environ, FORENSICS_CACHE_DIR=cache)
    out = subprocess.run([sys.executable, "-c", PROBE, mode], env=env, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    rows: dict[str, list[dict]] = {"cached": [], "cold cache": [], "KD-tree": []}
    with tempfile.TemporaryDirectory() as warm:
        run("cached", warm)  # builds the cache once
        for _ in range(args.repeat):
            rows["cached"].append(run("cached", warm))
            with tempfile.TemporaryDirectory() as cold:
                rows["cold cache"].append(run("cached", cold))
            rows["KD-tree"].append(run("kdtree", warm))
    print(f"fresh processes, median of {args.repeat} (min–max); seconds")
    print(f"{'':12} {'first place_at':>22} {'its CPU':>9} {'next lookup ms':>15}")
    for name, rs in rows.items():
        first = [r["first"] for r in rs]
        print(
            f"{name:12} {statistics.median(first):8.3f} ({min(first):.3f}–{max(first):.3f}) "
            f"{statistics.median(r['first_cpu'] for r in rs):9.3f} {1000 * statistics.median(r['second'] for r in rs):15.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
