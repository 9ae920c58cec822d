"""Copy-move and pasted regions: how often forgeries made from real photos are found, and how often originals are flagged.

Forgeries are built from the real photos in ../shared/corpora (decoded at the
analyses' working size, long side at most 2048):

* ``move``: a square of 15-22% of the short side copied elsewhere in the picture;
* ``scale``: the same, scaled by 0.8-0.9 or 1.1-1.25;
* ``turn``: the same, turned by 10-40 degrees either way;
* ``pasted``: a square taken from another photo and pasted in;

each saved as a JPEG at every ``--qualities``, then analysed the way a scan
does (``forensics.pixels.analysis.pixel_analysis`` on the file's bytes). For
each kind and quality the script prints the detection rate (a finding above
``info``; for pasted regions also at ``info``), the share found with the
regions' overlap (IoU of source and target together against the truth) at
least 0.5, and the median IoU of what was found. On the untouched originals
(every JPEG of the corpora with a short side of at least 256 pixels) it
prints the share drawing a finding above ``info``, per check.

``--cost`` times the analyses on the corpora's photos of 10 megapixels or more
against the floor (reading the bytes and decoding them at 1/8 in the DCT), then
gives each one's peak memory, analysed in a process of its own under the memory
budget in force (``FORENSICS_MEMORY_BUDGET``).

Usage::

    python benchmarks/forgery_bench.py [--photos 20] [--qualities 70 80 90 95] [--workers 2]
    python benchmarks/forgery_bench.py --originals
    python benchmarks/forgery_bench.py --photos 12 --qualities 80 95 --held-out --no-originals
    python benchmarks/forgery_bench.py --cost
    python benchmarks/forgery_bench.py --save /tmp/forgeries.pickle   # again: the same results, today's thresholds
"""

from __future__ import annotations

import argparse
import glob
import io
import math
import os
import pickle
import statistics
import sys
import time
from multiprocessing import Pool

import cv2
import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from forensics.checks.pixels import copy_move_severity, pasted_severity, repetitive  # noqa: E402
from forensics.pixels.analysis import WORKING_SIDE, pixel_analysis  # noqa: E402
from forensics.read.decode import load_picture  # noqa: E402
from forensics.records.findings import Severity  # noqa: E402
from forensics.records.pixels import PastedRegion, PixelAnalysis, Region  # noqa: E402

CORPORA = os.path.join(os.path.dirname(ROOT), "shared", "corpora")
KINDS = ("move", "scale", "turn", "pasted")
TEXTURE_BLOCK = 16  # pixels: the source square is cut into blocks this wide to tell textured from flat
TEXTURE_STD = 4.0  # grey levels: a block whose luma varies less is flat (sky, wall, dark shadow, blurred background)
TEXTURED = 0.5  # share of textured blocks from which a source counts as textured


def jpegs(min_side: int) -> list[str]:
    """Every JPEG of the corpora whose short side is at least ``min_side``, in name order."""
    out = []
    for p in sorted(glob.glob(os.path.join(CORPORA, "**", "*.jp*g"), recursive=True)):
        if "/invalid/" in p:
            continue
        try:
            with Image.open(p) as im:
                if min(im.size) >= min_side:
                    out.append(p)
        except Exception:  # noqa: BLE001 - a broken sample is simply not used
            continue
    return out


