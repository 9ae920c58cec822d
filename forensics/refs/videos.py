"""Pictures that show a frame of a video: whole-picture hashes, then the content rectangle.

A screenshot that is the frame alone (full screen, cropped to the video)
keeps the frame's hashes, so comparing the records is enough; that is
:func:`best_frame`, used by the ``video-screenshots`` check. A screenshot of a
player *window* (title bar, controls, black bars around the picture) does not:
its content rectangle has to be cut out of its pixels first, and a candidate
frame between two samples confirmed with local features. That needs the
files again, so :func:`match_set_videos` runs in the scan's matching stage,
like a reference search, and only when the scan holds videos.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from forensics.errors import UnreadableFile
from forensics.read.hashing import compute_hashes
from forensics.read.video import frame_at
from forensics.records.record import FrameHash, Hashes, ImageRecord, hex_distance
from forensics.refs.match import Match, Reference
from forensics.refs.queries import VERIFY_SIDE, content_box, load_picture

# A picture and a sampled frame are the same picture when both the pHash and
# the dHash agree this well. Scaling and recompression move each by a few bits;
# a screenshot taken between two samples of a moving shot, by up to ~12
# (tests/test_video.py); unrelated pictures sit near 32 on each, and asking
# both to agree keeps a chance match rare even against thousands of frames.
MATCH_PHASH = 14
MATCH_DHASH = 14
MATCH_SUM = 22
# Looser, for the candidates that local features then confirm or reject.
CANDIDATE_PHASH = 24
MAX_CANDIDATES = 3
# A dHash with almost no bits set, or almost all, is a flat picture (a black
# frame of a fade): it "matches" every other flat picture.
_FLAT_BITS = 4


def flat(hashes: Hashes) -> bool:
    """Whether a picture is (almost) featureless: its dHash has nearly no gradient bits, or all."""
    bits = int(hashes.dhash, 16).bit_count()
    return bits <= _FLAT_BITS or bits >= len(hashes.dhash) * 4 - _FLAT_BITS


def best_frame(hashes: Hashes, frames: Sequence[FrameHash]) -> tuple[int, dict[str, int]] | None:
    """The index of the sampled frame closest to ``hashes`` within the match limits, and the distances."""
    if flat(hashes):
        return None
    best: tuple[int, int, dict[str, int]] | None = None
    for i, f in enumerate(frames):
        p = hex_distance(hashes.phash, f.hashes.phash)
        if p > MATCH_PHASH:
            continue
        d = hex_distance(hashes.dhash, f.hashes.dhash)
        if d > MATCH_DHASH or p + d > MATCH_SUM or flat(f.hashes):
            continue
        if best is None or p + d < best[0]:
            best = (p + d, i, {"phash": p, "dhash": d})
    return None if best is None else (best[1], best[2])


def _candidates(hashes: Hashes, frames: Sequence[FrameHash]) -> list[tuple[int, int, int]]:
    """(index, pHash distance, dHash distance) of the closest frames within the loose limit."""
    out = []
    for i, f in enumerate(frames):
        p = hex_distance(hashes.phash, f.hashes.phash)
        if p <= CANDIDATE_PHASH and not flat(f.hashes):
            out.append((p + hex_distance(hashes.dhash, f.hashes.dhash), i, p))
    out.sort()
    return [(i, p, s - p) for s, i, p in out[:MAX_CANDIDATES]]


def match_set_videos(records: Sequence[ImageRecord], *, verify: bool = True) -> list[Match]:
    """Pictures of a set that show a video of the same set inside a frame (a player window).

    Only pictures without camera make or model are looked at, and only those
    whose whole-picture hashes do not already match a sampled frame (the
    ``video-screenshots`` check finds those from the records). For each, the
    content rectangle is cut out (:func:`forensics.views.content_box`) and
    hashed; a close frame is a match, looser candidates are confirmed with
    ORB features against the frame itself (:func:`forensics.video.frame_at`).

    Parameters
    ----------
    records : sequence of ImageRecord
        The records of a scan.
    verify : bool
        Confirm loose candidates with local features.

    Returns
    -------
    list of Match
        ``reference.video`` is the video's path and ``reference.timestamp``
        the sampled frame's time; ``region`` the content rectangle in the
        picture's pixels (as displayed).
    """
    videos = [r for r in records if r.kind == "video" and r.error is None and r.video is not None and r.video.frames]
    if not videos:
        return []

    out = []
    for r in records:
        if r.kind != "image" or r.error or r.hashes is None or r.metadata.make or r.metadata.model:
            continue
        if any(best_frame(r.hashes, v.video.frames) for v in videos):  # type: ignore[union-attr]
            continue
        try:
            picture = load_picture(r.path)
        except Exception:  # noqa: BLE001 - the reader already reported what is wrong with the file
            continue
        box = content_box(picture)
        if box is None:
            continue
        content = picture.crop(box)
        hashes = compute_hashes(content)
        if flat(hashes):
            continue
        shown = r.display_size or picture.size
        f = shown[0] / picture.width
        region = (round(box[0] * f), round(box[1] * f), round((box[2] - box[0]) * f), round((box[3] - box[1]) * f))
        query_features = None
        for v in videos:
            frames = v.video.frames  # type: ignore[union-attr]
            close = best_frame(hashes, frames)
            if close is not None:
                i, dist = close
                out.append(_match(r, v, frames[i], dist, region, "hash", round(1 - sum(dist.values()) / 64, 3)))
                continue
            if not verify:
                continue
            if query_features is None:
                from forensics.refs.features import Features  # deferred: numpy and OpenCV load on first use, not on `import forensics`

                query_features = Features(content)
            found = _confirm(v, frames, _candidates(hashes, frames), query_features)
            if found is not None:
                i, dist, confidence = found
                out.append(_match(r, v, frames[i], dist, region, "features", confidence))
    return out


def _confirm(
    video: ImageRecord, frames: Sequence[FrameHash], candidates: list[tuple[int, int, int]], query: Any
) -> tuple[int, dict[str, int], float] | None:
    from forensics.refs.features import Features, verify  # numpy and OpenCV: only to confirm a candidate

    best = None
    for i, p, d in candidates:
        try:
            frame = frame_at(video.path, frames[i].timestamp)
        except UnreadableFile:
            continue
        frame.thumbnail((VERIFY_SIDE, VERIFY_SIDE))
        v = verify(Features(frame), query)
        if v is not None and (best is None or v.inliers > best[0].inliers):
            best = (v, i, {"phash": p, "dhash": d})
    if best is None:
        return None
    return best[1], best[2], best[0].confidence


def _match(
    picture: ImageRecord,
    video: ImageRecord,
    frame: FrameHash,
    distances: dict[str, int],
    region: tuple[int, int, int, int],
    method: str,
    confidence: float,
) -> Match:
    ref = Reference(id=0, path=video.path, sha256=video.sha256, width=video.width, height=video.height,
                    timestamp=frame.timestamp, video=video.path)  # fmt: skip
    return Match(picture.path, ref, distances, transform="framed", confidence=confidence, region=region, method=method,
                 details={"in_scan": True})  # fmt: skip
