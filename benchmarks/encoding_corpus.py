"""Encoder attributions on the real corpora: no camera original may be attributed to a platform.

Scans every JPEG of ``../shared/corpora`` (camera-jpegs, exif-samples, exiftool-t-images,
pdq-photos) with the default scan and counts, among the files that name a camera
(make or model in EXIF), how many the ``encoder-signature`` check attributes to a
platform or an editor; then tallies the named encoders over all files.

    python benchmarks/encoding_corpus.py
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forensics import scan  # noqa: E402

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
FOLDERS = ("camera-jpegs", "exif-samples", "exiftool-t-images", "pdq-photos")


def main() -> None:
    if not CORPORA.is_dir():
        sys.exit(f"no corpora at {CORPORA}")
    for folder in FOLDERS:
        files = [str(p) for p in sorted((CORPORA / folder).rglob("*")) if p.suffix.lower() in (".jpg", ".jpeg")]
        if not files:
            continue
        report = scan(files)
        cams = {r.path for r in report.images if not r.error and (r.metadata.make or r.metadata.model)}
        sig = {f.paths[0]: f for f in report.findings if f.check == "encoder-signature" and "history" in f.evidence}
        unlike = [f for f in report.findings if f.check == "encoder-signature" and "own_tables" in f.evidence]
        platform = [p for p in cams if p in sig and sig[p].evidence["platforms"]]
        editor = [p for p in cams if p in sig and any(s["stage"] == "editor" for s in sig[p].evidence["history"])]
        every_platform = [p for p, f in sig.items() if f.evidence["platforms"]]
        mismatch = [f for f in report.findings if f.check == "encoder-signature" and "metadata_make" in f.evidence]
        mismatch_notice = [f for f in mismatch if f.severity.value != "info" and f.paths[0] in cams]
        own = [p for p, f in sig.items() if any(e["kind"] == "camera" for e in f.evidence["encoders"])]
        names = collections.Counter(s["name"] for f in sig.values() for s in f.evidence["history"][:1])
        print(f"{folder}: {len(files)} JPEGs, {len(cams)} name a camera; attributed to a platform: {len(platform)} "
              f"({len(platform) / max(len(cams), 1):.1%}); to an editor's tables: {len(editor)}; "
              f"platform attributions over all files: {len(every_platform)}; standard tables among a device's own: {len(unlike)}; "
              f"tables of a measured camera: {len(own)}; make mismatch: {len(mismatch)} ({len(mismatch_notice)} notices on files naming a camera)")  # fmt: skip
        for f in mismatch:
            print(f"   mismatch ({f.severity.value}): {Path(f.paths[0]).name}: {f.evidence['metadata_make']} over {', '.join(f.evidence['table_makes'])}")
        for p in every_platform:
            print(f"   platform: {Path(p).name}: {sig[p].message[:160]}")
        for n, k in names.most_common(6):
            print(f"   {k:4} {n}")


if __name__ == "__main__":
    main()
