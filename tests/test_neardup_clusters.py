"""near-duplicate on records built in Python: pinned clusters, and agreement with the pairwise definition."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.checks import CheckContext
from forensics.checks.references import NEAR_DHASH, NEAR_PHASH, _items, near_duplicate
from forensics.records.findings import Finding, Severity
from forensics.records.record import FrameHash, Hashes, ImageRecord, VideoInfo
from forensics.records.text import name_list


def _hashes(p: int, d: int) -> Hashes:
    return Hashes(f"{p:016x}", f"{d:016x}", f"{p:016x}", f"{p:016x}", "0" * 14)


def _picture(path: str, p: int, d: int, sha: str | None = None) -> ImageRecord:
    return ImageRecord(path=path, kind="image", format="JPEG", sha256=sha or f"{hash(path) & (2**64 - 1):064x}", hashes=_hashes(p, d))


def _video(path: str, frames: list[tuple[int, int]]) -> ImageRecord:
    fh = tuple(FrameHash(timestamp=float(t), hashes=_hashes(p, d)) for t, (p, d) in enumerate(frames))
    return ImageRecord(path=path, kind="video", format="MP4", sha256=f"{hash(path) & (2**64 - 1):064x}", video=VideoInfo(frames=fh))


def _flip(value: int, bits: list[int]) -> int:
    for b in bits:
        value ^= 1 << b
    return value


def _pairwise(records: list[ImageRecord]) -> list[Finding]:
    """The check as first written: every pair compared, clusters by union-find, one pair at a time."""
    items = _items(records)
    if len(items) < 2:
        return []
    phash = [i[2] for i in items]
    dhash = [i[3] for i in items]
    owner = [i[0] for i in items]
    parent = list(range(len(items)))

    def find(a: int) -> int:
        while parent[a] != a:
            a = parent[a]
        return a

    for a in range(len(items)):
        for b in range(a + 1, len(items)):
            if owner[a] == owner[b] or (items[a][1] is None) != (items[b][1] is None):
                continue
            if (phash[a] ^ phash[b]).bit_count() <= NEAR_PHASH and (dhash[a] ^ dhash[b]).bit_count() <= NEAR_DHASH:
                parent[find(a)] = find(b)
    by_owner: dict[str, list[int]] = {}
    for i, o in enumerate(owner):
        by_owner.setdefault(o, []).append(i)
    for idx in by_owner.values():
        for i in idx[1:]:
            parent[find(i)] = find(idx[0])
    clusters: dict[int, list[int]] = {}
    for i in range(len(items)):
        clusters.setdefault(find(i), []).append(i)
    out = []
    for members in clusters.values():
        paths = list(dict.fromkeys(owner[i] for i in members))
        if len(paths) < 2:
            continue
        ref = by_owner[paths[0]]
        rows: list[dict[str, Any]] = []
        for n, path in enumerate(paths):
            best = min(((phash[i] ^ phash[j]).bit_count() * 64 + (dhash[i] ^ dhash[j]).bit_count(), k, i, j)
                       for k, (i, j) in enumerate((i, j) for i in by_owner[path] for j in ref))  # fmt: skip
            _, _, i, j = best if n else (0, 0, by_owner[path][0], ref[0])
            rows.append({"path": path, "timestamp": items[i][1], "sha256": items[i][4],
                         "phash_distance": (phash[i] ^ phash[j]).bit_count() if n else 0,
                         "dhash_distance": (dhash[i] ^ dhash[j]).bit_count() if n else 0})  # fmt: skip
        identical = all(items[i][1] is None for i in members) and len({items[i][4] for i in members}) == 1
        out.append(Finding(
            check="near-duplicate", severity=Severity.INFO if identical else Severity.NOTICE, paths=tuple(paths),
            message=f"{len(paths)} files are {'identical copies' if identical else 'near-duplicates'} of one picture: {name_list(paths, limit=5)}",
            evidence={"members": rows, "identical": identical, "max_phash": NEAR_PHASH, "max_dhash": NEAR_DHASH},
        ))  # fmt: skip
    return out


def _check(records: list[ImageRecord]) -> list[Finding]:
    return list(near_duplicate(records, CheckContext()))


def test_copies_variants_chains_and_videos_cluster_as_pinned():
    rng = random.Random(3)
    a, b, c = (rng.getrandbits(64), rng.getrandbits(64)), (rng.getrandbits(64), rng.getrandbits(64)), rng.getrandbits(64)
    records = [_picture(f"/s/copy{i:03d}.jpg", *a, sha="a" * 64) for i in range(300)]  # one picture, 300 copies
    # 200 re-encodings of another: each at most 3 bits off it, so any two are within the thresholds
    records += [_picture(f"/s/variant{i:03d}.jpg", _flip(b[0], rng.sample(range(64), 3)), _flip(b[1], rng.sample(range(64), 3)))
                for i in range(200)]  # fmt: skip
    # a chain: each link 8 pHash bits from the next, the two ends 32 apart; one cluster all the same
    records += [_picture(f"/s/chain{k}.jpg", _flip(c, list(range(8 * k))), 0) for k in range(5)]
    records += [_picture(f"/s/alone{i}.jpg", rng.getrandbits(64), rng.getrandbits(64)) for i in range(50)]
    shared = (rng.getrandbits(64), rng.getrandbits(64))
    records += [_video("/s/v1.mp4", [(rng.getrandbits(64), 0), shared]), _video("/s/v2.avi", [shared, (rng.getrandbits(64), 0)])]
    records.append(_picture("/s/still.png", *shared))  # a still of a frame: not a copy (video-screenshots' business)
    records.append(ImageRecord(path="/s/broken.jpg", error="cannot decode", hashes=_hashes(*a), sha256="a" * 64))
    rng.shuffle(records)

    found = _check(records)
    assert found == _pairwise(records)
    by_first = {sorted(f.paths)[0]: f for f in found}
    assert set(by_first) == {"/s/copy000.jpg", "/s/variant000.jpg", "/s/chain0.jpg", "/s/v1.mp4"}
    copies, variants, chain, videos = (by_first[k] for k in ("/s/copy000.jpg", "/s/variant000.jpg", "/s/chain0.jpg", "/s/v1.mp4"))
    assert len(copies.paths) == 300 and copies.severity is Severity.INFO and copies.evidence["identical"]
    assert len(variants.paths) == 200 and variants.severity is Severity.NOTICE and not variants.evidence["identical"]
    assert chain.paths == tuple(p for p in (r.path for r in records) if "chain" in p)
    assert set(videos.paths) == {"/s/v1.mp4", "/s/v2.avi"}
    assert all(r["phash_distance"] == r["dhash_distance"] == 0 for r in copies.evidence["members"])


def test_findings_follow_the_order_of_the_set():
    records = [_picture(f"/s/{n}.jpg", (2**64 - 1) * (i % 2), 0) for i, n in enumerate("abcdef")]
    found = _check(records)
    assert [f.paths for f in found] == [("/s/a.jpg", "/s/c.jpg", "/s/e.jpg"), ("/s/b.jpg", "/s/d.jpg", "/s/f.jpg")]


def test_thresholds_are_inclusive_on_both_hashes():
    at = [_picture("/s/a.jpg", 0, 0), _picture("/s/b.jpg", (1 << NEAR_PHASH) - 1, (1 << NEAR_DHASH) - 1)]
    (f,) = _check(at)
    assert [(r["phash_distance"], r["dhash_distance"]) for r in f.evidence["members"]] == [(0, 0), (NEAR_PHASH, NEAR_DHASH)]
    assert not _check([at[0], _picture("/s/b.jpg", (1 << (NEAR_PHASH + 1)) - 1, 0)])
    assert not _check([at[0], _picture("/s/b.jpg", 0, (1 << (NEAR_DHASH + 1)) - 1)])


# hashes drawn near a few seeds, so that copies, near copies and strangers all occur
_seed = st.sampled_from([0, 2**64 - 1, 0x5555_5555_5555_5555])
_hash = st.builds(_flip, _seed, st.lists(st.integers(0, 63), max_size=12))
_pair = st.tuples(_hash, _hash)


@st.composite
def _sets(draw: st.DrawFn) -> list[ImageRecord]:
    out = []
    for i in range(draw(st.integers(0, 14))):
        if draw(st.booleans()):
            out.append(_picture(f"/s/p{i}.jpg", *draw(_pair), sha=draw(st.sampled_from(["a" * 64, "b" * 64, None]))))
        else:
            out.append(_video(f"/s/v{i}.mp4", draw(st.lists(_pair, min_size=1, max_size=4))))
    return out


@settings(max_examples=120, deadline=None)
@given(_sets())
def test_agrees_with_the_pairwise_definition(records):
    assert _check(records) == _pairwise(records)


def test_a_large_set_of_one_picture_is_one_cluster():
    records = [_picture(f"/s/{i:05d}.jpg", 7, 9, sha="c" * 64) for i in range(5000)]
    (f,) = _check(records)
    assert len(f.paths) == 5000 and f.evidence["identical"] and np.all([r["phash_distance"] == 0 for r in f.evidence["members"]])
