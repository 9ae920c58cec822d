"""Reference matches: a query picture found in a reference set."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from forensics.read.pool import Progress
from forensics.read.threads import threads
from forensics.read.video import frame_at
from forensics.records.record import ImageRecord, Serialisable, hex_distance
from forensics.refs.queries import (
    DIHEDRAL,
    REGIONS,
    VERIFY_SIDE,
    VIEW_REGIONS,
    hash_copy,
    hex_to_int,
    load_picture,
    load_query_picture,
    map_box,
    query_views,
    tilted_views,
    transpose,
)

if TYPE_CHECKING:  # the index imports this module for its result types
    from forensics.refs.index import ReferenceIndex


@dataclass(frozen=True)
class Reference(Serialisable):
    """A picture in a reference index, with its provenance."""

    id: int
    path: str
    sha256: str | None = None
    source: str | None = None
    url: str | None = None
    published: dt.date | dt.datetime | None = None
    label: str | None = None
    width: int | None = None
    height: int | None = None
    timestamp: float | None = None  # seconds into the video, for a video frame
    video: str | None = None  # the video a frame was sampled from


@dataclass(frozen=True)
class Match(Serialisable):
    """A query file found in a reference set.

    ``transform`` names what turns the reference into the query (``identical``,
    ``resized``, ``mirrored``, ``rotated-90``, ``cropped``, ``framed`` …);
    ``region`` is the matched rectangle ``[x, y, w, h]`` in the query's pixels
    when local features located it; ``confidence`` is in 0..1.
    """

    path: str
    reference: Reference
    distances: dict[str, int] = field(default_factory=dict)
    transform: str = "resized"
    confidence: float = 0.0
    region: tuple[int, int, int, int] | None = None
    method: str = "hash"  # "sha256", "hash" or "features"
    details: dict[str, Any] = field(default_factory=dict)


# -- the matching pipeline ---------------------------------------------------------------------------
#
# 1. The query's own hashes (from its record) against the whole-picture hashes:
#    pHash within max_distance and dHash within max_distance + DHASH_SLACK is a
#    match; this is the whole cost for a re-publication that was only resized,
#    recompressed or retouched.
# 2. Otherwise the query is decoded once more and its views hashed: the eight
#    turns and flips, the content inside a frame (up to four rectangles: a
#    player's window, a photo in an app screen or a web page, that photo grown
#    over a sky as light as the screen), sub-crops compared with the
#    references' indexed regions (crops), and the query cut to the regions an
#    overlay leaves clean (a control bar over the bottom), each compared with
#    the same region of the references.
# 3. Candidates that hashes leave unsure (a region hit, or a whole-picture
#    distance just beyond the threshold) are confirmed or rejected with local
#    features; the best few per query only, so the cost stays bounded. A
#    framed candidate is checked on its rectangle alone: the text and icons
#    of a screen would otherwise take most of the keypoints.

DHASH_SLACK = 8  # dHash moves more than pHash under resizing and overlays
# ... but not for a framed view: the content rectangle is the picture alone, with nothing over it,
# and a screenshot gets up to eight framed views (four rectangles, each mirrored too), eight
# chances for an unrelated picture to come close; beyond max_distance in dHash it is verified.
GREY = 8  # whole-picture pHash distances up to max_distance + GREY are verified
MAX_VERIFY = 6  # candidates verified per query
NEAREST = 16  # unsure hits kept per (view, hash column)
TILT_AHEAD_ROWS = 100_000  # from this index size the tilted views are hashed during the scans


def _background(fn: Any, *args: Any) -> Any:
    """``fn(*args)`` started on the module's one worker thread; a Future."""
    return threads("views").submit(fn, *args)


BATCH = 256  # queries whose scans share each pass over the arrays


def find_matches(
    index: ReferenceIndex, records: Sequence[ImageRecord], *, max_distance: int, verify: bool = True, progress: Progress | None = None
) -> list[Match]:
    """Matches of ``records`` in ``index`` (a :class:`forensics.refs.index.ReferenceIndex`).

    Pictures are matched in batches of :data:`BATCH`: each column of the
    index is scanned once for all the hashes of a batch that meet it (the
    whole-picture hashes of every query, then the views of those that no hash
    matched), so a folder of queries costs far less than as many single
    lookups; the matches are the same.
    """
    table = index.table()
    out: list[Match] = []
    if len(table) == 0:
        return out
    matcher = _Matcher(index, table, max_distance=max_distance, verify=verify)
    done = 0
    for start in range(0, len(records), BATCH):
        part = records[start : start + BATCH]
        pictures = [r for r in part if not _is_video(r) and r.error is None and r.hashes is not None]
        found = dict(zip(map(id, pictures), matcher.pictures(pictures)))
        for record in part:
            if _is_video(record):
                out.extend(matcher.video(record))  # even a video cut short: the frames read are good
            else:
                out.extend(found.get(id(record), []))
            done += 1
            if progress:
                progress(done, len(records))
    return out


