"""Recall per transform family and false match rate of reference matching.

Builds seeded photo-like base pictures, makes variants of each in every
transform family at three strengths, adds distractors that are not in the
index, indexes the bases, matches everything, and prints recall per family
and the false match rate, side by side for ``forensics`` and for plain
imagehash pHash at distance <= 10 (the usual baseline). When the real photo set
``pdq-photos`` sits beside the project, it is scored too: every edit, turn and
flip of the bridge photo must match its original and the unrelated photos
nothing.

When the real photos of ``camera-jpegs`` and ``exif-samples`` sit beside the
project, screenshots of them are scored too (``--screens``): a paused video
(a 640 x 360 frame under an 80-px translucent control bar), a phone app
screen (status bar, white margins, the photo at the top, caption text) and a
desktop browser page (tabs, address bar, headline, the photo among text),
and for comparison the photo in a dark player window and under a corner
logo; recall per kind, and false matches of the same screenshots made of
photos that are not in the index (held-out real ones and generated ones).

    python benchmarks/neardup_eval.py                 # small and quick
    python benchmarks/neardup_eval.py --n 100 --distractors 1000 --json out.json
    python benchmarks/neardup_eval.py --screens-only --screen-distractors 3000 --keep /tmp/screens
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

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
        "recall_by_strength": {f"{f} {s}": h / n for (f, s), (h, n) in per_strength.items()},
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


# -- screenshots of real photos ----------------------------------------------------------------------

REAL = [ROOT.parent / "shared" / "corpora" / "camera-jpegs", ROOT.parent / "shared" / "corpora" / "exif-samples" / "jpg"]
SCREEN_KINDS = ("player", "phone", "browser", "window", "logo")
METHODS = ("sha256", "hash", "features")
_TEXT = (
    "the of and to in a is that for on with as was at by from this were be has have after police said people city "
    "night river bridge photo shared video street market morning crowd near officials fire road station weather"
)
WORDS = tuple(_TEXT.split(" "))


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)  # Pillow's own FreeType font: the same on every machine


def _sentence(rng: np.random.Generator, n: int) -> str:
    return " ".join(str(rng.choice(WORDS)) for _ in range(n)).capitalize()


def _shown(img: Image.Image, w: int, h: int, quality: int = 80) -> Image.Image:
    """The picture as an app shows it: resized and recompressed."""
    import io

    out = io.BytesIO()
    img.resize((w, h), Image.Resampling.BICUBIC).save(out, "JPEG", quality=quality)
    out.seek(0)
    return Image.open(out).convert("RGB")


def _fit(img: Image.Image, bw: int, bh: int) -> tuple[int, int]:
    s = min(bw / img.width, bh / img.height)
    return max(8, round(img.width * s)), max(8, round(img.height * s))


def video_frame(img: Image.Image) -> Image.Image:
    """The photo as a 16:9 video frame (the centre cut to 16:9), 1280 x 720."""
    w, h = img.size
    if w / h > 16 / 9:
        cw = round(h * 16 / 9)
        box = ((w - cw) // 2, 0, (w - cw) // 2 + cw, h)
    else:
        ch = round(w * 9 / 16)
        box = (0, (h - ch) // 2, w, (h - ch) // 2 + ch)
    return img.crop(box).resize((1280, 720), Image.Resampling.LANCZOS)


def write_still_video(frame: Image.Image, path: Path, *, seconds: float = 2.0, fps: int = 6) -> None:
    """A short video of one still frame (MPEG-4 Part 2, 960 x 540): the index keeps its sampled
    frames as references, with whole-picture hashes only (no region hashes)."""
    import cv2

    pixels = np.ascontiguousarray(np.asarray(frame.resize((960, 540), Image.Resampling.LANCZOS))[:, :, ::-1])
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (960, 540))  # type: ignore[attr-defined]  # OpenCV's stubs omit it
    try:
        for _ in range(round(seconds * fps)):
            writer.write(pixels)
    finally:
        writer.release()


def player_shot(frame: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A paused video: the 640 x 360 frame under an 80-px translucent control bar, as a player draws
    it over the picture: a dark gradient (half of the shots) or an even dark panel at 55-75%
    opacity, then the progress bar, play and pause, the time and three buttons."""
    shot = _shown(frame, 640, 360, 85).convert("RGBA")
    gradient = rng.random() < 0.5
    alpha = np.linspace(rng.uniform(0.15, 0.35), rng.uniform(0.6, 0.8), 80) if gradient else np.full(80, rng.uniform(0.55, 0.75))
    arr = np.zeros((80, 640, 4), np.uint8)
    arr[..., 3] = (alpha[:, None] * 255).astype(np.uint8)
    bar = Image.fromarray(arr, "RGBA")
    d = ImageDraw.Draw(bar)
    played = int(rng.integers(40, 600))
    d.rectangle((12, 38, 628, 42), fill=(255, 255, 255, 110))
    d.rectangle((12, 38, played, 42), fill=(230, 30, 30, 255))
    d.ellipse((played - 6, 34, played + 6, 46), fill=(230, 30, 30, 255))
    d.polygon([(18, 54), (18, 74), (34, 64)], fill=(255, 255, 255, 255))
    d.rectangle((48, 56, 54, 72), fill=(255, 255, 255, 255))
    m, sec = divmod(int(rng.integers(5, 600)), 60)
    d.text((70, 56), f"{m}:{sec:02d} / 12:34", fill=(255, 255, 255, 255), font=_font(14))
    for k in range(3):
        d.rectangle((560 + 24 * k, 56, 576 + 24 * k, 72), outline=(255, 255, 255, 255), width=2)
    shot.alpha_composite(bar, (0, 280))
    return shot.convert("RGB")


