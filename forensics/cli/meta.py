"""``forensics meta`` and ``forensics hash``: one file at a time."""

from __future__ import annotations

import sys

import click
from rich.markup import escape
from rich.table import Table

from forensics.cli.common import json_option, stdout_console
from forensics.records.text import printable_path
from forensics.report import image_dict


def _flatten(prefix: str, value, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            _flatten(f"{prefix}[{i}]", v, out)
    elif value not in (None, [], {}, "", False, 0) or prefix.endswith(("present", "orientation")):
        out.append((prefix, ", ".join(map(str, value)) if isinstance(value, list) else str(value)))


def _files(paths: tuple[str, ...]) -> list[str]:
    """Files named, and the files in folders named (as ``scan`` finds them); a missing path is an error."""
    from forensics.read.discover import discover

    found = discover(paths)
    if found.missing:
        raise click.ClickException("not found: " + ", ".join(printable_path(p) for p in found.missing))
    return found.files


@click.command("meta")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@json_option
@click.option("--all", "all_tags", is_flag=True, help="Add every raw EXIF tag.")
def meta_command(files, as_json, all_tags) -> None:
    """Show everything the metadata of FILES (or of the files in folders) says."""
    from forensics.read.files import read_metadata
    from forensics.render.json import dumps

    records = [read_metadata(f, all_tags=all_tags) for f in _files(files)]
    if as_json:
        docs = [image_dict(r) for r in records]
        for d in docs:
            d.pop("findings", None)
            d.pop("hashes", None)
        sys.stdout.write(dumps({"schema": "forensics.meta/1", "files": docs}) + "\n")
    else:
        console = stdout_console(sys.stdout)
        for r in records:
            d = image_dict(r)
            for k in ("findings", "hashes", "path"):
                d.pop(k, None)
            table = Table(title=escape(printable_path(r.path)), title_justify="left", show_header=False)
            table.add_column("field", style="bold")
            table.add_column("value", overflow="fold")
            rows: list[tuple[str, str]] = []
            if r.width:
                m = r.metadata
                exif_size = f"{m.exif_width}×{m.exif_height}" if m.exif_width and m.exif_height else "none"
                rows.append(("pixels", f"{r.width}×{r.height} decoded; EXIF says {exif_size}"))
            _flatten("", d, rows)
            for k, v in rows:
                table.add_row(escape(k), escape(v))
            console.print(table)
    if any(r.error for r in records):
        raise SystemExit(1)


@click.command("hash")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@json_option
def hash_command(files, as_json) -> None:
    """Print SHA-256 and the perceptual hashes of FILES (or of the files in folders)."""
    from forensics.read.files import read_file
    from forensics.render.json import dumps

    records = [read_file(f) for f in _files(files)]
    rows = [
        {"path": printable_path(r.path), "sha256": r.sha256, **(r.hashes.to_dict() if r.hashes else {}), **({"error": r.error} if r.error else {})}
        for r in records
    ]
    if as_json:
        sys.stdout.write(dumps({"schema": "forensics.hashes/1", "files": rows}) + "\n")
    else:
        console = stdout_console(sys.stdout)
        table = Table(show_header=True)
        for col in ("file", "sha256", "phash", "dhash", "ahash", "whash", "colorhash"):
            table.add_column(col, overflow="fold")
        for row in rows:
            if "error" in row:
                table.add_row(escape(row["path"]), row["sha256"] or "–", f"[red]{escape(row['error'])}[/]", "", "", "", "")
            else:
                table.add_row(escape(row["path"]), *(row[k] for k in ("sha256", "phash", "dhash", "ahash", "whash", "colorhash")))
        console.print(table)
    if any(r.error for r in records):
        raise SystemExit(1)