def textured_share(picture: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Share of the 16-pixel blocks of ``box`` (x0, y0, x1, y1) whose luma varies by a standard deviation above 4 grey levels."""
    x0, y0, x1, y1 = box
    gray = cv2.cvtColor(np.ascontiguousarray(picture[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY).astype(np.float32)
    b = TEXTURE_BLOCK
    n, m = gray.shape[0] // b, gray.shape[1] // b
    if not n or not m:
        return 0.0
    std = gray[: n * b, : m * b].reshape(n, b, m, b).std(axis=(1, 3))
    return float((std > TEXTURE_STD).mean())


def forge(picture: np.ndarray, donor: np.ndarray, kind: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, float]:
    """The forged picture, the truth mask (source and target regions; the target alone for a pasted region), the source's texture."""
    h, w = picture.shape[:2]
    s = int(rng.uniform(0.15, 0.22) * min(h, w))
    scale = 1.0
    angle = 0.0
    if kind == "scale":
        scale = float(rng.choice([rng.uniform(0.8, 0.9), rng.uniform(1.1, 1.25)]))
    if kind == "turn":
        angle = float(rng.uniform(10, 40) * rng.choice([-1, 1]))
    for _ in range(200):
        sx, sy = int(rng.integers(0, w - s)), int(rng.integers(0, h - s))
        reach = s * scale * 0.75
        tx, ty = float(rng.uniform(reach, w - reach)), float(rng.uniform(reach, h - reach))
        if math.hypot(tx - (sx + s / 2), ty - (sy + s / 2)) > 1.6 * s * max(1.0, scale):
            break
    m = cv2.getRotationMatrix2D((sx + s / 2, sy + s / 2), angle, scale)
    m[:, 2] += (tx - (sx + s / 2), ty - (sy + s / 2))
    if kind in ("move", "pasted"):  # copied and pasted as it is: whole pixels, no resampling
        m[:, 2] = np.round(m[:, 2])
    square = np.zeros((h, w), np.uint8)
    square[sy : sy + s, sx : sx + s] = 1
    target = cv2.warpAffine(square, m, (w, h), flags=cv2.INTER_NEAREST).astype(bool)
    moved = cv2.warpAffine(donor if kind == "pasted" else picture, m, (w, h), flags=cv2.INTER_LINEAR)
    out = picture.copy()
    out[target] = moved[target]
    truth = target if kind == "pasted" else (target | square.astype(bool))
    return out, truth, textured_share(donor if kind == "pasted" else picture, (sx, sy, sx + s, sy + s))


def mask_of(regions: list[Region], shape: tuple[int, int]) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    for r in regions:
        if len(r.polygon) >= 3:
            cv2.fillPoly(mask, [np.array(r.polygon, np.int32)], 1)
        else:
            x0, y0, x1, y1 = r.box
            mask[y0:y1, x0:x1] = 1
    return mask.astype(bool)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum()) / max(1, int((a | b).sum()))


def _load(path: str) -> np.ndarray:
    return np.asarray(load_picture(path, side=WORKING_SIDE).convert("RGB"))


def forgery_job(args: tuple[int, str, str, str, tuple[int, ...]]) -> list[tuple]:
    i, path, donor_path, kind, qualities = args
    rng = np.random.default_rng(1000 * i + KINDS.index(kind))
    picture = _load(path)
    donor = cv2.resize(_load(donor_path), (picture.shape[1], picture.shape[0]), interpolation=cv2.INTER_AREA)
    forged, truth, texture = forge(picture, donor, kind, rng)
    rows = []
    for q in qualities:
        buf = io.BytesIO()
        Image.fromarray(forged).save(buf, "JPEG", quality=q)
        t = time.perf_counter()
        found = pixel_analysis(buf.getvalue())
        seconds = time.perf_counter() - t
        shape = truth.shape
        if kind == "pasted":
            hits = [(p, iou(mask_of([p.region], shape), truth)) for p in found.pasted]
        else:
            hits = [(c, iou(mask_of([c.source, c.target], shape), truth)) for c in found.copy_moves]
        rows.append((kind, q, hits, seconds, texture))
    return rows


def _severity(found: object, repeated: bool) -> Severity:
    return pasted_severity(found) if isinstance(found, PastedRegion) else copy_move_severity(found, repeated=repeated)  # type: ignore[arg-type]


def summary_row(row: tuple) -> tuple:
    """(kind, q, found above info, its best IoU, found at all, its best IoU, seconds) under the checks' thresholds."""
    kind, q, hits, seconds, texture = row
    repeated = kind != "pasted" and repetitive([f for f, _ in hits])
    above = [o for f, o in hits if _severity(f, repeated) > Severity.INFO]
    anything = [o for _, o in hits]
    return kind, q, bool(above), max(above, default=0.0), bool(anything), max(anything, default=0.0), seconds, texture


def original_job(path: str) -> tuple[str, PixelAnalysis, float]:
    with open(path, "rb") as f:
        data = f.read()
    t = time.perf_counter()
    found = pixel_analysis(data)
    return path, found, time.perf_counter() - t


