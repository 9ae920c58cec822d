"""Recall per transform family and false match rate of reference matching.

Builds seeded photo-like base pictures, makes variants of each in every
transform family at three strengths, adds distractors that are not in the
index, indexes the bases, matches everything, and prints recall per family
and the false match rate, side by side for ``forensics`` and for plain
imagehash pHash at distance <= 10 (the usual baseline). When the real photo set
``pdq-photos`` sits beside the project, it is scored too: every edit, turn and
flip of the bridge photo must match its original and the unrelated photos
nothing.

    python benchmarks/neardup_eval.py                 # small and quick
    python benchmarks/neardup_eval.py --n 100 --distractors 1000 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from imagegen import photo  # noqa: E402

SIZES = [(1024, 768), (800, 600), (768, 1024), (1200, 675)]
CORPORA = ROOT.parent / "shared" / "corpora" / "pdq-photos"
BASELINE_DISTANCE = 10


def _resize(img: Image.Image, f: float) -> Image.Image:
    return img.resize((max(8, round(img.width * f)), max(8, round(img.height * f))), Image.Resampling.LANCZOS)


def _crop(img: Image.Image, area: float, rng: np.random.Generator) -> Image.Image:
    """A crop keeping ``area`` of the picture, aspect kept, at a seeded position."""
    s = area**0.5
    w, h = round(img.width * s), round(img.height * s)
    x = int(rng.integers(0, img.width - w + 1))
    y = int(rng.integers(0, img.height - h + 1))
    return img.crop((x, y, x + w, y + h))


def _rotate(img: Image.Image, degrees: float) -> Image.Image:
    if degrees in (90, 180, 270):
        return img.rotate(degrees, expand=True)
    # a small turn, cropped to the largest upright rectangle so that no corner is blank
    r = img.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=False)
    a = np.radians(abs(degrees))
    w, h = img.size
    k = 1 / (np.cos(a) + np.sin(a) * max(w / h, h / w))
    cw, ch = int(w * k), int(h * k)
    return r.crop(((w - cw) // 2, (h - ch) // 2, (w + cw) // 2, (h + ch) // 2))


def _overlay(img: Image.Image, strength: int, rng: np.random.Generator) -> Image.Image:
    out = img.copy()
    d = ImageDraw.Draw(out)
    w, h = out.size
    if strength >= 1:  # a corner logo
        s = int(min(w, h) * 0.15)
        d.ellipse((w - s - 20, 20, w - 20, 20 + s), fill=(250, 250, 250))
        d.text((w - s, 20 + s // 3), "TV", fill=(200, 0, 0))
    if strength >= 2:  # a caption band
        band = int(h * 0.12)
        d.rectangle((0, h - band, w, h), fill=(20, 20, 120))
        d.text((20, h - band + 10), "BREAKING: pictures from the scene", fill=(255, 255, 255))
    if strength >= 3:  # a bigger banner and a watermark across the middle
        d.rectangle((0, 0, w, int(h * 0.1)), fill=(200, 0, 0))
        d.text((20, 10), "EXCLUSIVE", fill=(255, 255, 255))
        for i in range(6):
            x = int(rng.integers(0, w - 120))
            d.text((x, h // 2 + i * 12 - 36), "© example news", fill=(255, 255, 255))
    return out


def _frame(img: Image.Image, share: float, rng: np.random.Generator) -> Image.Image:
    """The picture shown in a player or app window, taking ``share`` of the window's width."""
    ww, wh = 1280, 900
    shot = Image.new("RGB", (ww, wh), tuple(int(c) for c in rng.integers(10, 60, 3)))
    d = ImageDraw.Draw(shot)
    d.rectangle((0, 0, ww, 44), fill=(235, 235, 238))
    for i, c in enumerate(((255, 95, 87), (255, 189, 46), (40, 201, 64))):
        d.ellipse((12 + 22 * i, 14, 26 + 22 * i, 28), fill=c)
    d.text((ww // 2 - 80, 14), "clip.mp4 - Player", fill=(30, 30, 30))
    area_h = wh - 44 - 120
    pw = round(ww * share)
    ph = round(pw * img.height / img.width)
    if ph > area_h:
        ph = area_h
        pw = round(ph * img.width / img.height)
    x, y = (ww - pw) // 2, 44 + (area_h - ph) // 2
    shot.paste(img.resize((pw, ph), Image.Resampling.BICUBIC), (x, y))
    cy = wh - 100
    d.rectangle((0, cy, ww, wh), fill=(28, 28, 30))
    d.polygon([(30, cy + 30), (30, cy + 60), (56, cy + 45)], fill=(250, 250, 250))
    d.rectangle((80, cy + 43, ww - 160, cy + 47), fill=(90, 90, 90))
    d.rectangle((80, cy + 43, 80 + int(rng.integers(50, 900)), cy + 47), fill=(230, 40, 40))
    d.text((ww - 140, cy + 38), "1:07 / 3:12", fill=(250, 250, 250))
    return shot


# family -> [(strength label, transform)]
Transform = Callable[[Image.Image, np.random.Generator], Image.Image]
FAMILIES: dict[str, list[tuple[str, Transform, int]]] = {
    "resize": [("50%", lambda im, r: _resize(im, 0.5), 90), ("25%", lambda im, r: _resize(im, 0.25), 90), ("12%", lambda im, r: _resize(im, 0.125), 90)],
    "recompress": [("q60", lambda im, r: im, 60), ("q35", lambda im, r: im, 35), ("q15", lambda im, r: im, 15)],
    "crop": [("80% area", lambda im, r: _crop(im, 0.8, r), 90), ("65% area", lambda im, r: _crop(im, 0.65, r), 90), ("50% area", lambda im, r: _crop(im, 0.5, r), 90)],
    "mirror": [("mirror", lambda im, r: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), 90),
               ("mirror+50%", lambda im, r: _resize(im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), 0.5), 90),
               ("mirror+q40", lambda im, r: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), 40)],
    "rotate": [("90°", lambda im, r: _rotate(im, 90), 90), ("3°", lambda im, r: _rotate(im, 3), 90), ("8°", lambda im, r: _rotate(im, -8), 90)],
    "brighten": [("+20%", lambda im, r: ImageEnhance.Brightness(im).enhance(1.2), 90),
                 ("+40%", lambda im, r: ImageEnhance.Brightness(im).enhance(1.4), 90),
                 ("-40%+contrast", lambda im, r: ImageEnhance.Contrast(ImageEnhance.Brightness(im).enhance(0.6)).enhance(1.3), 90)],
    "overlay": [("logo", lambda im, r: _overlay(im, 1, r), 90), ("logo+caption", lambda im, r: _overlay(im, 2, r), 90),
                ("banners+watermark", lambda im, r: _overlay(im, 3, r), 90)],
    "screenshot": [("80% of window", lambda im, r: _frame(im, 0.8, r), 0), ("60%", lambda im, r: _frame(im, 0.6, r), 0),
                   ("45%", lambda im, r: _frame(im, 0.45, r), 0)],
}  # fmt: skip


