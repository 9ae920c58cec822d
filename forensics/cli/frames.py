"""``forensics frames``: write a video's sampled frames as images."""

from __future__ import annotations

import sys

import click
from rich.markup import escape
from rich.table import Table

from forensics.cli.common import json_option, progress_bar, quiet_option, stderr_console, stdout_console
from forensics.cli.outputs import OutputConflict
from forensics.pipeline.frames import FORMATS, existing_frames, extract_frames
from forensics.read.video import DEFAULT_INTERVAL
from forensics.records.text import display_path, display_text, name_list
from forensics.render.json import dumps


@click.command("frames")
@click.argument("video", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=str),
    help="Folder to write the frames to (created if missing).",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0),
    default=DEFAULT_INTERVAL,
    show_default=True,
    help="Seconds between fixed samples; 0 keeps only the first frame and the cuts.",
)
@click.option("--no-scenes", is_flag=True, help="Do not add the first frame after each cut.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jpg", show_default=True, help="Image format of the written frames.")
@json_option
@quiet_option
def frames_command(video, out_dir, interval, no_scenes, fmt, as_json, quiet) -> None:
    """Extract the key frames of VIDEO (fixed interval plus cuts) into --out.

    Each frame is written as STEM_SECONDS.s[-cut].FORMAT, ready for a reverse
    image search; the listing gives each frame's time and pHash. A file is never
    written over: when --out already holds frames of this video the command
    refuses to start (exit status 2). Exit status 1 when the video cannot be
    opened or its decoding stops early.
    """
    if in_the_way := existing_frames(video, out_dir, format=fmt):
        raise OutputConflict(
            f"--out {display_path(out_dir)} already holds {len(in_the_way)} frame file(s) of this video "
            f"({name_list(in_the_way, limit=2)}): choose another folder or remove them; frames are never written over a file"
        )
    with progress_bar("Decoding", quiet=quiet) as progress:
        extraction = extract_frames(video, out=out_dir, interval=interval, scenes=not no_scenes, format=fmt, progress=progress)
    if as_json:
        sys.stdout.write(dumps(extraction.to_dict()) + "\n")
    else:
        console = stdout_console(sys.stdout)
        facts = ", ".join(f"{k} {v}" for k, v in extraction.info.to_dict().items() if k != "frames" and v is not None)
        console.print(f"[bold]{escape(display_path(extraction.video))}[/]: {escape(display_text(facts))}")
        table = Table()
        for col in ("time (s)", "cut", "phash", "file"):
            table.add_column(col, overflow="fold")
        for f in extraction.frames:
            table.add_row(f"{f.timestamp:.3f}", "yes" if f.scene_change else "", f.phash, escape(display_path(f.file or "")))
        console.print(table)
    if extraction.problems:
        if not quiet:
            stderr_console().print(f"[yellow]{escape(display_text('; '.join(extraction.problems)))}[/]", soft_wrap=True)
        raise SystemExit(1)