def original_row(row: tuple[str, PixelAnalysis, float]) -> tuple[str, str, str, float]:
    path, found, seconds = row
    repeated = repetitive(found.copy_moves)
    cm = max((copy_move_severity(c, repeated=repeated) for c in found.copy_moves), default=None, key=lambda s: s.rank if s else -1)
    sp = max((pasted_severity(p) for p in found.pasted), default=None, key=lambda s: s.rank if s else -1)
    return path, cm.value if cm else "-", sp.value if sp else "-", seconds


def run_forgeries(n: int, qualities: tuple[int, ...], workers: int, saved: dict, *, held_out: bool = False) -> None:
    if "forgeries" not in saved:
        photos = jpegs(768)
        step = max(1, len(photos) // n)
        # held out: the photos halfway between the default choice's, none of which the thresholds were set on
        chosen = photos[step // 2 if held_out else 0 :: step][:n]
        if held_out:
            print(f"held-out photos: every {step}th photo from index {step // 2} on, none of the default choice's")
        jobs = [(i, p, chosen[(i + 1) % len(chosen)], k, qualities) for i, p in enumerate(chosen) for k in KINDS]
        with Pool(workers) as pool:
            saved["forgeries"] = (len(chosen), [r for part in pool.imap_unordered(forgery_job, jobs) for r in part])
    n, raw = saved["forgeries"]
    chosen = range(n)
    qualities = tuple(sorted({r[1] for r in raw}))
    rows = [summary_row(r) for r in raw]
    print(f"forgeries: {len(chosen)} photos x {len(KINDS)} kinds x qualities {list(qualities)} (working side {WORKING_SIDE})")
    print(f"{'kind':8} {'q':>3} {'n':>3} {'found>info':>10} {'IoU>=.5':>8} {'medIoU':>7} {'any':>5} {'any IoU>=.5':>11} {'s/pic':>6}")
    for kind in KINDS:
        for q in qualities:
            sel = [r for r in rows if r[0] == kind and r[1] == q]
            found = [r for r in sel if r[2]]
            good = [r for r in found if r[3] >= 0.5]
            anyf = [r for r in sel if r[4]]
            anyg = [r for r in anyf if r[5] >= 0.5]
            med = statistics.median([r[3] for r in found]) if found else 0.0
            sec = statistics.median([r[6] for r in sel])
            print(f"{kind:8} {q:>3} {len(sel):>3} {len(found) / len(sel):>10.0%} {len(good) / len(sel):>8.0%} {med:>7.2f} "
                  f"{len(anyf) / len(sel):>5.0%} {len(anyg) / len(sel):>11.0%} {sec:>6.2f}")  # fmt: skip
    texture_split(rows)


def texture_split(rows: list[tuple]) -> None:
    """Copy-move at quality 80 and above, all together and split by how much texture the copied square holds."""
    sel = [r for r in rows if r[0] != "pasted" and r[1] >= 80]
    print(
        f"copy-move at quality >= 80, by the copied square's texture (share of its {TEXTURE_BLOCK}-px blocks with luma std > {TEXTURE_STD:g}):"
    )
    groups = (
        ("all", sel),
        (f"textured (>= {TEXTURED:.0%})", [r for r in sel if r[7] >= TEXTURED]),
        (f"flat (< {TEXTURED:.0%})", [r for r in sel if r[7] < TEXTURED]),
    )
    for name, part in groups:
        if not part:
            print(f"  {name:18} n 0")
            continue
        found = sum(r[2] for r in part)
        good = sum(r[2] and r[3] >= 0.5 for r in part)
        print(f"  {name:18} n {len(part):>3}  found>info {found / len(part):>4.0%}  IoU>=.5 {good / len(part):>4.0%}")


def run_originals(workers: int, saved: dict) -> None:
    if "originals" not in saved:
        with Pool(workers) as pool:
            saved["originals"] = list(pool.imap_unordered(original_job, jpegs(256)))
    rows = [original_row(r) for r in saved["originals"]]
    n = len(rows)
    print(f"untouched originals: {n} JPEGs of the corpora, short side >= 256")
    for col, name in ((1, "copy-move"), (2, "spliced-region")):
        above = [r for r in rows if r[col] in ("notice", "warning")]
        anyf = [r for r in rows if r[col] != "-"]
        print(f"  {name:15} above info {len(above)}/{n} ({len(above) / n:.1%}), any {len(anyf)}/{n} ({len(anyf) / n:.1%})")
        for r in sorted(above):
            print(f"    {r[col]:8} {os.path.relpath(r[0], CORPORA)}")
    either = [r for r in rows if r[1] in ("notice", "warning") or r[2] in ("notice", "warning")]
    print(f"  either above info: {len(either)}/{n} ({len(either) / n:.1%}); median {statistics.median(r[3] for r in rows):.2f} s a picture")


def run_cost(repeat: int) -> None:
    big = []
    for p in jpegs(1500):
        with Image.open(p) as im:
            if im.size[0] * im.size[1] >= 10_000_000:
                big.append(p)
    print(f"cost: {len(big)} photos of 10 MP or more, one process, best of {repeat}")
    floors, costs = [], []
    for p in big:
        floor = cost = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            with open(p, "rb") as f:
                data = f.read()
            with Image.open(io.BytesIO(data)) as im:
                im.draft("L", (im.size[0] // 8, im.size[1] // 8))
                im.load()
            floor = min(floor, time.perf_counter() - t)
            t = time.perf_counter()
            pixel_analysis(data)
            cost = min(cost, time.perf_counter() - t)
        with Image.open(p) as im:
            print(
                f"  {os.path.basename(p)} {im.size[0]}x{im.size[1]}: floor {floor * 1000:.0f} ms, analyses {cost:.2f} s ({cost / floor:.0f}x the floor)"
            )
        floors.append(floor)
        costs.append(cost)
    if big:
        print(f"  median: floor {statistics.median(floors) * 1000:.0f} ms, analyses {statistics.median(costs):.2f} s "
              f"({statistics.median(c / f for c, f in zip(costs, floors)):.0f}x the floor)")  # fmt: skip
        peak_memory(big)


def _peak(path: str | None) -> tuple[float, tuple[int, int] | None]:
    """Peak resident memory (MB) of a fresh process that analyses ``path`` (None: that only imports and starts).

    Read from ``VmHWM`` (Linux): ``ru_maxrss`` carries the parent's peak over into a spawned child.
    """
    working = None
    if path is not None:
        with open(path, "rb") as f:
            working = pixel_analysis(f.read()).working
    with open("/proc/self/status") as f:
        hwm = next(line for line in f if line.startswith("VmHWM:"))
    return int(hwm.split()[1]) / 1024, working


def peak_memory(paths: list[str]) -> None:
    """Each picture analysed in a process of its own (spawned, so that nothing of this one is counted), its peak memory."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1, maxtasksperchild=1) as pool:
        base = pool.apply(_peak, (None,))[0]
        peaks = [pool.apply(_peak, (p,)) for p in paths]
    from forensics.read.decode import limits

    print(f"peak memory, one process a picture (memory budget {limits().memory_budget / 2**20:.0f} MiB): "
          f"{base:.0f} MB after start-up and imports")  # fmt: skip
    for p, (mb, working) in zip(paths, peaks):
        print(f"  {os.path.basename(p)}: {mb:.0f} MB at working size {working}")
    print(f"  median {statistics.median(mb for mb, _ in peaks):.0f} MB, most {max(mb for mb, _ in peaks):.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=20)
    ap.add_argument("--qualities", type=int, nargs="+", default=[70, 80, 90, 95])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--originals", action="store_true", help="only the false-alarm rate on untouched originals")
    ap.add_argument("--cost", action="store_true", help="only the cost on photos of 10 MP or more")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--held-out", action="store_true", help="forgeries from the photos between the default choice's (a check on photos the thresholds were not set on)")
    ap.add_argument("--no-originals", action="store_true", help="skip the untouched originals")
    ap.add_argument(
        "--save",
        help="keep the raw results in this file (pickle) and reuse them when it exists: thresholds can then be tried without analysing again",
    )
    a = ap.parse_args()
    if not os.path.isdir(CORPORA):
        sys.exit(f"no corpora at {CORPORA}")
    if a.cost:
        run_cost(a.repeat)
        return
    saved: dict = {}
    if a.save and os.path.exists(a.save):
        with open(a.save, "rb") as f:
            saved = pickle.load(f)
    if not a.originals:
        run_forgeries(a.photos, tuple(a.qualities), a.workers, saved, held_out=a.held_out)
    if not a.no_originals:
        run_originals(a.workers, saved)
    if a.save:
        with open(a.save, "wb") as f:
            pickle.dump(saved, f)


if __name__ == "__main__":
    main()