def build(folder: Path, n: int, n_distractors: int, seed: int) -> tuple[list[Path], list[tuple[str, str, int, Path]], list[Path]]:
    """Write bases, variants (family, strength, base index, path) and distractors."""
    rng = np.random.default_rng(seed)
    (folder / "bases").mkdir(parents=True)
    (folder / "queries").mkdir()
    (folder / "distractors").mkdir()
    bases, variants, distractors = [], [], []
    for i in range(n):
        img = photo(seed * 100_000 + i, SIZES[i % len(SIZES)])
        p = folder / "bases" / f"b{i:04d}.jpg"
        img.save(p, quality=92)
        bases.append(p)
        for family, strengths in FAMILIES.items():
            for k, (label, fn, quality) in enumerate(strengths):
                out = fn(img, rng)
                q = folder / "queries" / f"b{i:04d}-{family}-{k}.{'png' if quality == 0 else 'jpg'}"
                out.save(q) if quality == 0 else out.save(q, quality=quality)
                variants.append((family, label, i, q))
    for j in range(n_distractors):
        img = photo(seed * 100_000 + 50_000 + j, SIZES[j % len(SIZES)])
        p = folder / "distractors" / f"d{j:05d}.jpg"
        img.save(p, quality=85)
        distractors.append(p)
    return bases, variants, distractors


def run_forensics(db: Path, bases: list[Path], queries: list[Path], workers: int) -> tuple[dict[str, set[str]], dict[str, float]]:
    from forensics.read.pool import read_all
    from forensics.refs.index import ReferenceIndex

    t0 = time.perf_counter()
    with ReferenceIndex(db) as index:
        index.add(bases, workers=workers)
        t1 = time.perf_counter()
        records = read_all([str(q) for q in queries], workers=workers)
        t2 = time.perf_counter()
        matches = index.match(records)
        t3 = time.perf_counter()
    found: dict[str, set[str]] = defaultdict(set)
    for m in matches:
        found[m.path].add(Path(m.reference.path).name)
    timing = {"index_s": t1 - t0, "read_s": t2 - t1, "match_s": t3 - t2, "match_ms_per_query": (t3 - t2) / max(1, len(queries)) * 1000}
    return found, timing


def run_baseline(bases: list[Path], queries: list[Path]) -> dict[str, set[str]]:
    """Plain imagehash pHash of each file as opened, distance <= 10 to any base."""
    import imagehash

    def ph(p: Path) -> int:
        with Image.open(p) as im:
            return int(str(imagehash.phash(im)), 16)

    table = np.array([ph(b) for b in bases], dtype=np.uint64)
    names = [b.name for b in bases]
    found: dict[str, set[str]] = {}
    for q in queries:
        d = np.bitwise_count(table ^ np.uint64(ph(q)))
        found[str(q)] = {names[i] for i in np.flatnonzero(d <= BASELINE_DISTANCE)}
    return found


