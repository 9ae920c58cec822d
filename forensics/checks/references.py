"""Set checks about copies: matches in a reference set, and copies within the scanned set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from forensics.checks.registry import CheckContext, check
from forensics.records.findings import Finding, Severity
from forensics.records.record import ImageRecord
from forensics.records.text import file_name, name_list

if TYPE_CHECKING:  # numpy is imported where the check runs
    import numpy as np

# (path, timestamp of a video frame or None for a picture, pHash, dHash, sha256)
_Item = tuple[str, float | None, int, int, str | None]

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
    import numpy as np  # deferred: `forensics --help` does not load numpy

    phash = np.array([i[2] for i in items], dtype=np.uint64)
    dhash = np.array([i[3] for i in items], dtype=np.uint64)
    frame = np.array([i[1] is not None for i in items])
    sha = [i[4] for i in items]
    owner = [i[0] for i in items]
    by_owner: dict[str, list[int]] = {}
    for i, o in enumerate(owner):
        by_owner.setdefault(o, []).append(i)
    label = _clusters(phash, dhash, frame, [idx for idx in by_owner.values() if len(idx) > 1])
    # clusters in the order of their first member, members in item order
    order = np.argsort(label, kind="stable")
    _, starts, counts = np.unique(label[order], return_index=True, return_counts=True)
    for start, count in zip(starts[counts > 1].tolist(), counts[counts > 1].tolist()):
        members = order[start : start + count].tolist()
        paths = list(dict.fromkeys(owner[i] for i in members))
        if len(paths) < 2:
            continue
        rows = _member_rows(paths, by_owner, items, phash, dhash)
        identical = all(items[i][1] is None for i in members) and len({sha[i] for i in members}) == 1
        kind = "identical copies" if identical else "near-duplicates"
        names = name_list(paths, limit=5)
        yield Finding(
            check="near-duplicate",
            severity=Severity.INFO if identical else Severity.NOTICE,
            paths=tuple(paths),
            message=f"{len(paths)} files are {kind} of one picture: {names}",
            evidence={"members": rows, "identical": identical, "max_phash": NEAR_PHASH, "max_dhash": NEAR_DHASH},
        )


def _clusters(phash: np.ndarray, dhash: np.ndarray, frame: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """The cluster of each item, as the lowest item index in it.

    Two pictures, or two video frames, are linked when both hashes are close; a
    picture and a frame never are (a still of a video is the video-screenshots
    check's business). Items in one of ``groups`` (the frames of one video) are
    linked to each other. Equal hashes are linked at once, so that a thousand
    copies of one picture cost one comparison row, not a million pairs.
    """
    import numpy as np  # deferred: `forensics --help` does not load numpy

    n = len(phash)
    parent = np.arange(n)
    if groups:
        _union(parent, np.array([i for idx in groups for i in idx[1:]]), np.array([idx[0] for idx in groups for _ in idx[1:]]))
    for kind in (False, True):
        sel = np.flatnonzero(frame == kind)
        if sel.size == 0:
            continue
        keys = np.stack([phash[sel], dhash[sel]], axis=1)
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        rep = sel[first]  # one item per distinct pair of hashes
        _union(parent, sel, rep[inverse.reshape(-1)])
        p, d = phash[rep], dhash[rep]
        block = max(1, 2**21 // len(rep))  # about 2 M comparisons at a time, whatever the set's size
        for start in range(0, len(rep), block):
            # only the columns from this block on: the pairs before it were compared from their other end
            a, b = np.nonzero(np.bitwise_count(p[start : start + block, None] ^ p[None, start:]) <= NEAR_PHASH)
            a, b = a + start, b + start
            near = np.bitwise_count(d[a] ^ d[b]) <= NEAR_DHASH  # dHash only where pHash is close: few pairs
            _union(parent, rep[a[near]], rep[b[near]])
    return parent


def _union(parent: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Link items ``a[k]`` and ``b[k]`` in the forest ``parent`` (kept fully compressed).

    Every root hooks under the lowest root it is linked to, so a root is always
    the lowest index of its cluster; rounds repeat until no edge joins two roots.
    """
    import numpy as np  # deferred: `forensics --help` does not load numpy

    while a.size:
        ra, rb = parent[a], parent[b]
        apart = ra != rb
        if not apart.any():
            return
        lo, hi = np.minimum(ra[apart], rb[apart]), np.maximum(ra[apart], rb[apart])
        np.minimum.at(parent, hi, lo)
        while True:  # pointer jumping: every item points at its root again
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent[:] = up
        a, b = lo, hi


def _member_rows(
    paths: list[str], by_owner: dict[str, list[int]], items: list[_Item], phash: np.ndarray, dhash: np.ndarray
) -> list[dict[str, Any]]:
    """Each file of a cluster with its closest pair of pictures (or frames) to the first file's."""
    import numpy as np  # deferred: `forensics --help` does not load numpy

    ref = by_owner[paths[0]]
    rows: list[dict[str, Any]] = []
    for n, path in enumerate(paths):
        own = by_owner[path]
        if n == 0:
            dp = dd = 0
            i = own[0]
        elif len(own) == 1 and len(ref) == 1:
            i = own[0]  # one picture each (most clusters): no matrix to build
            dp = (int(phash[i]) ^ int(phash[ref[0]])).bit_count()
            dd = (int(dhash[i]) ^ int(dhash[ref[0]])).bit_count()
        else:
            mp = np.bitwise_count(phash[own][:, None] ^ phash[ref][None, :]).astype(int)
            md = np.bitwise_count(dhash[own][:, None] ^ dhash[ref][None, :]).astype(int)
            a, b = np.unravel_index(int(np.argmin(mp * 64 + md)), mp.shape)
            i, dp, dd = own[a], int(mp[a, b]), int(md[a, b])
        rows.append({"path": path, "timestamp": items[i][1], "sha256": items[i][4], "phash_distance": dp, "dhash_distance": dd})
    return rows


def _items(records: Sequence[ImageRecord]) -> list[_Item]:
    """(path, timestamp, pHash, dHash, sha256) of every picture and sampled video frame."""
    out: list[_Item] = []
    for r in records:
        if r.error:
            continue
        if r.hashes is not None and r.kind != "video":
            out.append((r.path, None, int(r.hashes.phash[:16], 16), int(r.hashes.dhash[:16], 16), r.sha256))
        if r.video is not None:
            for f in r.video.frames:
                out.append((r.path, float(f.timestamp), int(f.hashes.phash[:16], 16), int(f.hashes.dhash[:16], 16), None))
    return out
