"""Key frames of a video (fixed interval plus cuts), hashed and written as images."""

from __future__ import annotations

import os
import re
from typing import Any, Literal

from forensics.errors import ForensicsError, UnreadableFile
from forensics.read.keyframes import ExtractedFrame, FrameExtraction
from forensics.read.video import DEFAULT_INTERVAL, Progress, VideoReader, hash_frame
from forensics.records.atomic import atomic_binary
from forensics.records.text import display_path, name_list, printable_path

FrameFormat = Literal["jpg", "png"]
FORMATS: tuple[FrameFormat, ...] = ("jpg", "png")
JPEG_QUALITY = 92  # the frames are for reverse image searches: keep them close to what was decoded
_PIL_FORMAT = {"jpg": "JPEG", "png": "PNG"}


def frame_name(video: str | os.PathLike[str], timestamp: float, *, cut: bool, format: FrameFormat = "jpg") -> str:
    """The file name a frame is written as: ``STEM_SECONDS.s[-cut].FORMAT`` (``clip_000003.000s-cut.jpg``)."""
    stem = os.path.splitext(os.path.basename(os.fsdecode(video)))[0]
    return f"{stem}_{timestamp:010.3f}s{'-cut' if cut else ''}.{format}"


def existing_frames(video: str | os.PathLike[str], out: str | os.PathLike[str], *, format: FrameFormat = "jpg") -> list[str]:
    """The files in ``out`` named as frames of ``video`` would be, sorted; frames are never written over them."""
    stem = os.path.splitext(os.path.basename(os.fsdecode(video)))[0]
    pattern = re.compile(re.escape(stem) + r"_\d{6,}\.\d{3}s(-cut)?\." + re.escape(format))
    try:
        names = os.listdir(os.fsdecode(out))
    except OSError:  # no folder yet (it is created), or one that cannot be listed (said when writing)
        return []
    return sorted(os.path.join(os.fsdecode(out), n) for n in names if pattern.fullmatch(n))


def extract_frames(
    video: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    interval: float = DEFAULT_INTERVAL,
    scenes: bool = True,
    format: FrameFormat = "jpg",
    progress: Progress | None = None,
) -> FrameExtraction:
    """Decode ``video`` once and keep its key frames: one every ``interval`` seconds and the first after each cut.

    Each frame is hashed and, when ``out`` is given, written there as
    ``STEM_SECONDS.s[-cut].FORMAT`` (``clip_000003.000s-cut.jpg``), ready for
    a reverse image search. A frame is written whole or not at all, and never
    over an existing file (:func:`existing_frames` lists those in the way).

    Parameters
    ----------
    video : str or os.PathLike
        The video file.
    out : str or os.PathLike, optional
        Folder to write the frames to (created if missing); when None nothing
        is written and each frame's ``file`` is None.
    interval : float
        Seconds between fixed samples; 0 keeps only the first frame and the cuts.
    scenes : bool
        Also keep the first frame after each cut.
    format : {"jpg", "png"}
        Image format of the written frames.
    progress : callable, optional
        Called as ``progress(decoded, total)`` every few dozen frames.

    Returns
    -------
    FrameExtraction
        The container facts, the frames in time order and the damage met
        while decoding (``problems``: the frames decoded before it are kept).
        ``to_dict()`` is the ``forensics.frames/1`` document.

    Raises
    ------
    UnreadableFile
        When the file is missing, is not a video, or cannot be opened.
    ForensicsError
        When ``out`` cannot be created, a frame cannot be written there, or
        a file of a frame's name is already there.

    Examples
    --------
    >>> extract_frames("no-such-clip.mp4")
    Traceback (most recent call last):
    ...
    forensics.errors.UnreadableFile: no-such-clip.mp4: no such file
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    if interval < 0:
        raise ValueError("interval must be >= 0")
    path = os.fsdecode(video)
    folder = None if out is None else os.fsdecode(out)
    if folder is not None:
        if in_the_way := existing_frames(path, folder, format=format):
            raise ForensicsError(
                f"{display_path(folder)} already holds {len(in_the_way)} frame file(s) of this video "
                f"({name_list(in_the_way, limit=2)}): frames are never written over a file"
            )
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise ForensicsError(f"cannot create {printable_path(folder)}: {exc.strerror or exc}") from exc
    if not os.path.isfile(path):  # said here, so that the message below can name the file once
        raise UnreadableFile(f"{printable_path(path)}: no such file")
    try:
        opened = VideoReader(path)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{printable_path(path)}: {exc}") from exc
    frames = []
    with opened as reader:
        for frame in reader.sample(interval=interval, scenes=scenes, progress=progress):
            target = None
            if folder is not None:
                target = os.path.join(folder, frame_name(path, frame.timestamp, cut=frame.scene_change, format=format))
                try:
                    options: dict[str, Any] = {"quality": JPEG_QUALITY} if format == "jpg" else {}
                    with atomic_binary(target, overwrite=False) as f:
                        frame.to_image().save(f, format=_PIL_FORMAT[format], **options)
                except FileExistsError as exc:
                    raise ForensicsError(f"{display_path(target)} already exists: frames are never written over a file") from exc
                except OSError as exc:
                    raise ForensicsError(f"cannot write {display_path(target)}: {exc.strerror or exc}") from exc
            frames.append(ExtractedFrame(frame.timestamp, frame.scene_change, target, hash_frame(frame.pixels).phash))
        return FrameExtraction(video=path, info=reader.info, frames=tuple(frames), problems=reader.problems)
