"""Set checks about videos: which screenshots show which video, and when."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from forensics.checks.registry import CheckContext, check
from forensics.knowledge.filenames import screenshot_name
from forensics.records.findings import Finding, Severity
from forensics.records.record import FrameHash, ImageRecord
from forensics.refs.match import Match
from forensics.refs.videos import best_frame

FAR_APART = dt.timedelta(days=1)  # screenshots of one video taken further apart than this are reported
# A file-name time is local and its zone unknown; a container time is UTC.
_ZONE_SLACK = dt.timedelta(hours=14)


@dataclass(frozen=True)
class FrameMatch:
    """A screenshot found to show a frame of a video."""

    path: str  # the screenshot
    video: str  # the video's path in the scan, or as the reference index names it
    source: str  # "scan" (a video in the same scan) or "reference" (an indexed video)
    timestamp: float  # seconds into the video
    between: tuple[float, float]  # the neighbouring samples: the true time lies within
    distances: dict[str, int]
    name_time: dt.datetime | None  # the time in the screenshot's file name
    video_created: dt.datetime | None = None
    method: str = "hash"  # "hash" (whole picture), or as the match says ("hash" of the content rectangle, "features")
    region: tuple[int, int, int, int] | None = None  # where the video's picture is in the screenshot, when cut out

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path, "time": self.timestamp, "between": list(self.between), "distances": self.distances,
            "name_time": self.name_time.isoformat() if self.name_time else None, "method": self.method,
            "region": list(self.region) if self.region else None,
        }  # fmt: skip


def _between(frames: Sequence[FrameHash], i: int) -> tuple[float, float]:
    times = sorted(f.timestamp for f in frames)
    t = frames[i].timestamp
    k = times.index(t)
    return (times[k - 1] if k > 0 else t, times[k + 1] if k + 1 < len(times) else t)


def frame_matches(records: Sequence[ImageRecord], matches: Sequence[Match] = (), set_matches: Sequence[Match] = ()) -> list[FrameMatch]:
    """Screenshots in ``records`` that show a frame of a video.

    Three sources: the sampled frames of videos in the same set compared with
    each picture's hashes (from the records), ``set_matches`` (pictures whose
    content rectangle was found in a video of the set, see
    :func:`forensics.videomatch.match_set_videos`), and reference matches whose
    reference is a video frame (``reference.video`` and ``reference.timestamp``).
    """
    videos = [r for r in records if r.video is not None and r.video.frames and r.error is None]
    pictures = [r for r in records if r.kind == "image" and r.hashes is not None and r.error is None]
    by_path = {r.path: r for r in pictures}
    frames_of = {v.path: v.video.frames for v in videos}  # type: ignore[union-attr]
    created = {v.path: v.video.creation_time for v in videos}  # type: ignore[union-attr]
    out: list[FrameMatch] = []
    for pic in pictures:
        name_time = _name_time(pic)
        for v in videos:
            found = best_frame(pic.hashes, frames_of[v.path])  # type: ignore[arg-type]
            if found is None:
                continue
            i, dist = found
            frames = frames_of[v.path]
            out.append(FrameMatch(pic.path, v.path, "scan", frames[i].timestamp, _between(frames, i), dist, name_time, created[v.path]))
    for m in (*set_matches, *matches):
        ref = m.reference
        if ref.video is None or ref.timestamp is None:
            continue
        shot = by_path.get(m.path)
        if shot is None:
            continue
        t = float(ref.timestamp)
        in_scan = bool(m.details.get("in_scan")) and ref.video in frames_of
        if in_scan:
            frames = frames_of[ref.video]
            k = next((k for k, f in enumerate(frames) if f.timestamp == t), None)
            between = _between(frames, k) if k is not None else (t, t)
        else:
            between = (t, t)
        out.append(FrameMatch(shot.path, ref.video, "scan" if in_scan else "reference", t, between,
                              dict(m.distances), _name_time(shot),
                              created.get(ref.video) if in_scan else None, m.method,
                              m.region))  # fmt: skip
    return out


def _name_time(record: ImageRecord) -> dt.datetime | None:
    name = screenshot_name(record.name)
    return name.time if name else None


def _clock(seconds: float) -> str:
    m, s = divmod(seconds, 60)
    h, m = divmod(int(m), 60)
    return f"{h}:{m:02d}:{s:04.1f}" if h else f"{m}:{s:04.1f}"


@check("video-screenshots", scope="set")
def video_screenshots(records: Sequence[ImageRecord], ctx: CheckContext) -> Iterator[Finding]:
    """Screenshots that show frames of one video, in video order, against their file-name times."""
    groups: dict[tuple[str, str], dict[str, FrameMatch]] = {}
    facts = ctx.facts_for(records)
    for fm in frame_matches(records, facts.reference_matches, facts.video_matches):
        group = groups.setdefault((fm.source, fm.video), {})
        # one place per screenshot and video: the closest reference frame, else the in-scan one
        if fm.path not in group or sum(fm.distances.values()) < sum(group[fm.path].distances.values()):
            group[fm.path] = fm
    for (source, video), by_path in sorted(groups.items()):
        shots = sorted(by_path.values(), key=lambda m: (m.timestamp, m.path))
        paths = tuple(m.path for m in shots) + ((video,) if source == "scan" else ())
        label = os.path.basename(video)
        listing = ", ".join(f"{os.path.basename(m.path)} at {_clock(m.timestamp)}" for m in shots)
        evidence = {"video": video, "source": source, "screenshots": [m.to_dict() for m in shots]}
        yield Finding(
            "video-screenshots", Severity.INFO, paths,
            f"{len(shots)} screenshot(s) show frames of {label}, in video order: {listing}.", evidence,
        )  # fmt: skip
        yield from _order(shots, video, source, label)
        yield from _spread(shots, video, source, label)
        yield from _before_video(shots, video, label)


def _order(shots: list[FrameMatch], video: str, source: str, label: str) -> Iterator[Finding]:
    """File-name times that run against the video's order."""
    named = [m for m in shots if m.name_time is not None]
    pairs = []
    for i, a in enumerate(named):
        for b in named[i + 1 :]:
            # a is surely earlier in the video than b, yet its screenshot was named as taken later
            if a.between[1] <= b.between[0] and a.timestamp < b.timestamp and a.name_time > b.name_time:  # type: ignore[operator]
                pairs.append((a, b))
    if not pairs:
        return
    a, b = pairs[0]
    yield Finding(
        "video-screenshots", Severity.NOTICE, tuple(dict.fromkeys(p for pair in pairs for p in (pair[0].path, pair[1].path))),
        f"File-name times run against the order of {label}: {os.path.basename(b.path)} (at {_clock(b.timestamp)} in the video) "
        f"is named as taken before {os.path.basename(a.path)} (at {_clock(a.timestamp)})"
        + (f", and {len(pairs) - 1} more pair(s)" if len(pairs) > 1 else "")
        + ". The video was rewound between screenshots, or the names were changed.",
        {"video": video, "source": source, "pairs": [
            {"earlier_in_video": x.to_dict(), "later_in_video": y.to_dict()} for x, y in pairs[:50]]},
    )  # fmt: skip