def _as_turns(tilted: list[Any]) -> list[tuple[int, int, str, str | None, bool]]:
    """Tilted views as whole-picture views: hashes, name, no transpose, in the grey band."""
    return [(v.phash, v.dhash or 0, v.name, None, True) for v in tilted]


def _is_video(record: ImageRecord) -> bool:
    return record.kind == "video" and record.video is not None and bool(record.video.frames)


@dataclass
class _Query:
    """A picture being matched, with what has been found so far."""

    record: ImageRecord
    cands: list[_Candidate]
    exact: set[int] = field(default_factory=set)
    image: Any = None  # the picture decoded again for its views, when no whole-picture hash matched
    grey: Any = None  # its small grey copy, the views and the tilted views are hashed from (queries.hash_copy)
    verifiable: bool = False  # whether that copy is the one local features are taken from
    boxes: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    turns: list[tuple[int, int, str, str | None, bool]] = field(default_factory=list)
    regions: list[Any] = field(default_factory=list)
    tilted: list[Any] | None = None  # the tilted views, hashed with the others (a large index)


def _prepare(q: _Query, *, tilt_views: bool = False, tilt_ahead: bool = False) -> None:
    """The query decoded once more, small, and the hashes of its views (turns, framed content, sub-crops).

    The tilted views too, before anyone knows they are needed, so that they are scanned with the
    others in one pass (a second pass over the arrays costs more than their share of the first):
    ``tilt_ahead`` (a single query) hashes them on the worker thread while this thread hashes the
    others (OpenCV, the compiled grids and the DCT release the GIL for most of it; they are ready
    first); ``tilt_views`` (a batch, whose queries already share the cores) hashes them here
    after the views.
    """
    try:
        q.image, q.verifiable = load_query_picture(q.record.path)
    except Exception:  # noqa: BLE001 - the file changed or vanished since it was read
        q.image = None
        return
    q.grey = hash_copy(q.image)  # one small grey copy for both kinds of views
    ahead = _background(tilted_views, q.grey) if tilt_ahead else None
    _hash_views(q)
    if ahead is not None:
        try:
            q.tilted = ahead.result()
        except Exception:  # noqa: BLE001 - a last resort: a picture they cannot be made from is matched without them
            q.tilted = []
    elif tilt_views:
        q.tilted = tilted_views(q.grey)


def _hash_views(q: _Query) -> None:
    views, _ = query_views(q.image, grey=q.grey)
    ops = dict((name, op) for op, name in DIHEDRAL)
    q.boxes = {v.name: v.box for v in views if v.box is not None}
    q.turns = [(v.phash, v.dhash, v.name, ops.get(v.name), v.name.startswith("framed"))
               for v in views if v.anchor is None and v.name != "identity" and v.dhash is not None]  # fmt: skip
    q.regions = [next(v for v in views if v.name == "identity")] + [v for v in views if v.anchor is not None]


@dataclass
class _Candidate:
    row: int  # row in the hash table
    view: str  # which view of the query met it
    op: str | None  # the transpose of that view, or None
    phash: int  # distance
    dhash: int | None
    accepted: bool  # by hashes alone
    query_timestamp: float | None = None


