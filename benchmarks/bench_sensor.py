"""Sensor noise (PRNU): how well residuals tell cameras apart, and what they cost.

Simulated sensors over real photos: each simulated device has a fixed
multiplicative pattern ``K`` (normal, standard deviation ``--strength``); a
"photo" is a tile of a real photo of ../shared/corpora (brought down by 1.5 so
that its own camera's pattern is gone), blurred by the optics, multiplied by
``1 + K``, given shot and read noise, smoothed as demosaicing does, and saved
as a JPEG at each quality. Then the library takes every residual
(``forensics.sensor.residual``), groups the pictures blind
(``forensics.sensor.groups``) and the script reports, by compared side and
quality:

* true match rate: the share of same-device pairs that score above the threshold;
* false match rate: the share of different-device pairs that do;
* purity: the share of grouped pictures that sit with the majority of their
  group's device; completeness: the share of same-device pairs put in one group.

``--null`` measures the null distribution the threshold comes from: every pair
of real photos of different camera models in the corpora, central crops.
``--cost`` times a 12-megapixel picture's residual and a pair's score.

Usage::

    python benchmarks/bench_sensor.py [--sides 256 512 1024] [--qualities 60 70 80 90 95]
    python benchmarks/bench_sensor.py --null
    python benchmarks/bench_sensor.py --cost
"""

from __future__ import annotations

import argparse
import glob
import io
import itertools
import os
import statistics
import sys
import tempfile
import time

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from forensics.read.files import read_file  # noqa: E402
from forensics.records.sensor import SensorNoise  # noqa: E402
from forensics.sensor.groups import group_noises  # noqa: E402
from forensics.sensor.residual import CROP_SIDE, crop_box, quantise, residual_of, sensor_noise  # noqa: E402
from forensics.sensor.scores import ALPHA, NULL, Z_FLOOR, NullModel, pair_scores  # noqa: E402

CORPORA = os.path.join(os.path.dirname(ROOT), "shared", "corpora")
FOLDERS = ("camera-jpegs", "exif-samples", "pdq-photos")


def photos() -> list[str]:
    out = []
    for folder in FOLDERS:
        out += glob.glob(os.path.join(CORPORA, folder, "**", "*.[jJ][pP][gG]"), recursive=True)
    return sorted(out)


def tiles(side: int, count: int) -> list[np.ndarray]:
    """``count`` scene tiles of ``side`` pixels from the corpora's photos, brought down by 1.5."""
    out: list[np.ndarray] = []
    for path in photos():
        try:
            with Image.open(path) as im:
                if min(im.size) < side * 1.5:
                    continue
                im = im.convert("L")
                small = im.resize((int(im.width / 1.5), int(im.height / 1.5)), Image.Resampling.LANCZOS)
        except Exception:  # noqa: BLE001 - the corpora hold deliberately broken files
            continue
        a = np.asarray(small, dtype=np.float32)
        for y in range(0, a.shape[0] - side + 1, side):
            for x in range(0, a.shape[1] - side + 1, side):
                t = a[y : y + side, x : x + side]
                if t.std() > 8:  # a flat sky says nothing of a sensor, nor of this measurement
                    out.append(t)
        if len(out) >= count:
            return out[:count]
    raise SystemExit(f"only {len(out)} tiles of {side} pixels in {CORPORA}")


def shoot(scene: np.ndarray, k: np.ndarray, quality: int, rng: np.random.Generator) -> bytes:
    """What a simulated camera with pattern ``k`` makes of a scene: a JPEG."""
    import cv2

    light = cv2.GaussianBlur(scene, (0, 0), 1.0)  # the optics
    signal = light * (1.0 + k)  # the sensor's photo-response non-uniformity
    signal = signal + rng.normal(0.0, 1.0, signal.shape).astype(np.float32) * np.sqrt(0.05 * light + 1.0)  # shot + read
    signal = 0.6 * signal + 0.4 * cv2.GaussianBlur(signal, (0, 0), 0.7)  # demosaicing's interpolation
    pixels = np.clip(np.rint(signal), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels, "L").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def evaluate(side: int, quality: int, strength: float, devices: int, per_device: int, scenes: list[np.ndarray]) -> dict[str, float]:
    rng = np.random.default_rng(side * 1000 + quality)
    patterns = [np.random.default_rng(100 + d).normal(0.0, strength, (side, side)).astype(np.float32) for d in range(devices)]
    noises: dict[str, SensorNoise] = {}
    truth: dict[str, int] = {}
    for n, (d, s) in enumerate(itertools.product(range(devices), range(per_device))):
        data = shoot(scenes[n], patterns[d], quality, rng)
        noises[f"d{d}-{s}"] = sensor_noise(data, side=side)
        truth[f"d{d}-{s}"] = d
    found = group_noises(noises)
    (frame,) = found.frames
    z = np.array(frame.scores)
    paths = frame.paths
    same = [z[i, j] for i, j in itertools.combinations(range(len(paths)), 2) if truth[paths[i]] == truth[paths[j]]]
    diff = [z[i, j] for i, j in itertools.combinations(range(len(paths)), 2) if truth[paths[i]] != truth[paths[j]]]
    t = found.threshold
    grouped = [(truth[p], g) for g in found.groups for p in g.paths]
    majority = sum(max(sum(1 for m in g.paths if truth[m] == d) for d in range(devices)) for g in found.groups)
    together = sum(1 for i, j in itertools.combinations(paths, 2) if truth[i] == truth[j] and (g := found.group_of(i)) is not None and j in g.paths)
    return {
        "threshold": t,
        "true_match": sum(v >= t for v in same) / len(same),
        "false_match": sum(v >= t for v in diff) / len(diff),
        "same_median": statistics.median(same),
        "diff_max": max(diff),
        "purity": majority / len(grouped) if grouped else float("nan"),
        "completeness": together / len(same),
        "groups": len(found.groups),
    }


