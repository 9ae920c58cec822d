"""``forensics index …``: build, inspect and prune a reference set (``forensics match`` searches it)."""

from __future__ import annotations

import os
import sys

import click
from rich.markup import escape

from forensics.cli.common import limit_options, progress_bar, quiet_option, stderr_console, stdout_console
from forensics.cli.outputs import guard_outputs, output_stream
from forensics.read.decode import limited
from forensics.read.discover import is_companion
from forensics.records.text import display_path, display_text
from forensics.refs.index import ReferenceIndex, parse_published
from forensics.render.json import dumps


def _shown(path: str) -> str:
    """A file name as rich prints it: inert on a terminal, brackets in names are text, not markup."""
    return escape(display_path(path))


def _text(value: object) -> str:
    """A stored value as rich prints it (the index keeps names in their readable form already)."""
    return escape(display_text(str(value)))


def _open(db: str, *, create: bool = False, read_only: bool = False):
    return ReferenceIndex(db, create=create, read_only=read_only)


def _dumps(data) -> str:
    return dumps(data)


@click.group("index")
def index_group() -> None:
    """Build and inspect a reference index (a SQLite file of pictures with their provenance).

    DB is the index file, or a postgresql://user@host/database URL for an index
    shared by a desk (password from the URL, PGPASSWORD or ~/.pgpass; never
    shown; needs pip install 'forensics[postgres]').
    """


