"""The key frames taken out of a video (schema ``forensics.frames/1``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forensics.records.record import VideoInfo
from forensics.records.text import printable_path

FRAMES_SCHEMA = "forensics.frames/1"


@dataclass(frozen=True)
class ExtractedFrame:
    """One key frame: its time, whether a cut starts there, where it was written, its pHash."""

    timestamp: float  # seconds
    scene_change: bool
    file: str | None  # None when no folder was given to write to
    phash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "timestamp": self.timestamp,
            "scene_change": self.scene_change,
            "file": None if self.file is None else printable_path(self.file),
            "phash": self.phash,
        }


@dataclass(frozen=True)
class FrameExtraction:
    """The key frames of one video (fixed interval plus cuts) with its container facts.

    Serialise with :meth:`to_dict` (schema :data:`FRAMES_SCHEMA`).

    Attributes
    ----------
    video : str
        The video's path.
    info : VideoInfo
        Container facts (duration, fps, frame count, size, codec, creation
        time); its ``frames`` are empty, the key frames are in ``frames``.
    frames : tuple of ExtractedFrame
        In time order.
    problems : tuple of str
        Damage met while decoding (the frames before it are kept).
    """

    video: str
    info: VideoInfo
    frames: tuple[ExtractedFrame, ...] = ()
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": FRAMES_SCHEMA,
            "video": printable_path(self.video),
            "info": {k: v for k, v in self.info.to_dict().items() if k != "frames"},
            "frames": [f.to_dict() for f in self.frames],
            "problems": list(self.problems),
        }