def run_rates(args: argparse.Namespace) -> None:
    print(f"{args.devices} devices × {args.per_device} pictures; alpha {ALPHA:g}, floor z {Z_FLOOR:g}; null {NULL.source}")
    print("| strength | side | quality | threshold z | true match | false match | median same z | max different z | groups | purity | completeness |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for side in args.sides:
        scenes = tiles(side, args.devices * args.per_device)
        for strength in args.strength:
            for q in args.qualities:
                r = evaluate(side, q, strength, args.devices, args.per_device, scenes)
                print(f"| {strength:g} | {side} | {q} | {r['threshold']:.1f} | {r['true_match']:.2f} | {r['false_match']:.3f} | "
                      f"{r['same_median']:.1f} | {r['diff_max']:.1f} | {r['groups']} | {r['purity']:.2f} | {r['completeness']:.2f} |", flush=True)  # fmt: skip


def run_null(args: argparse.Namespace) -> None:
    """Every pair of real photos of different camera models: central crops of the same side."""
    side = args.null_side
    noises: list[tuple[str, str, SensorNoise]] = []
    for path in photos():
        record = read_file(path)
        model = record.metadata.device
        if record.error or not model or record.format != "JPEG" or min(record.width or 0, record.height or 0) < side:
            continue
        n = sensor_noise(path, side=side)
        if n.taken:
            noises.append((path, model.lower(), n))
    from forensics.sensor.residual import arrays

    z = pair_scores([arrays(n)[0] for _, _, n in noises])
    values = [float(z[i, j]) for i, j in itertools.combinations(range(len(noises)), 2) if noises[i][1] != noises[j][1]]
    same = [(float(z[i, j]), os.path.basename(noises[i][0]), os.path.basename(noises[j][0]))
            for i, j in itertools.combinations(range(len(noises)), 2) if noises[i][1] == noises[j][1]]  # fmt: skip
    mean, std = statistics.fmean(values), statistics.stdev(values)
    print(f"{len(noises)} photos, {len({m for _, m, _ in noises})} models, {len(values)} pairs of different models, side {side}")
    print(f"z: mean {mean:.3f}, std {std:.3f}, min {min(values):.2f}, max {max(values):.2f}")
    for q in (0.5, 0.9, 0.99, 0.999):
        print(f"  quantile {q}: {np.quantile(values, q):.2f}")
    model = NullModel(mean, std, len(values), max(values), "")
    print(f"beyond 4σ: {sum(v > mean + 4 * std for v in values)}; fitted tail at z=6: {model.false_match(6.0):.2e}")
    print("pairs of one model (one body, or two of a kind):")
    for v, a, b in sorted(same, reverse=True):
        print(f"  {v:7.2f}  {a} — {b}")


def run_cost(args: argparse.Namespace) -> None:
    """A 12-MP phone-like JPEG's residual (decode, crop, filter, quantise) and a pair's score."""
    rng = np.random.default_rng(5)
    scene = np.asarray(Image.open(photos()[0]).convert("L").resize((4032, 3024)), dtype=np.float32)
    k = rng.normal(0, 0.005, scene.shape).astype(np.float32)
    data = shoot(scene, k, 92, rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "12mp.jpg")
        with open(path, "wb") as f:
            f.write(data)
        for side in args.sides:
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                sensor_noise(path, side=side)
                times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            with Image.open(path) as im:
                im.draft("L", im.size)
                im.load()
            decode_s = time.perf_counter() - t0
            lum = np.asarray(Image.open(path).convert("L").crop(crop_box(4032, 3024, side)), dtype=np.float32)
            t0 = time.perf_counter()
            res = residual_of(lum)
            filter_s = time.perf_counter() - t0
            n = quantise(res, lum, frame=(4032, 3024))
            residuals = [res + rng.normal(0, 1, res.shape).astype(np.float32) for _ in range(32)]
            t0 = time.perf_counter()
            pair_scores(residuals)
            pair_s = (time.perf_counter() - t0) / (32 * 31 / 2)
            print(f"side {side}: residual of a 12-MP JPEG {min(times) * 1000:.0f} ms (full-size Y decode {decode_s * 1000:.0f} ms, "
                  f"filters {filter_s * 1000:.0f} ms); {len(n.residual) + len(n.luma)} bytes back from a worker; "
                  f"{pair_s * 1e3:.2f} ms per pair (32 pictures)")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sides", type=int, nargs="+", default=[256, 512, CROP_SIDE])
    ap.add_argument("--qualities", type=int, nargs="+", default=[60, 70, 80, 90, 95])
    ap.add_argument("--strength", type=float, nargs="+", default=[0.01, 0.005], help="standard deviation of the simulated pattern K")
    ap.add_argument("--devices", type=int, default=4)
    ap.add_argument("--per-device", type=int, default=5)
    ap.add_argument("--null", action="store_true", help="measure the null distribution on real photos of different models")
    ap.add_argument("--null-side", type=int, default=CROP_SIDE)
    ap.add_argument("--cost", action="store_true", help="time a 12-MP picture's residual and a pair's score")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not os.path.isdir(CORPORA):
        raise SystemExit(f"no corpora at {CORPORA}")
    if args.null:
        run_null(args)
    elif args.cost:
        run_cost(args)
    else:
        run_rates(args)


if __name__ == "__main__":
    main()
