"""``forensics frames``: write a video's sampled frames as images."""

from __future__ import annotations

import os
import sys

import click
from rich.markup import escape
from rich.table import Table

from forensics.cli.common import json_option, progress_bar, quiet_option, stderr_console, stdout_console
from forensics.read.video import DEFAULT_INTERVAL


@click.command("frames")
@click.argument("video", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str), help="Folder to write the frames to (created if missing).")
@click.option("--interval", type=click.FloatRange(min=0), default=DEFAULT_INTERVAL, show_default=True, help="Seconds between fixed samples; 0 keeps only the first frame and the cuts.")
@click.option("--no-scenes", is_flag=True, help="Do not add the first frame after each cut.")
@click.option("--format", "fmt", type=click.Choice(["jpg", "png"]), default="jpg", show_default=True, help="Image format of the written frames.")
@json_option
@quiet_option
def frames_command(video, out_dir, interval, no_scenes, fmt, as_json, quiet) -> None:
    """Extract the key frames of VIDEO (fixed interval plus cuts) into --out.

    Each frame is written as STEM_SECONDS.s[-cut].FORMAT, ready for a reverse
    image search; the listing gives each frame's time and pHash. Exit status 1
    when the video cannot be opened or its decoding stops early.
    """
    from forensics.errors import UnreadableFile
    from forensics.read.video import VideoReader, hash_frame
    from forensics.records.text import printable_path
    from forensics.render.json import dumps

    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"cannot create {out_dir}: {exc.strerror or exc}") from exc
    stem = os.path.splitext(os.path.basename(video))[0]
    rows = []
    try:
        opened = VideoReader(video)
    except UnreadableFile as exc:
        raise click.ClickException(f"{printable_path(video)}: {exc}") from exc
    with opened as reader, progress_bar("Decoding", quiet=quiet) as progress:
        for frame in reader.sample(interval=interval, scenes=not no_scenes, progress=progress):
            name = f"{stem}_{frame.timestamp:010.3f}s{'-cut' if frame.scene_change else ''}.{fmt}"
            target = os.path.join(out_dir, name)
            try:
                frame.to_image().save(target, **({"quality": 92} if fmt == "jpg" else {}))
            except OSError as exc:
                raise click.ClickException(f"cannot write {target}: {exc.strerror or exc}") from exc
            rows.append({"timestamp": frame.timestamp, "scene_change": frame.scene_change, "file": target,
                         "phash": hash_frame(frame.pixels).phash})  # fmt: skip
        info, problems = reader.info, reader.problems

    if as_json:
        facts = {k: v for k, v in info.to_dict().items() if k != "frames"}
        doc = {"schema": "forensics.frames/1", "video": printable_path(video), "info": facts,
               "frames": [{**r, "file": printable_path(r["file"])} for r in rows], "problems": list(problems)}  # fmt: skip
        sys.stdout.write(dumps(doc) + "\n")
    else:
        console = stdout_console(sys.stdout)
        facts = ", ".join(f"{k} {v}" for k, v in info.to_dict().items() if k != "frames" and v is not None)
        console.print(f"[bold]{escape(printable_path(video))}[/]: {escape(facts)}")
        table = Table()
        for col in ("time (s)", "cut", "phash", "file"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(f"{r['timestamp']:.3f}", "yes" if r["scene_change"] else "", r["phash"], escape(printable_path(r["file"])))
        console.print(table)
    if problems:
        if not quiet:
            stderr_console().print(f"[yellow]{escape('; '.join(problems))}[/]", soft_wrap=True)
        raise SystemExit(1)