class _Matcher:
    def __init__(self, index: Any, table: Any, *, max_distance: int, verify: bool) -> None:
        self.index = index
        self.table = table
        self.d = max_distance
        self.verify_enabled = verify
        self._ref_features: dict[int, Any] = {}

    # whole-picture stage, shared by pictures and video frames
    def _direct(self, phash: int, dhash: int, view: str, op: str | None, *, grey: bool) -> list[_Candidate]:
        from forensics.refs.search import within  # deferred: numpy load on first use, not on `import forensics`

        radius = self.d + (GREY if grey else 0)
        return self._close(phash, dhash, view, op, within(self.table.phash, [phash], radius)[0])

    def _close(self, phash: int, dhash: int, view: str, op: str | None, found: Any) -> list[_Candidate]:
        from forensics.refs.search import distance  # deferred: numpy load on first use, not on `import forensics`

        rows, dists = _nearest(*found, keep_within=self.d)
        out = []
        for row, dp in zip(rows.tolist(), dists.tolist()):
            dd = distance(int(self.table.dhash[row]), dhash)
            ok = dp <= self.d and dd <= self.d + (0 if view.startswith("framed") else DHASH_SLACK)
            out.append(_Candidate(row, view, op, dp, dd, ok))
        return out

    def picture(self, record: ImageRecord) -> list[Match]:
        return self.pictures([record])[0]

    def pictures(self, records: Sequence[ImageRecord]) -> list[list[Match]]:
        """The matches of each of ``records`` (pictures with hashes), every scan shared by the batch."""
        import numpy as np

        from forensics.refs.search import within_columns  # deferred: numpy load on first use, not on `import forensics`

        if not records:
            return []
        whole = [(hex_to_int(r.hashes.phash), hex_to_int(r.hashes.dhash)) if r.hashes else (0, 0) for r in records]
        (found,) = within_columns([self.table.phash], [[p for p, _ in whole]], self.d + GREY)
        queries = []
        for record, (phash, dhash), hits in zip(records, whole, found):
            q = _Query(record, self._close(phash, dhash, "identity", None, hits))
            q.exact = set(self.index.contains_sha256(record.sha256)) if record.sha256 else set()
            if q.exact:
                rows = np.flatnonzero(np.isin(self.table.ids, list(q.exact))).tolist()
                have = {c.row for c in q.cands}
                q.cands += [_Candidate(r, "identity", None, 0, 0, True) for r in rows if r not in have]
            queries.append(q)
        unmatched = [q for q in queries if not any(c.accepted for c in q.cands)]
        # in a large index most unmatched queries need their tilted views in the end, and scanning
        # them with the others costs less than a second pass: hashed from the moment a picture is decoded
        ahead = len(self.table) >= TILT_AHEAD_ROWS
        if len(unmatched) > 1:  # decoding and hashing the views release the GIL for most of their time
            import contextvars
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=min(len(unmatched), os.cpu_count() or 1), thread_name_prefix="query-views") as pool:
                # each decode under the caller's limits (a context variable), one copy per task
                for f in [pool.submit(contextvars.copy_context().run, _prepare, q, tilt_views=ahead) for q in unmatched]:
                    f.result()
        else:
            for q in unmatched:
                _prepare(q, tilt_ahead=ahead)
        looked = [q for q in unmatched if q.image is not None]
        tilted: list[list[Any]] = []
        if ahead:  # the tilted views are ready: scanned with the others, used only where needed
            tilted = [q.tilted or [] for q in looked]
        found_whole, found_cropped = self._views_batch(
            [q.turns for q in looked] + [_as_turns(t) for t in tilted], [q.regions for q in looked] + tilted
        )
        for q, turned, cropped in zip(looked, found_whole, found_cropped):
            q.cands += turned + cropped
        # nothing close at all: perhaps a picture turned by a few degrees
        tilting = [k for k, q in enumerate(looked) if not any(c.phash <= self.d for c in q.cands)]
        if ahead:
            n = len(looked)
            tilt_found = [(found_whole[n + k], found_cropped[n + k]) for k in tilting]
        else:
            tilted = [tilted_views(looked[k].grey) for k in tilting]
            tilt_found = list(zip(*self._views_batch([_as_turns(t) for t in tilted], tilted)))
        for k, (turned, cropped) in zip(tilting, tilt_found):
            looked[k].cands += [dataclasses.replace(c, accepted=False) for c in turned] + cropped
        return [self._finish(q.record, q.cands, q.image, q.boxes, q.exact, verifiable=q.verifiable) for q in queries]

    def _views_batch(
        self, turns: list[list[tuple[int, int, str, str | None, bool]]], regions: list[list[Any]]
    ) -> tuple[list[list[_Candidate]], list[list[_Candidate]]]:
        """The candidates of several queries' whole-picture views (``turns``: hashes against the pHash
        column) and region views (``regions``: each against the region columns it can meet,
        :data:`VIEW_REGIONS`), every column scanned once for all, all columns in one search so that
        it spreads over the cores."""
        from forensics.refs.search import within_columns  # deferred: numpy load on first use, not on `import forensics`

        flat = [v for views in turns for v in views]
        per_column = [
            [(b, v) for b, views in enumerate(regions) for v in views if name in VIEW_REGIONS[v.anchor or "identity"]]
            for name, _ in REGIONS
        ]
        columns = [self.table.phash, *self.table.regions]
        scanned = within_columns(columns, [[v[0] for v in flat]] + [[v.phash for _, v in vs] for vs in per_column], self.d + GREY)
        whole: list[list[_Candidate]] = []
        k = 0
        for views in turns:
            cands: list[_Candidate] = []
            for phash, dhash, view, op, grey in views:
                rows, dists = scanned[0][k]
                k += 1
                keep = dists <= self.d + (GREY if grey else 0)
                cands += self._close(phash, dhash, view, op, (rows[keep], dists[keep]))
            whole.append(cands)
        cropped: list[list[_Candidate]] = [[] for _ in regions]
        # in the order a single query lists them: column by column, view by view
        for (name, _), views_of, found_of in zip(REGIONS, per_column, scanned[1:]):
            for (b, v), found in zip(views_of, found_of):
                rows, dists = _nearest(*found)
                for row, dp in zip(rows.tolist(), dists.tolist()):
                    if self.table.has_regions[row]:
                        cropped[b].append(_Candidate(row, f"region:{name}" if v.name == "identity" else v.name, None, dp, None, False))
        return whole, cropped

    def video(self, record: ImageRecord) -> list[Match]:
        best: dict[int, _Candidate] = {}
        for frame in record.video.frames if record.video is not None else ():
            for c in self._direct(hex_to_int(frame.hashes.phash), hex_to_int(frame.hashes.dhash), "identity", None, grey=False):
                if c.accepted and (c.row not in best or (c.phash, c.dhash) < (best[c.row].phash, best[c.row].dhash)):
                    c.query_timestamp = frame.timestamp
                    best[c.row] = c
        return self._finish(record, list(best.values()), None, {}, set())

    def _finish(
        self,
        record: Any,
        cands: list[_Candidate],
        image: Any,
        boxes: dict[str, tuple[int, int, int, int]],
        exact: set[int],
        *,
        verifiable: bool = False,
    ) -> list[Match]:

        # the best candidate per reference row
        best: dict[int, _Candidate] = {}
        for c in cands:
            key = (not c.accepted, c.phash, c.dhash if c.dhash is not None else 64)
            cur = best.get(c.row)
            if cur is None or key < (not cur.accepted, cur.phash, cur.dhash if cur.dhash is not None else 64):
                best[c.row] = c
        chosen = sorted(best.values(), key=lambda c: (not c.accepted, c.phash))
        accepted = [c for c in chosen if c.accepted]
        unsure = [c for c in chosen if not c.accepted][:MAX_VERIFY] if self.verify_enabled and image is not None else []
        refs = self.index.references(int(self.table.ids[c.row]) for c in accepted + unsure)
        out = []
        shown = record.display_size
        for c in accepted:
            ref, stored = refs[int(self.table.ids[c.row])]
            out.append(self._hash_match(record, c, ref, stored, exact, image, boxes.get(c.view)))
        if unsure:
            from forensics.refs.features import verify  # deferred: numpy and OpenCV load on first use, not on `import forensics`

            qfeat: dict[Any, _QueryFeatures] = {}
            small, image = image, (image if verifiable else None)  # else the copy for features is decoded when first needed
            for c in unsure:
                ref, stored = refs[int(self.table.ids[c.row])]
                rfeat = self._reference_features(ref)
                if rfeat is None:
                    continue
                if image is None:
                    try:
                        image = load_picture(record.path)
                    except Exception:  # noqa: BLE001 - the file changed or vanished since its views were hashed
                        break
                q = _query_features(image, c, _scaled(boxes.get(c.view), small.size, image.size), qfeat)
                v = verify(rfeat, q.features)
                if v is None or (q.box is not None and not _fills(v, q.features.size)):
                    continue
                transform = _transform_from(c, v, rfeat.size, q.features.size, framed=q.box is not None)
                region = None
                if shown:
                    qb = q.place(v.query_box)
                    fx, fy = shown[0] / image.size[0], shown[1] / image.size[1]
                    region = (round(qb[0] * fx), round(qb[1] * fy), round((qb[2] - qb[0]) * fx), round((qb[3] - qb[1]) * fy))
                rw, rh = rfeat.size
                rb = v.reference_box
                details = {
                    "view": c.view, "inliers": v.inliers, "feature_matches": v.matches, "angle": v.angle, "scale": v.scale,
                    "reference_region": [round(rb[0] / rw, 3), round(rb[1] / rh, 3), round((rb[2] - rb[0]) / rw, 3), round((rb[3] - rb[1]) / rh, 3)],
                }  # fmt: skip
                distances = {"phash": c.phash} if c.dhash is None else {"phash": c.phash, "dhash": c.dhash}
                confidence = max(v.confidence, _hash_confidence(c) if c.dhash is not None and c.phash <= self.d else 0.0)
                out.append(
                    Match(path=record.path, reference=ref, distances=distances, transform=transform,
                          confidence=round(confidence, 3), region=region, method="features", details=details)
                )  # fmt: skip
        out = _one_per_video(out)
        out.sort(key=lambda m: -m.confidence)
        return out

    def _hash_match(
        self, record: Any, c: _Candidate, ref: Reference, stored: dict[str, Any], exact: set[int], image: Any, box: Any
    ) -> Match:
        details: dict[str, Any] = {"view": c.view}
        if c.query_timestamp is not None:
            details["query_timestamp"] = c.query_timestamp
        region = None
        if ref.id in exact:
            method, transform, confidence = "sha256", "identical", 1.0
        else:
            method, confidence = "hash", _hash_confidence(c)
            if c.view == "identity":
                size = record.display_size
                transform = "resized" if size and ref.width and (size[0], size[1]) != (ref.width, ref.height) else "modified"
            elif c.view.startswith("framed"):
                transform = "framed+mirrored" if c.view.startswith("framed-mirrored") else "framed"
                if box is not None and image is not None and record.display_size:
                    fx, fy = record.display_size[0] / image.size[0], record.display_size[1] / image.size[1]
                    region = (round(box[0] * fx), round(box[1] * fy), round((box[2] - box[0]) * fx), round((box[3] - box[1]) * fy))
            else:
                transform = c.view
        if c.view == "identity" and c.query_timestamp is None and record.hashes is not None:
            distances = {}
            for name in ("phash", "dhash", "ahash", "whash"):
                if stored.get(name) is not None:
                    distances[name] = (int(getattr(record.hashes, name)[:16], 16) ^ stored[name]).bit_count()
            if stored.get("colorhash") and len(stored["colorhash"]) == len(record.hashes.colorhash):
                distances["colorhash"] = hex_distance(stored["colorhash"], record.hashes.colorhash)
        else:
            distances = {"phash": c.phash, "dhash": c.dhash or 0}
        return Match(path=record.path, reference=ref, distances=distances, transform=transform,
                     confidence=confidence, region=region, method=method, details=details)  # fmt: skip

    def _reference_features(self, ref: Reference) -> Any:
        if ref.id in self._ref_features:
            return self._ref_features[ref.id]
        from forensics.refs.features import Features  # deferred: numpy and OpenCV load on first use, not on `import forensics`

        feat = None
        try:
            if ref.timestamp is not None:
                picture = frame_at(ref.path, ref.timestamp)
                picture.thumbnail((VERIFY_SIDE, VERIFY_SIDE))
            else:
                picture = load_picture(ref.path)
            feat = Features(picture)
        except Exception:  # noqa: BLE001 - a reference file moved or damaged since it was indexed: no verification
            feat = None
        self._ref_features[ref.id] = feat
        return feat


