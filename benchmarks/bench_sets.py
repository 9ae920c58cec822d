"""Cost of the set-level analyses per picture, against the decode floor.

Builds ``--images`` records in memory (no files: the reading is measured by
``scan_bench.py``) shaped like a phone's day: one device, counters in order,
GPS fixes spread over a country, offsets and GPS times. Then measures

* loading the offline geodata (a fresh interpreter: first ``place_at``);
* per-image checks of the place and the sun (``gps-location``, ``daylight``);
* every set check (``device-mix``, ``timeline``, ``time-zone``, ``impossible-travel``);
* the set summary and the weighing of a two-hypothesis case file.

The floor it is compared with is a 12-MP JPEG decoded at 1/8 scale: 30.6 ms
(docs/performance.md, PERF_NOTES).

Usage::

    python benchmarks/bench_sets.py [--images 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import subprocess
import sys
import time

FLOOR_MS = 30.6

CASE = """
[[hypotheses]]
id = "recovered"
statement = "Taken in Syria before 2016-06-22 on one phone"
country = "SY"
taken_before = 2016-06-22
single_device = true
[[hypotheses]]
id = "stolen"
statement = "Taken in Russia"
country = "RU"
"""


def records(n: int):
    from forensics.records.record import GPS, Hashes, ImageRecord, Metadata

    rng = random.Random(7)
    out = []
    start = dt.datetime(2016, 6, 1, 8, 0)
    for i in range(n):
        local = start + dt.timedelta(minutes=17 * i)
        utc = (local - dt.timedelta(hours=3)).replace(tzinfo=dt.timezone.utc)
        lat, lon = 33.0 + rng.random() * 3, 36.0 + rng.random() * 2
        h = f"{rng.getrandbits(64):016x}"
        meta = Metadata(
            make="Apple", model="iPhone 6s", software="9.3.2", datetime_original=local,
            offset_time_original="+03:00", gps=GPS(lat=lat, lon=lon, utc=utc),
        )  # fmt: skip
        out.append(
            ImageRecord(
                path=f"/set/IMG_{1000 + i:04d}.JPG", kind="image", format="JPEG", width=4032, height=3024,
                metadata=meta, hashes=Hashes(h, h, h, h, h[:14]), luma_mean=rng.uniform(60, 160),
            )  # fmt: skip
        )
    return out


def _cold_geodata() -> float:
    code = "import time; t=time.perf_counter(); import forensics.geo as g; g.place_at(33.5, 36.3); print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout) * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    from forensics.case.assess import assess
    from forensics.case.file import parse_case
    from forensics.checks import CheckContext
    from forensics.checks.daylight import daylight
    from forensics.checks.place import gps_location
    from forensics.checks.registry import REGISTRY, run_set_checks
    from forensics.sets.summary import summarise

    recs = records(args.images)
    ctx = CheckContext()
    case = parse_case(CASE)
    cold = statistics.median(_cold_geodata() for _ in range(args.repeat))
    set_ids = [c.id for c in REGISTRY.values() if c.scope == "set" and c.id in ("device-mix", "timeline", "time-zone", "impossible-travel")]

    def per_image():
        return [f for r in recs for f in (*gps_location(r, ctx), *daylight(r, ctx))]

    timings: dict[str, list[float]] = {"per-image place and sun": [], "set checks": [], "summary": [], "case (2 hypotheses)": []}
    from forensics.geo import places as geo

    geo.place_at(0.5, 0.5)  # data loaded once per process: measured above
    for _ in range(args.repeat):
        geo.place_at.cache_clear()  # every repeat looks every point up afresh
        geo._country_offsets.cache_clear()
        t = time.perf_counter()
        findings = per_image()
        timings["per-image place and sun"].append(time.perf_counter() - t)
        t = time.perf_counter()
        findings += run_set_checks(recs, ctx, only=set_ids)
        timings["set checks"].append(time.perf_counter() - t)
        t = time.perf_counter()
        summarise(recs)
        timings["summary"].append(time.perf_counter() - t)
        t = time.perf_counter()
        assess(case, recs, findings, ())
        timings["case (2 hypotheses)"].append(time.perf_counter() - t)

    print(f"{args.images} records, median of {args.repeat}; floor = {FLOOR_MS} ms per 12-MP JPEG")
    print(f"{'geodata load (cold process, once)':38s} {cold:8.0f} ms")
    total = 0.0
    for name, values in timings.items():
        ms = statistics.median(values) * 1000 / args.images
        total += ms
        print(f"{name:38s} {ms:8.3f} ms/image  ({ms / FLOOR_MS:.1%} of the floor)")
    print(f"{'all set-level analysis':38s} {total:8.3f} ms/image  ({total / FLOOR_MS:.1%} of the floor)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