@index_group.command("add")
@click.argument("db", type=click.Path(dir_okay=False, path_type=str))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--source", help="Where the pictures were published (outlet, account, archive).")
@click.option("--published", help="Publication date or time, ISO 8601 (2016-06-22 or 2016-06-22T14:00:00+03:00).")
@click.option("--url", help="Address the pictures were published at.")
@click.option("--label", help="A free label to list or remove these pictures by later.")
@click.option("--workers", "-w", type=click.IntRange(min=1), help="Processes that read files (default: all cores).")
@click.option("--retry-failed", is_flag=True, help="Read again the files whose reading crashed in an earlier add (skipped otherwise).")
@click.option(
    "--dask", metavar="SCHEDULER",
    help="Read and hash on a Dask cluster: its scheduler's address (tcp://host:8786), or 'local' for this machine's cores. "
    "The workers must see PATHS under the same names; this process commits. Needs pip install 'forensics[dask]'.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@limit_options
@quiet_option
def index_add(db, paths, source, published, url, label, workers, retry_failed, dask, as_json, memory_budget, time_limit, quiet) -> None:
    """Add the pictures and videos under PATHS to the index DB (created if missing).

    Content already in the index is counted, not stored twice; a rerun after an
    interruption skips the files already added, and the files whose reading
    crashed in an earlier run unless --retry-failed. Each sampled frame of a
    video becomes a reference with its timestamp. Exit status 1 when a file is
    left out (unreadable, or skipped after a crash).
    """

    # An index inside a folder it indexes is passed over by discovery; any other file there is an input.
    guard_outputs([("DB", db)], paths, into_folders=os.path.lexists(db) and not is_companion(db))
    try:
        parse_published(published)
    except ValueError:
        raise click.BadParameter(f"{published!r} is not an ISO 8601 date or time", param_hint="--published") from None
    reading = limited(memory_budget=memory_budget, time_limit=time_limit)
    with reading, _open(db, create=True) as index, progress_bar("Indexing", quiet=quiet, rate="files") as progress:
        result = index.add(
            paths, source=source, published=published, url=url, label=label, workers=workers, progress=progress, retry_failed=retry_failed,
            dask=dask,
        )  # fmt: skip
        shown = index.path  # a database URL without its password
    if as_json:
        sys.stdout.write(_dumps({"schema": "forensics.index-add/1", "db": shown, **result.to_dict()}) + "\n")
    else:
        out = stdout_console(sys.stdout)
        out.print(
            f"{result.added} added ({result.references} reference(s)), {result.duplicates} already indexed content, "
            f"{result.skipped} unchanged path(s) skipped, {len(result.unreadable)} unreadable"
            + (f", {len(result.after_crash)} skipped after a crash (--retry-failed reads them)" if result.after_crash else ""),
            highlight=False, markup=False, soft_wrap=True,
        )  # fmt: skip
    left_out = [("unreadable", p, r) for p, r in result.unreadable] + [
        ("skipped", p, f"{r} in an earlier run") for p, r in result.after_crash
    ]
    if left_out:
        if not quiet:
            err = stderr_console()
            for what, path, reason in left_out[:20]:
                err.print(f"[yellow]{what}[/] {_shown(path)}: {_text(reason)}", highlight=False, soft_wrap=True)
            if len(left_out) > 20:
                err.print(f"… and {len(left_out) - 20} more")
        raise SystemExit(1)


@index_group.command("ls")
@click.argument("db", type=click.Path(dir_okay=False, path_type=str))
@click.option("--source", help="Only files from this source.")
@click.option("--label", help="Only files with this label.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many files.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@quiet_option
def index_ls(db, source, label, limit, as_json, quiet) -> None:
    """List the files in the index DB with their provenance."""
    with _open(db, read_only=True) as index:
        rows = index.files(source=source, label=label, limit=limit)
    keys = ("id", "path", "kind", "width", "height", "source", "published", "url", "label", "refs", "copies", "sha256", "added_at")
    rows = [{k: r.get(k) for k in keys} for r in rows]
    if as_json:
        sys.stdout.write(_dumps({"schema": "forensics.index-ls/1", "files": rows}) + "\n")
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} file(s)", title_justify="left")
    for col in ("path", "kind", "size", "source", "published", "label", "refs"):
        table.add_column(col, overflow="fold")
    for r in rows:
        size = f"{r['width']}×{r['height']}" if r["width"] else "–"
        table.add_row(
            *(
                _text(v) if v not in (None, "") else "–"
                for v in (r["path"], r["kind"], size, r["source"], r["published"], r["label"], r["refs"])
            )
        )
    stdout_console(sys.stdout).print(table)


@index_group.command("stats")
@click.argument("db", type=click.Path(dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@quiet_option
def index_stats(db, as_json, quiet) -> None:
    """Counts of the index DB by kind, source and label; schema version; size."""
    with _open(db, read_only=True) as index:
        stats = index.stats()
    if as_json:
        sys.stdout.write(_dumps({"schema": "forensics.index-stats/1", **stats}) + "\n")
        return
    out = stdout_console(sys.stdout)
    out.print(
        f"{display_path(stats['path'])}: schema {stats['schema_version']}, {stats['bytes']:,} bytes",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    out.print(
        f"{stats['files']} file(s) (and {stats['other_copies']} copies under other paths), {stats['references']} reference(s), "
        f"{stats['video_frames']} of them video frames",
        highlight=False, markup=False, soft_wrap=True,
    )  # fmt: skip
    pub = stats["published"]
    if pub["earliest"]:
        out.print(
            f"published from {display_text(pub['earliest'])} to {display_text(pub['latest'])}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if stats["failed"]:
        out.print(
            f"{stats['failed']} file(s) skipped by add since reading them crashed (index add --retry-failed reads them again)",
            highlight=False, markup=False, soft_wrap=True,
        )  # fmt: skip
    for title, key in (("kind", "by_kind"), ("source", "by_source"), ("label", "by_label")):
        if stats[key]:
            out.print(
                f"by {title}: " + ", ".join(f"{display_text(k or '(none)')} {n}" for k, n in stats[key].items()),
                highlight=False,
                markup=False,
                soft_wrap=True,
            )


@index_group.command("rm")
@click.argument("db", type=click.Path(dir_okay=False, path_type=str))
@click.option("--source", help="Remove the files from this source.")
@click.option("--label", help="Remove the files with this label.")
@click.option("--path", "paths", multiple=True, help="Remove this file, or everything indexed under this folder (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the count as JSON.")
@quiet_option
def index_rm(db, source, label, paths, as_json, quiet) -> None:
    """Remove files from the index DB by source, label or path (criteria combine with AND)."""
    if source is None and label is None and not paths:
        raise click.UsageError("say what to remove: --source, --label or --path")
    with _open(db) as index:
        n = index.remove(source=source, label=label, paths=paths)
    if as_json:
        sys.stdout.write(_dumps({"schema": "forensics.index-rm/1", "removed": n}) + "\n")
    else:
        stdout_console(sys.stdout).print(f"{n} file(s) removed", highlight=False, markup=False, soft_wrap=True)


@index_group.command("export")
@click.argument("db", type=click.Path(dir_okay=False, path_type=str))
@click.option("--jsonl", "as_jsonl", is_flag=True, required=True, help="One JSON object per line and file (the only format).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=str),
    help="Write the lines to this file (whole, or not at all) instead of stdout.",
)
@quiet_option
def index_export(db, as_jsonl, output, quiet) -> None:
    """Print every file of the index DB with its provenance and hashes, as JSON Lines."""

    guard_outputs([("--output", output)], [db])
    with _open(db, read_only=True) as index, output_stream(output) as out:
        for row in index.export():
            out.write(dumps(row, indent=None) + "\n")
