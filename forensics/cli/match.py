"""``forensics match``: search files in a reference index."""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from forensics.cli.common import progress_bar, quiet_option, stderr_console, stdout_console
from forensics.pipeline.matching import match
from forensics.records.text import display_path, display_text
from forensics.refs.report import MATCHES_SCHEMA
from forensics.render.json import dumps
from forensics.render.matches import print_matches


@click.command("match")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--refs",
    "db",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="The reference index to search (a file, or a postgresql:// URL).",
)
@click.option("--max-distance", type=click.IntRange(0, 64), help="Largest pHash distance for a hash match (default 10).")
@click.option("--no-verify", is_flag=True, help="Hashes only: no local-feature confirmation of crops, overlays and frames.")
@click.option("--workers", "-w", type=click.IntRange(min=1), help="Processes that read files (default: all cores).")
@click.option("--json", "as_json", is_flag=True, help=f"Print JSON (schema {MATCHES_SCHEMA}).")
@quiet_option
def match_command(paths, db, max_distance, no_verify, workers, as_json, quiet) -> None:
    """Find the pictures and videos under PATHS in the reference index --refs.

    Each match names the reference, its source, address and publication date,
    the distance of each hash, the transform found and a confidence; a file
    without a match is not listed. Exit status 1 when a file could not be read.
    """
    with progress_bar("Matching", quiet=quiet) as progress:
        report = match(paths, db, max_distance=max_distance, verify=not no_verify, workers=workers, progress=progress)
    if as_json:
        sys.stdout.write(dumps(report.to_dict()) + "\n")
    else:
        print_matches(report.matches, stdout_console(sys.stdout), queries=report.queries)
    if not quiet:
        err = stderr_console()
        for path, reason in report.unreadable:
            err.print(
                f"[yellow]unreadable[/] {escape(display_path(path))}: {escape(display_text(str(reason)))}", highlight=False, soft_wrap=True
            )
        for path in report.missing:
            err.print(f"[yellow]not found[/] {escape(display_path(path))}", highlight=False, soft_wrap=True)
    if report.unreadable or report.missing:
        raise SystemExit(1)
