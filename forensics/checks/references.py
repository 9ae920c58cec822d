"""Set checks about copies: matches in a reference set, and copies within the scanned set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from forensics.checks.registry import CheckContext, check
from forensics.records.findings import Finding, Severity
from forensics.records.record import ImageRecord
from forensics.records.text import file_name, name_list

# The same thresholds as reference matching (forensics.index / forensics.match).
NEAR_PHASH = 10
NEAR_DHASH = 18


@check("reference-match", scope="set")
def reference_match(records: Sequence[ImageRecord], context: CheckContext) -> Iterator[Finding]:
    """A scanned picture was found in a reference set (with its source and publication date)."""
    by_path = {r.path: r for r in records}
    for m in context.facts_for(records).reference_matches:
        ref = m.reference
        record = by_path.get(m.path)
        captured = record.metadata.capture_time if record is not None else None
        published = ref.published
        earlier = _before(published, captured)
        where = file_name(ref.path)
        if ref.timestamp is not None:
            where += f" at {ref.timestamp:.1f} s"
        said = [s for s in (ref.source, f"published {published.isoformat()}" if published else None) if s]
        message = f"found in the reference set as {where}" + (f" ({', '.join(said)})" if said else "")
        message += f": {m.transform}, confidence {m.confidence:.2f}"
        if earlier and captured is not None:
            message += f"; published before the capture time its metadata gives ({captured.isoformat(sep=' ')})"
        yield Finding(
            check="reference-match",
            severity=Severity.WARNING if earlier else Severity.NOTICE,
            paths=(m.path,),
            message=message,
            evidence={
                "reference": ref.to_dict(),
                "distances": dict(m.distances),
                "transform": m.transform,
                "confidence": m.confidence,
                "region": list(m.region) if m.region else None,
                "method": m.method,
                "published_before_capture": earlier,
                "capture_time": captured.isoformat() if captured else None,
            },
        )


def _before(published: dt.date | dt.datetime | None, captured: dt.datetime | None) -> bool:
    """Published on a day before the capture day (a day's margin absorbs time zones)."""
    if published is None or captured is None:
        return False
    day = published.date() if isinstance(published, dt.datetime) else published
    return day < captured.date() - dt.timedelta(days=1)


@check("near-duplicate", scope="set")
def near_duplicate(records: Sequence[ImageRecord], context: CheckContext) -> Iterator[Finding]:
    """Pictures in the set that are copies of each other, and videos that share frames (clusters)."""
    items = _items(records)
    if len(items) < 2:
        return
    import numpy as np

    phash = np.array([i[2] for i in items], dtype=np.uint64)
    dhash = np.array([i[3] for i in items], dtype=np.uint64)
    sha = [i[4] for i in items]
    owner = [i[0] for i in items]
    parent = list(range(len(items)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    block = 256
    for start in range(0, len(items), block):
        p = np.bitwise_count(phash[start : start + block, None] ^ phash[None, :])
        d = np.bitwise_count(dhash[start : start + block, None] ^ dhash[None, :])
        close = (p <= NEAR_PHASH) & (d <= NEAR_DHASH)
        for a, b in zip(*np.nonzero(close)):
            a = int(a) + start
            b = int(b)
            if b <= a or owner[a] == owner[b]:
                continue  # each pair once; frames of one video are not copies of each other
            if (items[a][1] is None) != (items[b][1] is None):
                continue  # a picture showing a video frame is the video-screenshots check's business
            parent[find(a)] = find(b)
    # clusters are of files: the frames of one video belong together
    by_owner: dict[str, list[int]] = {}
    for i, o in enumerate(owner):
        by_owner.setdefault(o, []).append(i)
    for idx in by_owner.values():
        for i in idx[1:]:
            parent[find(i)] = find(idx[0])
    clusters: dict[int, list[int]] = {}
    for i in range(len(items)):
        clusters.setdefault(find(i), []).append(i)
    for members in clusters.values():
        paths = list(dict.fromkeys(owner[i] for i in members))
        if len(paths) < 2:
            continue
        ref = by_owner[paths[0]]
        rows: list[dict[str, Any]] = []
        for path in paths:
            # the closest pair between this file's pictures (or frames) and the first file's
            own = by_owner[path]
            dp = np.bitwise_count(phash[own][:, None] ^ phash[ref][None, :]).astype(int)
            dd = np.bitwise_count(dhash[own][:, None] ^ dhash[ref][None, :]).astype(int)
            score = dp * 64 + dd if path != paths[0] else np.zeros_like(dp)
            a, b = np.unravel_index(int(np.argmin(score)), score.shape)
            i = own[a]
            rows.append({
                "path": path, "timestamp": items[i][1], "sha256": sha[i],
                "phash_distance": int(dp[a, b]) if path != paths[0] else 0,
                "dhash_distance": int(dd[a, b]) if path != paths[0] else 0,
            })  # fmt: skip
        identical = len({sha[i] for i in members if items[i][1] is None}) == 1 and all(items[i][1] is None for i in members)
        kind = "identical copies" if identical else "near-duplicates"
        names = name_list(paths, limit=5)
        yield Finding(
            check="near-duplicate",
            severity=Severity.INFO if identical else Severity.NOTICE,
            paths=tuple(paths),
            message=f"{len(paths)} files are {kind} of one picture: {names}",
            evidence={"members": rows, "identical": identical, "max_phash": NEAR_PHASH, "max_dhash": NEAR_DHASH},
        )


def _items(records: Sequence[ImageRecord]) -> list[tuple[str, float | None, int, int, str | None]]:
    """(path, timestamp, pHash, dHash, sha256) of every picture and sampled video frame."""
    out: list[tuple[str, float | None, int, int, str | None]] = []
    for r in records:
        if r.error:
            continue
        if r.hashes is not None and r.kind != "video":
            out.append((r.path, None, int(r.hashes.phash[:16], 16), int(r.hashes.dhash[:16], 16), r.sha256))
        if r.video is not None:
            for f in r.video.frames:
                out.append((r.path, float(f.timestamp), int(f.hashes.phash[:16], 16), int(f.hashes.dhash[:16], 16), None))
    return out
