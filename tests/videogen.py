"""Seeded test videos (moving, textured shots with hard cuts) and screenshots of them.

Used by the tests and the benchmarks; nothing here ships in the package.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from imagegen import photo
from PIL import Image, ImageDraw

FPS = 25
SIZE = (320, 240)


class Clip:
    """A video made of shots; each shot pans across its own seeded photo.

    ``frame(t)`` gives the exact picture shown at ``t`` seconds, so that a
    test knows the truth a screenshot was made from.
    """

    def __init__(self, seed: int, shots: tuple[float, ...] = (3.0, 2.5, 3.5), *, size: tuple[int, int] = SIZE, fps: int = FPS):
        self.seed, self.shots, self.size, self.fps = seed, shots, size, fps
        w, h = size
        self._scenes = [np.asarray(photo(seed * 100 + i, (w * 2, h * 2)))[:, :, ::-1].copy() for i in range(len(shots))]
        self.cuts = tuple(float(sum(shots[:i])) for i in range(1, len(shots)))

    @property
    def duration(self) -> float:
        return float(sum(self.shots))

    @property
    def frame_count(self) -> int:
        return round(self.duration * self.fps)

    def frame(self, t: float) -> np.ndarray:
        """BGR pixels shown at ``t`` seconds (the frame whose time is the last <= t)."""
        i = min(int(round(t * self.fps, 6)), self.frame_count - 1)
        t = i / self.fps
        start = 0.0
        for k, length in enumerate(self.shots):
            if t < start + length or k == len(self.shots) - 1:
                break
            start += length
        u = (t - start) / length  # 0..1 through the shot
        w, h = self.size
        scene = self._scenes[k]
        # pan diagonally across the double-size picture
        x, y = int(u * w * 0.4), int(u * h * 0.4)
        return scene[y : y + h, x : x + w]

    def write(self, path: str | Path, *, fourcc: str = "mp4v") -> Path:
        import cv2

        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), self.fps, self.size)
        if not writer.isOpened():
            raise RuntimeError(f"cannot write {fourcc} video")
        try:
            for i in range(self.frame_count):
                writer.write(np.ascontiguousarray(self.frame(i / self.fps)))
        finally:
            writer.release()
        return Path(path)


def rgb(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(pixels[:, :, ::-1].copy())


def player_screenshot(
    frame: np.ndarray, *, window: tuple[int, int] = (1024, 700), video_box: tuple[int, int, int, int] = (40, 60, 944, 531),
    seed: int = 0,
) -> Image.Image:  # fmt: skip
    """A screenshot of a desktop video player showing ``frame``.

    The window has a title bar, a black 16:9 video area in which the 4:3 frame
    is scaled and pillarboxed, and a control bar (play button, progress bar,
    time text) under it; the whole is what a screenshot tool saves.
    """
    rng = np.random.default_rng(seed)
    ww, wh = window
    shot = Image.new("RGB", window, (236, 236, 236))
    draw = ImageDraw.Draw(shot)
    draw.rectangle((0, 0, ww, 28), fill=(210, 210, 214))
    for i, c in enumerate(((255, 95, 87), (255, 189, 46), (40, 201, 64))):
        draw.ellipse((10 + 20 * i, 8, 22 + 20 * i, 20), fill=c)
    draw.text((ww // 2 - 60, 8), "clip.mp4 - Player", fill=(40, 40, 40))
    x, y, bw, bh = video_box
    draw.rectangle((x, y, x + bw, y + bh), fill=(0, 0, 0))
    fh, fw = frame.shape[:2]
    scale = min(bw / fw, bh / fh)
    sw, sh = round(fw * scale), round(fh * scale)
    shot.paste(rgb(frame).resize((sw, sh), Image.Resampling.BICUBIC), (x + (bw - sw) // 2, y + (bh - sh) // 2))
    cy = y + bh + 14
    draw.rectangle((x, cy, x + bw, cy + 44), fill=(30, 30, 30))
    draw.polygon([(x + 14, cy + 10), (x + 14, cy + 34), (x + 34, cy + 22)], fill=(250, 250, 250))
    pos = int(rng.integers(60, bw - 200))
    draw.rectangle((x + 50, cy + 20, x + bw - 120, cy + 24), fill=(90, 90, 90))
    draw.rectangle((x + 50, cy + 20, x + 50 + pos, cy + 24), fill=(230, 40, 40))
    draw.text((x + bw - 110, cy + 16), "0:07 / 0:09", fill=(250, 250, 250))
    return shot


def plain_screenshot(frame: np.ndarray, *, scale: float = 1.5) -> Image.Image:
    """The frame alone, scaled as a full-screen player shows it."""
    img = rgb(frame)
    return img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.BICUBIC)
