"""Videos: container facts, and frames sampled at a fixed interval and at cuts.

A video is decoded once, front to back, with OpenCV (FFmpeg). Every frame is
*grabbed* (decoded, which no reader can skip short of seeking to key frames),
but only the frames that are looked at are *retrieved* (converted to pixels):
one every :data:`SCENE_STEP` seconds to notice cuts on a tiny colour
histogram, and the frames that are kept. Kept frames are hashed at reduced
size; only their hashes and times stay in memory, so a long video costs time,
not memory.

OpenCV does not expose the creation time of a container; for MP4 and
QuickTime files it is read from the ``mvhd`` box by :func:`mp4_creation_time`,
a small parser that reads box headers only (a few hundred bytes whatever the
size of the file). A dependency such as PyAV would give the same field for
one format family at the cost of a second FFmpeg build in the environment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from forensics.errors import UnreadableFile
from forensics.read import hashing
from forensics.read.sniff import HEAD_BYTES, sniff
from forensics.records.record import FrameHash, Hashes, ImageRecord, VideoInfo

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

Progress = Callable[[int, int], None]  # (frames decoded, frames in the video or 0 when unknown)

DEFAULT_INTERVAL = 0.5  # seconds between fixed samples
SCENE_STEP = 0.25  # seconds between looks for a cut; a divisor of the interval, so fixed samples are looks too
# L1 distance (0..2) between the normalised colour histograms of two looks
# SCENE_STEP apart; camera motion over one texture stays well below, a cut to
# another shot goes above (tests/test_video.py pins both).
SCENE_THRESHOLD = 0.5
MAX_SAMPLES = 7200  # the fixed interval widens for longer videos, so a record stays bounded
_GRID = (64, 36)  # the points of a frame whose colours are compared to find a cut
_PROGRESS_EVERY = 50  # frames between progress calls
_OVERRUN_SLACK = 1000  # frames decoded beyond twice the declared count before giving up
# MP4 / QuickTime times count seconds from 1904-01-01 UTC.
_MAC_EPOCH = dt.datetime(1904, 1, 1, tzinfo=dt.timezone.utc)
_MAX_BOXES = 4096  # box headers read before giving up on finding mvhd


@dataclass(frozen=True)
class SampledFrame:
    """A frame kept by sampling: its time, why it was kept, its pixels (BGR)."""

    timestamp: float
    index: int
    scene_change: bool
    pixels: Any  # numpy array, height × width × 3, BGR as OpenCV decodes

    def to_image(self) -> Image.Image:
        """The frame as an RGB Pillow image."""
        from PIL import Image

        return Image.fromarray(self.pixels[:, :, ::-1].copy())


class VideoReader:
    """An open video: its container facts, sampling and seeking.

    Use as a context manager::

        with VideoReader("clip.mp4") as video:
            for frame in video.sample(interval=1.0):
                ...
            video.problems  # damage met while decoding

    Raises
    ------
    UnreadableFile
        When the container cannot be opened or holds no decodable video.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        import cv2

        self.path = os.fsdecode(path)
        self.problems: tuple[str, ...] = ()
        self.decoded = 0
        self.frame_size: tuple[int, int] | None = None  # as decoded (rotation applied), once a frame was seen
        if not os.path.isfile(self.path):
            raise UnreadableFile(f"{self.path}: no such file")

        try:
            with open(self.path, "rb") as f:
                kind = sniff(f.read(HEAD_BYTES))
        except OSError as exc:
            raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from exc
        if kind.kind != "video":  # FFmpeg would open a JPEG as a one-frame "video"
            raise UnreadableFile(f"not a video (the content is {kind.format or 'not a known format'})")
        # A damaged file is reported as data; FFmpeg and OpenCV need not also print about it.
        os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET; read when the first capture opens
        level = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
        try:
            self._cap = cv2.VideoCapture(self.path, cv2.CAP_FFMPEG)
        finally:
            cv2.utils.logging.setLogLevel(level)
        if not self._cap.isOpened():
            self._cap.release()
            raise UnreadableFile("video cannot be opened (corrupt, truncated or unsupported codec)")
        self.info = self._container_info()

    def _container_info(self) -> VideoInfo:
        import cv2

        cap = self._cap
        fps = cap.get(cv2.CAP_PROP_FPS) or None
        if fps is not None and not (0 < fps < 10_000):
            fps = None
        frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        count = frames if frames > 0 else None
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fourcc = int(cap.get(cv2.CAP_PROP_FOURCC))
        codec = "".join(chr((fourcc >> (8 * i)) & 0xFF) for i in range(4)).strip("\x00 ") or None
        if codec and not codec.isprintable():
            codec = None
        return VideoInfo(
            duration=round(count / fps, 3) if fps and count else None,
            fps=round(fps, 3) if fps else None, frame_count=count, width=w or None, height=h or None, codec=codec,
            creation_time=mp4_creation_time(self.path),
        )  # fmt: skip

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the decoder."""
        self._cap.release()

    def sample(
        self, *, interval: float = DEFAULT_INTERVAL, scenes: bool = True, scene_threshold: float = SCENE_THRESHOLD,
        progress: Progress | None = None,
    ) -> Iterator[SampledFrame]:  # fmt: skip
        """Decode front to back; yield the frames on the interval grid and at cuts.

        Parameters
        ----------
        interval : float
            Seconds between fixed samples (the first frame is always kept);
            0 keeps only the first frame and the cuts. Widened so that a long
            video gives at most :data:`MAX_SAMPLES` fixed samples.
        scenes : bool
            Also keep the first frame after each cut.
        scene_threshold : float
            Histogram distance (0..2) that counts as a cut.
        progress : callable, optional
            Called as ``progress(decoded, total)`` every few dozen frames.

        Yields
        ------
        SampledFrame
            In time order; ``pixels`` is only valid until the next frame.
        """
        import cv2

        if interval < 0:
            raise ValueError("interval must be >= 0")
        cap, info = self._cap, self.info
        if info.duration and interval and info.duration / interval > MAX_SAMPLES:
            interval = info.duration / MAX_SAMPLES
        total = info.frame_count or 0
        fps = info.fps
        next_fixed, next_look = 0.0, 0.0
        prev_hist = None
        last_t = -1.0
        index = -1
        scene_kept = 0
        # A damaged container can keep a decoder going well past what it declares; stop there.
        limit = 2 * total + _OVERRUN_SLACK if total else None
        overrun = False
        while cap.grab():
            index += 1
            if limit is not None and index >= limit:
                overrun = True
                break
            t = _frame_time(cap.get(cv2.CAP_PROP_POS_MSEC), index, fps, last_t)
            last_t = t
            if progress is not None and index % _PROGRESS_EVERY == 0:
                progress(index, total)
            fixed = (interval > 0 and t + 1e-6 >= next_fixed) or index == 0
            look = scenes and t + 1e-6 >= next_look
            if not (fixed or look):
                continue
            ok, frame = cap.retrieve()
            if not ok or frame is None:
                continue
            if frame.ndim == 2:
                frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
            if self.frame_size is None:
                self.frame_size = (frame.shape[1], frame.shape[0])
            cut = False
            if scenes:
                hist = _histogram(frame)
                cut = prev_hist is not None and float(abs(hist - prev_hist).sum()) / 3 > scene_threshold
                prev_hist = hist
                while next_look <= t + 1e-6:
                    next_look += SCENE_STEP
            if fixed and interval > 0:
                while next_fixed <= t + 1e-6:
                    next_fixed += interval
            if cut and not fixed:
                scene_kept += 1
                if scene_kept > MAX_SAMPLES:
                    cut = False  # a flickering video: the grid alone bounds the record from here
            if fixed or cut:
                yield SampledFrame(round(t, 3), index, cut, frame)
        self.decoded = index + 1
        if progress is not None:
            progress(self.decoded, max(total, self.decoded))
        self.problems = _decode_problems(self.decoded, info, last_t)
        if overrun:
            self.problems += (f"video decoding stopped at {index} frames, twice the {total} the container declares: damaged",)

    def frame_at(self, timestamp: float) -> np.ndarray:
        """The frame shown at ``timestamp`` seconds (BGR pixels).

        Raises
        ------
        UnreadableFile
            When no frame can be decoded at that time.
        """
        import cv2

        if timestamp < 0 or (self.info.duration and timestamp > self.info.duration + 1):
            lasts = f" (the video lasts {self.info.duration:g} s)" if self.info.duration else ""
            raise UnreadableFile(f"{self.path}: no frame at {timestamp:g} s{lasts}")
        self._cap.set(cv2.CAP_PROP_POS_MSEC, timestamp * 1000)
        ok, frame = self._cap.read()
        if not ok or frame is None:
            raise UnreadableFile(f"{self.path}: no frame can be decoded at {timestamp:g} s")
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR) if frame.ndim == 2 else frame


def _frame_time(pos_msec: float, index: int, fps: float | None, last_t: float) -> float:
    """The time of a grabbed frame: its presentation time, or index / fps where that is missing."""
    t = pos_msec / 1000 if pos_msec and pos_msec > 0 else (0.0 if index == 0 else -1.0)
    if t <= last_t:
        t = index / fps if fps else last_t + 1 / 30
    return t


def _histogram(frame: np.ndarray) -> np.ndarray:
    """Normalised 3 × 16-bin colour histogram of a grid of the frame's pixels.

    A strided view (no resize, no copy of the frame) costs microseconds; a
    grid of 64 × 36 points is plenty for a histogram.
    """
    import numpy as np

    h, w = frame.shape[:2]
    grid = frame[:: max(1, h // _GRID[1]), :: max(1, w // _GRID[0])]
    bins = (grid >> 4).reshape(-1, 3)
    n = bins.shape[0]
    return np.concatenate([np.bincount(bins[:, c], minlength=16) for c in range(3)]).astype(np.float32) / n


def _decode_problems(decoded: int, info: VideoInfo, last_t: float) -> tuple[str, ...]:
    expected = info.frame_count
    if expected and decoded < expected * 0.98 - 2:
        where = f" ({max(last_t, 0):.1f} s of {info.duration:g} s)" if info.duration else ""
        return (f"video decoding stopped after {decoded} of {expected} frames{where}: truncated or damaged",)
    return ()


def hash_frame(pixels: np.ndarray) -> Hashes:
    """Perceptual hashes of a BGR frame, as :func:`forensics.hashing.compute_hashes` makes them.

    An integer box reduction with OpenCV first (its fast path, the same filter
    as the working image of the picture hashes) brings the frame near the
    hashing size, so that a 4K frame costs no more than a small one.
    """
    import cv2
    from PIL import Image

    h, w = pixels.shape[:2]
    k = max(w, h) // hashing.HASH_SIDE
    if k >= 2:
        pixels = cv2.resize(pixels, (max(1, w // k), max(1, h // k)), interpolation=cv2.INTER_AREA)
    return hashing.compute_hashes(Image.fromarray(cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)))


def read_video(
    record: ImageRecord, *, interval: float = DEFAULT_INTERVAL, sample: bool = True, progress: Progress | None = None,
) -> ImageRecord:  # fmt: skip
    """Fill a video record's container facts and sampled frame hashes.

    Damage becomes data: a video that cannot be opened or decoded sets
    ``error``; one whose decoding stops early keeps the frames read so far and
    says so in ``problems``.

    Parameters
    ----------
    record : ImageRecord
        A record of a file sniffed as video (file facts filled in).
    interval : float
        Seconds between fixed samples; cuts are sampled as well.
    sample : bool
        Decode and hash frames; without, only the container facts are read
        (what ``forensics meta`` needs).
    progress : callable, optional
        Called as ``progress(decoded, total)`` while frames are decoded.

    Returns
    -------
    ImageRecord
        The record with ``video`` (a :class:`VideoInfo` with its ``frames``),
        ``width`` and ``height`` filled in.
    """
    try:
        video = VideoReader(record.path)
    except UnreadableFile as exc:
        return dataclasses.replace(record, error=str(exc))
    with video:
        info = video.info
        if not sample:
            return dataclasses.replace(record, width=info.width, height=info.height, video=info)
        frames: list[FrameHash] = []
        try:
            for f in video.sample(interval=interval, progress=progress):
                frames.append(FrameHash(f.timestamp, hash_frame(f.pixels), f.scene_change))
        except Exception as exc:  # noqa: BLE001 - a decoder failure is a property of the file
            return dataclasses.replace(
                record, width=info.width, height=info.height, video=dataclasses.replace(info, frames=tuple(frames)),
                error=f"video frames cannot be decoded: {str(exc)[:300] or type(exc).__name__}",
            )  # fmt: skip
        problems = video.problems
        decoded = video.decoded
        if video.frame_size is not None and video.frame_size != (info.width, info.height):
            # the container's size is before rotation; frames (and screenshots) are as a player shows them
            info = dataclasses.replace(info, width=video.frame_size[0], height=video.frame_size[1])
    if not frames:
        reason = "no video frame can be decoded" if decoded == 0 else "no frame could be converted to pixels"
        return dataclasses.replace(
            record, width=info.width, height=info.height, video=info, error=f"{reason} (corrupt, truncated or unsupported codec)"
        )
    if info.frame_count is None or info.duration is None:
        # containers that do not say how long they are (some WebM, streamed MKV): what was decoded says it
        duration = frames[-1].timestamp if info.fps is None else round(decoded / info.fps, 3)
        info = dataclasses.replace(info, frame_count=info.frame_count or decoded, duration=info.duration or duration)
    error = None
    if problems and info.frame_count and decoded < info.frame_count / 2:
        # most of the video is lost: that is a file we could not analyse, not a detail
        error = f"{problems[0]}; only the frames before the damage were sampled"
        problems = problems[1:]
    return dataclasses.replace(
        record, width=info.width, height=info.height, video=dataclasses.replace(info, frames=tuple(frames)),
        problems=record.problems + problems, error=error,
    )  # fmt: skip


def frame_at(path: str | os.PathLike[str], timestamp: float | None = None) -> Image.Image:
    """The frame of a video shown at ``timestamp`` seconds, as an RGB image.

    The one way a single frame is taken from a video: to verify a match
    against a video-frame reference with local features, to look at the
    frame a screenshot was matched to, and to show a video in a report.

    Parameters
    ----------
    path : str or os.PathLike
        The video file.
    timestamp : float, optional
        Seconds from the start; by default a tenth of the way in (past a
        fade from black, still near the start).

    Returns
    -------
    PIL.Image.Image
        The decoded frame, full size, RGB.

    Raises
    ------
    UnreadableFile
        When the video cannot be opened or has no frame at that time.
    """
    import cv2
    from PIL import Image

    with VideoReader(path) as video:
        pixels = video.frame_at((video.info.duration or 0.0) / 10 if timestamp is None else timestamp)
    return Image.fromarray(cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB))


def mp4_creation_time(path: str | os.PathLike[str]) -> dt.datetime | None:
    """The creation time in an MP4/QuickTime ``moov/mvhd`` box, as UTC, or None.

    Reads box headers only: top-level boxes are skipped by their sizes until
    ``moov``, then its children until ``mvhd``. A zero time (the muxer did not
    set one), a damaged box or another container gives None.

    Examples
    --------
    >>> mp4_creation_time(__file__) is None
    True
    """
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            moov = _find_box(f, b"moov", 0, size)
            if moov is None:
                return None
            mvhd = _find_box(f, b"mvhd", moov[0], moov[1])
            if mvhd is None:
                return None
            f.seek(mvhd[0])
            body = f.read(min(mvhd[1] - mvhd[0], 32))
    except OSError:
        return None
    if len(body) < 8:
        return None
    version = body[0]
    if version == 1 and len(body) >= 12:
        seconds = struct.unpack(">Q", body[4:12])[0]
    elif version == 0:
        seconds = struct.unpack(">I", body[4:8])[0]
    else:
        return None
    if seconds == 0:
        return None
    try:
        when = _MAC_EPOCH + dt.timedelta(seconds=seconds)
    except OverflowError:
        return None
    # 1904 itself means "not set" in practice; years past 2100 are damage.
    return when if 1970 <= when.year <= 2100 else None


def _find_box(f: Any, kind: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The (body start, body end) of the first box of ``kind`` between two offsets."""
    pos = start
    for _ in range(_MAX_BOXES):
        if pos + 8 > end:
            return None
        f.seek(pos)
        head = f.read(16)
        if len(head) < 8:
            return None
        size, box = struct.unpack(">I4s", head[:8])
        header = 8
        if size == 1:
            if len(head) < 16:
                return None
            size, header = struct.unpack(">Q", head[8:16])[0], 16
        elif size == 0:
            size = end - pos  # to the end of the enclosing space
        if size < header or pos + size > end:
            return None
        if box == kind:
            return pos + header, pos + size
        pos += size
    return None