def score(variants, distractors, found, bases) -> dict:
    per_strength: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    per_family: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong = 0
    for family, label, i, q in variants:
        hit = bases[i].name in found.get(str(q), set())
        wrong += bool(found.get(str(q), set()) - {bases[i].name})
        per_strength[(family, label)][0] += hit
        per_strength[(family, label)][1] += 1
        per_family[family][0] += hit
        per_family[family][1] += 1
    false = sum(1 for d in distractors if found.get(str(d)))
    return {
        "recall_by_strength": {f"{f} {l}": h / n for (f, l), (h, n) in per_strength.items()},
        "recall_by_family": {f: h / n for f, (h, n) in per_family.items()},
        "false_match_rate": false / max(1, len(distractors)),
        "false_matches": false,
        "distractors": len(distractors),
        "variants_with_a_wrong_reference": wrong,
    }


def score_pdq(workers: int) -> dict | None:
    if not CORPORA.is_dir():
        return None
    from forensics.read.pool import read_all
    from forensics.refs.index import ReferenceIndex

    orig = CORPORA / "bridge-mods" / "aaa-orig.jpg"
    edits = sorted((CORPORA / "bridge-mods").glob("*.jpg")) + sorted((CORPORA / "dih").glob("*.jpg"))
    unrelated = sorted((CORPORA / "labelme-subset").glob("*.jpg"))
    with tempfile.TemporaryDirectory() as tmp, ReferenceIndex(Path(tmp) / "pdq.db") as index:
        index.add([orig], workers=1)
        records = read_all([str(p) for p in edits + unrelated], workers=workers)
        matches = index.match(records)
    matched = {m.path for m in matches}
    baseline = run_baseline([orig], edits + unrelated)
    return {
        "edits": len(edits), "edits_matched": sum(str(p) in matched for p in edits),
        "edits_matched_baseline": sum(bool(baseline[str(p)]) for p in edits),
        "unrelated": len(unrelated), "unrelated_matched": sum(str(p) in matched for p in unrelated),
        "unrelated_matched_baseline": sum(bool(baseline[str(p)]) for p in unrelated),
        "missed": [p.name for p in edits if str(p) not in matched],
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12, help="base pictures (default 12)")
    ap.add_argument("--distractors", type=int, default=100, help="pictures not in the index (default 100)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        bases, variants, distractors = build(folder, args.n, args.distractors, args.seed)
        print(f"built {len(bases)} bases, {len(variants)} variants, {len(distractors)} distractors in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        queries = [v[3] for v in variants] + distractors
        found, timing = run_forensics(folder / "refs.db", bases, queries, args.workers)
        base_found = run_baseline(bases, queries)
        ours, theirs = score(variants, distractors, found, bases), score(variants, distractors, base_found, bases)
    pdq = score_pdq(args.workers)

    print(f"\n{'family / strength':32} {'forensics':>10} {'pHash<=10':>10}")
    for key in ours["recall_by_strength"]:
        print(f"{key:32} {ours['recall_by_strength'][key]:10.3f} {theirs['recall_by_strength'][key]:10.3f}")
    print(f"\n{'family':32} {'forensics':>10} {'pHash<=10':>10}")
    for key in ours["recall_by_family"]:
        print(f"{key:32} {ours['recall_by_family'][key]:10.3f} {theirs['recall_by_family'][key]:10.3f}")
    print(f"{'false match rate':32} {ours['false_match_rate']:10.4f} {theirs['false_match_rate']:10.4f}   (of {ours['distractors']} distractors)")
    print(f"{'variants matched to a wrong base':32} {ours['variants_with_a_wrong_reference']:10d} {theirs['variants_with_a_wrong_reference']:10d}")
    print(f"\nforensics: index {timing['index_s']:.1f} s, read {timing['read_s']:.1f} s, match {timing['match_s']:.1f} s "
          f"({timing['match_ms_per_query']:.1f} ms per query)")  # fmt: skip
    if pdq:
        print(
            f"\npdq-photos: edits and turns matched {pdq['edits_matched']}/{pdq['edits']} (pHash<=10: {pdq['edits_matched_baseline']}), "
            f"unrelated matched {pdq['unrelated_matched']}/{pdq['unrelated']} (pHash<=10: {pdq['unrelated_matched_baseline']})"
            + (f"; missed: {', '.join(pdq['missed'])}" if pdq["missed"] else "")
        )
    else:
        print("\npdq-photos: not present, skipped")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"args": vars(args), "forensics": ours, "baseline": theirs, "timing": timing, "pdq_photos": pdq}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
