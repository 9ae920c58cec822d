"""Reading photos of documents: character error rate, dates and unit numbers found, the classifier.

Documents in Cyrillic and Latin type (DejaVu Sans, Serif and Sans Condensed from Debian's
fonts-dejavu-core, at several sizes, with a bold heading, ruled lines and a round stamp) are
photographed synthetically as a phone would (perspective, Gaussian blur, a brightness gradient,
sensor noise, JPEG quality 70-90; tests/docgen.py) and read by ``forensics.documents``
exactly as ``scan --ocr`` reads them. Reported:

* CER: the edit distance between the typed and the read text (blanks collapsed) over the typed
  text's length, per condition (moderate and strong warping), with the page's width in the photo;
* dates and unit numbers: precision and recall of the values extracted against those typed;
* the classifier: precision and recall over the document photos, screenshots of text, and
  photos without documents (generated scenes, and the camera corpus where present), and its cost
  per picture beside the floor (reading the file and decoding it reduced), measured in the same run.

Run: ``python benchmarks/ocr_bench.py [--documents 12] [--scenes 40]``
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from docgen import FONTS, cer, english_text, have_fonts, page, photograph, russian_text  # noqa: E402
from imagegen import photo  # noqa: E402

from forensics.documents.classify import SIDE, classify, reduced_grey  # noqa: E402
from forensics.documents.ocr import tesseract_problem  # noqa: E402
from forensics.documents.read import document_text  # noqa: E402
from forensics.read import decode  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
# Corpus photos that show text the way a document photo does, looked at one by one: counted as
# positives for the classifier (the rest of the corpus is taken to show no document).
TEXT_IN_CORPUS = {
    "Pentax ist D.jpg": "a photo of a computer screen showing a page of text",
    "Olympus PEN E-P3.jpg": "a camera's box: labels, lines of small print and bar codes",
}
CONDITIONS = {
    # name: photograph() settings; the frame keeps the page at least 1000 px wide
    "moderate": {"warp": 0.05, "blur": 0.8, "light": 0.25},
    "strong": {"warp": 0.10, "blur": 1.4, "light": 0.45},
}


def precision_recall(found: list[set[str]], truth: list[set[str]]) -> tuple[float, float, int, int, int]:
    tp = sum(len(f & t) for f, t in zip(found, truth))
    fp = sum(len(f - t) for f, t in zip(found, truth))
    fn = sum(len(t - f) for f, t in zip(found, truth))
    return tp / max(1, tp + fp), tp / max(1, tp + fn), tp, fp, fn


def documents(n: int, condition: str) -> list[tuple[bytes, object, int]]:
    out = []
    for i in range(n):
        rng = np.random.default_rng(1000 + i)
        typed = russian_text(rng) if i % 2 == 0 else english_text(rng)
        size = (30, 36, 44)[i % 3]
        sheet = page(typed, size=size, font_name=FONTS[i % len(FONTS)], seed=i)
        quality = int(rng.integers(70, 91))
        jpeg, corners = photograph(sheet, seed=i, frame=(2800, 2100), quality=quality, **CONDITIONS[condition])
        width = min(float(np.hypot(*np.subtract(corners[1], corners[0]))), float(np.hypot(*np.subtract(corners[2], corners[3]))))
        out.append((jpeg, typed, int(width)))
    return out


def screenshots(n: int) -> list[bytes]:
    """Screens of text: a page rendered straight to PNG, as a phone's screenshot of a letter."""
    out = []
    for i in range(n):
        rng = np.random.default_rng(5000 + i)
        typed = russian_text(rng) if i % 2 == 0 else english_text(rng)
        sheet = page(typed, width=1080, size=38, seed=i)
        buf = io.BytesIO()
        sheet.save(buf, "PNG")
        out.append(buf.getvalue())
    return out


def scenes(n: int) -> tuple[list[bytes], list[bytes]]:
    """Pictures without documents (generated, and the corpora's), and the corpora's pictures of text."""
    out, text = [], []
    for i in range(n):
        buf = io.BytesIO()
        photo(i, (2016, 1512)).save(buf, "JPEG", quality=90)
        out.append(buf.getvalue())
    for folder in ("camera-jpegs", "pdq-photos/labelme-subset"):
        for path in sorted((CORPORA / folder).glob("*.[jJ][pP]*[gG]")):
            (text if path.name in TEXT_IN_CORPUS else out).append(path.read_bytes())
    return out, text


