"""Reference matches: a query picture found in a reference set."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .record import _Serialisable


@dataclass(frozen=True)
class Reference(_Serialisable):
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
class Match(_Serialisable):
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