def _spread(shots: list[FrameMatch], video: str, source: str, label: str) -> Iterator[Finding]:
    named = sorted(((m.name_time, m) for m in shots if m.name_time is not None), key=lambda tm: tm[0])
    if len(named) < 2:
        return
    (t_first, first), (t_last, last) = named[0], named[-1]
    span = t_last - t_first
    if span <= FAR_APART:
        return
    yield Finding(
        "video-screenshots", Severity.NOTICE, (first.path, last.path),
        f"Screenshots of {label} are named as taken {span.days} day(s) apart "
        f"({t_first:%Y-%m-%d %H:%M:%S} and {t_last:%Y-%m-%d %H:%M:%S}): "
        "the video was watched on different occasions, or the names were changed.",
        {"video": video, "source": source, "span_seconds": span.total_seconds(),
         "first": first.to_dict(), "last": last.to_dict()},
    )  # fmt: skip


def _before_video(shots: list[FrameMatch], video: str, label: str) -> Iterator[Finding]:
    created = next((m.video_created for m in shots if m.video_created), None)
    if created is None:
        return
    naive = created.astimezone(dt.timezone.utc).replace(tzinfo=None)
    early = [m for m in shots if m.name_time is not None and m.name_time < naive - _ZONE_SLACK]
    if not early:
        return
    yield Finding(
        "video-screenshots", Severity.NOTICE, (*tuple(m.path for m in early), video),
        f"{len(early)} screenshot(s) of {label} are named as taken before the video file was created "
        f"({created:%Y-%m-%d %H:%M:%S} UTC), even allowing for any time zone: the screenshots show another "
        "copy of the video (this file is a re-encode), or a clock or a name is wrong.",
        {"video": video, "video_created": created.isoformat(), "screenshots": [m.to_dict() for m in early]},
    )  # fmt: skip