def timed_classify(data: bytes) -> tuple[bool, float, float, float]:
    """Whether the classifier takes it for a document; CPU seconds reading + reduced decode (the floor);
    CPU seconds classifying; wall seconds classifying (CPU time: the machine may be shared)."""
    c0 = time.process_time()
    with decode.open_picture(data) as image:
        small = decode.decode(image, side=SIDE)
    grey = reduced_grey(small)
    c1, t1 = time.process_time(), time.perf_counter()
    verdict = classify(grey)
    return verdict.document, c1 - c0, time.process_time() - c1, time.perf_counter() - t1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=12, help="documents per condition")
    ap.add_argument("--scenes", type=int, default=40, help="generated photos without documents")
    ap.add_argument("--languages", default="rus+eng")
    ap.add_argument("--classifier-only", action="store_true", help="measure the classifier alone (the documents are still made)")
    args = ap.parse_args(argv)
    if not have_fonts():
        print("the DejaVu fonts are not installed (fonts-dejavu-core)", file=sys.stderr)
        return 1
    if not args.classifier_only and (problem := tesseract_problem(args.languages)) is not None:
        print(problem, file=sys.stderr)
        return 1

    print(f"reading: Tesseract through pytesseract, languages {args.languages}; frame 2800×2100, JPEG quality 70-90")
    print("condition  docs  page width px  CER mean  CER max  dates P/R (tp/fp/fn)      units P/R (tp/fp/fn)    s/doc  floor s  ratio")
    positives: list[bytes] = []
    for condition in CONDITIONS:
        docs = documents(args.documents, condition)
        positives += [d for d, _, _ in docs]
        if args.classifier_only:
            continue
        rates, found_d, true_d, found_u, true_u, secs, floors = [], [], [], [], [], [], []
        for jpeg, typed, _ in docs:
            t0 = time.perf_counter()
            with decode.open_picture(jpeg) as image:
                decode.decode(image)
            t1 = time.perf_counter()
            doc = document_text(jpeg, languages=args.languages, always=True)  # reading alone; the classifier is measured below
            t2 = time.perf_counter()
            floors.append(t1 - t0)
            secs.append(t2 - t1)
            text = doc.text if doc is not None and doc.read else ""
            rates.append(cer(typed.text, text))
            extracted = doc.extracted if doc is not None else ()
            found_d.append({e.value for e in extracted if e.kind == "date"})
            true_d.append(set(typed.dates))
            found_u.append({e.value for e in extracted if e.kind == "unit"})
            true_u.append(set(typed.units))
        widths = [w for _, _, w in docs]
        dp, dr, *dc = precision_recall(found_d, true_d)
        up, ur, *uc = precision_recall(found_u, true_u)
        print(
            f"{condition:<10} {len(docs):>4}  {min(widths):>5}-{max(widths):<6}  {statistics.mean(rates):8.2%}  {max(rates):7.2%}  "
            f"{dp:.3f}/{dr:.3f} ({'/'.join(map(str, dc))})     {up:.3f}/{ur:.3f} ({'/'.join(map(str, uc))})   "
            f"{statistics.mean(secs):5.2f}  {statistics.mean(floors):7.3f}  {statistics.mean(secs) / statistics.mean(floors):5.0f}×"
        )
    shots = screenshots(max(4, args.documents // 2))
    negatives, text_photos = scenes(args.scenes)
    shots += text_photos
    results = [(True, *timed_classify(d)) for d in positives + shots] + [(False, *timed_classify(d)) for d in negatives]
    missed = [i for i, r in enumerate(results) if r[0] != r[1]]
    if missed:
        print(f"classifier wrong on pictures {missed} (documents first, then screens of text, then the others)")
    tp = sum(1 for truth, said, *_ in results if truth and said)
    fp = sum(1 for truth, said, *_ in results if not truth and said)
    fn = sum(1 for truth, said, *_ in results if truth and not said)
    cost = sorted(r[3] for r in results)
    wall = sorted(r[4] for r in results)
    floor = statistics.median(r[2] for r in results)
    print(
        f"classifier: {len(positives)} document photos + {len(shots)} screenshots and corpus photos of text, {len(negatives)} pictures without documents "
        f"({args.scenes} generated, {len(negatives) - args.scenes} from the corpora); "
        f"precision {tp / max(1, tp + fp):.3f}, recall {tp / max(1, tp + fn):.3f} (tp {tp}, fp {fp}, fn {fn})"
    )
    print(
        f"classifier cost per picture (long side {SIDE}, CPU time): median {statistics.median(cost) * 1000:.2f} ms, "
        f"p95 {cost[int(len(cost) * 0.95) - 1] * 1000:.2f} ms, max {cost[-1] * 1000:.2f} ms (wall clock: median "
        f"{statistics.median(wall) * 1000:.2f} ms); floor (read + reduced decode, CPU) median {floor * 1000:.1f} ms; "
        f"ratio {statistics.median(cost) / floor:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
