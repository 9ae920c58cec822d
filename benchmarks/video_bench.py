"""Video sampling speed against plain decoding of the same video.

Generates (once, seeded, cached under ``benchmarks/_data/``) a video of
moving, textured shots with hard cuts (``tests/videogen.py``), by default
1280×720 at 30 fps for 60 s in MPEG-4 Part 2 (``mp4v``, the encoder OpenCV
wheels ship). Then measures, in one process, frames of video per second for

* ``grab``: ``while cap.grab()`` — decode every frame, convert none (the floor:
  a decoder cannot skip frames between key frames);
* ``read``: ``while cap.read()`` — decode and convert every frame to BGR, what
  a naive sampler that looks at every frame pays;
* ``forensics``: :func:`forensics.video.read_video` — the scan's work: grab
  every frame, retrieve one every 0.25 s to look for cuts, hash one every 0.5 s
  and at each cut;
* ``forensics, no cuts``: fixed samples only;

and, apart, the cost of finding player-window screenshots in a video of the
same set (:func:`forensics.videomatch.match_set_videos`) against reading them.

Usage::

    python benchmarks/video_bench.py [--seconds 60] [--size 1280x720] [--fps 30] [--repeat 3] [--player-windows 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data" / "video"
sys.path.insert(0, str(HERE.parent / "tests"))


def ensure_video(seconds: float, size: tuple[int, int], fps: int) -> Path:
    """The benchmark video, generated where missing."""
    from videogen import Clip

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"bench_{size[0]}x{size[1]}_{fps}fps_{seconds:g}s.mp4"
    if not path.exists():
        print(f"generating {path.name} (once)…", file=sys.stderr)
        shots = []
        left = seconds
        k = 0
        while left > 0:  # shots of 2 to 6 s
            length = min(left, 2.0 + (k * 7 % 5))
            shots.append(length)
            left -= length
            k += 1
        tmp = path.with_suffix(".part.mp4")
        Clip(11, tuple(shots), size=size, fps=fps).write(tmp)
        tmp.rename(path)
    return path


def plain(path: Path, convert: bool) -> int:
    import cv2

    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    n = 0
    step = cap.read if convert else cap.grab
    while True:
        got = step()
        if not (got[0] if convert else got):
            break
        n += 1
    cap.release()
    return n


def ours(path: Path, scenes: bool) -> int:
    from forensics.read import video
    from forensics.read.files import read_file

    if not scenes:
        with video.VideoReader(path) as v:
            for f in v.sample(scenes=False):
                video.hash_frame(f.pixels)
            return v.decoded
    record = read_file(path)  # what a scan does for a video (SHA-256 of the file included)
    assert record.error is None and record.video and record.video.frames, record.error
    return record.video.frame_count or 0


def player_windows(n: int) -> dict[str, float]:
    """CPU ms per screenshot to find ``n`` player-window screenshots in a video of the same set."""
    import tempfile

    from videogen import Clip, player_screenshot

    from forensics.read.files import read_file
    from forensics.refs.videos import match_set_videos

    clip = Clip(1)
    with tempfile.TemporaryDirectory() as tmp:
        video = clip.write(Path(tmp) / "clip.mp4")
        paths = []
        for i in range(n):
            p = Path(tmp) / f"Screen Shot 2016-06-22 at 6.31.{i % 60:02d} PM ({i}).png"
            player_screenshot(clip.frame((0.2 + i * 0.42) % clip.duration), seed=i).save(p)
            paths.append(p)
        c = time.process_time()
        records = [read_file(p) for p in paths]
        read_ms = (time.process_time() - c) / n * 1000
        records.append(read_file(video))
        c = time.process_time()
        found = match_set_videos(records)
        match_ms = (time.process_time() - c) / n * 1000
    return {"screenshots": n, "found": len(found), "by_features": sum(m.method == "features" for m in found),
            "read_ms_cpu": round(read_ms, 1), "match_ms_cpu": round(match_ms, 1)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--player-windows", type=int, default=20, metavar="N",
                    help="also time finding N player-window screenshots in a video of the same set (0: skip)")
    args = ap.parse_args(argv)
    w, h = (int(x) for x in args.size.lower().split("x"))
    path = ensure_video(args.seconds, (w, h), args.fps)
    plain(path, False)  # warm the page cache

    methods = {
        "grab (decode only, the floor)": lambda: plain(path, False),
        "read (decode + convert every frame)": lambda: plain(path, True),
        "forensics read_video (0.5 s grid + cuts)": lambda: ours(path, True),
        "forensics, fixed grid only": lambda: ours(path, False),
    }
    # Round-robin, so that a busy machine slows every method alike; report the median (and the best).
    # CPU seconds (all threads of the process) as well: on a shared, busy machine they move far less than wall time.
    times: dict[str, list[float]] = {name: [] for name in methods}
    cpu: dict[str, list[float]] = {name: [] for name in methods}
    frames: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, fn in methods.items():
            t, c = time.perf_counter(), time.process_time()
            frames[name] = fn()
            times[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    rows = {}
    for name, ts in times.items():
        seconds = statistics.median(ts)
        rows[name] = {"seconds": round(seconds, 3), "best": round(min(ts), 3), "cpu": round(statistics.median(cpu[name]), 3),
                      "frames": frames[name], "fps": round(frames[name] / seconds, 1)}  # fmt: skip
    floor = rows["grab (decode only, the floor)"]
    for r in rows.values():
        r["x_floor"] = round(r["seconds"] / floor["seconds"], 2)
        r["x_floor_cpu"] = round(r["cpu"] / floor["cpu"], 2)
    meta = {"video": path.name, "size_bytes": os.path.getsize(path), "cpus": os.cpu_count(), "repeat": args.repeat}
    windows = player_windows(args.player_windows) if args.player_windows else None
    if args.json:
        print(json.dumps({"meta": meta, "results": rows, "player_windows": windows}, indent=2))
    else:
        print(f"{path.name}: {meta['size_bytes'] / 1e6:.1f} MB, median of {args.repeat}")
        print(f"| {'method':<42} | frames/s | s (median) | s (best) | CPU s | × floor (wall) | × floor (CPU) |")
        print(f"|{'-' * 44}|---|---|---|---|---|---|")
        for name, r in rows.items():
            print(f"| {name:<42} | {r['fps']:,.0f} | {r['seconds']:.2f} | {r['best']:.2f} | {r['cpu']:.2f} "
                  f"| {r['x_floor']:.2f} | {r['x_floor_cpu']:.2f} |")
        if windows:
            print(f"player windows: {windows['found']} of {windows['screenshots']} found ({windows['by_features']} by features), "
                  f"{windows['match_ms_cpu']} ms CPU each to find, {windows['read_ms_cpu']} ms to read")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