def phone_shot(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A phone screen, 1080 x 2340: status bar, app header, the photo at the top in white margins,
    taking 40-60% of the screen's height at most (a wide photo less: it fills the width), action
    icons, several lines of caption text, the navigation bar."""
    w, h = 1080, 2340
    shot = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(shot)
    d.text((60, 30), f"{int(rng.integers(7, 23))}:{int(rng.integers(0, 60)):02d}", fill=(0, 0, 0), font=_font(40))
    for k in range(4):
        d.rectangle((840 + 18 * k, 66 - 10 * k, 852 + 18 * k, 76), fill=(0, 0, 0))
    d.rectangle((940, 40, 1010, 76), outline=(0, 0, 0), width=3)
    d.rectangle((946, 46, 946 + int(rng.integers(10, 58)), 70), fill=(0, 0, 0))
    d.line((50, 190, 80, 160), fill=(0, 0, 0), width=5)
    d.line((50, 190, 80, 220), fill=(0, 0, 0), width=5)
    d.ellipse((120, 140, 220, 240), fill=tuple(int(c) for c in rng.integers(60, 200, 3)))
    d.text((250, 160), str(rng.choice(["news_daily", "j.smith", "cityreport", "witness_22"])), fill=(20, 20, 20), font=_font(44))
    top, margin = 280, int(rng.integers(0, 60))
    pw, ph = _fit(img, w - 2 * margin, round(h * rng.uniform(0.40, 0.60)))
    shot.paste(_shown(img, pw, ph), ((w - pw) // 2, top))
    y = top + ph + 40
    for k in range(3):
        d.ellipse((60 + 110 * k, y, 120 + 110 * k, y + 60), outline=(0, 0, 0), width=5)
    y += 110
    d.text((60, y), f"{int(rng.integers(10, 9000))} likes", fill=(0, 0, 0), font=_font(40))
    y += 70
    for _ in range(int(rng.integers(4, 9))):
        if y > h - 260:
            break
        d.text((60, y), _sentence(rng, int(rng.integers(5, 8))), fill=(30, 30, 30), font=_font(42))
        y += 62
    d.line((0, h - 170, w, h - 170), fill=(220, 220, 220), width=2)
    for k in range(5):
        cx = 108 + 216 * k
        d.rectangle((cx - 30, h - 120, cx + 30, h - 60), outline=(0, 0, 0), width=5)
    return shot


def browser_shot(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A desktop browser, 1920 x 1080: tabs, address bar, a news site's header, headline and byline,
    the photo at 35-60% of the page's width with its caption, article text beside it."""
    w, h = 1920, 1080
    shot = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(shot)
    d.rectangle((0, 0, w, 42), fill=(222, 225, 230))
    for k in range(int(rng.integers(2, 6))):
        x0 = 80 + 240 * k
        d.rounded_rectangle((x0, 6, x0 + 230, 42), 8, fill=(255, 255, 255) if k == 0 else (210, 213, 218))
        d.text((x0 + 16, 14), _sentence(rng, 3)[:22], fill=(40, 40, 40), font=_font(15))
    d.rounded_rectangle((140, 50, w - 200, 84), 17, fill=(241, 243, 244))
    d.text((170, 58), "https://www.example-news.org/2024/" + "-".join(_sentence(rng, 4).lower().split()), fill=(60, 60, 60), font=_font(17))
    for k in range(3):
        d.ellipse((20 + 36 * k, 56, 42 + 36 * k, 78), outline=(90, 90, 90), width=2)
    d.line((0, 90, w, 90), fill=(200, 200, 200))
    d.rectangle((0, 91, w, 160), fill=tuple(int(c) for c in rng.integers(0, 80, 3)))
    d.text((120, 106), "EXAMPLE NEWS", fill=(255, 255, 255), font=_font(36))
    for k in range(6):
        section = str(rng.choice(["World", "Politics", "Business", "Sport", "Culture", "Video"]))
        d.text((700 + 150 * k, 116), section, fill=(230, 230, 230), font=_font(22))
    left, y = int(rng.integers(120, 360)), 190
    d.text((left, y), _sentence(rng, 8), fill=(10, 10, 10), font=_font(40))
    y += 64
    d.text((left, y), f"By Staff Reporter  |  {int(rng.integers(1, 28))} May 2024", fill=(110, 110, 110), font=_font(18))
    y += 44
    pw, ph = _fit(img, round(w * rng.uniform(0.35, 0.6)), h - y - 60)
    shot.paste(_shown(img, pw, ph), (left, y))
    d.text((left, y + ph + 8), _sentence(rng, 9), fill=(100, 100, 100), font=_font(16))
    tx, ty = left + pw + 50, y
    while ty < h - 40 and tx < w - 400:
        d.text((tx, ty), _sentence(rng, 7), fill=(40, 40, 40), font=_font(20))
        ty += 32 + (28 if rng.random() < 0.15 else 0)
    return shot


def real_photos() -> list[Path]:
    """The distinct real photos of the corpora, at least 400 x 240 px: one of each group of copies
    (the orientation series, files present in both collections) by pHash and dHash of the picture
    as displayed."""
    import imagehash
    from PIL import ImageOps

    paths = [p for folder in REAL if folder.is_dir() for p in sorted(folder.rglob("*.jpg")) if "invalid" not in p.parts]
    kept: list[tuple[Path, imagehash.ImageHash, imagehash.ImageHash]] = []
    for p in paths:
        try:
            with Image.open(p) as im:
                im = ImageOps.exif_transpose(im).convert("RGB")
        except OSError:
            continue
        if max(im.size) < 400 or min(im.size) < 240:
            continue
        ph, dh = imagehash.phash(im), imagehash.dhash(im)
        if not any(ph - kp <= 16 or (dh - kd <= 12 and ph - kp <= 24) for _, kp, kd in kept):
            kept.append((p, ph, dh))
    return [p for p, _, _ in kept]


def _displayed(p: Path) -> Image.Image:
    from PIL import ImageOps

    with Image.open(p) as im:
        return ImageOps.exif_transpose(im).convert("RGB")


def _shot(kind: str, img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The screenshot of one kind: the three over the picture, and for comparison the photo in a
    dark player window (45-80% of its width) and under a corner logo, as in the families above."""
    if kind == "player":
        return player_shot(video_frame(img), rng)
    if kind == "window":
        return _frame(img, float(rng.uniform(0.45, 0.8)), rng)
    if kind == "logo":
        return _overlay(img, 1, rng)
    return phone_shot(img, rng) if kind == "phone" else browser_shot(img, rng)


def _write_shot(job: tuple[str, str, int, list[int], str, tuple[int, int] | None]) -> None:
    """One screenshot (of a real photo, or of a generated one when ``size`` is given), as PNG."""
    kind, source, photo_seed, seed, out, size = job
    img = photo(photo_seed, size) if size else _displayed(Path(source))
    _shot(kind, img, np.random.default_rng(seed)).save(out, compress_level=1)


def build_screens(folder: Path, n_refs: int, n_distractors: int, n_synthetic_refs: int, seed: int, workers: int) -> dict:
    """Write the references (real photos and their 16:9 video frames, plus generated photos) and
    the screenshots: of each real reference in every kind, and of photos not in the index."""
    from concurrent.futures import ProcessPoolExecutor

    photos = real_photos()
    order = np.random.default_rng(seed).permutation(len(photos))
    refs, held_out = [photos[i] for i in order[:n_refs]], [photos[i] for i in order[n_refs:]]
    for sub in ("refs", "queries", "distractors"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    targets: list[tuple[str, int, str]] = []  # (kind, reference number, screenshot)
    distractors: list[tuple[str, str]] = []
    jobs: list[tuple[str, str, int, list[int], str, tuple[int, int] | None]] = []
    for i, p in enumerate(refs):
        img = _displayed(p)
        img.save(folder / "refs" / f"r{i:03d}.jpg", quality=92)
        frame = video_frame(img)
        frame.save(folder / "refs" / f"r{i:03d}-frame.jpg", quality=90)
        write_still_video(frame, folder / "refs" / f"r{i:03d}-video.mp4")
        for k, kind in enumerate(SCREEN_KINDS):
            q = str(folder / "queries" / f"r{i:03d}-{kind}.png")
            jobs.append((kind, str(p), 0, [seed, i, k], q, None))
            targets.append((kind, i, q))
    for j in range(n_synthetic_refs):
        photo(seed * 100_000 + 70_000 + j, SIZES[j % len(SIZES)]).save(folder / "refs" / f"s{j:05d}.jpg", quality=90)
    for j, p in enumerate(held_out):
        for k, kind in enumerate(SCREEN_KINDS):
            q = str(folder / "distractors" / f"h{j:03d}-{kind}.png")
            jobs.append((kind, str(p), 0, [seed, 1000 + j, k], q, None))
            distractors.append((kind, q))
    for j in range(n_distractors):
        kind = SCREEN_KINDS[j % len(SCREEN_KINDS)]
        q = str(folder / "distractors" / f"g{j:05d}-{kind}.png")
        jobs.append((kind, "", seed * 100_000 + 80_000 + j, [seed, 5000 + j], q, SIZES[j % len(SIZES)]))
        distractors.append((kind, q))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_write_shot, jobs, chunksize=8))
    return {"refs": [str(p) for p in refs], "held_out": [str(p) for p in held_out], "synthetic_refs": n_synthetic_refs,
            "targets": targets, "distractors": distractors}  # fmt: skip


def _match_chunk(args: tuple[str, list[str]]) -> list[tuple[str, str, str, str]]:
    from forensics.read.files import read_file
    from forensics.refs.index import ReferenceIndex

    db, paths = args
    with ReferenceIndex(db, read_only=True) as index:
        return [(m.path, Path(m.reference.path).name, m.method, m.transform) for m in index.match([read_file(p) for p in paths])]


def _own(i: int) -> dict[str, str]:
    """The references made from real photo ``i``, by file name: what its screenshots may match."""
    return {f"r{i:03d}.jpg": "photo", f"r{i:03d}-frame.jpg": "frame", f"r{i:03d}-video.mp4": "video"}


def score_screens(folder: Path, built: dict, workers: int) -> dict:
    """Index the references, match every screenshot (in ``workers`` processes), score per kind."""
    from concurrent.futures import ProcessPoolExecutor

    from forensics.refs.index import ReferenceIndex

    db = folder / "screens.db"
    if not db.exists():
        with ReferenceIndex(db) as index:
            index.add([folder / "refs"], workers=workers)
    targets = [(k, i, q) for k, i, q in built["targets"]]
    distractors = [(k, q) for k, q in built["distractors"]]
    paths = [q for _, _, q in targets] + [q for _, q in distractors]
    chunks = [(str(db), paths[i : i + 20]) for i in range(0, len(paths), 20)]
    t = time.perf_counter()
    found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(_match_chunk, chunks):
            for path, ref, method, transform in part:
                found[path].append((ref, method, transform))
    elapsed = time.perf_counter() - t
    per_kind: dict[str, dict] = {}
    for kind in SCREEN_KINDS:
        mine = [(i, q) for k, i, q in targets if k == kind]
        hits = [q for i, q in mine if any(ref in _own(i) for ref, _, _ in found.get(q, []))]
        wrong = [q for i, q in mine if any(ref not in _own(i) for ref, _, _ in found.get(q, []))]
        # which of its own references each screenshot met: the photo, the frame as a still, the video
        by_reference = {form: sum(1 for i, q in mine if any(_own(i).get(ref) == form for ref, _, _ in found.get(q, [])))
                        for form in ("photo", "frame", "video")}  # fmt: skip
        false = [q for k, q in distractors if k == kind and found.get(q)]
        by_method: dict[str, int] = defaultdict(int)
        for i, q in mine:
            if q in hits:  # the surest way the screenshot met its own photo or frame
                by_method[min((m for ref, m, _ in found[q] if ref.startswith(f"r{i:03d}")), key=METHODS.index)] += 1
        per_kind[kind] = {
            "found": len(hits), "of": len(mine), "recall": len(hits) / max(1, len(mine)), "wrong_reference": len(wrong),
            "false_matches": len(false), "distractors": sum(1 for k, _ in distractors if k == kind), "by_method": dict(by_method),
            "by_reference": by_reference,
            "missed": sorted(Path(q).name for i, q in mine if q not in hits), "false": sorted(Path(q).name for q in false),
        }  # fmt: skip
    n_false = sum(v["false_matches"] for v in per_kind.values())
    return {"kinds": per_kind, "references": len(built["refs"]) * 3 + built["synthetic_refs"], "false_matches": n_false,
            "distractors": len(distractors), "false_match_rate": n_false / max(1, len(distractors)),
            "match_ms_per_query": elapsed / max(1, len(paths)) * 1000 * workers}  # fmt: skip


def run_screens(args: argparse.Namespace) -> dict | None:
    if not REAL[0].is_dir():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        manifest = folder / "manifest.json"
        if manifest.exists():
            built = json.loads(manifest.read_text())
        else:
            t = time.perf_counter()
            built = build_screens(folder, args.real_refs, args.screen_distractors, args.synthetic_refs, args.seed, args.workers)
            manifest.write_text(json.dumps(built))
            print(f"built {len(built['targets'])} screenshots of {len(built['refs'])} real photos and {len(built['distractors'])} "
                  f"of photos not in the index in {time.perf_counter() - t:.1f} s", file=sys.stderr)  # fmt: skip
        return score_screens(folder, built, args.workers)


def print_screens(r: dict) -> None:
    print(
        f"\nscreenshots of real photos ({r['references']} files in the index: each photo, its 16:9 frame as a still and as a video, generated photos)"
    )
    print(f"{'kind':10} {'found':>9} {'recall':>7} {'photo':>6} {'frame':>6} {'video':>6} {'wrong ref':>10} {'false':>12}   by method")
    for kind, v in r["kinds"].items():
        forms = v["by_reference"]
        print(f"{kind:10} {v['found']:>4}/{v['of']:<4} {v['recall']:7.3f} {forms['photo']:6d} {forms['frame']:6d} {forms['video']:6d} "
              f"{v['wrong_reference']:10d} {v['false_matches']:>5}/{v['distractors']:<6}   "
              + ", ".join(f"{m} {n}" for m, n in sorted(v["by_method"].items())))  # fmt: skip
    print(f"false match rate {r['false_match_rate']:.4f} ({r['false_matches']} of {r['distractors']} screenshots of photos not in the index); "
          f"{r['match_ms_per_query']:.0f} ms per query")  # fmt: skip
    for kind, v in r["kinds"].items():
        if v["missed"] or v["false"]:
            print(f"  {kind}: missed {', '.join(v['missed']) or '-'}; false {', '.join(v['false']) or '-'}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12, help="base pictures (default 12)")
    ap.add_argument("--distractors", type=int, default=100, help="pictures not in the index (default 100)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--screens", action=argparse.BooleanOptionalAction, default=True, help="score screenshots of real photos (default on)")
    ap.add_argument("--screens-only", action="store_true", help="only the screenshots, not the generated families")
    ap.add_argument("--real-refs", type=int, default=64, help="real photos indexed; the others are distractors (default 64)")
    ap.add_argument("--synthetic-refs", type=int, default=200, help="generated photos indexed beside them (default 200)")
    ap.add_argument("--screen-distractors", type=int, default=150, help="screenshots of generated photos not in the index (default 150)")
    ap.add_argument("--keep", help="build the screenshots in this folder and reuse them on the next run")
    args = ap.parse_args(argv)

    out: dict = {"args": vars(args)}
    if not args.screens_only:
        out.update(run_families(args))
    if args.screens or args.screens_only:
        screens = run_screens(args)
        if screens is None:
            print("\nscreenshots: the real photos are not present, skipped")
        else:
            print_screens(screens)
        out["screens"] = screens
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2)
    return 0


def run_families(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        bases, variants, distractors = build(folder, args.n, args.distractors, args.seed)
        print(
            f"built {len(bases)} bases, {len(variants)} variants, {len(distractors)} distractors in {time.perf_counter() - t:.1f} s",
            file=sys.stderr,
        )
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
    print(
        f"{'false match rate':32} {ours['false_match_rate']:10.4f} {theirs['false_match_rate']:10.4f}   (of {ours['distractors']} distractors)"
    )
    print(
        f"{'variants matched to a wrong base':32} {ours['variants_with_a_wrong_reference']:10d} {theirs['variants_with_a_wrong_reference']:10d}"
    )
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
    return {"forensics": ours, "baseline": theirs, "timing": timing, "pdq_photos": pdq}


if __name__ == "__main__":
    raise SystemExit(main())
