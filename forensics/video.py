"""Videos: container facts read with OpenCV."""

from __future__ import annotations

import dataclasses

from .record import ImageRecord, VideoInfo


def read_video(record: ImageRecord) -> ImageRecord:
    """Fill a video record's container facts; damage becomes ``error``."""
    import cv2

    cap = cv2.VideoCapture(record.path)
    try:
        if not cap.isOpened():
            return dataclasses.replace(record, error="video cannot be opened (corrupt, truncated or unsupported codec)")
        fps = cap.get(cv2.CAP_PROP_FPS) or None
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0) or None
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fourcc = int(cap.get(cv2.CAP_PROP_FOURCC))
        codec = "".join(chr((fourcc >> (8 * i)) & 0xFF) for i in range(4)).strip("\x00 ") or None
        info = VideoInfo(
            duration=round(count / fps, 3) if fps and count else None,
            fps=round(fps, 3) if fps else None, frame_count=count, width=w or None, height=h or None, codec=codec,
        )  # fmt: skip
    finally:
        cap.release()
    return dataclasses.replace(record, width=info.width, height=info.height, video=info)