@dataclass(frozen=True)
class _QueryFeatures:
    """Local features of the part of a query that a candidate is checked against."""

    features: Any  # forensics.refs.features.Features
    op: str | None  # the transpose applied to that part
    size: tuple[int, int]  # of that part before the transpose
    box: tuple[int, int, int, int] | None  # where the part lies in the query picture; None for all of it

    def place(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """A rectangle in the features' picture, in the query picture's pixels."""

        x0, y0, x1, y1 = map_box(box, self.op, self.size)
        if self.box is None:
            return x0, y0, x1, y1
        return x0 + self.box[0], y0 + self.box[1], x1 + self.box[0], y1 + self.box[1]


def _scaled(box: tuple[int, int, int, int] | None, size: tuple[int, int], to: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """A rectangle in a picture of ``size`` in the same picture at size ``to``."""
    if box is None or size == to:
        return box
    fx, fy = to[0] / size[0], to[1] / size[1]
    return round(box[0] * fx), round(box[1] * fy), min(to[0], round(box[2] * fx)), min(to[1], round(box[3] * fy))


def _fills(v: Any, size: tuple[int, int]) -> bool:
    """Whether a verification inside a content rectangle shows the reference as a picture there is
    shown: upright (framed views are not turned) and covering most of the rectangle."""
    x0, y0, x1, y1 = v.query_box
    return abs(v.angle) <= 10.0 and (x1 - x0) * (y1 - y0) >= 0.5 * size[0] * size[1]


FRAME_MARGIN = 0.04  # of the content rectangle's side, kept around it when features are taken from it


def _query_features(image: Any, c: _Candidate, box: tuple[int, int, int, int] | None, cache: dict[Any, _QueryFeatures]) -> _QueryFeatures:
    """Features of the query as ``c`` saw it: the whole picture in the candidate's turn, or,
    for a framed view, the content rectangle alone (a little wider) — the text and icons of an
    app screen or a web page would otherwise take most of the keypoints from a picture that
    fills a fraction of the screen."""
    from forensics.refs.features import Features  # deferred: numpy and OpenCV load on first use, not on `import forensics`

    if box is None:
        key: Any = c.op
        if key not in cache:
            cache[key] = _QueryFeatures(Features(transpose(image, c.op)), c.op, image.size, None)
        return cache[key]
    op = "FLIP_LEFT_RIGHT" if c.view.startswith("framed-mirrored") else None
    key = (box, op)
    if key not in cache:
        mx, my = round((box[2] - box[0]) * FRAME_MARGIN), round((box[3] - box[1]) * FRAME_MARGIN)
        wide = (max(0, box[0] - mx), max(0, box[1] - my), min(image.width, box[2] + mx), min(image.height, box[3] + my))
        part = image.crop(wide)
        cache[key] = _QueryFeatures(Features(transpose(part, op)), op, part.size, wide)
    return cache[key]


def _nearest(rows: Any, dists: Any, *, keep_within: int = -1) -> tuple[Any, Any]:
    """At most NEAREST unsure hits, the closest; hits within ``keep_within`` are all kept.

    Only MAX_VERIFY unsure candidates are verified per query, so in a large
    index the thousands of random hits at the edge of the radius need not
    become objects at all.
    """
    if rows.size <= NEAREST:
        return rows, dists
    import numpy as np

    pick = np.argpartition(dists, NEAREST)[:NEAREST]
    if keep_within >= 0:
        pick = np.union1d(np.flatnonzero(dists <= keep_within), pick)  # sorted: the hits in row order
    else:
        pick.sort()
    return rows[pick], dists[pick]


def _one_per_video(matches: list[Match]) -> list[Match]:
    """Neighbouring frames of one shot all resemble a screenshot of it: keep the closest frame.

    The closest is the smallest pHash distance (which tells neighbouring frames
    apart better than feature counts do); the other frames that matched are
    listed in ``details["other_frames"]``.
    """
    groups: dict[str, list[Match]] = {}
    out = []
    for m in matches:
        if m.reference.video is None:
            out.append(m)
        else:
            groups.setdefault(m.reference.video, []).append(m)
    for group in groups.values():
        group.sort(key=lambda m: (m.distances.get("phash", 64), -m.confidence))
        best = group[0]
        others = sorted(m.reference.timestamp for m in group[1:] if m.reference.timestamp is not None)
        if others:
            best = dataclasses.replace(best, details={**best.details, "other_frames": others})
        out.append(best)
    return out


def _hash_confidence(c: _Candidate) -> float:
    """0..1 from the hash distances: 1 at zero bits, 0.5 at 16 + 16 bits."""
    return round(max(0.0, 1.0 - (c.phash + (c.dhash or 0)) / 64.0), 3)


def _transform_from(c: _Candidate, v: Any, ref_size: tuple[int, int], query_size: tuple[int, int], *, framed: bool = False) -> str:
    parts = []
    if c.op is not None:
        parts.append(c.view)
    elif framed and c.view.startswith("framed-mirrored"):
        parts.append("mirrored")
    rw, rh = ref_size
    qw, qh = query_size
    rb, qb = v.reference_box, v.query_box
    if (rb[2] - rb[0]) * (rb[3] - rb[1]) < 0.9 * rw * rh:
        parts.append("cropped")
    if framed or (qb[2] - qb[0]) * (qb[3] - qb[1]) < 0.85 * qw * qh:
        parts.append("framed")
    if abs(v.angle) > 2.0:
        parts.append(f"rotated-{abs(v.angle):.0f}deg")
    return "+".join(parts) if parts else "modified"
